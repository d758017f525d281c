"""Alert latency under a steady load: publish at one node, stored at two peers, beside a bare
mutual-TLS gRPC round trip in the same run.

Three real node processes (kz, kg, tj) on 127.0.0.1 (SQLite by default, or --database-url).
Alerts are published at kz at a steady rate (--rate, default 200/s) for a bounded time
(--seconds, default 20) over kz's Operator socket from a paced asyncio loop (no CLI process
per alert). After the run, the latency of each alert at each peer is read from the databases:
the peer's `alert_versions.stored_at` minus kz's (kz writes its own at the PublishAlert call,
with the node's clock; all three nodes share this machine's clock). Figures per peer: p50, p99
and max (goal: p99 at most 20 ms on loopback); also from the client's call start, which adds
the Operator call itself. Beside them, the machine's own limit in the same run: the bare
round trip of the standard gRPC health check (`grpc.health.v1.Health/Check`) on kg's peer
port, from a client channel presenting kz's TLS key and certificate (the same mutual TLS as
the nodes' own links): p50 and p99.

Run: .venv/bin/python bench/latency.py [--rate 200] [--seconds 20] [--database-url URL]
     [--json] [--keep-dir]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import database_urls
from exchange._proto.v1 import operator_pb2, operator_pb2_grpc
from exchange.localregion import LocalNode, LocalRegion, channel_from, make_alert, wait_for
from exchange.store.db import Database
from exchange.store.models import AlertVersion

ORIGIN, PEERS = "kz", ("kg", "tj")
GOAL_P99_MS = 20.0
MAX_IN_FLIGHT = 20  # publish calls outstanding at once; beyond that the pace slips
DRAIN_S = 120.0  # how long to wait after the run for the last alerts to reach both peers


def pct(xs: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of xs."""
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))]


def utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite keeps naive UTC


async def publish_paced(
    node: LocalNode, rate: float, seconds: float, progress: Progress
) -> tuple[dict[str, datetime], list[float]]:
    """Publish rate*seconds alerts at node, one every 1/rate s (calls overlap if one is slow).
    At most MAX_IN_FLIGHT calls are outstanding: if kz cannot keep up, the pace slips (the
    achieved rate and how late the calls started are reported) rather than queueing without
    bound. Returns alert id -> client call start, and how late each call started (s)."""
    n = max(1, int(rate * seconds))
    sent: dict[str, datetime] = {}
    late: list[float] = []
    errors: list[BaseException] = []
    task = progress.add_task(f"publish at {node.country}, {rate:g}/s", total=n)
    async with grpc.aio.insecure_channel(f"unix:{node.state_dir / 'operator.sock'}") as ch:
        stub = operator_pb2_grpc.OperatorStub(ch)
        await stub.Status(operator_pb2.StatusRequest(), timeout=30)  # connect first

        async def one(i: int) -> None:
            alert = make_alert(ORIGIN, f"Transfer between facilities, latency bench {i}")
            at = datetime.now(UTC)
            try:
                rec = await stub.PublishAlert(
                    operator_pb2.PublishAlertRequest(alert=alert), timeout=60
                )
            except grpc.aio.AioRpcError as exc:
                errors.append(exc)
                return
            sent[rec.alert.alert_id] = at  # the node gives the alert its id
            progress.advance(task)

        tasks: set[asyncio.Task[None]] = set()
        start = time.perf_counter()
        stop_at = start + 2 * seconds + 10  # if kz is slow, stop publishing here
        for i in range(n):
            if time.perf_counter() > stop_at:
                break
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            if len(tasks) >= MAX_IN_FLIGHT:  # kz is not keeping up: wait for a call to end
                done, _ = await asyncio.wait(tasks, timeout=60, return_when=asyncio.FIRST_COMPLETED)
                if not done:
                    raise SystemExit("no PublishAlert call ended within 60 s")
            late.append(max(0.0, time.perf_counter() - due))
            t = asyncio.create_task(one(i))
            tasks.add(t)
            t.add_done_callback(tasks.discard)
            if errors:
                raise SystemExit(f"PublishAlert failed: {errors[0]}")
        if tasks:
            await asyncio.wait(tasks, timeout=60)
        if errors:
            raise SystemExit(f"PublishAlert failed: {errors[0]}")
    return sent, late


