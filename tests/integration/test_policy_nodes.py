"""Access policies between real nodes: views per peer, default deny, gap-free channels,
withdrawals after a policy change, live reload, explain, and a node that refuses a bad policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from exchange.localregion import LocalRegion, RegionError, wait_for
from tests.integration.wire import counts

pytestmark = pytest.mark.integration

KZ_POLICY = """country = "kz"
[groups]
members = ["kg", "tj"]
[[share]]
to = "kg"
categories = ["*"]
max_handling = "H2"
fields = ["category", "risk", "subject.tokens", "subject.birth_year", "facility_region"]
[[share]]
to = "tj"
categories = ["release-notice", "escape"]
max_handling = "H2"
fields = ["category", "subject.tokens"]
[[accept]]
from = "members"
categories = ["*"]
"""


def publish(node, *args: str) -> str:  # type: ignore[no-untyped-def]
    out = node.cli(
        "alerts",
        "publish",
        "--json",
        "--risk",
        "high",
        "--handling",
        "H1",
        "--summary",
        "Release after sentence",
        "--region",
        "Karaganda",
        "--birth-year",
        "1987",
        "--token",
        "name-dob:" + "ab" * 32,
        *args,
    )
    return str(json.loads(out)["alert_id"])


def test_views_follow_the_policy_and_withheld_alerts_leave_no_gap(
    make_region: Callable[..., LocalRegion],
) -> None:
    region = make_region(policies={"kz": KZ_POLICY})
    region.start()
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    first = publish(kz, "--category", "release-notice")
    phones = publish(kz, "--category", "contraband-device")  # not for tj
    third = publish(kz, "--category", "escape")
    wait_for(
        lambda: len(kg.versions("kz")) == 3 and len(tj.versions("kz")) == 2,
        20,
        "kg to hold 3 alerts and tj 2",
    )
    assert set(tj.versions("kz")) == {first, third}
    [kg_view] = [r.alert for r in kg.alerts("kz") if r.alert.alert_id == first]
    [tj_view] = [r.alert for r in tj.alerts("kz") if r.alert.alert_id == first]
    assert kg_view.subject.birth_year == 1987 and kg_view.facility_region == "Karaganda"
    assert kg_view.summary == ""  # not in kg's fields
    assert len(tj_view.subject.tokens) == 1 and tj_view.category
    assert (tj_view.subject.birth_year, tj_view.facility_region, tj_view.risk) == (0, "", 0)
    # tj's channel has exactly 2 entries, seq 1 and 2: the withheld alert left no gap
    assert counts(tj)["entries"] == 2
    [link] = [p for p in kz.status().peers if p.country == "tj"]
    assert link.sent_head == 2
    explained = json.loads(kz.cli("policy", "explain", "--peer", "tj", "--alert", phones, "--json"))
    assert explained["send"] is False
    assert any("contraband-device is not in the rule's categories" in x for x in explained["lines"])
    audit = json.loads(kz.cli("audit", "list", "--event", "alert.published", "--json"))
    withheld = [e["detail"] for e in audit if e["detail"]["alert_id"] == phones]
    assert "tj" in withheld[0]["withheld"] and "kg" in withheld[0]["sent"]
    details = json.dumps([e["detail"] for e in audit])  # not the times: they may hold "1987"
    assert "1987" not in details and "Karaganda" not in details  # fields named, values never


def test_withdrawal_reaches_peer_after_policy_denies_category(
    make_region: Callable[..., LocalRegion],
) -> None:
    region = make_region(("kz", "tj"), policies={"kz": KZ_POLICY.replace('"kg", ', "")})
    region.start()
    kz, tj = region["kz"], region["tj"]
    alert_id = publish(kz, "--category", "escape")
    wait_for(lambda: alert_id in tj.versions("kz"), 20, "tj to receive the escape alert")
    policy_path = kz.root / "kz.policy.toml"
    policy_path.write_text(
        policy_path.read_text().replace('"release-notice", "escape"', '"release-notice"')
    )
    out = kz.cli("policy", "reload")  # or the node's own file watcher got there first
    assert "policy loaded" in out or "policy unchanged" in out
    kz.cli("alerts", "amend", alert_id, "--risk", "critical")  # now withheld from tj
    kz.cli("alerts", "withdraw", alert_id, "--reason", "entered in error")
    wait_for(
        lambda: tj.versions("kz").get(alert_id) == (3, True), 20, "tj to learn of the withdrawal"
    )
    events = json.loads(kz.cli("audit", "list", "--event", "policy.loaded", "--json"))
    triggers = [e["detail"]["trigger"] for e in events]
    assert triggers[0] == "start" and len(triggers) == 2
    assert triggers[1] in ("exchange policy reload", "file change")


def test_invalid_policy_reload_keeps_the_old_one_and_node_refuses_to_start(
    make_region: Callable[..., LocalRegion],
) -> None:
    region = make_region(("kz",))
    region.start(pair=False)
    kz = region["kz"]
    policy_path: Path = kz.root / "kz.policy.toml"
    good = policy_path.read_text()
    policy_path.write_text(
        good + '[[share]]\nto = "kg"\ncategories = ["riot"]\nmax_handling = "H1"\nfields = []\n'
    )
    out = kz.cli("policy", "reload", check=False)
    assert "unknown category 'riot'" in out and "Traceback" not in out
    assert kz.status().serving == "SERVING"
    kz.stop()
    with pytest.raises(RegionError, match="exited"):
        kz.start(timeout=20)
    assert "unknown category 'riot'" in kz.log_path.read_text()


def test_peer_without_accept_rule_is_refused_and_nothing_lost(
    make_region: Callable[..., LocalRegion],
) -> None:
    closed = 'country = "kg"\n[groups]\nregion = ["kz"]\n'
    region = make_region(("kz", "kg"), policies={"kg": closed})
    region.start()
    kz, kg = region["kz"], region["kg"]
    alert_id = publish(kz, "--category", "escape")
    wait_for(
        lambda: any("accepts nothing" in p.last_error for p in kz.status().peers),
        20,
        "kz to see kg's refusal",
    )
    assert kg.versions("kz") == {}
    (kg.root / "kg.policy.toml").write_text(
        closed + '[[accept]]\nfrom = "kz"\ncategories = ["*"]\n'
    )
    kg.cli("policy", "reload")
    wait_for(lambda: alert_id in kg.versions("kz"), 30, "kg to accept the queued alert")


def test_broken_policy_file_keeps_the_last_good_one_and_a_later_tightening_applies(
    make_region: Callable[..., LocalRegion],
) -> None:
    """A policy saved in the wrong encoding does not stop the watcher: the last good policy
    stays, the refusal is audited once and shown as an alarm, and the tightening saved next is
    in force without a restart."""
    share_all = 'country = "kz"\n[[share]]\nto = "kg"\ncategories = ["*"]\nmax_handling = "H2"\n'
    share_all += (
        'fields = ["category", "subject.tokens"]\n[[accept]]\nfrom = "kg"\ncategories = ["*"]\n'
    )
    region = make_region(("kz", "kg"), policies={"kz": share_all})
    region.start()
    kz, kg = region["kz"], region["kg"]
    first = publish(kz, "--category", "escape")
    wait_for(lambda: first in kg.versions("kz"), 20, "kg to receive the first escape")
    policy_path: Path = kz.root / "kz.policy.toml"

    policy_path.write_bytes(share_all.encode() + "# Карагандинская\n".encode("cp1251"))

    def alarms() -> list[str]:
        return list(json.loads(kz.cli("status", "--json"))["alarms"])

    wait_for(lambda: any("policy file refused" in a for a in alarms()), 20, "the policy alarm")
    assert "not UTF-8" in " ".join(alarms())
    tight = share_all.replace(
        'categories = ["*"]\nmax_handling', 'categories = ["release-notice"]\nmax_handling'
    )
    policy_path.write_text(tight)
    wait_for(lambda: not any("policy" in a for a in alarms()), 20, "the policy alarm to clear")

    withheld = publish(kz, "--category", "escape")
    allowed = publish(kz, "--category", "release-notice")
    wait_for(lambda: allowed in kg.versions("kz"), 20, "kg to receive the release notice")
    assert withheld not in kg.versions("kz")  # the tightening is in force
    events = json.loads(kz.cli("audit", "list", "--json"))
    refused = [e for e in events if e["event"] == "policy.refused"]
    loaded = [e for e in events if e["event"] == "policy.loaded"]
    assert len(refused) == 1 and "not UTF-8" in refused[0]["detail"]["reason"]
    assert loaded[-1]["detail"]["trigger"] == "file change"
    assert kz.running
