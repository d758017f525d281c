"""The Operator replies built from the use cases' dataclasses are, byte for byte, the
messages the servicers built from ORM rows before the application layer: a stored alert, a
withdrawal, a purged version, and the quarantined items shown for review."""

from __future__ import annotations

from datetime import UTC, datetime

from exchange._proto.v1 import alert_pb2, operator_pb2
from exchange.alerts import model
from exchange.app.alarms import AlarmView
from exchange.app.listing import view
from exchange.app.quarantine import held_view
from exchange.node.operator_replies import alarm_state, alert_record, held_item
from exchange.store.models import AlertVersion, QuarantineRow
from exchange.sync.quarantine import Held

AT = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ID = "01890a5d-ac96-774b-bcce-b302099a8057"


def _alert() -> alert_pb2.Alert:
    a = alert_pb2.Alert(alert_id=ID, version=2, origin="kz", summary="moved to a new facility")
    a.issued_at.CopyFrom(model.timestamp(AT))
    return a


def _withdrawal() -> alert_pb2.Withdrawal:
    w = alert_pb2.Withdrawal(alert_id=ID, version=3, origin="kz", reason="entered in error")
    w.issued_at.CopyFrom(model.timestamp(AT))
    return w


def _row(body: bytes, *, withdrawn: bool = False, purged: bool = False) -> AlertVersion:
    return AlertVersion(
        origin="kz",
        alert_id=ID,
        version=3 if withdrawn else 2,
        withdrawn=withdrawn,
        purged=purged,
        body=body,
        stored_at=AT,
    )


def _wire(msg: operator_pb2.AlertRecord | operator_pb2.QuarantinedItem) -> bytes:
    return msg.SerializeToString(deterministic=True)


def test_stored_alert_record_unchanged() -> None:
    want = operator_pb2.AlertRecord(recipients=2)
    want.alert.CopyFrom(_alert())
    want.stored_at.CopyFrom(model.timestamp(AT))
    assert _wire(alert_record(view(_row(_alert().SerializeToString()), 2))) == _wire(want)


def test_withdrawal_record_unchanged() -> None:
    want = operator_pb2.AlertRecord(withdrawn=True, withdraw_reason="entered in error")
    want.alert.alert_id, want.alert.version, want.alert.origin = ID, 3, "kz"
    want.alert.issued_at.CopyFrom(model.timestamp(AT))
    want.stored_at.CopyFrom(model.timestamp(AT))
    row = _row(_withdrawal().SerializeToString(), withdrawn=True)
    assert _wire(alert_record(view(row))) == _wire(want)


def test_purged_record_keeps_only_ids() -> None:
    want = operator_pb2.AlertRecord(purged=True)
    want.alert.alert_id, want.alert.version, want.alert.origin = ID, 2, "kz"
    want.stored_at.CopyFrom(model.timestamp(AT))
    assert _wire(alert_record(view(_row(b"", purged=True)))) == _wire(want)


def _held_row(kind: str) -> QuarantineRow:
    return QuarantineRow(
        origin="kz", seq=7, kind=kind, alert_id=ID, version=2, reason="names", held_at=AT
    )


def _held_base(kind: str, state: str) -> operator_pb2.QuarantinedItem:
    item = operator_pb2.QuarantinedItem(
        origin="kz", seq=7, kind=kind, alert_id=ID, version=2, reason="names", state=state
    )
    item.held_at.CopyFrom(model.timestamp(AT))
    return item


def test_held_alert_unchanged() -> None:
    want = _held_base("alert", "released")
    want.record.alert.CopyFrom(_alert())
    got = held_item(held_view(Held(_held_row("alert"), _alert()), "released"))
    assert _wire(got) == _wire(want)


def test_held_withdrawal_unchanged() -> None:
    want = _held_base("withdrawal-reason", "held")
    want.record.withdrawn = True
    want.record.withdraw_reason = "entered in error"
    want.record.alert.alert_id, want.record.alert.version = ID, 3
    want.record.alert.origin = "kz"
    got = held_item(held_view(Held(_held_row("withdrawal-reason"), _withdrawal()), "held"))
    assert _wire(got) == _wire(want)


def test_unreadable_held_item_has_no_record() -> None:
    got = held_item(held_view(Held(_held_row("schema"), None), "dropped"))
    assert not got.HasField("record")
    assert _wire(got) == _wire(_held_base("schema", "dropped"))


def test_acknowledged_alarm_unchanged() -> None:
    want = operator_pb2.AlarmState(id="abc123abc123", text="t", acknowledged=True, reason="r")
    want.acknowledged_at.CopyFrom(model.timestamp(AT))
    got = alarm_state(AlarmView("abc123abc123", "t", True, "r", AT))
    assert got.SerializeToString(deterministic=True) == want.SerializeToString(deterministic=True)
