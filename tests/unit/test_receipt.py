"""A certified member cannot corrupt or leak through a receiver's store (issue 8, items 1-7).

Each test is named after the attack it stops and runs on SQLite and PostgreSQL (the receiver
is the `database` fixture). Every refusal checks the refusal, its audit event, and what is (not)
at rest afterwards: entries, versions, tokens, quarantine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uuid6
from sqlalchemy import func, select

from exchange._proto.v1 import alert_pb2, channel_pb2, envelope_pb2
from exchange.alerts.model import ALL_CATEGORIES, timestamp
from exchange.alerts.views import FullDisclosure, Item
from exchange.channel import SCHEMA_VERSION, entry_hash
from exchange.envelope import ENTRY_PAYLOAD_TYPE, SigningKey, VerifyKey
from exchange.errors import AlreadyExists, MalformedInput, NotFound, VersionRefused
from exchange.store import repo
from exchange.store.db import Database
from exchange.store.models import (
    AlertHead,
    AlertVersion,
    AuditEvent,
    Entry,
    QuarantineRow,
    SubjectTokenRow,
)
from exchange.sync import quarantine
from exchange.sync.inbox import Applied, apply, check_batch
from exchange.sync.outbox import publish

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PII_SUMMARY = "Release of prisoner Ivanov Ivan Ivanovich, born 12.03.1987, passport N12345678."


@pytest.fixture
def keys() -> dict[str, SigningKey]:
    return {c: SigningKey.generate() for c in ("kz", "kg")}


@pytest.fixture
def trusted(keys: dict[str, SigningKey]) -> dict[str, dict[str, VerifyKey]]:
    return {c: {k.key_id: VerifyKey.from_raw(c, k.public_raw)} for c, k in keys.items()}


@pytest.fixture
def sender(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'sender.db'}")
    db.migrate()
    yield db
    db.close()


def alert(
    origin: str = "kz", aid: str = "", version: int = 1, summary: str = "Release from unit 3"
) -> alert_pb2.Alert:
    a = alert_pb2.Alert(
        alert_id=aid or str(uuid6.uuid7()),
        version=version,
        origin=origin,
        category=alert_pb2.CATEGORY_RELEASE_NOTICE,
        risk=alert_pb2.RISK_HIGH,
        handling=alert_pb2.HANDLING_H2,
        summary=summary,
    )
    a.subject.tokens.add(kind="name-dob", epoch=1, value=b"\x01" * 32)
    a.issued_at.CopyFrom(timestamp(NOW))
    return a


class Channel:
    """An origin's channel to the receiver "tj", entries crafted as the origin's node would
    (or as a hostile one could: any bytes its own key signs)."""

    def __init__(self, origin: str, key: SigningKey) -> None:
        self.origin, self.key = origin, key
        self.seq, self.prev = 0, bytes(32)

    def entry(self, item: Item | None = None, *, payload: bytes | None = None, schema: int = 0):
        self.seq += 1
        if payload is None:
            e = channel_pb2.ChannelEntry(
                origin=self.origin,
                recipient="tj",
                seq=self.seq,
                prev_hash=self.prev,
                signed_at=timestamp(NOW),
                schema=schema,
            )
            if isinstance(item, alert_pb2.Alert):
                e.alert.CopyFrom(item)
            elif item is not None:
                e.withdrawal.CopyFrom(item)
            payload = e.SerializeToString(deterministic=True)
        env = self.key.sign(ENTRY_PAYLOAD_TYPE, payload)
        self.prev = entry_hash(payload)
        return env

    def undo(self, n: int = 1) -> None:
        """Forget the last entries (they were refused: the next one takes their seq)."""
        self.seq -= n


def receive(
    db: Database,
    trusted: dict[str, dict[str, VerifyKey]],
    origin: str,
    envs: Sequence[envelope_pb2.Envelope],
    accepted: frozenset[int] = ALL_CATEGORIES,
) -> tuple[Applied, object]:
    good, err = check_batch(envs, trusted[origin], origin, "tj", 64 * 1024, NOW)
    return apply(db, origin, "tj", good, NOW, err, accepted), err


def rows(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def snapshot(db: Database) -> dict[str, int]:
    return {
        m.__tablename__: rows(db, m)
        for m in (Entry, AlertVersion, AlertHead, SubjectTokenRow, QuarantineRow)
    }


def events(db: Database, event: str) -> list[dict[str, object]]:
    with db.read() as s:
        return [json.loads(e.detail) for e in repo.audit_events(s, event)]


def entry_row(db: Database, origin: str, seq: int) -> Entry:
    with db.read() as s:
        row = s.get(Entry, (origin, "tj", seq))
        assert row is not None
        return row


def test_alert_id_of_another_origin_refused_at_receipt(
    database: Database, keys: dict[str, SigningKey], trusted: dict[str, dict[str, VerifyKey]]
) -> None:
    """kg re-uses kz's alert id: its content is refused and audited; kz's alert is untouched."""
    kz, kg = Channel("kz", keys["kz"]), Channel("kg", keys["kg"])
    original = alert("kz")
    receive(database, trusted, "kz", [kz.entry(original)])
    squat = alert("kg", original.alert_id, 1, "Attacker's story")

    result, err = receive(database, trusted, "kg", [kg.entry(squat)])

    assert err is None and result.refusal is None and result.conflicts == 1
    assert result.head_seq == 1  # the channel goes on: kg's next entries are not blocked
    row = entry_row(database, "kg", 1)
    assert (row.state, row.envelope) == ("refused", b"")
    with database.read() as s:
        assert repo.alert_versions(s, "kg", original.alert_id) == []
        [kept] = repo.alert_versions(s, "kz", original.alert_id)
        assert alert_pb2.Alert.FromString(kept.body).summary == "Release from unit 3"
        assert (
            s.execute(
                select(func.count())
                .select_from(SubjectTokenRow)
                .where(SubjectTokenRow.origin == "kg")
            ).scalar_one()
            == 0
        )
    [event] = events(database, "alert.id_conflict")
    assert event["alert_id"] == original.alert_id and "another origin" in str(event["reason"])


def test_amendment_under_a_squatted_id_refused(
    database: Database, keys: dict[str, SigningKey], trusted: dict[str, dict[str, VerifyKey]]
) -> None:
    """kg first, kz second: whoever holds the id keeps it; the other's versions are refused
    (both audited), never mixed into one alert."""
    kz, kg = Channel("kz", keys["kz"]), Channel("kg", keys["kg"])
    aid = str(uuid6.uuid7())
    receive(database, trusted, "kg", [kg.entry(alert("kg", aid))])
    receive(database, trusted, "kz", [kz.entry(alert("kz", aid)), kz.entry(alert("kz", aid, 2))])
    with database.read() as s:
        assert repo.alert_versions(s, "kz", aid) == []
        assert [r.version for r in repo.alert_versions(s, "kg", aid)] == [1]
    assert len(events(database, "alert.id_conflict")) == 2


def test_publish_under_an_id_held_from_another_origin_refused(
    database: Database, keys: dict[str, SigningKey], trusted: dict[str, dict[str, VerifyKey]]
) -> None:
    kg = Channel("kg", keys["kg"])
    taken = alert("kg")
    receive(database, trusted, "kg", [kg.entry(taken)])
    before = snapshot(database)
    mine = alert("tj", taken.alert_id)
    with pytest.raises(AlreadyExists, match="another origin"):
        publish(database, "tj", keys["kz"], ["kz"], [mine], FullDisclosure(), NOW)
    assert snapshot(database) == before


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda a: setattr(a.valid_until, "seconds", 2**40), "valid_until is too far"),
        (lambda a: setattr(a.valid_until, "nanos", -1), "malformed nanoseconds"),
        (lambda a: setattr(a, "version", 2**32 - 1), "version must be between"),
        (lambda a: setattr(a, "version", 2**31), "version must be between"),
        (lambda a: setattr(a, "alert_id", "x" * 36), "UUIDv7"),
        (lambda a: setattr(a, "summary", "[bold]ok[/]\x1b[2J"), "control character"),
    ],
)
def test_received_value_out_of_range_refused(
    database: Database,
    keys: dict[str, SigningKey],
    trusted: dict[str, dict[str, VerifyKey]],
    mutate: object,
    message: str,
) -> None:
    """Values that would be stored and then break `alerts list` (or the column) at the
    receiver are refused before anything is stored."""
    kz = Channel("kz", keys["kz"])
    bad = alert("kz")
    mutate(bad)  # type: ignore[operator]
    before = snapshot(database)

    result, err = receive(database, trusted, "kz", [kz.entry(bad)])

    assert isinstance(err, MalformedInput) and message in err.message
    assert result.head_seq == 0 and snapshot(database) == before
    [event] = events(database, "channel.refused")
    assert message in str(event["reason"])


def test_received_withdrawal_out_of_range_refused(
    database: Database, keys: dict[str, SigningKey], trusted: dict[str, dict[str, VerifyKey]]
) -> None:
    kz = Channel("kz", keys["kz"])
    a = alert("kz")
    receive(database, trusted, "kz", [kz.entry(a)])
    before = snapshot(database)
    w = alert_pb2.Withdrawal(alert_id=a.alert_id, version=2**31, origin="kz", reason="x")
    _, err = receive(database, trusted, "kz", [kz.entry(w)])
    assert isinstance(err, MalformedInput) and "version must be between" in err.message
    assert snapshot(database) == before


def _with_unknown_field(message_bytes: bytes, field: int, value: bytes) -> bytes:
    """Append a length-delimited field the schema does not define (as raw wire bytes)."""
    tag = (field << 3) | 2
    out = bytearray(message_bytes)
    for n in (tag, len(value)):
        while n > 0x7F:
            out.append((n & 0x7F) | 0x80)
            n >>= 7
        out.append(n)
    return bytes(out) + value


@pytest.mark.parametrize("where", ["alert", "subject", "entry"])
def test_unknown_protobuf_fields_refused_at_receipt(
    database: Database,
    keys: dict[str, SigningKey],
    trusted: dict[str, dict[str, VerifyKey]],
    where: str,
) -> None:
    """A name smuggled in a field this schema does not define would sit at rest unseen."""
    kz = Channel("kz", keys["kz"])
    a = alert("kz")
    name = b"Ivanov Ivan"
    if where == "subject":
        sub = _with_unknown_field(a.subject.SerializeToString(), 77, name)
        a.subject.Clear()
        a.subject.MergeFromString(sub)
    elif where == "alert":
        a = alert_pb2.Alert.FromString(_with_unknown_field(a.SerializeToString(), 99, name))
    e = channel_pb2.ChannelEntry(
        origin="kz", recipient="tj", seq=1, prev_hash=bytes(32), signed_at=timestamp(NOW)
    )
    e.alert.CopyFrom(a)
    payload = e.SerializeToString()
    if where == "entry":
        payload = _with_unknown_field(payload, 50, name)
    assert name in payload
    before = snapshot(database)

    result, err = receive(database, trusted, "kz", [kz.entry(payload=payload)])

    assert isinstance(err, MalformedInput) and "does not define" in err.message
    assert result.head_seq == 0 and snapshot(database) == before
    assert len(events(database, "channel.refused")) == 1


def test_newer_schema_item_held_unshown_and_channel_goes_on(
    database: Database, keys: dict[str, SigningKey], trusted: dict[str, dict[str, VerifyKey]]
) -> None:
    """An item from a newer node is held in quarantine (not shown, not matched); the entries
    after it are applied."""
    kz = Channel("kz", keys["kz"])
    newer = kz.entry(alert("kz"), schema=SCHEMA_VERSION + 1)
    later = alert("kz")

    result, err = receive(database, trusted, "kz", [newer, kz.entry(later)])

    assert err is None and result.refusal is None and result.head_seq == 2
    assert entry_row(database, "kz", 1).state == "quarantined"
    with database.read() as s:
        [held] = s.execute(select(QuarantineRow)).scalars().all()
        assert held.kind == "schema" and f"schema {SCHEMA_VERSION + 1}" in held.reason
        assert [h.alert_id for h in repo.alert_heads(s, None, 10)] == [later.alert_id]
    # It cannot be released until this node reads a newer schema.
    with pytest.raises(VersionRefused, match=f"schema {SCHEMA_VERSION + 1}"):
        quarantine.release(database, "kz", "tj", 1, "reviewed", NOW, ALL_CATEGORIES)
    assert rows(database, QuarantineRow) == 1


def test_content_refused_by_policy_not_kept_at_rest(
    database: Database, keys: dict[str, SigningKey], trusted: dict[str, dict[str, VerifyKey]]
) -> None:
    kz = Channel("kz", keys["kz"])
    a = alert("kz")  # a release notice; we accept only escapes from kz
    result, err = receive(
        database, trusted, "kz", [kz.entry(a)], frozenset({alert_pb2.CATEGORY_ESCAPE})
    )
    assert err is None and result.head_seq == 1
    row = entry_row(database, "kz", 1)
    assert (row.state, row.envelope, row.entry_hash) == ("refused", b"", row.entry_hash)
    assert len(row.entry_hash) == 32 and "policy" in row.note
    assert rows(database, AlertVersion) == 0 and rows(database, SubjectTokenRow) == 0
    assert len(events(database, "alert.refused_by_policy")) == 1


def test_later_version_after_withdrawal_not_kept_at_rest(
    database: Database, keys: dict[str, SigningKey], trusted: dict[str, dict[str, VerifyKey]]
) -> None:
    kz = Channel("kz", keys["kz"])
    a = alert("kz")
    w = alert_pb2.Withdrawal(alert_id=a.alert_id, version=2, origin="kz", reason="error")
    receive(database, trusted, "kz", [kz.entry(a), kz.entry(w)])
    receive(database, trusted, "kz", [kz.entry(alert("kz", a.alert_id, 3, "back again"))])
    row = entry_row(database, "kz", 3)
    assert (row.state, row.envelope) == ("refused", b"")


def test_withdrawal_removes_earlier_content_at_receiver(
    database: Database, keys: dict[str, SigningKey], trusted: dict[str, dict[str, VerifyKey]]
) -> None:
    kz = Channel("kz", keys["kz"])
    a1 = alert("kz", summary="Release from unit 3")
    a2 = alert("kz", a1.alert_id, 2, "Release moved to unit 4")
    a2.facility_region = "Karaganda"
    receive(database, trusted, "kz", [kz.entry(a1), kz.entry(a2)])
    hashes = [entry_row(database, "kz", n).entry_hash for n in (1, 2)]
    with database.read() as s:
        assert repo.match_tokens(s, [("name-dob", 1, b"\x01" * 32)])
    w = alert_pb2.Withdrawal(alert_id=a1.alert_id, version=3, origin="kz", reason="error")

    result, err = receive(database, trusted, "kz", [kz.entry(w)])

    assert err is None and result.refusal is None
    with database.read() as s:
        versions = repo.alert_versions(s, "kz", a1.alert_id)
        assert [(v.version, v.withdrawn, v.purged) for v in versions] == [
            (1, False, True),
            (2, False, True),
            (3, True, False),
        ]
        assert [v.body for v in versions[:2]] == [b"", b""]
        assert alert_pb2.Withdrawal.FromString(versions[2].body).reason == "error"
        assert repo.match_tokens(s, [("name-dob", 1, b"\x01" * 32)]) == []
        head = s.get(AlertHead, ("kz", a1.alert_id))
        assert head is not None and (head.category, head.risk) == (0, 0)
    for n, h in zip((1, 2), hashes, strict=True):
        row = entry_row(database, "kz", n)
        assert (row.state, row.envelope, row.entry_hash) == ("purged", b"", h)
    assert rows(database, SubjectTokenRow) == 0
    assert entry_row(database, "kz", 3).envelope  # the tombstone is kept as received


def test_withdrawal_in_same_batch_removes_content(
    database: Database, keys: dict[str, SigningKey], trusted: dict[str, dict[str, VerifyKey]]
) -> None:
    kz = Channel("kz", keys["kz"])
    a = alert("kz")
    w = alert_pb2.Withdrawal(alert_id=a.alert_id, version=2, origin="kz")
    receive(database, trusted, "kz", [kz.entry(a), kz.entry(w)])
    assert entry_row(database, "kz", 1).envelope == b""
    assert rows(database, SubjectTokenRow) == 0


@pytest.mark.parametrize(
    "field", ["summary", "action_requested", "facility_region", "references", "handling_note"]
)
def test_personal_data_in_received_free_text_quarantined(
    database: Database,
    keys: dict[str, SigningKey],
    trusted: dict[str, dict[str, VerifyKey]],
    field: str,
) -> None:
    """Every free-text field is read by the guard at receipt; a hit is held (not shown, not
    matched), audited by kind (never the text) and counted for `exchange status`."""
    kz = Channel("kz", keys["kz"])
    a = alert("kz", summary="Release from unit 3")
    text = "Contact: Ivanov Ivan Ivanovich, passport N12345678"
    if field == "references":
        a.references.append(text[:60])
    elif field == "facility_region":
        a.facility_region = "Ivanov Ivan Ivanovich N12345678"
    else:
        setattr(a, field, text)

    result, err = receive(database, trusted, "kz", [kz.entry(a)])

    assert err is None and result.refusal is None and result.head_seq == 1
    assert entry_row(database, "kz", 1).state == "quarantined"
    assert rows(database, AlertVersion) == 0 and rows(database, SubjectTokenRow) == 0
    with database.read() as s:
        assert repo.match_tokens(s, [("name-dob", 1, b"\x01" * 32)]) == []
        [held] = s.execute(select(QuarantineRow)).scalars().all()
    assert held.kind == "alert" and field in held.reason and "Ivanov" not in held.reason
    with database.read() as s:
        details = [e.detail for e in repo.audit_events(s)]
    assert any("item.quarantined" in e.event for e in _audit(database))
    assert not any("Ivanov" in d or "12345678" in d for d in details)


def _audit(db: Database) -> list[AuditEvent]:
    with db.read() as s:
        return list(s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars())


def test_released_item_is_applied_and_dropped_item_leaves_no_content(
    database: Database, keys: dict[str, SigningKey], trusted: dict[str, dict[str, VerifyKey]]
) -> None:
    kz = Channel("kz", keys["kz"])
    flagged = [alert("kz", summary=PII_SUMMARY), alert("kz", summary=PII_SUMMARY)]
    receive(database, trusted, "kz", [kz.entry(a) for a in flagged])
    assert rows(database, QuarantineRow) == 2

    held, released = quarantine.release(
        database, "kz", "tj", 1, "checked with kz", NOW, ALL_CATEGORIES
    )
    assert released and held.row.alert_id == flagged[0].alert_id
    dropped = quarantine.drop(database, "kz", "tj", 2, "personal data", NOW)
    assert dropped.row.alert_id == flagged[1].alert_id

    with database.read() as s:
        [v] = repo.alert_versions(s, "kz", flagged[0].alert_id)
        assert alert_pb2.Alert.FromString(v.body).summary == PII_SUMMARY
        assert repo.match_tokens(s, [("name-dob", 1, b"\x01" * 32)])  # matched once released
        assert repo.alert_versions(s, "kz", flagged[1].alert_id) == []
    assert rows(database, QuarantineRow) == 0
    assert entry_row(database, "kz", 1).state == "stored"
    assert (entry_row(database, "kz", 2).state, entry_row(database, "kz", 2).envelope) == (
        "dropped",
        b"",
    )
    assert [e["reason"] for e in events(database, "item.released")] == ["checked with kz"]
    assert len(events(database, "item.dropped")) == 1
    with pytest.raises(NotFound):
        quarantine.drop(database, "kz", "tj", 2, "again", NOW)


def test_release_refused_by_the_rules_keeps_the_item_held(
    database: Database, keys: dict[str, SigningKey], trusted: dict[str, dict[str, VerifyKey]]
) -> None:
    kz = Channel("kz", keys["kz"])
    a = alert("kz", summary=PII_SUMMARY)
    receive(database, trusted, "kz", [kz.entry(a)])
    with pytest.raises(VersionRefused, match="policy"):
        quarantine.release(
            database, "kz", "tj", 1, "ok", NOW, frozenset({alert_pb2.CATEGORY_ESCAPE})
        )
    with pytest.raises(MalformedInput, match="say why"):
        quarantine.release(database, "kz", "tj", 1, " ", NOW, ALL_CATEGORIES)
    assert rows(database, QuarantineRow) == 1 and rows(database, AlertVersion) == 0


def test_withdrawal_with_personal_data_in_its_reason_applies_without_it(
    database: Database, keys: dict[str, SigningKey], trusted: dict[str, dict[str, VerifyKey]]
) -> None:
    """The tombstone takes effect at once (content goes); only its reason waits for review."""
    kz = Channel("kz", keys["kz"])
    a = alert("kz")
    w = alert_pb2.Withdrawal(alert_id=a.alert_id, version=2, origin="kz", reason=PII_SUMMARY)
    receive(database, trusted, "kz", [kz.entry(a), kz.entry(w)])
    with database.read() as s:
        versions = repo.alert_versions(s, "kz", a.alert_id)
        assert versions[0].purged and versions[1].withdrawn
        assert alert_pb2.Withdrawal.FromString(versions[1].body).reason == ""
        [held] = s.execute(select(QuarantineRow)).scalars().all()
    assert held.kind == "withdrawal-reason"
    quarantine.release(database, "kz", "tj", 2, "reviewed", NOW, ALL_CATEGORIES)
    with database.read() as s:
        tomb = repo.alert_versions(s, "kz", a.alert_id)[1]
        assert alert_pb2.Withdrawal.FromString(tomb.body).reason == PII_SUMMARY


def test_withdrawal_removes_quarantined_earlier_version(
    database: Database, keys: dict[str, SigningKey], trusted: dict[str, dict[str, VerifyKey]]
) -> None:
    kz = Channel("kz", keys["kz"])
    a = alert("kz", summary=PII_SUMMARY)
    receive(database, trusted, "kz", [kz.entry(a)])
    w = alert_pb2.Withdrawal(alert_id=a.alert_id, version=2, origin="kz", reason="error")
    result, _ = receive(database, trusted, "kz", [kz.entry(w)])
    assert result.head_seq == 2
    assert rows(database, QuarantineRow) == 0
    assert entry_row(database, "kz", 1).envelope == b""


def test_quarantine_flood_refused_beyond_the_cap(
    database: Database,
    keys: dict[str, SigningKey],
    trusted: dict[str, dict[str, VerifyKey]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A member cannot fill a receiver's disk with held content: past the cap it is refused
    (channel position kept, no payload)."""
    monkeypatch.setattr("exchange.sync.receipt.MAX_QUARANTINE", 2)
    kz = Channel("kz", keys["kz"])
    receive(database, trusted, "kz", [kz.entry(alert("kz", summary=PII_SUMMARY)) for _ in range(3)])
    assert rows(database, QuarantineRow) == 2
    row = entry_row(database, "kz", 3)
    assert (row.state, row.envelope) == ("refused", b"")


def test_outbox_marks_entries_with_its_schema(
    sender: Database, keys: dict[str, SigningKey]
) -> None:
    """A review date near the bound is published, and the entry names the schema it uses."""
    a = alert("kz")
    a.valid_until.CopyFrom(timestamp(NOW + timedelta(days=365 * 29)))
    publish(sender, "kz", keys["kz"], ["tj"], [a], FullDisclosure(), NOW)
    with sender.read() as s:
        [(_, env)] = repo.entries_after(s, "kz", "tj", 0, 10)
    assert (
        channel_pb2.ChannelEntry.FromString(envelope_pb2.Envelope.FromString(env).payload).schema
        == 1
    )
