"""Catch-up ingest: how fast a fresh receiver verifies and commits alerts, next to the machine.

Two real node processes (kz, kg) on 127.0.0.1. N alerts are published into kz's database while
the nodes are down; then both start, get the region's trust bundle and node certificates (so kg
checks every entry's signer against its certificate windows and revocations), add each other,
and kg catches up over gRPC with mutual TLS
(kz's sender pushes, kg's puller pulls; both go through the same verify-and-apply path).

Figures:
  (a) receiver throughput: N / (last stored_at - first stored_at) of kg's entries from kz;
  (b) end to end: wall time from pairing until kg's channel head reaches N;
  bare Ed25519 verifies/s on ONE thread (pyca/cryptography, same message size as an entry),
  and the ratio (a) / bare.

Run: .venv/bin/python bench/ingest.py [--alerts N] [--database-url URL] [--json] [--keep-dir]
     [--batch-size B] [--window W]   sync settings of both nodes (exchange.config.SyncConfig)
     [--check-processes N]           worker processes checking large batches (0: threads only)
     [--profile FILE [--gil]]        sample the receiver with py-spy (pip install py-spy)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import uuid6
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from sqlalchemy import func, select

from exchange._proto.v1 import alert_pb2, envelope_pb2
from exchange.alerts import model
from exchange.alerts.views import FullDisclosure
from exchange.envelope import pae
from exchange.localregion import LocalNode, LocalRegion, RegionTrust
from exchange.node import identity
from exchange.store.db import Database
from exchange.store.models import AlertHead, Entry
from exchange.sync.outbox import publish

SENDER, RECEIVER = "kz", "kg"
CHUNK = 1000
TARGET_RATIO = 0.5

SUMMARIES = (
    "Scheduled release on completion of sentence from a high-security unit in region {n}; "
    "subject held a coordinating role in a recruitment network inside the facility.",
    "Transfer to a facility in region {n} after repeated possession of contraband phones; "
    "contacts with persons abroad were observed during the last {m} months of custody.",
    "Escape during an escorted hospital visit in region {n}; considered capable of violence, "
    "known to use forged documents; last seen near the bus station about {m} hours ago.",
    "Distribution of extremist material among inmates of block {n} over {m} weeks; material "
    "was handwritten and passed on during work shifts and exercise periods in the yard.",
    "Visitor of concern applied for repeated visits to several inmates in region {n}; visits "
    "were refused after checks; {m} similar applications received in other facilities.",
)
ACTIONS = (
    "Check for entry attempts and inform the liaison officer.",
    "Report any contact with inmates in your facilities.",
    "Review visitor lists for the last 12 months.",
)
REGIONS = ("Region 1", "Region 2", "Region 3", "Capital district", "Northern region")
NATIONALITIES = ("kz", "kg", "tj", "uz", "ru", "af")


# -- alerts ------------------------------------------------------------------------------------


def make_alert(rng: random.Random, now: datetime) -> alert_pb2.Alert:
    cats = [c for c in alert_pb2.Category.values() if c != alert_pb2.CATEGORY_UNSPECIFIED]
    a = alert_pb2.Alert(
        alert_id=str(uuid6.uuid7()),
        version=1,
        origin=SENDER,
        category=rng.choice(cats),
        risk=rng.choice(list(model.RISKS.values())),
        handling=rng.choice(list(model.HANDLING.values())),
        reliability=rng.choice(list(model.RELIABILITY.values())),
        accuracy=rng.choice(list(model.ACCURACY.values())),
        action_requested=rng.choice(ACTIONS),
        facility_region=rng.choice(REGIONS),
        summary=rng.choice(SUMMARIES).format(n=rng.randint(1, 17), m=rng.randint(2, 11)),
    )
    a.valid_until.CopyFrom(model.timestamp(now + timedelta(days=365)))
    a.issued_at.CopyFrom(model.timestamp(now))
    kinds = ("name-dob", "name-dob-translit", "document")
    for kind in kinds[: rng.randint(2, 3)]:
        a.subject.tokens.add(kind=kind, epoch=1, value=rng.randbytes(32))
    a.subject.birth_year = rng.randint(1960, 2004)
    a.subject.sex = rng.choice((alert_pb2.SEX_MALE, alert_pb2.SEX_FEMALE))
    a.subject.nationality = rng.choice(NATIONALITIES)
    model.validate(a, now=now)
    return a


def prepublish(node: LocalNode, n: int, progress: Progress) -> None:
    """Publish n alerts for the receiver straight into the (stopped) sender's database."""
    signer = identity.load(node.state_dir, node.country).signing
    db = Database(node.config().db_url)
    rng = random.Random(20240601)
    task = progress.add_task(f"pre-publish into {node.country}", total=n)
    try:
        done = 0
        while done < n:
            now = datetime.now(UTC)
            items = [make_alert(rng, now) for _ in range(min(CHUNK, n - done))]
            publish(db, node.country, signer, [RECEIVER], items, FullDisclosure(), now)
            done += len(items)
            progress.update(task, completed=done)
    finally:
        db.close()


