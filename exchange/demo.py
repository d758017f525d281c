"""`exchange demo`: the reference region (kz, kg, tj) as three local processes, with a story.

Fresh keys in a fresh temporary state dir; every step runs the real `exchange` commands a person
would type, and every claim printed is checked. Exit 0 with a summary, or non-zero naming what
failed.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from exchange.cli.keys_cmds import PASSPHRASE_ENV
from exchange.envelope import SigningKey
from exchange.errors import Error
from exchange.localregion import LocalNode, LocalRegion, forge_alert, wait_for

# The demo's admin keys live in a temporary folder and die with it; a real passphrase is typed.
DEMO_PASSPHRASE = "demo passphrase, never for real keys"

console = Console(highlight=False)


class DemoFailed(Error):
    pass


class Story:
    def __init__(self) -> None:
        self.checks: list[str] = []

    def step(self, text: str) -> None:
        console.print(f"\n[bold cyan]▶ {text}[/]")

    def tool(self, root: Path, *args: str) -> str:
        """An administrator's key tool (no node involved), run in the region's folder."""
        shown = " ".join(shlex.quote(a) for a in args)
        console.print(f"  [dim]$ exchange {shown}[/]")
        proc = subprocess.run(
            [sys.executable, "-m", "exchange", *args],
            capture_output=True,
            text=True,
            cwd=root,
            env={**os.environ, PASSPHRASE_ENV: DEMO_PASSPHRASE},
            timeout=60,
        )
        if proc.returncode != 0:
            raise DemoFailed(f"`exchange {shown}` failed: {proc.stderr.strip()}")
        return proc.stdout

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


SE_POLICY = """# Sweden, an observer: it shares nothing and accepts alerts from nobody.
country = "se"
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
    region = LocalRegion(root, ("kz", "kg", "tj", "se", "uz"), policies=_reference_policies())
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
        console.print(f"  exchange keys status --config {root}/kz.toml")
        console.print(f"  exchange alerts list --config {root}/kg.toml")
        pids = " ".join(str(n.proc.pid) for n in region.nodes.values() if n.proc)
        console.print(f"Stop it with: kill {pids}  (then rm -r {root})")
        return 0
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
    _ceremony(region, story, founders)

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
    )["alert_id"]
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
            "H1",
            "--summary",
            "Recruitment in a prayer group; three cells.",
        )
    )["alert_id"]
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
    _rotation_and_revocation(region, story)
    _uzbekistan_joins(region, story)


def _ceremony(region: LocalRegion, story: Story, founders: list[LocalNode]) -> None:
    """Admin keys, bundle v1 signed by the three members, node certificates, installation."""
    root = region.root
    (root / "keys").mkdir(exist_ok=True)
    (root / "admin").mkdir(mode=0o700, exist_ok=True)
    story.step("Each country's administrator creates an offline admin key")
    for n in founders:
        out = story.tool(
            root,
            "keys",
            "admin",
            "init",
            "--country",
            n.country,
            "--out",
            f"admin/{n.country}.admin.key",
            "--json",
        )
        fp = json.loads(out)["fingerprint"]
        console.print(f"  {n.country.upper()} reads its fingerprint over the phone: {fp}")

    story.step("KZ proposes trust bundle v1; KZ, KG and TJ check its digest and sign it")
    expires = (datetime.now(UTC) + timedelta(days=365)).strftime("%Y-%m-%d")
    story.tool(
        root,
        "keys",
        "bundle",
        "propose",
        "--version",
        "1",
        "--expires",
        expires,
        "--threshold",
        "2",
        "--member",
        "kz=admin/kz.admin.key.pub",
        "--member",
        "kg=admin/kg.admin.key.pub",
        "--member",
        "tj=admin/tj.admin.key.pub",
        "--observer",
        "se=admin/se.admin.key.pub",
        "--out",
        "keys/bundle.v1",
    )
    for c in ("kz", "kg", "tj"):
        story.tool(
            root, "keys", "bundle", "sign", "keys/bundle.v1", "--key", f"admin/{c}.admin.key"
        )
    verified = json.loads(story.tool(root, "keys", "bundle", "verify", "keys/bundle.v1", "--json"))
    story.check("bundle v1 carries its threshold of member signatures", lambda: verified["valid"])

    story.step("Each administrator certifies its node's signing, sealing and TLS keys")
    for n in founders:
        story.run(n, "keys", "node", "public", "--out", f"{root}/keys/{n.country}.node.json")
        story.tool(
            root,
            "keys",
            "node",
            "issue",
            "--key",
            f"admin/{n.country}.admin.key",
            "--public",
            f"keys/{n.country}.node.json",
            "--out",
            f"keys/{n.country}.certs",
        )

    story.step("The nodes start; each is given bundle v1 (its trust anchor) and the certificates")
    for n in founders:
        n.start()
        story.run(n, "keys", "bundle", "publish", f"{root}/keys/bundle.v1")
        story.run(n, "keys", "import", *(f"{root}/keys/{c.country}.certs" for c in founders))
    story.check(
        "every node trusts the 4 countries' 12 node keys under bundle v1",
        lambda: all(
            sum(not k.purpose.startswith("admin") for k in n.keys_status().keys) == 12
            and n.keys_status().bundle_version == 1
            for n in founders
        ),
    )