def stored(node: LocalNode) -> dict[str, datetime]:
    """alert id -> stored_at of every version 1 from the origin that node holds."""
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            rows = s.execute(
                select(AlertVersion.alert_id, AlertVersion.stored_at).where(
                    AlertVersion.origin == ORIGIN, AlertVersion.version == 1
                )
            ).all()
    finally:
        db.close()
    return {a: utc(t) for a, t in rows}


def health_round_trips(sender: LocalNode, target: LocalNode, n: int) -> list[float]:
    """Bare grpc.health.v1.Health/Check round trips on target's peer port, sender's mTLS."""
    with channel_from(sender, target) as ch:
        stub = health_pb2_grpc.HealthStub(ch)
        req = health_pb2.HealthCheckRequest()
        for _ in range(20):  # connect and warm up
            stub.Check(req, timeout=10)
        out = []
        for _ in range(n):
            t = time.perf_counter()
            stub.Check(req, timeout=10)
            out.append(time.perf_counter() - t)
    return out


def ms(x: float) -> float:
    return round(x * 1000, 2)


def run(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="exl-"))
    out: dict[str, Any] = {
        "rate": args.rate,
        "seconds": args.seconds,
        "database": "postgresql" if args.database_url else "sqlite",
        "cpus": os.cpu_count(),
    }
    region: LocalRegion | None = None
    try:
        with database_urls(args.database_url) as urls:
            region = LocalRegion(root, (ORIGIN, *PEERS), urls)
            console.print(f"starting {ORIGIN}, {', '.join(PEERS)} ...")
            region.start()
            kz = region[ORIGIN]
            peers = [region[c] for c in PEERS]
            console.print("bare mTLS health check round trips kz -> kg (before) ...")
            rtt = health_round_trips(kz, peers[0], args.round_trips)
            # warm up the links: a few alerts, until both peers hold them
            for i in range(5):
                alert = make_alert(ORIGIN, f"Transfer between facilities, warm-up {i}")
                kz.call("PublishAlert", operator_pb2.PublishAlertRequest(alert=alert))
            for p in peers:
                wait_for(lambda p=p: len(stored(p)) >= 5, 60, f"the warm-up at {p.country}")
            warm = set(stored(kz))
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=console) as progress:
                t0 = time.perf_counter()
                sent, late = asyncio.run(publish_paced(kz, args.rate, args.seconds, progress))
                out["publish_wall_s"] = round(time.perf_counter() - t0, 2)
            out["alerts"] = len(sent)
            out["achieved_rate"] = round(len(sent) / out["publish_wall_s"], 1)
            out["pacing_late_ms_p99"] = ms(pct(late, 0.99))
            out["pacing_late_ms_max"] = ms(max(late))
            out["rate_kept"] = out["achieved_rate"] >= 0.95 * args.rate
            console.print("waiting for the last alerts at both peers ...")
            deadline = time.monotonic() + DRAIN_S
            held: dict[str, dict[str, datetime]] = {}
            for p in peers:
                while True:
                    held[p.country] = stored(p)
                    if all(a in held[p.country] for a in sent):
                        break
                    if time.monotonic() > deadline:
                        missing = sum(a not in held[p.country] for a in sent)
                        raise SystemExit(f"{missing} alerts not at {p.country} after {DRAIN_S}s")
                    time.sleep(0.5)
            console.print("bare mTLS health check round trips kz -> kg (after) ...")
            rtt += health_round_trips(kz, peers[0], args.round_trips)
            origin_at = {a: t for a, t in stored(kz).items() if a not in warm}
            out["peers"] = {}
            for p in peers:
                from_store = [(held[p.country][a] - origin_at[a]).total_seconds() for a in sent]
                from_call = [(held[p.country][a] - t).total_seconds() for a, t in sent.items()]
                out["peers"][p.country] = {
                    "p50_ms": ms(pct(from_store, 0.5)),
                    "p99_ms": ms(pct(from_store, 0.99)),
                    "max_ms": ms(max(from_store)),
                    "from_call_p50_ms": ms(pct(from_call, 0.5)),
                    "from_call_p99_ms": ms(pct(from_call, 0.99)),
                    "from_call_max_ms": ms(max(from_call)),
                }
            out["health_rtt_calls"] = len(rtt)
            out["health_rtt_p50_ms"] = ms(pct(rtt, 0.5))
            out["health_rtt_p99_ms"] = ms(pct(rtt, 0.99))
            out["goal_p99_ms"] = GOAL_P99_MS
            out["goal_met"] = all(v["p99_ms"] <= GOAL_P99_MS for v in out["peers"].values())
            codes = {}
            for c, node in region.nodes.items():
                codes[c] = node.stop()
            out["exit_codes"] = codes
    finally:
        if region is not None:
            for node in region.nodes.values():
                if node.running:
                    node.stop()
        if args.keep_dir:
            console.print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return out


