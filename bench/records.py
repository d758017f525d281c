"""Record requests: requests per second from an officer's request at kg to the approved,
sealed response opened at kg, with automatic approval at kz; and the cost of sealing one
response (HPKE ML-KEM-768 + X25519) beside a bare Ed25519 signature, in the same run.

Two real node processes on 127.0.0.1 (SQLite by default, or --database-url).

Run: .venv/bin/python bench/records.py [--requests 200] [--database-url URL] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import database_urls
from exchange._proto.v1 import record_ops_pb2, record_pb2
from exchange.envelope import SigningKey
from exchange.localregion import LocalRegion, wait_for
from exchange.records import seal

console = Console(stderr=True)
POLICY = """country = "{me}"
[[share]]
to = "{peer}"
categories = ["*"]
max_handling = "H3"
fields = ["*"]
record_requests = "auto"
record_fields = ["category", "risk", "summary", "facility_region", "subject.birth_year"]
[[accept]]
from = "{peer}"
categories = ["*"]
max_batch = 1000
max_rate = 1000000
"""


def seal_cost(n: int = 300) -> tuple[float, float]:
    """Seconds per seal of a typical record, and per bare Ed25519 signature."""
    key = seal.generate()
    public = seal.public_of(key)
    rec = record_pb2.SealedRecord(
        fields=[record_pb2.RecordField(name=f"field{i}", value="x" * 200) for i in range(6)]
    )
    info = seal.context("kz", "kg", "r" * 36, "s" * 36, "a" * 64, "b" * 64)
    t = time.perf_counter()
    for _ in range(n):
        seal.seal(rec, public, info)
    per_seal = (time.perf_counter() - t) / n
    signer = SigningKey.generate()
    msg = rec.SerializeToString()
    t = time.perf_counter()
    for _ in range(n * 10):
        signer.sign("application/x", msg)
    per_sign = (time.perf_counter() - t) / (n * 10)
    return per_seal, per_sign


def run(args: argparse.Namespace) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="exr-"))
    region: LocalRegion | None = None
    result: dict[str, Any] = {"requests": args.requests}
    try:
        with database_urls(args.database_url) as urls:
            policies = {
                "kz": POLICY.format(me="kz", peer="kg"),
                "kg": POLICY.format(me="kg", peer="kz"),
            }
            region = LocalRegion(root, ("kz", "kg"), urls, policies=policies)
            region.start()
            kz, kg = region["kz"], region["kg"]
            aid = json.loads(
                kz.cli(
                    "alerts",
                    "publish",
                    "--json",
                    "--category",
                    "release-notice",
                    "--risk",
                    "high",
                    "--handling",
                    "H1",
                    "--summary",
                    "Release next week",
                )
            )["alert_id"]
            wait_for(lambda: any(a.alert.alert_id == aid for a in kg.alerts("kz")), 30, "alert")
            console.print(f"{args.requests} requests kg -> kz, automatic approval ...")
            t0 = time.perf_counter()
            ids = []
            for _ in range(args.requests):
                c = kg.call(
                    "RequestRecord",
                    record_ops_pb2.RequestRecordRequest(
                        to="kz", alert_id=aid, purpose="Risk assessment", legal_basis="Art. 4"
                    ),
                )
                ids.append(c.request_id)

            def all_answered() -> bool:
                resp = kg.call("ListRecords", record_ops_pb2.ListRecordsRequest(limit=1000))
                return sum(c.state == "answered" for c in resp.cases) >= len(ids)

            wait_for(all_answered, 300, "every request answered")
            for rid in ids:
                got = kg.call("OpenRecord", record_ops_pb2.OpenRecordRequest(request_id=rid))
                assert got.case.state == "answered" and got.fields, got.case.request_id
            elapsed = time.perf_counter() - t0
            result["database"] = "postgresql" if args.database_url else "sqlite"
            result["seconds"] = round(elapsed, 2)
            result["requests_per_second"] = round(len(ids) / elapsed, 1)
    finally:
        if region is not None:
            region.stop()
        shutil.rmtree(root, ignore_errors=True)
    per_seal, per_sign = seal_cost()
    result["seal_ms"] = round(per_seal * 1000, 3)
    result["ed25519_sign_ms"] = round(per_sign * 1000, 3)
    result["seal_over_sign"] = round(per_seal / per_sign, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--database-url", default=None)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not 1 <= args.requests <= 5000:
        p.error("--requests must be between 1 and 5000")
    r = run(args)
    if args.json:
        print(json.dumps(r))
        return 0
    print(
        f"records ({r['database']}): {r['requests_per_second']} requests/s from request to "
        f"opened response ({r['requests']} in {r['seconds']} s, automatic approval)"
    )
    print(
        f"sealing one response: {r['seal_ms']} ms; bare Ed25519 signature: "
        f"{r['ed25519_sign_ms']} ms (x{r['seal_over_sign']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
