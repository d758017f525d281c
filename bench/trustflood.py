"""A Trust-RPC flood against a node, and what it does to that node's alert delivery.

Three real node processes (kz, kg, tj) on 127.0.0.1. One alert at a time is published at kz;
its latency is the time from the PublishAlert call to the entry's `stored_at` at kg (kg's own
clock, the same machine). Measured in one run: without flood, during a flood, without flood
again. The flood: tj's certified identity calls kg's Trust RPC back to back, each call carrying
5,000 junk-signed node key certificates (fresh signatures every call, so nothing is "already
refused"). Figures: median and 90th percentile latency with and without the flood and their
ratio (target: at most 2), the flood's calls/s and status codes, and the audit rows it left at
kg; beside them the machine's own floor, one bare mutual-TLS Trust round trip.

The flood is paced (--flood-rate, default 20 calls/s, about 26 MB/s: four times the calls the
victim admits per peer, and a link of 200 Mbit/s); --flood-rate 0 sends as fast as the threads
go, which on this one machine measures how fast the victim can receive and drop bytes.

Run: .venv/bin/python bench/trustflood.py [--alerts N] [--flooders K] [--flood-rate R]
     [--database-url URL] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
from rich.console import Console
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from ingest import database_urls
from trust import rpc_floor

from exchange._proto.v1 import (
    envelope_pb2,
    exchange_pb2,
    operator_pb2,
    trust_pb2,
)
from exchange.localregion import (
    LocalNode,
    LocalRegion,
    channel_from,
    make_alert,
    wait_for,
)
from exchange.store.db import Database
from exchange.store.models import AuditEvent, Entry
from exchange.trust import CERTIFICATE_PAYLOAD_TYPE

console = Console(stderr=True)
JUNK = 5000
DISTINCT = 48  # different junk offers, cycled (the old code remembered refused junk)
TRUST_METHOD = "/exchange.v1.Exchange/Trust"


def junk_offer(key_id: str) -> exchange_pb2.TrustSync:
    now = datetime.now(UTC)
    msg = exchange_pb2.TrustSync()
    for _ in range(JUNK):
        cert = trust_pb2.NodeKeyCertificate(
            country="tj", purpose=trust_pb2.KEY_PURPOSE_SIGN, public_key=os.urandom(32)
        )
        cert.valid_from.FromDatetime(now)
        cert.valid_until.FromDatetime(now + timedelta(days=30))
        env = envelope_pb2.Envelope(
            payload_type=CERTIFICATE_PAYLOAD_TYPE,
            payload=cert.SerializeToString(deterministic=True),
        )
        env.signatures.add(key_id=key_id, sig=os.urandom(64))
        msg.certificates.append(env)
    return msg


class Flood:
    """Threads calling target's Trust as `sender`, back to back, until stopped.

    The junk offers are made and serialized before the flood (DISTINCT of them, cycled), so
    the flooding client spends its CPU on sending, not on making junk: on this one machine
    its CPU is taken from the nodes under test, which a real attacker's would not be."""

    def __init__(
        self, sender: LocalNode, target: LocalNode, threads: int, key_id: str, rate: float
    ) -> None:
        self.sender, self.target = sender, target
        self.interval = threads / rate if rate > 0 else 0.0  # per thread
        self.offers = [junk_offer(key_id).SerializeToString() for _ in range(DISTINCT)]
        self.stop = threading.Event()
        self.codes: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]
        self.started = self.ended = 0.0

    def run(self) -> None:
        with channel_from(self.sender, self.target) as ch:
            trust = ch.unary_unary(TRUST_METHOD)  # raw bytes in and out
            i = random.randrange(DISTINCT)
            due = time.perf_counter()
            while not self.stop.is_set():
                i = (i + 1) % DISTINCT
                due += self.interval
                time.sleep(max(0.0, due - time.perf_counter()))
                try:
                    trust(self.offers[i], timeout=60)
                    code = "OK"
                except grpc.RpcError as err:
                    code = err.code().name
                with self.lock:
                    self.codes[code] += 1

    def __enter__(self) -> Flood:
        self.started = time.perf_counter()
        for t in self.threads:
            t.start()
        time.sleep(1.0)  # let it get going
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.ended = time.perf_counter()
        for t in self.threads:
            t.join(timeout=90)

    @property
    def calls_per_s(self) -> float:
        return sum(self.codes.values()) / max(self.ended - self.started, 1e-9)


def stored_at(db: Database, alert_id: str) -> datetime | None:
    with db.read() as s:
        at = s.scalar(select(Entry.stored_at).where(Entry.item_id == alert_id))
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # SQLite keeps UTC wall-clock time
    return at


WAIT = 120.0


