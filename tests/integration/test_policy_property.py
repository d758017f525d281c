"""Property: random share policies and random alerts through real nodes. On the receiving side,
no field outside the policy ever arrives and every field the policy allows does; a withheld
alert leaves no entry on the channel and never reaches the peer.

One region (kz, kg) of in-process nodes (tests/inproc.py) per backend, started and paired
once. Each example rewrites kz's policy, reloads it, publishes one alert at kz and checks what
kg stored: the raw signed entry as it travelled and the alert kg's operator sees. The expected
view is built here, independently of `make_view`, and the decision is checked against a model of
the rule before trusting `evaluate`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import select

from exchange._proto.v1 import alert_pb2, channel_pb2, envelope_pb2, operator_pb2
from exchange.alerts import model as alert_model
from exchange.alerts.pii import find_pii
from exchange.envelope import ENTRY_PAYLOAD_TYPE
from exchange.localregion import RegionError
from exchange.policy import FIELDS, MANDATORY_FIELDS, evaluate, parse_policy
from exchange.store.db import Database
from exchange.store.models import Entry
from tests.conftest import PgSchemas, require_pg
from tests.inproc import InprocNode, InprocRegion, wait_until

pytestmark = pytest.mark.integration

SUBJECT_FIELDS = {f for f in FIELDS if f.startswith("subject.")}


@dataclass
class Pair:
    region: InprocRegion
    kz: InprocNode
    kg: InprocNode
    kg_db: Database
    stuck: str = ""  # set once the channel failed to drain: later examples fail at once


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["sqlite", "postgresql"])
async def pair(request: pytest.FixtureRequest) -> AsyncIterator[Pair]:
    schemas = None
    if request.param == "postgresql":
        require_pg()
        schemas = PgSchemas()
    root = Path(tempfile.mkdtemp(prefix="ex-"))
    url = (lambda c: schemas.url(c)) if schemas else None
    region = InprocRegion(root, ("kz", "kg"), url)  # kg keeps the open policy: accepts all
    kg_db: Database | None = None
    try:
        await region.start()
        kg_db = Database(region["kg"].config().db_url)
        yield Pair(region, region["kz"], region["kg"], kg_db)
    finally:
        if kg_db is not None:
            kg_db.close()
        await region.stop()
        if schemas:
            schemas.drop_all()
        shutil.rmtree(root, ignore_errors=True)


def test_every_alert_field_is_covered_by_the_policy_vocabulary() -> None:
    """The property below is only complete if every wire field is either mandatory or named."""
    alert_fields = {f.name for f in alert_pb2.Alert.DESCRIPTOR.fields} - {"subject"}
    subject = {f"subject.{f.name}" for f in alert_pb2.Subject.DESCRIPTOR.fields}
    assert alert_fields | subject == FIELDS | MANDATORY_FIELDS
    assert not FIELDS & MANDATORY_FIELDS


# -- strategies ------------------------------------------------------------------------------

CATEGORY_NAMES = sorted(alert_model.CATEGORIES)
HANDLINGS = sorted(alert_model.HANDLING)  # H0..H3
SELECTABLE = sorted(FIELDS | MANDATORY_FIELDS)  # mandatory names are allowed, and ignored


@dataclass(frozen=True)
class Rule:
    categories: tuple[str, ...]  # names, or ("*",)
    max_handling: str
    fields: tuple[str, ...]  # names, or ("*",)

    def toml(self, to: str) -> str:
        return (
            f'[[share]]\nto = "{to}"\ncategories = {json.dumps(list(self.categories))}\n'
            f'max_handling = "{self.max_handling}"\nfields = {json.dumps(list(self.fields))}\n'
        )


@dataclass(frozen=True)
class PolicyCase:
    own: Rule | None  # a rule for "kg" itself
    group: Rule | None  # a rule for the group "members" (kg, tj): loses to kg's own rule

    def toml(self) -> str:
        text = 'country = "kz"\n[groups]\nmembers = ["kg", "tj"]\n'
        if self.group is not None:
            text += self.group.toml("members")
        if self.own is not None:
            text += self.own.toml("kg")
        if self.own is None and self.group is None:
            text += Rule(("*",), "H3", ("*",)).toml("tj")  # a rule, but none that covers kg
        return text + '[[accept]]\nfrom = "members"\ncategories = ["*"]\n'

    def expect(self, alert: alert_pb2.Alert) -> tuple[bool, frozenset[str]]:
        """The decision, modelled here from the rule (not by calling the policy code)."""
        rule = self.own or self.group
        if rule is None:
            return False, frozenset()
        cat = alert_model.category_name(alert.category)
        if "*" not in rule.categories and cat not in rule.categories:
            return False, frozenset()
        if alert.handling > alert_model.HANDLING[rule.max_handling]:
            return False, frozenset()
        return True, FIELDS if "*" in rule.fields else frozenset(rule.fields) & FIELDS


def _subset(items: list[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(items), unique=True, max_size=len(items)).map(tuple)


rules = st.builds(
    Rule,
    categories=st.one_of(_subset(CATEGORY_NAMES), st.just(("*",))),
    max_handling=st.sampled_from(HANDLINGS),
    fields=st.one_of(_subset(SELECTABLE), st.just(("*",))),
)
policies = st.one_of(
    st.builds(PolicyCase, own=rules, group=st.none() | rules),  # mostly: kg's own rule
    st.builds(PolicyCase, own=rules, group=st.none()),
    st.builds(PolicyCase, own=st.none(), group=st.none() | rules),  # group rule, or deny
)

# Free text: any visible Unicode (no surrogates, controls or bidi overrides, which the node
# refuses), never empty, so "withheld" is visible as "", and nothing the personal-data guard
# would hold back at the receiver.
CHARS = st.characters(
    codec="utf-8",
    exclude_categories=("Cs", "Cc"),
    exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
)


def free_text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(CHARS, min_size=1, max_size=max_size).filter(lambda t: not find_pii(t))


# The summary goes through the PII guard: harmless operational phrases and a small number.
PHRASES = (
    "Routine notice",
    "Scheduled transfer",
    "Facility inspection",
    "Perimeter check",
    "Cell search completed",
    "Visiting hours changed",
    "Staff briefing held",
    "Security level raised",
)
summaries = st.builds("{} {}".format, st.sampled_from(PHRASES), st.integers(1, 999))
TOKEN_KINDS = ("name-dob", "name-year-sex", "name-patronymic-year", "given-dob")
tokens = st.builds(
    lambda kind, epoch, value: alert_pb2.SubjectToken(kind=kind, epoch=epoch, value=value),
    st.sampled_from(TOKEN_KINDS),
    st.integers(0, 2**32 - 1),  # uint32 on the wire, BIGINT in the token index
    st.binary(min_size=1, max_size=alert_model.MAX_TOKEN_BYTES),
)


@st.composite
def alerts(draw: st.DrawFn) -> alert_pb2.Alert:
    """An alert with every optional field set to a non-default value."""
    now = datetime.now(UTC)
    a = alert_pb2.Alert(
        category=draw(st.sampled_from(sorted(alert_model.ALL_CATEGORIES))),
        risk=draw(st.sampled_from(sorted(alert_model.RISKS.values()))),
        handling=draw(st.sampled_from(sorted(alert_model.HANDLING.values()))),
        reliability=draw(st.sampled_from(sorted(alert_model.RELIABILITY.values()))),
        accuracy=draw(st.sampled_from(sorted(alert_model.ACCURACY.values()))),
        action_requested=draw(free_text(alert_model.MAX_ACTION)),
        facility_region=draw(free_text(alert_model.MAX_REGION)),
        summary=draw(summaries),
        references=draw(
            st.lists(
                free_text(alert_model.MAX_REFERENCE_LEN),
                min_size=1,
                max_size=alert_model.MAX_REFERENCES,
            )
        ),
        handling_note=draw(free_text(alert_model.MAX_HANDLING_NOTE)),
    )
    a.valid_until.CopyFrom(
        alert_model.timestamp(now + timedelta(days=draw(st.integers(1, 3650)), hours=1))
    )
    a.subject.tokens.extend(draw(st.lists(tokens, min_size=1, max_size=alert_model.MAX_TOKENS)))
    a.subject.birth_year = draw(st.integers(1930, now.year - 14))
    a.subject.sex = draw(st.sampled_from([alert_pb2.SEX_MALE, alert_pb2.SEX_FEMALE]))
    a.subject.nationality = draw(st.sampled_from(["kz", "kg", "tj", "uz", "ru", "af"]))
    return a


@st.composite
def cases(draw: st.DrawFn) -> tuple[PolicyCase, alert_pb2.Alert]:
    """A policy and an alert. Drawn independently most policies withhold the alert, so half the
    time the rule that applies to kg is widened to cover the alert's category and handling."""
    alert, case = draw(alerts()), draw(policies)
    rule = case.own or case.group
    if rule is not None and draw(st.booleans()):
        category = alert_model.category_name(alert.category)
        cats = rule.categories if "*" in rule.categories else (*rule.categories, category)
        handling = max(rule.max_handling, HANDLINGS[alert.handling - alert_pb2.HANDLING_H0])
        wide = Rule(tuple(dict.fromkeys(cats)), handling, rule.fields)
        case = replace(case, own=wide) if case.own else replace(case, group=wide)
    return case, alert


