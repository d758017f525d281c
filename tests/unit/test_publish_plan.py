"""The publishing decision without a database: versions, views per recipient through the
policy, chained and signed entries, audit events; and refusals that plan nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import uuid6

from exchange._proto.v1 import alert_pb2, channel_pb2, envelope_pb2
from exchange.alerts.model import timestamp
from exchange.alerts.versions import Current
from exchange.alerts.views import FullDisclosure, Item, View
from exchange.channel import GENESIS_HASH, Head, entry_hash
from exchange.envelope import ENTRY_PAYLOAD_TYPE, SigningKey, VerifyKey, verify
from exchange.errors import AlreadyExists, VersionRefused
from exchange.sync.outbox import plan_publish

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
KEY = SigningKey.generate()


def alert(version: int = 1, aid: str = "") -> alert_pb2.Alert:
    a = alert_pb2.Alert(
        alert_id=aid or str(uuid6.uuid7()),
        version=version,
        origin="kz",
        category=alert_pb2.CATEGORY_ESCAPE,
        risk=alert_pb2.RISK_HIGH,
        handling=alert_pb2.HANDLING_H1,
        summary="Escape from facility 2",
    )
    a.issued_at.CopyFrom(timestamp(NOW))
    return a


class OnlyKg:
    """A policy that shares with kg and withholds from everyone else, saying why."""

    def view(self, item: Item, recipient: str, previously_sent: bool) -> View:
        if recipient == "kg" or previously_sent:
            return View(item, ("summary",), "rule for kg")
        return View(None, (), "no rule names " + recipient)


def test_plan_chains_signed_entries_per_recipient_and_withholds_by_policy() -> None:
    a = alert()
    kg_head = Head(4, b"\x04" * 32)
    plan = plan_publish(
        "kz", KEY, [a], OnlyKg(), NOW, current={}, taken=frozenset(),
        channels={"kg": kg_head, "tj": Head()}, sent_before={},
    )  # fmt: skip
    [row] = plan.entries
    assert (row["recipient"], row["seq"], row["item_kind"], row["item_id"]) == (
        "kg", 5, "alert", a.alert_id,
    )  # fmt: skip
    env = envelope_pb2.Envelope.FromString(row["envelope"])
    verify(env, {KEY.key_id: VerifyKey.from_raw("kz", KEY.public_raw)}, ENTRY_PAYLOAD_TYPE)
    entry = channel_pb2.ChannelEntry.FromString(env.payload)
    assert entry.prev_hash == kg_head.hash and entry.schema == 1 and entry.alert == a
    assert plan.channel_heads == {"kg": Head(5, entry_hash(env.payload)), "tj": Head()}
    [pub] = plan.published
    assert pub.recipients == ("kg",) and pub.withheld_why == (("tj", "no rule names tj"),)
    [(event, detail, _)] = plan.events
    assert event == "alert.published" and detail["withheld"] == {"tj": "no rule names tj"}
    assert [v["version"] for v in plan.versions] == [1] and a.alert_id in plan.heads


def test_withdrawal_follows_every_recipient_that_had_a_version() -> None:
    a = alert()
    w = alert_pb2.Withdrawal(alert_id=a.alert_id, version=2, origin="kz", reason="done")
    w.issued_at.CopyFrom(timestamp(NOW))
    plan = plan_publish(
        "kz", KEY, [w], OnlyKg(), NOW, current={a.alert_id: Current(1, False)},
        taken=frozenset(), channels={"kg": Head(), "tj": Head()},
        sent_before={a.alert_id: {"tj"}},
    )  # fmt: skip
    assert sorted(r["recipient"] for r in plan.entries) == ["kg", "tj"]
    assert {r["item_kind"] for r in plan.entries} == {"withdrawal"}
    assert plan.events[0][0] == "alert.withdrawn" and plan.heads[a.alert_id].withdrawn


@pytest.mark.parametrize(
    "current, taken, error",
    [
        ({"A": Current(3, False)}, frozenset(), VersionRefused),  # not newer
        ({"A": Current(2, True)}, frozenset(), VersionRefused),  # withdrawn
        ({}, frozenset({"A"}), AlreadyExists),  # the id is held under another origin
    ],
)
def test_refused_publish_plans_nothing(
    current: dict[str, Current], taken: frozenset[str], error: type[Exception]
) -> None:
    aid = str(uuid6.uuid7())
    current = {aid: current["A"]} if current else {}
    taken = frozenset({aid}) if taken else frozenset()
    with pytest.raises(error):
        plan_publish(
            "kz", KEY, [alert(3, aid)], FullDisclosure(), NOW, current=current, taken=taken,
            channels={"kg": Head()}, sent_before={},
        )  # fmt: skip


def test_genesis_channel_starts_at_seq_one() -> None:
    plan = plan_publish(
        "kz", KEY, [alert()], FullDisclosure(), NOW, current={}, taken=frozenset(),
        channels={"kg": Head()}, sent_before={},
    )  # fmt: skip
    entry = channel_pb2.ChannelEntry.FromString(
        envelope_pb2.Envelope.FromString(plan.entries[0]["envelope"]).payload
    )
    assert (entry.seq, entry.prev_hash) == (1, GENESIS_HASH)
