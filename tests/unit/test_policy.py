"""Access policy: loading with precise errors, default deny, per-peer views, explain."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from exchange._proto.v1 import alert_pb2
from exchange.alerts.model import timestamp
from exchange.policy import PolicyError, evaluate, explain, load_policy, parse_policy
from exchange.policy.disclosure import PolicyDisclosure
from exchange.policy.evaluate import make_view
from exchange.policy.rate import TokenBucket

NODES = Path(__file__).resolve().parents[2] / "nodes"
KZ = load_policy(NODES / "kz.policy.toml", "kz")


def alert(category: int = alert_pb2.CATEGORY_RELEASE_NOTICE, handling: int = 2) -> alert_pb2.Alert:
    a = alert_pb2.Alert(
        alert_id="019a0000-0000-7000-8000-000000000001",
        version=1,
        origin="kz",
        category=category,  # type: ignore[arg-type]
        risk=alert_pb2.RISK_HIGH,
        handling=handling,  # type: ignore[arg-type]
        summary="Release after sentence",
        facility_region="Karaganda",
        action_requested="Inform liaison",
    )
    a.subject.tokens.add(kind="name-dob", epoch=1, value=b"\x01" * 32)
    a.subject.birth_year = 1987
    a.subject.nationality = "kz"
    a.issued_at.CopyFrom(timestamp(datetime(2026, 11, 1, tzinfo=UTC)))
    return a


def test_reference_policies_are_valid() -> None:
    for c in ("kz", "kg", "tj"):
        assert load_policy(NODES / f"{c}.policy.toml", c).country == c


def test_peer_not_in_policy_gets_nothing() -> None:
    d = evaluate(KZ, alert(), "uz")
    assert not d.send and "default deny" in d.reasons[0]


def test_observer_gets_no_alerts() -> None:
    for cat in range(1, 11):
        assert not evaluate(KZ, alert(cat), "se").send


def test_kg_gets_more_fields_than_tj() -> None:
    kg, tj = evaluate(KZ, alert(), "kg"), evaluate(KZ, alert(), "tj")
    assert kg.send and tj.send
    assert tj.fields == {"category", "subject.tokens"}
    assert {"subject.birth_year", "facility_region", "summary"} <= kg.fields
    assert tj.fields < kg.fields


def test_category_outside_rule_withheld() -> None:
    d = evaluate(KZ, alert(alert_pb2.CATEGORY_CONTRABAND_COMMUNICATION_DEVICE), "tj")
    assert not d.send and "category contraband-device" in d.reasons[-1]


def test_handling_above_max_withheld() -> None:
    d = evaluate(KZ, alert(handling=alert_pb2.HANDLING_H2), "tj")  # tj: max H1
    assert not d.send and "max_handling H1" in d.reasons[-1]


def test_view_holds_only_allowed_fields() -> None:
    v = make_view(alert(), frozenset({"category", "subject.tokens"}))
    assert v.category == alert_pb2.CATEGORY_RELEASE_NOTICE and len(v.subject.tokens) == 1
    assert v.handling == alert_pb2.HANDLING_H1  # mandatory
    assert (v.summary, v.facility_region, v.subject.birth_year, v.risk) == ("", "", 0, 0)
    assert v.subject.nationality == "" and not v.action_requested


def test_withdrawal_reaches_peer_that_got_a_version_even_if_now_denied() -> None:
    w = alert_pb2.Withdrawal(alert_id="x", version=2, origin="kz")
    d = PolicyDisclosure(lambda: KZ)
    assert d.view(w, "se", previously_sent=True).item is w
    assert d.view(w, "kg", previously_sent=False).item is None


def test_explain_says_why_each_field() -> None:
    lines = explain(KZ, alert(), "tj")
    assert any("rule for tj" in x for x in lines)
    assert "subject.tokens: sent (listed in the rule's fields)" in lines
    assert "summary: withheld (not listed in the rule's fields)" in lines
    assert "handling: sent (always)" in lines


BASE = 'country = "kz"\n[groups]\nmembers = ["kg", "tj"]\n'


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        (
            BASE + '[[share]]\nto = "members"\ncategories = ["riot"]\nmax_handling = "H2"\n'
            "fields = []\n",
            6,
            "unknown category 'riot'",
        ),
        (
            BASE + '[[share]]\nto = "members"\ncategories = ["*"]\nmax_handling = "H9"\n'
            "fields = []\n",
            7,
            "max_handling must be",
        ),
        (
            BASE + '[[share]]\nto = "members"\ncategories = ["*"]\nmax_handling = "H1"\n'
            'fields = ["name"]\n',
            8,
            "unknown field 'name'",
        ),
        (
            BASE + '[[share]]\nto = "everyone"\ncategories = ["*"]\nmax_handling = "H1"\n'
            "fields = []\n",
            5,
            "neither a country code",
        ),
        (
            BASE + '[[share]]\nto = "kg"\ncategories = ["*"]\nmax_handling = "H1"\nfields = []\n'
            '[[share]]\nto = "kg"\ncategories = ["*"]\nmax_handling = "H1"\nfields = []\n',
            10,
            "second rule for 'kg'",
        ),
        ("colour = 3\n" + BASE, 1, "unknown key 'colour'"),
        (
            BASE + '[[accept]]\nfrom = "members"\ncategories = ["*"]\nmax_batch = 0\n',
            7,
            "max_batch",
        ),
        ('country = "kz"\n[[share]]\nto = "kg"\n', 2, "'categories' is missing"),
        (
            'country = "kz"\n[groups]\na_group = ["kg"]\nb_group = ["kg"]\n'
            '[[share]]\nto = "a_group"\ncategories = ["*"]\nmax_handling = "H1"\nfields = []\n'
            '[[share]]\nto = "b_group"\ncategories = ["*"]\nmax_handling = "H1"\nfields = []\n',
            5,
            "kg is in groups",
        ),
        ("country = [\n", 0, "not valid TOML"),
    ],
)
def test_invalid_policy_points_at_line(text: str, line: int, needle: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "p.toml")
    assert needle in info.value.message
    if line:
        assert f"p.toml, line {line}:" in info.value.message


def test_policy_for_another_country_refused(tmp_path: Path) -> None:
    path = tmp_path / "kg.policy.toml"
    path.write_text('country = "kg"\n')
    with pytest.raises(PolicyError, match="for 'kg', but the node is 'kz'"):
        load_policy(path, "kz")


def test_rate_bucket_refuses_over_rate_and_refills() -> None:
    b = TokenBucket(rate=10, capacity=20, now=0.0)
    assert b.take(20, 0.0)
    assert not b.take(1, 0.0)
    assert b.take(10, 1.0)
    assert not b.take(11, 2.0)  # only 10 refilled; nothing taken
    assert b.take(10, 2.0)
