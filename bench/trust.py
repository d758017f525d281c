"""Trust changes: how fast they take effect across the region, and what they cost per entry.

Three real node processes (kz, kg, tj) on 127.0.0.1 (SQLite). Figures:
  (a) revocation latency: kg's administrator imports a revocation at kg; time until kz AND tj
      hold it (polled every 10 ms over their operator sockets), median of --rounds;
  (b) bundle latency: bundle v2 imported at kz; time until kg and tj hold it;
  beside them, the machine's own floor: the median round trip of one empty Trust RPC over mutual
  TLS from kg's identity to kz (the one hop a change needs);
  (c) per-entry signer check (certificate windows + revocation) calls/s, beside bare Ed25519
      verifies/s on one thread: the share of the receive path that trust adds.

Run: .venv/bin/python bench/trust.py [--rounds N] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exchange._proto.v1 import exchange_pb2, exchange_pb2_grpc, trust_pb2
from exchange.envelope import SigningKey, VerifyKey
from exchange.localregion import LocalNode, LocalRegion, make_bundle, wait_for
from exchange.node.tls import server_name
from exchange.trust import issue_revocation, node_key_id
from exchange.trust.signers import TrustedSigners

console = Console(stderr=True)


def rpc_floor(sender: LocalNode, target: LocalNode, n: int = 30) -> float:
    creds = grpc.ssl_channel_credentials(
        root_certificates=(target.state_dir / "tls.crt").read_bytes(),
        private_key=(sender.state_dir / "tls.key").read_bytes(),
        certificate_chain=(sender.state_dir / "tls.crt").read_bytes(),
    )
    opts = [("grpc.ssl_target_name_override", server_name(target.country))]
    times = []
    with grpc.secure_channel(target.address, creds, options=opts) as ch:
        stub = exchange_pb2_grpc.ExchangeStub(ch)
        stub.Trust(exchange_pb2.TrustSync(), timeout=10)  # connect first
        for _ in range(n):
            t = time.perf_counter()
            stub.Trust(exchange_pb2.TrustSync(), timeout=10)
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def signer_check_rate(seconds: float = 1.0) -> tuple[float, float]:
    vk = VerifyKey.from_raw("kg", SigningKey.generate().public_raw)
    t0 = time.time_ns()
    s = TrustedSigners(
        "kg",
        {vk.key_id: vk},
        {vk.key_id: ((t0 - 10**12, t0 + 10**15), (t0 + 10**16, t0 + 10**17))},
        {"0" * 64: t0},
    )
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(1000):
            s.check(vk.key_id, t0, t0)
        n += 1000
    checks = n / (time.perf_counter() - start)
    key = Ed25519PrivateKey.generate()
    msg = b"x" * 600
    sig = key.sign(msg)
    pub = key.public_key()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(200):
            pub.verify(sig, msg)
        n += 200
    return checks, n / (time.perf_counter() - start)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ex-bench-"))
    region = LocalRegion(root, ("kz", "kg", "tj"))
    result: dict[str, object] = {}
    try:
        console.print("starting kz, kg, tj ...")
        region.start()
        assert region.trust is not None
        kz, kg, tj = region["kz"], region["kg"], region["tj"]
        now = datetime.now(UTC)
        # Extra certified keys for kg, one per round, to revoke one by one.
        seal_keys = [
            X25519PrivateKey.generate().public_key().public_bytes_raw() for _ in range(args.rounds)
        ]
        for pub in seal_keys:
            kg.import_trust(region.trust.certify(kg, {trust_pb2.KEY_PURPOSE_SEAL: pub}))

        def holds(node: LocalNode, key_id: str) -> bool:
            return any(k.key_id == key_id and k.state == "revoked" for k in node.keys_status().keys)

        rev_times = []
        for i, pub in enumerate(seal_keys):
            console.print(f"revocation round {i + 1}/{args.rounds} ...")
            kid = node_key_id(pub)
            rev = trust_pb2.KeyRevocation(country="kg", key_id=kid, reason="bench")
            rev.effective.FromDatetime(now - timedelta(seconds=1))
            env = issue_revocation(region.trust.admins["kg"], rev)
            t = time.perf_counter()
            kg.import_trust([env])
            wait_for(lambda kid=kid: holds(kz, kid) and holds(tj, kid), 60, "the revocation", 0.01)  # type: ignore[misc]
            rev_times.append(time.perf_counter() - t)
        console.print("bundle v2 ...")
        v2 = make_bundle(2, region.trust.admins, threshold=2)
        t = time.perf_counter()
        kz.import_trust([v2])
        wait_for(
            lambda: kg.keys_status().bundle_version == 2 and tj.keys_status().bundle_version == 2,
            60,
            "bundle v2",
            0.01,
        )
        bundle_time = time.perf_counter() - t
        floor = rpc_floor(kg, kz)
        checks, verifies = signer_check_rate()
        result = {
            "revocation_ms_median": round(statistics.median(rev_times) * 1000, 1),
            "revocation_ms_max": round(max(rev_times) * 1000, 1),
            "bundle_v2_ms": round(bundle_time * 1000, 1),
            "trust_rpc_round_trip_ms": round(floor * 1000, 2),
            "signer_checks_per_s": round(checks),
            "bare_ed25519_verifies_per_s": round(verifies),
            "signer_check_cost_vs_verify": round(verifies / checks, 4),
        }
    finally:
        region.stop()
        shutil.rmtree(root, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    r = result
    print(
        f"revocation in effect at both peers: median {r['revocation_ms_median']} ms "
        f"(max {r['revocation_ms_max']} ms over {args.rounds} rounds)\n"
        f"bundle v2 at both peers: {r['bundle_v2_ms']} ms\n"
        f"  machine floor, one mTLS Trust RPC round trip: {r['trust_rpc_round_trip_ms']} ms\n"
        f"signer checks: {r['signer_checks_per_s']:,}/s beside bare Ed25519 verifies "
        f"{r['bare_ed25519_verifies_per_s']:,}/s (a check costs "
        f"{float(str(r['signer_check_cost_vs_verify'])) * 100:.1f}% of a verify)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
