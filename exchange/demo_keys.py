"""The demo's key story: the trust ceremony with the real key tools, a rotation, a
revocation with a forged alert refused, and a new country joining by bundle v2."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from exchange.demo_story import Story, console
from exchange.envelope import SigningKey
from exchange.localregion import LocalNode, LocalRegion, forge_alert


def _propose(
    story: Story, root: Path, version: int, members: tuple[str, ...], observers: tuple[str, ...]
) -> None:
    """One administrator proposes a bundle version: a year, threshold 2 (keys/bundle.vN)."""
    expires = (datetime.now(UTC) + timedelta(days=365)).strftime("%Y-%m-%d")
    parties = [
        arg
        for role, countries in (("--member", members), ("--observer", observers))
        for c in countries
        for arg in (role, f"{c}=admin/{c}.admin.key.pub")
    ]
    story.tool(
        root, "keys", "bundle", "propose", "--version", str(version), "--expires", expires,
        "--threshold", "2", *parties, "--out", f"keys/bundle.v{version}",
    )  # fmt: skip


def ceremony(region: LocalRegion, story: Story, founders: list[LocalNode]) -> None:
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
    _propose(story, root, 1, ("kz", "kg", "tj"), ("se",))
    for c in ("kz", "kg", "tj"):
        story.tool(
            root, "keys", "bundle", "sign", "keys/bundle.v1", "--key", f"admin/{c}.admin.key"
        )
    verified = json.loads(story.tool(root, "keys", "bundle", "verify", "keys/bundle.v1", "--json"))
    story.check("bundle v1 carries its threshold of member signatures", lambda: verified["valid"])

    story.step("Each administrator certifies its node's signing, sealing and TLS keys")
    for n in founders:
        _certify(story, root, n, n.country)

    story.step("The nodes start; each is given bundle v1 (its trust anchor) and the certificates")
    for n in founders:
        n.start()
        story.run(
            n, "keys", "bundle", "publish", f"{root}/keys/bundle.v1",
            "--expect-digest", verified["digest"],
        )  # fmt: skip
        story.run(n, "keys", "import", *(f"{root}/keys/{c.country}.certs" for c in founders))
    story.check(
        "every node trusts the 4 countries' 12 node keys under bundle v1",
        lambda: all(
            sum(not k.purpose.startswith("admin") for k in n.keys_status().keys) == 12
            and n.keys_status().bundle_version == 1
            for n in founders
        ),
    )


def _certify(story: Story, root: Path, node: LocalNode, name: str, *extra: str) -> None:
    """The node's public keys go to its administrator, who writes keys/NAME.certs."""
    story.run(node, "keys", "node", "public", "--out", f"{root}/keys/{name}.json")
    story.tool(
        root, "keys", "node", "issue", "--key", f"admin/{node.country}.admin.key",
        "--public", f"keys/{name}.json", "--out", f"keys/{name}.certs", *extra,
    )  # fmt: skip


def _rotate(region: LocalRegion, story: Story, node: LocalNode, step: int) -> SigningKey:
    """The node's administrator rotates its signing key; returns the key rotated out."""
    root = region.root
    old = SigningKey.from_pem((node.state_dir / "sign.key").read_bytes())
    story.run(node, "keys", "node", "rotate", "--purpose", "sign")
    _certify(story, root, node, f"{node.country}.sign.{step}", "--next", "--purpose", "sign")
    story.run(node, "keys", "import", f"{root}/keys/{node.country}.sign.{step}.certs")
    story.check(
        f"{node.country.upper()} signs with its new key, without a restart",
        lambda: node.status().sign_key_id not in ("", old.key_id),
    )
    return old


def rotation_and_revocation(region: LocalRegion, story: Story) -> None:
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    story.step("TJ rotates its signing key and keeps delivering")
    _rotate(region, story, tj, 2)
    alert = story.publish(
        tj,
        "--category",
        "transfer-notice",
        "--risk",
        "medium",
        "--handling",
        "H1",
        "--summary",
        "Transfer to a high-security facility.",
    )
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
        old.key_id[:12],  # any unambiguous prefix of the id `keys status` shows
        "--certs",
        "keys/kg.certs",  # the key must be one these certificates name
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


def uzbekistan_joins(region: LocalRegion, story: Story) -> None:
    kz, kg, tj, se, uz = (region[c] for c in ("kz", "kg", "tj", "se", "uz"))
    root = region.root
    story.step("Uzbekistan joins: UZ's admin key, bundle v2 signed by the members")
    out = story.tool(
        root, "keys", "admin", "init", "--country", "uz", "--out", "admin/uz.admin.key", "--json"
    )
    console.print(f"  UZ reads its fingerprint over the phone: {json.loads(out)['fingerprint']}")
    _propose(story, root, 2, ("kz", "kg", "tj", "uz"), ("se",))
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
    _certify(story, root, uz, "uz")
    uz.start()
    v1 = json.loads(story.tool(root, "keys", "bundle", "show", "keys/bundle.v1", "--json"))
    story.run(
        uz, "keys", "bundle", "publish", f"{root}/keys/bundle.v1", f"{root}/keys/bundle.v2",
        "--expect-digest", v1["digest"],
    )  # fmt: skip
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
    alert = story.publish(
        kz,
        "--category",
        "escape",
        "--risk",
        "critical",
        "--handling",
        "H1",
        "--summary",
        "Escape during transfer; heading south.",
    )
    story.check("UZ verified and stored KZ's alert", lambda: alert in uz.versions("kz"))
