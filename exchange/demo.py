"""`exchange demo`: the reference region (kz, kg, tj, observer se, then uz) as local
processes, with a story (the key parts are in exchange.demo_keys).

Fresh keys in a fresh temporary state dir; every step runs the real `exchange` commands a person
would type, and every claim printed is checked. Exit 0 with a summary, or non-zero naming what
failed.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from rich.table import Table

from exchange.demo_docs import library
from exchange.demo_keep import print_keep
from exchange.demo_keys import ceremony, rotation_and_revocation, uzbekistan_joins
from exchange.demo_records import record_requests
from exchange.demo_story import DemoFailed, Story, console
from exchange.demo_web import console_lines, kg_console
from exchange.errors import Error
from exchange.localregion import LocalNode, LocalRegion


def _versions_table(region: LocalRegion) -> Table:
    running = [c for c, n in region.nodes.items() if n.running]
    table = Table("alert", *(c.upper() for c in running), title="alert versions held")
    ids = sorted(region["kz"].versions("kz"))
    views = {c: region[c].versions("kz") for c in running}
    for aid in ids:
        cells = []
        for c in running:
            v = views[c].get(aid)
            cells.append("—" if v is None else f"v{v[0]}" + (" withdrawn" if v[1] else ""))
        table.add_row(aid, *cells)
    return table


SE_POLICY = """# Sweden, an observer: it shares best practice with the members and takes theirs; it
# receives and sends no alerts.
country = "se"
[groups]
members = ["kz", "kg", "tj", "uz"]
[[share]]
to = "members"
categories = []
max_handling = "H0"
fields = []
document_topics = ["assessment-categorisation", "security-audits", "audit-checklists",
                   "training", "safety-after-release"]
[[accept]]
from = "members"
categories = []
document_topics = ["assessment-categorisation", "security-audits", "audit-checklists",
                   "training", "safety-after-release"]