# -- the machine's own limit -------------------------------------------------------------------


def sample_entry(node: LocalNode) -> tuple[bytes, bytes, bytes]:
    """(public key, signature, signed message) of one real entry on the sender."""
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            raw = s.execute(
                select(Entry.envelope).where(Entry.origin == SENDER).order_by(Entry.seq).limit(1)
            ).scalar_one()
    finally:
        db.close()
    env = envelope_pb2.Envelope.FromString(raw)
    public = identity.load(node.state_dir, node.country).signing.public_raw
    return public, env.signatures[0].sig, pae(env.payload_type, env.payload)


def bare_verify_rate(public: bytes, sig: bytes, msg: bytes, seconds: float = 2.0) -> float:
    """Ed25519 verifications per second on this thread (pyca/cryptography)."""
    key = Ed25519PublicKey.from_public_bytes(public)
    key.verify(sig, msg)  # warm up, and make sure the sample is valid
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(200):
            key.verify(sig, msg)
        count += 200
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


# -- databases ---------------------------------------------------------------------------------


@contextmanager
def database_urls(url: str | None) -> Iterator[Callable[[str], str] | None]:
    """None for SQLite in each node's state dir, or one throwaway PostgreSQL schema per node."""
    if not url:
        yield None
        return
    if not url.startswith(("postgresql", "postgres")):
        raise SystemExit(f"unsupported --database-url {url!r}: use a postgresql:// URL")
    _, rest = url.split("://", 1)
    dsn = f"postgresql://{rest}"  # psycopg wants the bare scheme
    tag = uuid.uuid4().hex[:8]
    created: list[str] = []

    def make(country: str) -> str:
        schema = f"exb_{tag}_{country}"
        with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'create schema "{schema}"')
        created.append(schema)
        sep = "&" if "?" in rest else "?"
        return f"postgresql+psycopg://{rest}{sep}options={quote(f'-csearch_path={schema}')}"

    try:
        yield make
    finally:
        if created:
            with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
                for schema in created:
                    conn.execute(f'drop schema if exists "{schema}" cascade')


# -- the run -----------------------------------------------------------------------------------


