"""The cost of metrics on ingest: bench/ingest.py's catch-up, alternately without metrics and
with /metrics served and the receiver scraped once a second (Prometheus scrapes every 15 s),
in the same run; the ratio of the receiver's rates (goal: within 3%).

Run: .venv/bin/python bench/metrics_cost.py [--alerts 10000] [--rounds 2] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import ingest

console = Console(stderr=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--alerts", type=int, default=10000)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--database-url", default="")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not 1 <= args.rounds <= 10 or args.alerts < 1000:
        p.error("--rounds 1..10 and --alerts at least 1000")
    rates: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(args.rounds):
        for metrics in (False, True):
            a = ingest.main_args(
                ["--alerts", str(args.alerts), "--database-url", args.database_url]
                + (["--metrics"] if metrics else [])
            )
            r = ingest.run(a, console)
            rates[metrics].append(float(r["receiver_alerts_per_s"] or 0))
            console.print(f"metrics {'on ' if metrics else 'off'}: {rates[metrics][-1]:,.0f} /s")
    off, on = statistics.median(rates[False]), statistics.median(rates[True])
    out = {"alerts": args.alerts, "off": rates[False], "on": rates[True], "ratio": on / off}
    if args.json:
        print(json.dumps(out))
    else:
        print(
            f"ingest with metrics served and scraped: {on:,.0f} alerts/s; without: {off:,.0f} "
            f"alerts/s; ratio {on / off:.3f} (goal >= 0.97; medians of {args.rounds} rounds)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
