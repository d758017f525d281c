"""Catch-up at scale: a receiver catching up a small and a four times larger backlog, its peak
memory and the time of each, in the same run.

Two real node processes (kz, kg) on 127.0.0.1 (SQLite by default, or --database-url), afresh
for each size. The backlog is published into kz's database while the nodes are down and kg is
not yet its peer (bench/ingest.py's prepublish: 1,000 alerts per transaction, the sender's own
signing key); then both start, get the region's trust bundle and node certificates, pair, and
kg catches up over gRPC with mutual TLS. Figures per size: the catch-up time (pairing -> kg's
channel head at N) and kg's peak resident memory (VmHWM of the node process, Linux /proc),
with kg's peak before pairing beside it. Then the time ratio large/small (goal: at most 4.4
for 4x the entries, i.e. linear within 10%) and whether the peak RSS stays flat (the larger
within 10% of the smaller) and under 200 MB. The machine's own limit beside the rates: bare
Ed25519 verifications per second on one thread, in the same run.

The issue asks for 100,000 and 400,000 (`--scale 1`); on this project's 2-core machine that
run takes about 11 minutes (the 400,000 alone: 2 min pre-publish, 7 min catch-up), so the default is
`--scale 0.25`: 25,000 and 100,000. `--scale 0.1` runs 10,000 / 40,000 for a quick check,
`--small N` sets the smaller size (the larger is always 4N). The sizes used are printed.

Run: .venv/bin/python bench/catchup.py [--small N | --scale F] [--database-url URL] [--json]
     [--timeout S] [--keep-dir]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import (
    RECEIVER,
    SENDER,
    bare_verify_rate,
    database_urls,
    prepublish,
    received_head,
    sample_entry,
)
from exchange.localregion import LocalNode, LocalRegion, RegionTrust

ISSUE_SMALL = 100_000  # the issue's sizes: 100,000 and 400,000
DEFAULT_SCALE = 0.25  # what fits in a `make bench` on this machine
FACTOR = 4
GOAL_TIME_RATIO = 4.4
GOAL_RSS_FLAT = 0.10
GOAL_RSS_MB = 200.0
COLUMNS = (
    TextColumn("{task.description}"),
    BarColumn(),
    MofNCompleteColumn(),
    TimeElapsedColumn(),
    TimeRemainingColumn(),
)


def proc_status_mb(node: LocalNode, field: str) -> float:
    """A memory field of the node process's /proc status (VmHWM, VmRSS), in MB."""
    assert node.proc is not None
    for line in Path(f"/proc/{node.proc.pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def one_size(n: int, args: argparse.Namespace, console: Console) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="exc-"))
    out: dict[str, Any] = {"entries": n}
    region: LocalRegion | None = None
    try:
        with database_urls(args.database_url) as urls:
            region = LocalRegion(root, (SENDER, RECEIVER), urls)
            kz, kg = region[SENDER], region[RECEIVER]
            kz.init()
            kg.init()
            with Progress(*COLUMNS, console=console) as progress:
                t = time.perf_counter()
                prepublish(kz, n, progress)
                out["prepublish_s"] = round(time.perf_counter() - t, 1)
            public, sig, msg = sample_entry(kz)
            out["bare_verifies_per_s"] = round(bare_verify_rate(public, sig, msg, 1.0))
            kz.start()
            kg.start()
            trust = RegionTrust.create([kz, kg])
            kz.import_trust(trust.all_items())
            kg.import_trust(trust.all_items())
            out["kg_peak_rss_mb_before"] = round(proc_status_mb(kg, "VmHWM"), 1)
            rss_max = 0.0
            with Progress(*COLUMNS, console=console) as progress:
                task = progress.add_task(f"catch-up {SENDER} -> {RECEIVER}", total=n)
                t0 = time.monotonic()
                kz.add_peer(kg)
                kg.add_peer(kz)
                deadline = t0 + args.timeout
                head = 0
                while head < n:
                    if time.monotonic() > deadline:
                        raise SystemExit(
                            f"timed out after {args.timeout:g}s: {RECEIVER} holds {head} of {n} "
                            "entries (rerun with --keep-dir to keep the node logs)"
                        )
                    if not (kz.running and kg.running):
                        raise SystemExit("a node exited during the catch-up (see --keep-dir)")
                    head = received_head(kg, SENDER)
                    rss_max = max(rss_max, proc_status_mb(kg, "VmRSS"))
                    progress.update(task, completed=head)
                    if head < n:
                        time.sleep(0.25)
                wall = time.monotonic() - t0
            out["catchup_s"] = round(wall, 2)
            out["entries_per_s"] = round(n / wall)
            out["kg_peak_rss_mb"] = round(proc_status_mb(kg, "VmHWM"), 1)
            out["kg_rss_mb_max_sampled"] = round(rss_max, 1)
            out["kz_peak_rss_mb"] = round(proc_status_mb(kz, "VmHWM"), 1)
            out["exit_codes"] = {SENDER: kz.stop(), RECEIVER: kg.stop()}
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


def run(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    small = args.small or max(1, round(ISSUE_SMALL * args.scale))
    sizes = (small, FACTOR * small)
    r: dict[str, Any] = {
        "database": "postgresql" if args.database_url else "sqlite",
        "cpus": os.cpu_count(),
        "sizes": list(sizes),
        "issue_sizes": sizes == (ISSUE_SMALL, FACTOR * ISSUE_SMALL),
        "runs": [],
    }
    for n in sizes:
        console.print(f"[bold]{n:,} entries[/bold]")
        r["runs"].append(one_size(n, args, console))
    a, b = r["runs"]
    r["time_ratio"] = round(b["catchup_s"] / a["catchup_s"], 2)
    r["time_ratio_goal"] = GOAL_TIME_RATIO
    r["rss_growth"] = round(b["kg_peak_rss_mb"] / a["kg_peak_rss_mb"] - 1, 3)
    r["rss_flat"] = abs(r["rss_growth"]) <= GOAL_RSS_FLAT
    r["rss_under_goal"] = max(a["kg_peak_rss_mb"], b["kg_peak_rss_mb"]) < GOAL_RSS_MB
    r["goal_met"] = r["time_ratio"] <= GOAL_TIME_RATIO and r["rss_flat"] and r["rss_under_goal"]
    return r


def report(r: dict[str, Any]) -> None:
    note = "" if r["issue_sizes"] else " (NOT the issue's 100,000 / 400,000: scaled down)"
    print(
        f"catch-up {SENDER} -> {RECEIVER} ({r['database']}, {r['cpus']} CPUs), sizes "
        f"{r['sizes'][0]:,} and {r['sizes'][1]:,}{note}"
    )
    for x in r["runs"]:
        print(
            f"  {x['entries']:>9,} entries: {x['catchup_s']} s ({x['entries_per_s']:,}/s; bare "
            f"Ed25519 verify, 1 thread: {x['bare_verifies_per_s']:,}/s), {RECEIVER} peak RSS "
            f"{x['kg_peak_rss_mb']} MB (before pairing {x['kg_peak_rss_mb_before']} MB), "
            f"{SENDER} {x['kz_peak_rss_mb']} MB; pre-publish {x['prepublish_s']} s"
        )
    ok = "ok" if r["time_ratio"] <= GOAL_TIME_RATIO else "ABOVE GOAL"
    print(f"  time ratio {r['time_ratio']} for {FACTOR}x the entries ({ok}: goal <= 4.4)")
    flat = "flat" if r["rss_flat"] else "NOT flat"
    under = "under" if r["rss_under_goal"] else "NOT under"
    print(
        f"  peak RSS {r['rss_growth'] * 100:+.1f}% ({flat}: goal within 10%), "
        f"{under} {GOAL_RSS_MB:g} MB"
    )
    for x in r["runs"]:
        failed = {c: code for c, code in x["exit_codes"].items() if code != 0}
        if failed:
            print(f"  a node did not stop cleanly: exit codes {failed}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = p.add_mutually_exclusive_group()
    g.add_argument("--small", type=int, default=0, metavar="N", help="smaller size (larger: 4N)")
    g.add_argument(
        "--scale",
        type=float,
        default=DEFAULT_SCALE,
        help=f"scale the issue's 100k / 400k (default {DEFAULT_SCALE:g}; 1 = the issue's sizes)",
    )
    p.add_argument("--timeout", type=float, default=1800.0, help="time limit per catch-up (s)")
    p.add_argument("--database-url", default="", help="PostgreSQL server (schemas per node)")
    p.add_argument("--keep-dir", action="store_true", help="keep the temp dirs (logs, databases)")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = p.parse_args(argv)
    if args.small < 0 or args.scale <= 0 or args.timeout <= 0:
        p.error("--small, --scale and --timeout must be positive")
    console = Console(stderr=True)
    r = run(args, console)
    if args.json:
        print(json.dumps(r, indent=2, sort_keys=True))
    else:
        report(r)
    return 0 if r["goal_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
