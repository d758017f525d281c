"""Replicas under SIGKILL: 3 replicas of KZ on one PostgreSQL database and a peer, KG, on its
own schema; alerts published at KZ's replicas and at KG the whole time, while the replica that
sends KZ's channel to KG (the holder of the lease `peer:kg`) is killed with SIGKILL, 20 times,
one at a time (each restarted before the next kill).

Printed: alerts published each way, lost (published, never stored at the receiver) and
duplicated (entries on the channel beyond one per alert version), and the longest delivery
pause after a kill: from the kill to the first alert the receiver stored after it (KZ -> KG:
the lease taken over by another replica; KG -> KZ: KG's gRPC round_robin leaving the dead
address), beside the lease poll interval (the designed takeover bound) and the cores.

Run: .venv/bin/python bench/replicas.py [--kills 20] [--rate 10] [--database-url URL] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exchange.localregion import LocalNode, LocalRegion, RegionError, wait_for
from exchange.localreplica import channel_tally, holder, publish_at, replica_of
from exchange.node.replicas import POLL_SECONDS
from exchange.store.db import Database, aware
from exchange.store.models import AlertVersion

PG = "postgresql://postgres@127.0.0.1:5432/test"


def schema_url(dsn: str, schema: str) -> str:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'create schema "{schema}"')
    return dsn.replace("postgresql://", "postgresql+psycopg://", 1) + (
        f"?options=-csearch_path%3D{schema}"
    )


def stored_times(node: LocalNode, origin: str) -> list[datetime]:
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            rows = s.execute(select(AlertVersion.stored_at).where(AlertVersion.origin == origin))
            return sorted(aware(t) for (t,) in rows)
    finally:
        db.close()


def first_after(times: list[datetime], at: datetime) -> float | None:
    later = [t for t in times if t > at]
    return (later[0] - at).total_seconds() if later else None


class Workload:
    """Publishes at KZ's live replicas and at KG, `rate` alerts/s each, until stopped."""

    def __init__(self, kz: list[LocalNode], kg: LocalNode, rate: float) -> None:
        self.kz, self.kg, self.rate = kz, kg, rate
        self.sent: dict[str, list[str]] = {"kz": [], "kg": []}
        self.failed = 0
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=("kz",), daemon=True),
            threading.Thread(target=self._run, args=("kg",), daemon=True),
        ]

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def _run(self, origin: str) -> None:
        i = 0
        while not self._stop.is_set():
            nodes = self.kz if origin == "kz" else [self.kg]
            try:
                self.sent[origin].append(publish_at(nodes, i, f"Transfer notice {i}"))
            except Exception:
                self.failed += 1  # every replica down at that instant: not published
            i += 1
            self._stop.wait(1.0 / self.rate)

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(30)


def run(kills: int, rate: float, dsn: str) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="ex-rep-"))
    schemas = [f"b_rep_{c}_{uuid.uuid4().hex[:8]}" for c in ("kz", "kg")]
    urls = {c: schema_url(dsn, s) for c, s in zip(("kz", "kg"), schemas, strict=True)}
    region = LocalRegion(root, ("kz", "kg"), lambda c: urls[c])
    nodes: list[LocalNode] = []
    try:
        region.start(pair=False)
        kz, kg = region["kz"], region["kg"]
        nodes = [kz, replica_of(kz, "b"), replica_of(kz, "c")]
        for n in nodes[1:]:
            n.start()
        kz.add_peer(kg)
        kg.add_peer(kz, address=",".join(n.address for n in nodes))
        wait_for(lambda: holder(nodes, "peer:kg") is not None, 20, "a replica to lease peer:kg")
        work = Workload(nodes, kg, rate)
        work.start()
        kill_times: list[datetime] = []
        takeovers: list[float] = []
        for k in range(kills):
            time.sleep(1.0)
            victim = holder(nodes, "peer:kg")
            assert victim is not None
            victim.kill()
            kill_times.append(datetime.now(UTC))
            t0 = time.monotonic()
            wait_for(lambda: holder(nodes, "peer:kg") is not None, 30, "a takeover")
            takeovers.append(time.monotonic() - t0)
            victim.start()
            print(f"kill {k + 1}/{kills}: takeover {takeovers[-1]:.2f} s", file=sys.stderr)
        time.sleep(2.0)
        work.stop()
        sent = work.sent

        def done() -> bool:
            return channel_tally(kg, "kz")[3] >= set(sent["kz"]) and channel_tally(kz, "kg")[
                3
            ] >= set(sent["kg"])

        with contextlib.suppress(RegionError):  # what never arrived is counted as lost below
            wait_for(done, 120, "the last alerts", 0.5)
        out: dict[str, Any] = {
            "kills": kills,
            "rate_per_origin": rate,
            "cpus": os.cpu_count(),
            "lease_poll_s": POLL_SECONDS,
            "publish_failures": work.failed,
            "takeover_max_s": round(max(takeovers), 3),
        }
        for receiver, origin in ((kg, "kz"), (kz, "kg")):
            total, distinct, _, ids = channel_tally(receiver, origin)
            times = stored_times(receiver, origin)
            pauses = [p for t in kill_times if (p := first_after(times, t)) is not None]
            out[f"{origin}->{receiver.country}"] = {
                "published": len(sent[origin]),
                "lost": len(set(sent[origin]) - ids),
                "duplicated": total - distinct,
                "longest_pause_s": round(max(pauses), 3) if pauses else None,
            }
        return out
    finally:
        for n in [*nodes, *region.nodes.values()]:
            n.kill()
        with psycopg.connect(dsn, autocommit=True) as conn:
            for s in schemas:
                conn.execute(f'drop schema if exists "{s}" cascade')
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--rate", type=float, default=10.0, help="alerts/s published per origin")
    ap.add_argument("--database-url", default=os.environ.get("EXCHANGE_TEST_PG", PG))
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if not 1 <= a.kills <= 200 or not 0.1 <= a.rate <= 200:
        ap.error("--kills must be 1-200 and --rate 0.1-200")
    r = run(a.kills, a.rate, a.database_url)
    if a.json:
        print(json.dumps(r))
        return
    print(
        f"replicas: 3 of kz on PostgreSQL, {r['kills']} SIGKILLs of the sending replica, "
        f"{r['rate_per_origin']:g} alerts/s per origin ({r['cpus']} CPUs)"
    )
    for way in ("kz->kg", "kg->kz"):
        w = r[way]
        print(
            f"  {way}: published {w['published']}, lost {w['lost']}, duplicated "
            f"{w['duplicated']}, longest delivery pause after a kill {w['longest_pause_s']} s"
        )
    print(
        f"  longest lease takeover {r['takeover_max_s']} s (lease poll {r['lease_poll_s']:g} s; "
        f"publish calls that found no live replica: {r['publish_failures']})"
    )


if __name__ == "__main__":
    main()