# -- checks ----------------------------------------------------------------------------------


def value_of(alert: alert_pb2.Alert, name: str) -> Any:
    """A comparable value of one named field; the field's default when it is not set."""
    if name == "subject.tokens":
        return [(t.kind, t.epoch, t.value) for t in alert.subject.tokens]
    if name.startswith("subject."):
        return getattr(alert.subject, name.split(".", 1)[1])
    if name == "references":
        return list(alert.references)
    if name in ("valid_until", "issued_at"):
        ts = getattr(alert, name)
        return (ts.seconds, ts.nanos) if alert.HasField(name) else None
    return getattr(alert, name)


EMPTY: dict[str, Any] = {
    name: value_of(alert_pb2.Alert(), name) for name in FIELDS
}  # [] / 0 / "" / None


def expected_view(published: alert_pb2.Alert, fields: frozenset[str]) -> alert_pb2.Alert:
    """The published alert with every field the policy does not disclose cleared."""
    view = alert_pb2.Alert()
    view.CopyFrom(published)
    for name in FIELDS - fields:
        if name.startswith("subject."):
            view.subject.ClearField(name.split(".", 1)[1])
        else:
            view.ClearField(name)
    if not fields & SUBJECT_FIELDS:
        view.ClearField("subject")
    return view


def check_view(
    where: str, got: alert_pb2.Alert, published: alert_pb2.Alert, fields: frozenset[str]
) -> None:
    for name in sorted(MANDATORY_FIELDS):
        assert value_of(got, name) == value_of(published, name), f"{where}: mandatory {name}"
    for name in sorted(FIELDS):
        if name in fields:
            assert value_of(got, name) == value_of(published, name), (
                f"{where}: {name} is allowed but did not arrive intact"
            )
        else:
            assert value_of(got, name) == EMPTY[name], (
                f"{where}: {name} arrived although the policy withholds it"
            )
    assert got.HasField("subject") == bool(fields & SUBJECT_FIELDS), f"{where}: subject presence"
    # Nothing else either (unknown fields included): byte for byte the independent view.
    want = expected_view(published, fields)
    assert got.SerializeToString(deterministic=True) == want.SerializeToString(
        deterministic=True
    ), f"{where}: {got} != {want}"