def deliver(kz: LocalNode, kg_db: Database, n: int, what: str) -> list[float]:
    """Publish n alerts at kz one at a time; latency to stored at kg, in seconds. An alert not
    stored within WAIT seconds counts as WAIT and ends the phase."""
    out: list[float] = []
    for i in range(n):
        alert = make_alert("kz", f"Transfer between facilities, bench {what} {i}")
        t0 = datetime.now(UTC)
        rec = kz.call("PublishAlert", operator_pb2.PublishAlertRequest(alert=alert))
        alert_id = rec.alert.alert_id
        deadline = time.monotonic() + WAIT
        while (at := stored_at(kg_db, alert_id)) is None:
            if time.monotonic() > deadline:
                console.print(f"alert {i} ({what}) not stored at kg within {WAIT:.0f} s")
                return [*out, WAIT]
            time.sleep(0.005)
        out.append((at - t0).total_seconds())
        time.sleep(0.05)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def audit_rows(db: Database) -> int:
    """Trust audit events (what a flood can add)."""
    with db.read() as s:
        q = select(func.count()).select_from(AuditEvent).where(AuditEvent.event.like("trust.%"))
        return int(s.execute(q).scalar_one())


def p90(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(len(xs) * 0.9) - 1)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--alerts", type=int, default=30, help="alerts per phase")
    ap.add_argument("--flooders", type=int, default=2, help="flooding threads")
    ap.add_argument(
        "--flood-rate",
        type=float,
        default=20.0,
        help="Trust calls/s of the flood, all threads together (0: as fast as they go)",
    )
    ap.add_argument("--database-url", default=None, help="postgresql://... (schema per node)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ex-bench-"))
    result: dict[str, object] = {}
    try:
        with database_urls(args.database_url) as urls:
            region = LocalRegion(root, ("kz", "kg", "tj"), urls)
            try:
                console.print("starting kz, kg, tj ...")
                region.start()
                assert region.trust is not None
                kz, kg, tj = region["kz"], region["kg"], region["tj"]
                kg_db = Database(kg.config().db_url)
                wait_for(lambda: kg.status() is not None, 30, "kg", 0.1)
                deliver(kz, kg_db, 3, "warm-up")
                console.print(f"baseline: {args.alerts} alerts ...")
                before = deliver(kz, kg_db, args.alerts, "baseline")
                rows0 = audit_rows(kg_db)
                console.print(f"flood ({args.flooders} threads x {JUNK} junk certificates) ...")
                assert kg.proc is not None
                key = region.trust.admins["tj"].key_id
                with Flood(tj, kg, args.flooders, key, args.flood_rate) as flood:
                    cpu0, me0, t0 = cpu_seconds(kg.proc.pid), time.process_time(), time.time()
                    during = deliver(kz, kg_db, args.alerts, "flood")
                    cpu1, me1, t1 = cpu_seconds(kg.proc.pid), time.process_time(), time.time()
                rows1 = audit_rows(kg_db)
                console.print("baseline again ...")
                time.sleep(2.0)
                after = deliver(kz, kg_db, args.alerts, "after")
                floor = rpc_floor(kz, kg)
                kg_db.close()
                base = before + after
                result = {
                    "database": "postgresql" if args.database_url else "sqlite",
                    "cpus": os.cpu_count(),
                    "alerts_per_phase": args.alerts,
                    "latency_ms_median_without_flood": round(statistics.median(base) * 1000, 1),
                    "latency_ms_p90_without_flood": round(p90(base) * 1000, 1),
                    "latency_ms_median_during_flood": round(statistics.median(during) * 1000, 1),
                    "latency_ms_p90_during_flood": round(p90(during) * 1000, 1),
                    "latency_ms_max_during_flood": round(max(during) * 1000, 1),
                    "ratio_median": round(statistics.median(during) / statistics.median(base), 2),
                    "ratio_p90": round(p90(during) / p90(base), 2),
                    "flood_calls_per_s": round(flood.calls_per_s, 2),
                    "flood_mbytes_per_s": round(flood.calls_per_s * len(flood.offers[0]) / 1e6, 1),
                    "flood_codes": dict(flood.codes),
                    "flood_junk_certificates_per_call": JUNK,
                    "audit_rows_left_by_flood": rows1 - rows0,
                    "kg_cpu_percent_during_flood": round((cpu1 - cpu0) / (t1 - t0) * 100),
                    "flooder_cpu_percent": round((me1 - me0) / (t1 - t0) * 100),
                    "trust_rpc_round_trip_ms": round(floor * 1000, 2),
                }
            finally:
                region.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    r = result
    print(
        f"alert delivery kz -> kg ({r['database']}, {r['alerts_per_phase']} alerts per phase):\n"
        f"  without flood: median {r['latency_ms_median_without_flood']} ms, "
        f"p90 {r['latency_ms_p90_without_flood']} ms\n"
        f"  during flood:  median {r['latency_ms_median_during_flood']} ms, "
        f"p90 {r['latency_ms_p90_during_flood']} ms, max {r['latency_ms_max_during_flood']} ms\n"
        f"  ratio: median {r['ratio_median']}x, p90 {r['ratio_p90']}x (target: at most 2x)\n"
        f"flood: {r['flood_calls_per_s']} Trust calls/s of {JUNK} junk certificates "
        f"({r['flood_mbytes_per_s']} MB/s), "
        f"codes {r['flood_codes']}, {r['audit_rows_left_by_flood']} trust audit rows at kg\n"
        f"  CPU during the flood (of {r['cpus']} cores): kg {r['kg_cpu_percent_during_flood']}%, "
        f"the flooding client {r['flooder_cpu_percent']}%\n"
        f"  machine floor, one mTLS Trust round trip: {r['trust_rpc_round_trip_ms']} ms"
    )
    ok = float(str(r["ratio_median"])) <= 2.0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