def _rotate(region: LocalRegion, story: Story, node: LocalNode, step: int) -> SigningKey:
    """The node's administrator rotates its signing key; returns the key rotated out."""
    root = region.root
    old = SigningKey.from_pem((node.state_dir / "sign.key").read_bytes())
    story.run(node, "keys", "node", "rotate", "--purpose", "sign")
    story.run(
        node, "keys", "node", "public", "--out", f"{root}/keys/{node.country}.node.{step}.json"
    )
    story.tool(
        root,
        "keys",
        "node",
        "issue",
        "--key",
        f"admin/{node.country}.admin.key",
        "--next",
        "--purpose",
        "sign",
        "--public",
        f"keys/{node.country}.node.{step}.json",
        "--out",
        f"keys/{node.country}.sign.{step}.certs",
    )
    story.run(node, "keys", "import", f"{root}/keys/{node.country}.sign.{step}.certs")
    story.check(
        f"{node.country.upper()} signs with its new key, without a restart",
        lambda: node.status().sign_key_id not in ("", old.key_id),
    )
    return old


def _rotation_and_revocation(region: LocalRegion, story: Story) -> None:
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    story.step("TJ rotates its signing key and keeps delivering")
    _rotate(region, story, tj, 2)
    alert = json.loads(
        story.run(
            tj,
            "alerts",
            "publish",
            "--json",
            "--category",
            "transfer-notice",
            "--risk",
            "medium",
            "--handling",
            "H1",
            "--summary",
            "Transfer to a high-security facility.",
        )
    )["alert_id"]
    story.check(
        "KZ and KG verified TJ's alert under its new key",
        lambda: all(alert in n.versions("tj") for n in (kz, kg)),
    )

    story.step("KG's old signing key was copied off a laptop: KG rotates, then revokes it")
    old = _rotate(region, story, kg, 2)
    root = region.root
    story.tool(
        root,
        "keys",
        "revoke",
        "--key",
        "admin/kg.admin.key",
        "--country",
        "kg",
        "--key-id",
        old.key_id,
        "--reason",
        "laptop lost",
        "--out",
        "keys/kg.revoke.1",
    )
    story.run(kg, "keys", "import", f"{root}/keys/kg.revoke.1")
    story.check(
        "the revocation reached KZ and TJ over the channels (alarm in `exchange status`)",
        lambda: all(any(old.key_id[:16] in a for a in n.status().alarms) for n in (kz, tj)),
    )
    for target in (kz, tj):
        before = len(target.versions("kg"))
        reason = forge_alert(kg, target, old, "Forged: prisoner escaped, open the border post")
        console.print(f"  {target.country.upper()} refused the forgery: {reason[:150]}")
        story.check(
            f"{target.country.upper()} stored nothing and raised an alarm",
            lambda t=target, b=before: (
                len(t.versions("kg")) == b  # type: ignore[misc]
                and any("signed by a revoked key" in a for a in t.status().alarms)
            ),
        )