async def link(node: InprocNode, peer: str) -> operator_pb2.PeerStatus:
    [p] = [p for p in (await node.status()).peers if p.country == peer]
    return p


async def drained(p: Pair) -> bool:
    out = await link(p.kz, "kg")
    return out.outbox_depth == 0 and (await link(p.kg, "kz")).received_head == out.sent_head


async def settle(
    p: Pair, what: str, predicate: Callable[[], Awaitable[bool]] | None = None
) -> None:
    """Wait (bounded) for predicate, else for kz's channel to kg to drain. On a timeout the
    error names kz's last error on the link, and the region is marked stuck so the remaining
    examples (and shrinking) fail at once instead of waiting 20 s each."""
    if p.stuck:
        raise RegionError(f"an earlier example left the channel stuck: {p.stuck}")
    try:
        await wait_until(predicate or (lambda: drained(p)), 30, what)
    except RegionError as exc:
        out = await link(p.kz, "kg")
        p.stuck = (
            f"{exc}; kz -> kg: sent_head {out.sent_head}, acked {out.acked_seq}, "
            f"last error: {out.last_error or 'none'}"
        )
        raise RegionError(p.stuck) from None


async def versions_on(node: InprocNode, alert_id: str) -> list[operator_pb2.AlertRecord]:
    try:
        resp = await node.call("GetAlert", operator_pb2.GetAlertRequest(alert_id=alert_id))
    except grpc.RpcError as err:
        if err.code() == grpc.StatusCode.NOT_FOUND:
            return []
        raise
    return list(resp.versions)