def cpu_seconds(node: LocalNode) -> float | None:
    """User + system CPU time of a node process so far, with its live child processes (the
    receiver's check workers); Linux /proc, None elsewhere."""
    if node.proc is None:
        return None
    try:
        pids = [node.proc.pid]
        for task in Path(f"/proc/{node.proc.pid}/task").iterdir():
            pids += [int(p) for p in (task / "children").read_text().split()]
        total = 0.0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])
    except (OSError, ValueError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def received_head(node: LocalNode, origin: str) -> int:
    for p in node.status().peers:
        if p.country == origin:
            return int(p.received_head)
    return 0


def receiver_figures(node: LocalNode) -> dict[str, Any]:
    """What the receiver's database holds of the sender's channel."""
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            where = (Entry.origin == SENDER, Entry.recipient == RECEIVER)
            first, last, count = s.execute(
                select(func.min(Entry.stored_at), func.max(Entry.stored_at), func.count()).where(
                    *where
                )
            ).one()
            batches = s.execute(
                select(func.count(func.distinct(Entry.stored_at))).where(*where)
            ).scalar_one()
            in_last = s.execute(
                select(func.count()).where(*where, Entry.stored_at == last)
            ).scalar_one()
            alerts = s.execute(
                select(func.count()).select_from(AlertHead).where(AlertHead.origin == SENDER)
            ).scalar_one()
    finally:
        db.close()
    span = (last - first).total_seconds() if first is not None else 0.0
    return {
        "entries": int(count),
        "alerts": int(alerts),
        "batches": int(batches),
        "span_s": span,
        "entries_in_last_batch": int(in_last),
    }


def start_profiler(pid: int, out: Path, gil: bool, log: Path) -> subprocess.Popen[bytes]:
    """py-spy on the receiver (collapsed stacks per thread; sampling does not pause it)."""
    exe = shutil.which(
        "py-spy", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    )
    if exe is None:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    cmd = [exe, "record", "--pid", str(pid), "--format", "raw", "--rate", "250", "--threads"]
    cmd += ["--nonblocking", "--output", str(out)]
    if gil:
        cmd.append("--gil")
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
    time.sleep(1.0)  # let it attach before the catch-up starts
    if proc.poll() is not None:
        raise SystemExit(f"py-spy failed: {log.read_text(errors='replace').strip()}")
    return proc


def stop_profiler(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    n = args.alerts
    root = Path(tempfile.mkdtemp(prefix="exb-"))
    sync: dict[str, Any] = {}
    if args.batch_size:
        sync["batch_size"] = args.batch_size
    if args.window:
        sync["window"] = args.window
    if args.check_processes >= 0:
        sync["check_processes"] = args.check_processes
    result: dict[str, Any] = {
        "alerts": n,
        "database": "postgresql" if args.database_url else "sqlite",
        "cpus": os.cpu_count(),
        "sync": sync,
    }
    if args.keep_dir:
        result["dir"] = str(root)
    region: LocalRegion | None = None
    profiler: subprocess.Popen[bytes] | None = None
    try:
        with database_urls(args.database_url) as urls:
            region = LocalRegion(
                root,
                (SENDER, RECEIVER),
                urls,
                sync=sync,
                metrics="127.0.0.1:0" if getattr(args, "metrics", False) else "",
            )
            kz, kg = region[SENDER], region[RECEIVER]
            kz.init()
            kg.init()
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
            )
            with Progress(*columns, console=console, transient=False) as progress:
                prepublish(kz, n, progress)

            public, sig, msg = sample_entry(kz)
            result["entry_bytes"] = len(msg)
            console.print(f"bare Ed25519 verify, one thread, {len(msg)}-byte messages ...")
            bare_before = bare_verify_rate(public, sig, msg)

            kz.start()
            kg.start()
            trust = RegionTrust.create([kz, kg])  # admin keys, bundle v1, node certificates
            kz.import_trust(trust.all_items())
            kg.import_trust(trust.all_items())
            if args.profile:
                assert kg.proc is not None
                out = Path(args.profile).resolve()
                profiler = start_profiler(kg.proc.pid, out, args.gil, root / "py-spy.log")
            with Progress(*columns, console=console, transient=False) as progress:
                task = progress.add_task(f"catch-up {SENDER} -> {RECEIVER}", total=n)
                cpu0 = {c: cpu_seconds(region[c]) for c in (SENDER, RECEIVER)}
                t0 = time.monotonic()
                kz.add_peer(kg)
                kg.add_peer(kz)
                deadline = t0 + args.timeout
                head = 0
                next_scrape = t0
                while head < n:
                    if time.monotonic() > deadline:
                        raise SystemExit(
                            f"timed out after {args.timeout:g}s: {RECEIVER} holds {head} of "
                            f"{n} entries (rerun with --keep-dir to keep the node logs)"
                        )
                    if not (kz.running and kg.running):
                        raise SystemExit(
                            "a node exited during the catch-up "
                            "(rerun with --keep-dir to keep the node logs)"
                        )
                    head = received_head(kg, SENDER)
                    if getattr(args, "metrics", False) and time.monotonic() >= next_scrape:
                        scrape(kg)  # once a second: 15 times as often as Prometheus would
                        next_scrape = time.monotonic() + 1.0
                    progress.update(task, completed=head)
                    if head < n:
                        time.sleep(0.1)
                wall = time.monotonic() - t0
                cpu1 = {c: cpu_seconds(region[c]) for c in (SENDER, RECEIVER)}
            if profiler is not None:
                stop_profiler(profiler)
                profiler = None
                console.print(f"receiver profile (py-spy raw): {args.profile}")
            result["wall_s"] = wall
            result["wall_alerts_per_s"] = n / wall
            result["cpu_s"] = {
                c: round(b - a, 2) if a is not None and b is not None else None
                for c, a, b in ((c, cpu0[c], cpu1[c]) for c in cpu0)
            }
            codes = {kz.country: kz.stop(), kg.country: kg.stop()}
            result["exit_codes"] = codes
            # again with the nodes stopped: the machine is shared, take the better of the two
            bare_after = bare_verify_rate(public, sig, msg)
            result["bare_verifies_per_s_samples"] = [bare_before, bare_after]
            result["bare_verifies_per_s"] = max(bare_before, bare_after)
            got = receiver_figures(kg)
            result.update(receiver=got)
            if got["entries"] != n or got["alerts"] != n:
                raise SystemExit(
                    f"{RECEIVER} holds {got['entries']} entries, {got['alerts']} alerts"
                )
            span = got["span_s"]
            if span > 0:
                result["receiver_alerts_per_s"] = n / span
                # stored_at is taken when a batch arrives, so the span covers every batch but
                # the last: this variant counts only the entries inside the span.
                inside = n - got["entries_in_last_batch"]
                result["receiver_alerts_per_s_strict"] = inside / span
                result["ratio"] = result["receiver_alerts_per_s"] / result["bare_verifies_per_s"]
            else:  # everything arrived in one batch: no span to measure
                result["receiver_alerts_per_s"] = None
                result["receiver_alerts_per_s_strict"] = None
                result["ratio"] = None
    finally:
        if profiler is not None:
            stop_profiler(profiler)
        if region is not None:
            for node in region.nodes.values():
                if node.running:
                    node.stop()
        if args.keep_dir:
            console.print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return result


def scrape(node: LocalNode) -> int:
    """GET the node's /metrics once; its size in bytes."""
    port = json.loads((node.state_dir / "node.json").read_text()).get("metrics_port", 0)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        return len(r.read())


def report(r: dict[str, Any], console: Console) -> None:
    table = Table(title=f"catch-up of {r['alerts']} alerts on {r['database']} ({r['cpus']} CPUs)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    if r["ratio"] is None:
        table.add_row("(a) receiver verify+commit", "n/a: one batch, use more --alerts")
    else:
        strict = r["receiver_alerts_per_s_strict"]
        table.add_row("(a) receiver verify+commit", f"{r['receiver_alerts_per_s']:,.0f} alerts/s")
        table.add_row("    without the last batch", f"{strict:,.0f} alerts/s")
    table.add_row("    span of stored_at", f"{r['receiver']['span_s']:.2f} s")
    table.add_row("    batches stored", str(r["receiver"]["batches"]))
    table.add_row("bare Ed25519 verify, 1 thread", f"{r['bare_verifies_per_s']:,.0f} /s")
    if r["ratio"] is not None:
        ok = "ok" if r["ratio"] >= TARGET_RATIO else "BELOW TARGET"
        table.add_row("ratio (a) / bare", f"{r['ratio']:.3f}  (target >= {TARGET_RATIO}: {ok})")
    table.add_row(
        "(b) end to end, pairing -> committed",
        f"{r['wall_s']:.2f} s = {r['wall_alerts_per_s']:,.0f} alerts/s",
    )
    cpu = r["cpu_s"]
    if cpu[RECEIVER] is not None and cpu[SENDER] is not None:
        table.add_row(
            "CPU during catch-up",
            f"{RECEIVER} {cpu[RECEIVER]:.1f} s, {SENDER} {cpu[SENDER]:.1f} s "
            f"({(cpu[RECEIVER] + cpu[SENDER]) / r['wall_s']:.1f} of {r['cpus']} cores)",
        )
    table.add_row("entry message size", f"{r['entry_bytes']} bytes")
    if r["sync"]:
        table.add_row("sync settings", ", ".join(f"{k}={v}" for k, v in r["sync"].items()))
    console.print(table)
    failed = {c: code for c, code in r["exit_codes"].items() if code != 0}
    if failed:
        console.print(f"[red]a node did not stop cleanly: exit codes {failed}[/red]")


def main_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The parsed options (also for bench/metrics_cost.py, which runs this bench twice)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--alerts", type=int, default=20000, metavar="N", help="alerts to catch up")
    p.add_argument(
        "--database-url",
        default="",
        metavar="URL",
        help="postgresql://... (a throwaway schema per node); default: SQLite in the temp dir",
    )
    p.add_argument("--keep-dir", action="store_true", help="keep the temp dir (logs, databases)")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.add_argument("--timeout", type=float, default=600.0, help="catch-up time limit (s)")
    p.add_argument("--batch-size", type=int, default=0, help="sync.batch_size for both nodes")
    p.add_argument("--window", type=int, default=0, help="sync.window for both nodes")
    p.add_argument(
        "--check-processes",
        type=int,
        default=-1,
        metavar="N",
        help="sync.check_processes for both nodes (0: checks on the node's threads only)",
    )
    p.add_argument(
        "--profile",
        metavar="FILE",
        help="record the receiver with py-spy during the catch-up (collapsed stacks to FILE)",
    )
    p.add_argument("--gil", action="store_true", help="with --profile: GIL-holding samples only")
    p.add_argument(
        "--metrics",
        action="store_true",
        help="serve /metrics and scrape the receiver once a second",
    )
    args = p.parse_args(argv)
    if args.alerts < 1:
        p.error("--alerts must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = main_args(argv)
    console = Console(stderr=args.json)
    result = run(args, console)
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        report(result, console)
    return 0


if __name__ == "__main__":
    sys.exit(main())