def _uzbekistan_joins(region: LocalRegion, story: Story) -> None:
    kz, kg, tj, se, uz = (region[c] for c in ("kz", "kg", "tj", "se", "uz"))
    root = region.root
    story.step("Uzbekistan joins: UZ's admin key, bundle v2 signed by the members")
    out = story.tool(
        root, "keys", "admin", "init", "--country", "uz", "--out", "admin/uz.admin.key", "--json"
    )
    console.print(f"  UZ reads its fingerprint over the phone: {json.loads(out)['fingerprint']}")
    expires = (datetime.now(UTC) + timedelta(days=365)).strftime("%Y-%m-%d")
    story.tool(
        root,
        "keys",
        "bundle",
        "propose",
        "--version",
        "2",
        "--expires",
        expires,
        "--threshold",
        "2",
        "--member",
        "kz=admin/kz.admin.key.pub",
        "--member",
        "kg=admin/kg.admin.key.pub",
        "--member",
        "tj=admin/tj.admin.key.pub",
        "--member",
        "uz=admin/uz.admin.key.pub",
        "--observer",
        "se=admin/se.admin.key.pub",
        "--out",
        "keys/bundle.v2",
    )
    for c in ("kz", "kg", "uz"):
        story.tool(
            root, "keys", "bundle", "sign", "keys/bundle.v2", "--key", f"admin/{c}.admin.key"
        )
    story.tool(root, "keys", "bundle", "verify", "keys/bundle.v2", "--previous", "keys/bundle.v1")
    story.run(kz, "keys", "bundle", "publish", f"{root}/keys/bundle.v2")
    story.check(
        "bundle v2 walked from KZ to KG, TJ and SE",
        lambda: all(n.keys_status().bundle_version == 2 for n in (kg, tj, se)),
    )
    uz.init()
    story.run(uz, "keys", "node", "public", "--out", f"{root}/keys/uz.node.json")
    story.tool(
        root,
        "keys",
        "node",
        "issue",
        "--key",
        "admin/uz.admin.key",
        "--public",
        "keys/uz.node.json",
        "--out",
        "keys/uz.certs",
    )
    uz.start()
    story.run(uz, "keys", "bundle", "publish", f"{root}/keys/bundle.v1", f"{root}/keys/bundle.v2")
    certs = sorted(str(p) for p in (root / "keys").glob("*.certs"))
    story.run(uz, "keys", "import", *certs)
    story.run(kz, "keys", "import", f"{root}/keys/uz.certs")
    for n in (kz, kg, tj):
        story.run(n, "peers", "add", "uz", "--address", uz.address)
        story.run(uz, "peers", "add", n.country, "--address", n.address)
    policy = kz.config().policy
    assert policy is not None
    policy.write_text(
        policy.read_text().replace('members = ["kg", "tj"]', 'members = ["kg", "tj", "uz"]')
        + '\n[[share]]\nto = "uz"\ncategories = ["*"]\nmax_handling = "H1"\n'
        'fields = ["category", "risk", "subject.tokens"]\n'
    )
    story.run(kz, "policy", "reload")
    alert = json.loads(
        story.run(
            kz,
            "alerts",
            "publish",
            "--json",
            "--category",
            "escape",
            "--risk",
            "critical",
            "--handling",
            "H1",
            "--summary",
            "Escape during transfer; heading south.",
        )
    )["alert_id"]
    story.check("UZ verified and stored KZ's alert", lambda: alert in uz.versions("kz"))