"""


def _reference_policies() -> dict[str, str]:
    """The reference region's policies: nodes/*.policy.toml, and an observer's for SE."""
    nodes = Path(__file__).resolve().parent.parent / "nodes"
    out = {"se": SE_POLICY}
    for c in ("kz", "kg", "tj"):
        path = nodes / f"{c}.policy.toml"
        out[c] = path.read_text() if path.exists() else ""
    return out


def run_demo(keep: bool = False) -> int:
    root = Path(tempfile.mkdtemp(prefix="exchange-demo-"))
    region = LocalRegion(
        root,
        ("kz", "kg", "tj", "se", "uz"),
        policies=_reference_policies(),
        metrics="127.0.0.1:0",  # each node serves /metrics on a port of its own
    )
    story = Story()
    started = time.monotonic()
    try:
        _story(region, story)
        web = kg_console(region, story)
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
    for line in console_lines(web, keep):
        console.print(line, markup=False)
    if keep:
        console.print()
        print_keep(region, root, web.proc.pid)
        return 0
    web.stop()
    region.stop()
    shutil.rmtree(root, ignore_errors=True)
    return 0


def _fields_of(node: LocalNode, alert_id: str) -> list[str]:
    """The optional alert fields a node actually holds for one alert."""
    [rec] = [r for r in node.alerts("kz") if r.alert.alert_id == alert_id]
    a = rec.alert
    present = {
        "category": bool(a.category),
        "risk": bool(a.risk),
        "summary": bool(a.summary),
        "facility_region": bool(a.facility_region),
        "subject.tokens": bool(a.subject.tokens),
        "subject.birth_year": bool(a.subject.birth_year),
        "subject.sex": bool(a.subject.sex),
        "valid_until": a.HasField("valid_until"),
    }
    return [k for k, v in present.items() if v]


def _story(region: LocalRegion, story: Story) -> None:
    kz, kg, tj, se = region["kz"], region["kg"], region["tj"], region["se"]
    founders = [kz, kg, tj, se]
    story.step(
        "Four countries set up their nodes with fresh keys: members KZ, KG, TJ and observer SE"
    )
    for n in founders:
        n.init()
    console.print(
        "  policies: KZ shares every category with KG with the subject's tokens, birth year,\n"
        "  region and summary; with TJ only releases, transfers, escapes and recruitment, as\n"
        "  tokens and category; with the observer SE no alert at all (nodes/kz.policy.toml)"
    )
    ceremony(region, story, founders)

    story.step("Administrators add each other's nodes: only certified TLS keys are accepted")
    for a in founders:
        for b in founders:
            if a is not b:
                story.run(a, "peers", "add", b.country, "--address", b.address)
    story.check(
        "every node has the three others as peers",
        lambda: all(len(n.status().peers) == 3 for n in founders),
    )

    story.step("KZ publishes a release notice; the subject is given by name, sent as tokens only")
    first = story.publish(
        kz,
        "--category",
        "release-notice",
        "--risk",
        "high",
        "--handling",
        "H1",
        "--reliability",
        "B",
        "--accuracy",
        "2",
        "--region",
        "Karaganda",
        "--surname",
        "Ахмедов",
        "--given",
        "Хуршед",
        "--dob",
        "1987-03-12",
        "--sex",
        "m",
        "--valid-until",
        "2027-12-31",
        "--summary",
        "Release after sentence for extremist offences; travel towards the "
        "southern border reported.",
    )
    console.print(f"  alert {first} v1, signed by KZ; the name never left the command")
    story.check(
        "KG and TJ verified and stored it", lambda: all(first in n.versions("kz") for n in (kg, tj))
    )
    story.check("SE, an observer, received nothing", lambda: se.versions("kz") == {})
    kg_fields, tj_fields = _fields_of(kg, first), _fields_of(tj, first)
    console.print(f"  KG holds: {', '.join(kg_fields)}")
    console.print(f"  TJ holds: {', '.join(tj_fields)}")
    story.check(
        "KG received more of it than TJ, as KZ's policy says",
        lambda: (
            set(tj_fields) == {"category", "subject.tokens"}
            and {"summary", "subject.birth_year", "facility_region"} <= set(kg_fields)
        ),
    )
    explained = json.loads(
        story.run(kz, "policy", "explain", "--peer", "tj", "--alert", first, "--json")
    )
    withheld = [
        x.split(":")[0]
        for x in explained["lines"]
        if x.endswith("rule's fields)") and "withheld" in x
    ]
    console.print(f"  withheld from TJ, field by field: {', '.join(withheld)}")

    story.step("KG checks its own records against what it received (local hit / no-hit)")
    hit = json.loads(
        story.run(
            kg,
            "match",
            "--surname",
            "Akhmedov",
            "--given",
            "Khurshed",
            "--dob",
            "12.03.1987",
            "--sex",
            "m",
            "--json",
        )
    )
    story.check(
        "hit: KG's Latin spelling 'Akhmedov Khurshed' matches KZ's Cyrillic 'Ахмедов Хуршед'",
        lambda: [h["alert_id"] for h in hit["hits"]] == [first],
    )
    miss = json.loads(
        story.run(
            kg,
            "match",
            "--surname",
            "Mukhamedov",
            "--given",
            "Khurshed",
            "--dob",
            "1988-03-12",
            "--sex",
            "m",
            "--json",
        )
    )
    story.check("no hit for a different person", lambda: miss["hit"] is False)

    story.step("TJ's node is stopped (SIGTERM: graceful)")
    if tj.stop() != 0:
        raise DemoFailed("TJ did not stop gracefully")
    console.print("  TJ is down")

    story.step("KZ publishes two more alerts and amends the first")
    second = story.publish(
        kz,
        "--category",
        "contraband-device",
        "--risk",
        "medium",
        "--handling",
        "H1",
        "--summary",
        "Two phones found in a cell block; contacts abroad.",
    )
    third = story.publish(
        kz,
        "--category",
        "recruitment-activity",
        "--risk",
        "high",
        "--handling",
        "H1",
        "--summary",
        "Recruitment in a prayer group; three cells.",
    )
    story.run(kz, "alerts", "amend", first, "--risk", "critical")
    want_kg = {first: (2, False), second: (1, False), third: (1, False)}
    want_tj = {first: (2, False), third: (1, False)}  # contraband devices: not shared with TJ
    story.check("KG holds all three, with the amendment", lambda: kg.versions("kz") == want_kg)
    story.check(
        "KZ's outbox holds 2 entries for TJ (the phones alert is not for TJ: no entry, no gap)",
        lambda: [p.outbox_depth for p in kz.status().peers if p.country == "tj"] == [2],
    )

    story.step("TJ restarts and catches up from its last sequence number")
    tj.start()
    story.check("TJ caught up with what its policy allows", lambda: tj.versions("kz") == want_tj)
    story.check(
        "KZ's outbox is drained (every entry acknowledged)",
        lambda: all(p.outbox_depth == 0 for p in kz.status().peers),
    )
    story.check(
        "every node holds exactly the versions its policy allows",
        lambda: (
            kg.versions("kz") == want_kg
            and tj.versions("kz") == want_tj
            and se.versions("kz") == {}
        ),
    )
    console.print(_versions_table(region))
    record_requests(region, story, hit["hits"][0])
    library(region, story)
    rotation_and_revocation(region, story)
    uzbekistan_joins(region, story)