def report(r: dict[str, Any]) -> None:
    print(
        f"alert latency, {r['alerts']} alerts published at {ORIGIN} at {r['achieved_rate']}/s "
        f"(asked {r['rate']:g}/s for {r['seconds']:g} s; {r['database']}, {r['cpus']} CPUs; "
        f"pacing late p99 {r['pacing_late_ms_p99']} ms)"
    )
    if not r["rate_kept"]:
        print(
            f"  kz did NOT keep up with {r['rate']:g}/s: at most {MAX_IN_FLIGHT} PublishAlert "
            f"calls outstanding, it accepted {r['achieved_rate']}/s (calls started up to "
            f"{r['pacing_late_ms_max'] / 1000:.1f} s late)"
        )
    for c, v in r["peers"].items():
        ok = "ok" if v["p99_ms"] <= GOAL_P99_MS else "ABOVE GOAL"
        print(
            f"  {ORIGIN} stored -> {c} stored: p50 {v['p50_ms']} ms, p99 {v['p99_ms']} ms "
            f"({ok}: goal <= {GOAL_P99_MS:g} ms), max {v['max_ms']} ms; from the publish "
            f"call: p50 {v['from_call_p50_ms']}, p99 {v['from_call_p99_ms']}, "
            f"max {v['from_call_max_ms']} ms"
        )
    print(
        f"  machine limit, bare mTLS gRPC health check {ORIGIN} -> {PEERS[0]} "
        f"({r['health_rtt_calls']} calls): p50 {r['health_rtt_p50_ms']} ms, "
        f"p99 {r['health_rtt_p99_ms']} ms"
    )
    failed = {c: code for c, code in r["exit_codes"].items() if code != 0}
    if failed:
        print(f"  a node did not stop cleanly: exit codes {failed}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rate", type=float, default=200.0, help="alerts per second at kz")
    p.add_argument("--seconds", type=float, default=20.0, help="how long to publish")
    p.add_argument("--round-trips", type=int, default=500, help="health checks, before/after")
    p.add_argument("--database-url", default="", help="PostgreSQL server (schemas per node)")
    p.add_argument("--keep-dir", action="store_true", help="keep the temp dir (logs, databases)")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = p.parse_args(argv)
    if args.rate <= 0 or args.seconds <= 0 or args.seconds > 600:
        p.error("--rate must be > 0 and --seconds in (0, 600]")
    console = Console(stderr=True)
    r = run(args, console)
    if args.json:
        print(json.dumps(r, indent=2, sort_keys=True))
    else:
        report(r)
    return 0 if r["goal_met"] and r["rate_kept"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
