"""`exchange demo`: the reference region (kz, kg, tj) as three local processes, with a story.

Fresh keys in a fresh temporary state dir; every step runs the real `exchange` commands a person
would type, and every claim printed is checked. Exit 0 with a summary, or non-zero naming what
failed.
"""

from __future__ import annotations

import json
import shlex
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from exchange.errors import Error
from exchange.localregion import LocalNode, LocalRegion, wait_for
from exchange.node.tls import format_fingerprint

console = Console(highlight=False)


class DemoFailed(Error):
    pass


class Story:
    def __init__(self) -> None:
        self.checks: list[str] = []

    def step(self, text: str) -> None:
        console.print(f"\n[bold cyan]▶ {text}[/]")

    def run(self, node: LocalNode, *args: str) -> str:
        shown = " ".join(shlex.quote(f"{a[:8]}…{a[-8:]}" if len(a) == 64 else a) for a in args)
        console.print(f"  [dim]$ exchange {shown} --config {node.country}.toml[/]")
        return node.cli(*args)

    def check(self, what: str, ok: Callable[[], bool], timeout: float = 30.0) -> None:
        try:
            wait_for(ok, timeout, what, interval=0.1)
        except Error:
            raise DemoFailed(f"check failed: {what}") from None
        self.checks.append(what)
        console.print(f"  [green]✓[/] {what}")


def _versions_table(region: LocalRegion) -> Table:
    table = Table("alert", *(c.upper() for c in region.nodes), title="alert versions held")
    ids = sorted(region["kz"].versions("kz"))
    views = {c: n.versions("kz") for c, n in region.nodes.items()}
    for aid in ids:
        cells = []
        for c in region.nodes:
            v = views[c].get(aid)
            cells.append("—" if v is None else f"v{v[0]}" + (" withdrawn" if v[1] else ""))
        table.add_row(aid, *cells)
    return table


def run_demo(keep: bool = False) -> int:
    root = Path(tempfile.mkdtemp(prefix="exchange-demo-"))
    region = LocalRegion(root, ("kz", "kg", "tj"))
    story = Story()
    started = time.monotonic()
    try:
        _story(region, story)
    except Error as exc:
        console.print(f"\n[bold red]✗ demo failed[/]: {exc.message}")
        console.print(f"  node logs are in {root}")
        region.stop()
        return 1
    except KeyboardInterrupt:
        region.stop()
        return 130
    console.print(
        f"\n[bold green]demo passed[/]: {len(story.checks)} checks in "
        f"{time.monotonic() - started:.1f}s"
    )
    if keep:
        console.print(f"\nThe region keeps running in {root}. Try:")
        for c in region.nodes:
            console.print(f"  exchange status --config {root / c}.toml")
        console.print(f"  exchange alerts list --config {root}/kg.toml")
        pids = " ".join(str(n.proc.pid) for n in region.nodes.values() if n.proc)
        console.print(f"Stop it with: kill {pids}  (then rm -r {root})")
        return 0
    region.stop()
    shutil.rmtree(root, ignore_errors=True)
    return 0


def _story(region: LocalRegion, story: Story) -> None:
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    story.step("Three countries set up their nodes with fresh keys (exchange init, exchange serve)")
    for n in region.nodes.values():
        n.init()
        n.start()
        console.print(
            f"  {n.country.upper()} serves on {n.address}, TLS fingerprint "
            f"{format_fingerprint(n.fingerprint)[:39]}…"
        )

    story.step("Administrators pin each other's nodes by address and fingerprint")
    for a in region.nodes.values():
        for b in region.nodes.values():
            if a is not b:
                story.run(
                    a,
                    "peers",
                    "add",
                    b.country,
                    "--address",
                    b.address,
                    "--fingerprint",
                    b.fingerprint,
                )
    story.check(
        "every node has the two others as peers",
        lambda: all(len(n.status().peers) == 2 for n in region.nodes.values()),
    )

    story.step("KZ publishes a release notice")
    first = json.loads(
        story.run(
            kz,
            "alerts",
            "publish",
            "--json",
            "--category",
            "release-notice",
            "--risk",
            "high",
            "--handling",
            "H2",
            "--reliability",
            "B",
            "--accuracy",
            "2",
            "--region",
            "Karaganda",
            "--birth-year",
            "1987",
            "--sex",
            "m",
            "--nationality",
            "kz",
            "--valid-until",
            "2027-12-31",
            "--summary",
            "Release of a prisoner convicted of extremist offences; "
            "travel towards the southern border reported.",
        )
    )["alert_id"]
    console.print(f"  alert {first} v1, signed by KZ")
    story.check(
        "KG and TJ verified and stored it",
        lambda: all(n.versions("kz") == {first: (1, False)} for n in (kg, tj)),
    )

    story.step("TJ's node is stopped (SIGTERM: graceful)")
    if tj.stop() != 0:
        raise DemoFailed("TJ did not stop gracefully")
    console.print("  TJ is down")

    story.step("KZ publishes two more alerts and amends the first")
    second = json.loads(
        story.run(
            kz,
            "alerts",
            "publish",
            "--json",
            "--category",
            "contraband-device",
            "--risk",
            "medium",
            "--handling",
            "H1",
            "--summary",
            "Two phones found in a cell block; contacts abroad.",
        )
    )["alert_id"]
    third = json.loads(
        story.run(
            kz,
            "alerts",
            "publish",
            "--json",
            "--category",
            "recruitment-activity",
            "--risk",
            "high",
            "--handling",
            "H2",
            "--summary",
            "Recruitment in a prayer group; three cells.",
        )
    )["alert_id"]
    story.run(kz, "alerts", "amend", first, "--risk", "critical")
    want = {first: (2, False), second: (1, False), third: (1, False)}
    story.check("KG holds all three, with the amendment", lambda: kg.versions("kz") == want)
    story.check(
        "KZ's outbox holds 3 entries for TJ",
        lambda: [p.outbox_depth for p in kz.status().peers if p.country == "tj"] == [3],
    )

    story.step("TJ restarts and catches up from its last sequence number")
    tj.start()
    story.check("TJ caught up: same versions as KZ", lambda: tj.versions("kz") == want)
    story.check(
        "KZ's outbox to TJ is drained (every entry acknowledged)",
        lambda: all(p.outbox_depth == 0 for p in kz.status().peers),
    )
    story.check(
        "every node shows the same alert versions",
        lambda: all(n.versions("kz") == want for n in region.nodes.values()),
    )
    console.print(_versions_table(region))