def entry_at(p: Pair, seq: int) -> channel_pb2.ChannelEntry:
    """The signed entry kg stored for seq on kz -> kg, exactly as it travelled."""
    with p.kg_db.read() as s:
        raw = s.execute(
            select(Entry.envelope).where(
                Entry.origin == "kz", Entry.recipient == "kg", Entry.seq == seq
            )
        ).scalar_one()
    env = envelope_pb2.Envelope.FromString(raw)
    assert env.payload_type == ENTRY_PAYLOAD_TYPE
    return channel_pb2.ChannelEntry.FromString(env.payload)


async def set_policy(node: InprocNode, text: str) -> None:
    path = node.root / f"{node.country}.policy.toml"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)  # atomic: the node's file watcher never reads half a file
    info = await node.call("ReloadPolicy", operator_pb2.ReloadPolicyRequest())
    assert info.digest == hashlib.sha256(text.encode()).hexdigest()


# -- the property ----------------------------------------------------------------------------


@pytest.mark.asyncio(loop_scope="module")
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(example=cases())
async def test_peer_receives_exactly_what_the_policy_allows(
    pair: Pair, example: tuple[PolicyCase, alert_pb2.Alert]
) -> None:
    p, (case, alert) = pair, example
    policy_text = case.toml()
    note(policy_text)
    await settle(p, "kz's channel to kg to drain before the example")
    await set_policy(p.kz, policy_text)
    head = (await link(p.kz, "kg")).sent_head

    record = await p.kz.call("PublishAlert", operator_pb2.PublishAlertRequest(alert=alert))
    published = record.alert
    note(f"published: {published}")
    decision = evaluate(parse_policy(policy_text), published, "kg")
    assert (decision.send, decision.fields) == case.expect(published), (
        f"evaluate disagrees with the rule: {decision.reasons}"
    )
    explained = await p.kz.call(
        "ExplainPolicy", operator_pb2.ExplainPolicyRequest(peer="kg", alert_id=published.alert_id)
    )
    assert (explained.send, set(explained.fields)) == (decision.send, set(decision.fields))

    event("sent" if decision.send else "withheld")
    if decision.send:
        assert record.recipients == 1
        assert (await link(p.kz, "kg")).sent_head == head + 1

        async def stored_at_kg() -> bool:
            return bool(await versions_on(p.kg, published.alert_id))

        await settle(p, "kg to store the alert", stored_at_kg)
        [stored] = await versions_on(p.kg, published.alert_id)
        assert not stored.withdrawn
        entry = entry_at(p, head + 1)
        assert entry.WhichOneof("item") == "alert"
        check_view("entry kg received", entry.alert, published, decision.fields)
        check_view("alert kg stored", stored.alert, published, decision.fields)
    else:
        assert record.recipients == 0
        assert (await link(p.kz, "kg")).sent_head == head, "a withheld alert wrote an entry"
        await settle(p, "kz's channel to kg to drain")
        assert (await link(p.kg, "kz")).received_head == head
        assert await versions_on(p.kg, published.alert_id) == []


@pytest.mark.asyncio(loop_scope="function")
async def test_token_epoch_above_int32_reaches_the_peer(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    """A token epoch is uint32 on the wire: one of 2**31 or more must not jam the channel
    (it once did on PostgreSQL, where the token index column was a 32-bit INTEGER)."""
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    alert = alert_pb2.Alert(
        category=alert_pb2.CATEGORY_ESCAPE,
        risk=alert_pb2.RISK_HIGH,
        handling=alert_pb2.HANDLING_H1,
        summary="Routine notice 1",
    )
    alert.subject.tokens.add(kind="name-dob", epoch=2**31, value=bytes(32))
    req = operator_pb2.PublishAlertRequest(alert=alert)
    alert_id = (await kz.call("PublishAlert", req)).alert.alert_id

    async def stored_or_failed() -> bool:
        return (
            bool(await versions_on(kg, alert_id)) or "UNKNOWN" in (await link(kz, "kg")).last_error
        )

    await wait_until(stored_or_failed, 30, "kg to store the alert, or to fail on it")
    last_error = (await link(kz, "kg")).last_error
    assert "UNKNOWN" not in last_error, last_error
    [stored] = await versions_on(kg, alert_id)
    assert stored.alert.subject.tokens[0].epoch == 2**31
