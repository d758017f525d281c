"""Alert version rules, and publish -> receive between two identities on both databases.

The sender ("kz") is always a separate SQLite database in tmp_path; the receiver ("kg") is the
`database` fixture, so every receiving rule runs on SQLite and on PostgreSQL. Every refusal is
checked twice: the refusal itself, and that no entry, alert version or alert head was stored.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uuid6
from sqlalchemy import func, select

from exchange._proto.v1 import alert_pb2, channel_pb2, envelope_pb2
from exchange.alerts.model import timestamp
from exchange.alerts.versions import Current, check_newer
from exchange.alerts.views import FullDisclosure, Item
from exchange.channel import GENESIS_HASH, entry_hash
from exchange.envelope import ENTRY_PAYLOAD_TYPE, SigningKey, VerifyKey
from exchange.errors import (
    ChannelRefused,
    Error,
    MalformedInput,
    NotPermitted,
    SignatureError,
    TooLarge,
    VersionRefused,
)
from exchange.store import repo
from exchange.store.db import Database
from exchange.store.models import AlertHead, AlertVersion, AuditEvent, Channel, Entry
from exchange.sync.inbox import Applied, apply, check_batch, replay_prefix
from exchange.sync.outbox import publish

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
MAX_ENTRY = 64 * 1024

# -- check_newer (pure) ---------------------------------------------------------------------


def test_first_version_accepted() -> None:
    check_newer(None, 1)


@pytest.mark.parametrize("version", [0, -1])
def test_version_below_one_refused(version: int) -> None:
    with pytest.raises(VersionRefused, match="start at 1"):
        check_newer(None, version)
    with pytest.raises(VersionRefused, match="start at 1"):
        check_newer(Current(3, False), version)


def test_newer_version_accepted() -> None:
    check_newer(Current(1, False), 2)
    check_newer(Current(1, False), 7)  # versions may skip (e.g. withheld from this peer)


@pytest.mark.parametrize("version", [1, 2])
def test_version_not_newer_refused(version: int) -> None:
    with pytest.raises(VersionRefused, match="not newer"):
        check_newer(Current(2, False), version)


def test_withdrawal_of_unknown_alert_refused() -> None:
    with pytest.raises(VersionRefused, match="never received"):
        check_newer(None, 1, withdrawal=True)


def test_withdrawal_of_held_alert_accepted() -> None:
    check_newer(Current(1, False), 2, withdrawal=True)


def test_withdrawal_not_newer_refused() -> None:
    with pytest.raises(VersionRefused, match="not newer"):
        check_newer(Current(2, False), 2, withdrawal=True)


def test_anything_after_withdrawal_refused() -> None:
    with pytest.raises(VersionRefused, match="withdrawn"):
        check_newer(Current(2, True), 3)
    with pytest.raises(VersionRefused, match="withdrawn"):
        check_newer(Current(2, True), 3, withdrawal=True)


# -- helpers --------------------------------------------------------------------------------


@pytest.fixture
def kz_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def trusted(kz_key: SigningKey) -> dict[str, VerifyKey]:
    return {kz_key.key_id: VerifyKey.from_raw("kz", kz_key.public_raw)}


@pytest.fixture
def sender(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'sender.db'}")
    db.migrate()
    yield db
    db.close()


def make_alert(alert_id: str, version: int, summary: str = "Release from facility 3") -> Item:
    alert = alert_pb2.Alert(
        alert_id=alert_id,
        version=version,
        origin="kz",
        category=alert_pb2.CATEGORY_RELEASE_NOTICE,
        risk=alert_pb2.RISK_HIGH,
        handling=alert_pb2.HANDLING_H2,
        summary=summary,
    )
    alert.issued_at.CopyFrom(timestamp(NOW))
    return alert


def make_withdrawal(alert_id: str, version: int) -> Item:
    return alert_pb2.Withdrawal(
        alert_id=alert_id, version=version, origin="kz", reason="entered in error"
    )


def new_id() -> str:
    return str(uuid6.uuid7())


def send(sender: Database, key: SigningKey, *items: Item) -> None:
    publish(sender, "kz", key, ["kg"], list(items), FullDisclosure(), NOW)


def outbox(sender: Database, after: int = 0) -> list[envelope_pb2.Envelope]:
    with sender.read() as s:
        rows = repo.entries_after(s, "kz", "kg", after, 1000)
    return [envelope_pb2.Envelope.FromString(env) for _, env in rows]


def signed_entry(
    key: SigningKey,
    seq: int,
    prev_hash: bytes,
    item: Item,
    *,
    origin: str = "kz",
    recipient: str = "kg",
) -> envelope_pb2.Envelope:
    """An entry signed by key, crafted outside the outbox (as a hostile or buggy peer would)."""
    entry = channel_pb2.ChannelEntry(
        origin=origin, recipient=recipient, seq=seq, prev_hash=prev_hash, signed_at=timestamp(NOW)
    )
    if isinstance(item, alert_pb2.Alert):
        entry.alert.CopyFrom(item)
    else:
        entry.withdrawal.CopyFrom(item)
    return key.sign(ENTRY_PAYLOAD_TYPE, entry.SerializeToString(deterministic=True))


def hash_of(env: envelope_pb2.Envelope) -> bytes:
    return entry_hash(env.payload)


def receive(
    db: Database,
    envs: Sequence[envelope_pb2.Envelope],
    trusted: dict[str, VerifyKey],
    *,
    caller: str = "kz",
    max_entry_bytes: int = MAX_ENTRY,
) -> tuple[Applied, Error | None]:
    """What the node does with one pushed batch: check, then apply the valid prefix."""
    good, err = check_batch(envs, trusted, caller, "kg", max_entry_bytes, NOW)
    return apply(db, caller, "kg", good, NOW, err), err


def counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {
            model.__tablename__: int(
                s.execute(select(func.count()).select_from(model)).scalar_one()
            )
            for model in (Entry, AlertVersion, AlertHead)
        }


def audit_count(db: Database, event: str) -> int:
    with db.read() as s:
        return int(
            s.execute(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.event == event)
            ).scalar_one()
        )


def head_of(db: Database, alert_id: str) -> tuple[int, bool]:
    with db.read() as s:
        row = s.get(AlertHead, ("kz", alert_id))
        assert row is not None
        return row.version, row.withdrawn


def channel_head(db: Database) -> tuple[int, bytes]:
    with db.read() as s:
        row = s.get(Channel, ("kz", "kg"))
        return (row.head_seq, row.head_hash) if row else (0, GENESIS_HASH)


def assert_nothing_stored(db: Database, before: dict[str, int]) -> None:
    assert counts(db) == before, "a refused entry changed what is stored"


# -- publish and receive --------------------------------------------------------------------


def test_version_one_published_and_applied(
    database: Database, sender: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    aid = new_id()
    send(sender, kz_key, make_alert(aid, 1))
    assert counts(sender) == {"entries": 1, "alert_versions": 1, "alert_heads": 1}
    envs = outbox(sender)

    result, err = receive(database, envs, trusted)

    assert err is None
    assert (result.applied, result.replayed, result.head_seq, result.refusal) == (1, 0, 1, None)
    assert counts(database) == {"entries": 1, "alert_versions": 1, "alert_heads": 1}
    assert head_of(database, aid) == (1, False)
    assert channel_head(database) == (1, hash_of(envs[0]))
    with database.read() as s:
        [row] = repo.alert_versions(s, "kz", aid)
        stored = alert_pb2.Alert.FromString(row.body)
        [(_, stored_env)] = repo.entries_after(s, "kz", "kg", 0, 10)
    assert stored.summary == "Release from facility 3"
    assert stored.origin == "kz"
    # The entry is stored exactly as it travelled (the signed bytes, not a re-encoding).
    assert stored_env == envs[0].SerializeToString()
    assert audit_count(database, "channel.received") == 1


def test_amendment_applied_and_head_moves(
    database: Database, sender: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    aid = new_id()
    send(sender, kz_key, make_alert(aid, 1))
    receive(database, outbox(sender), trusted)
    send(sender, kz_key, make_alert(aid, 2, summary="Release moved to facility 4"))
    envs = outbox(sender, after=1)
    assert [channel_pb2.ChannelEntry.FromString(e.payload).seq for e in envs] == [2]

    result, err = receive(database, envs, trusted)

    assert err is None and result.refusal is None
    assert (result.applied, result.head_seq) == (1, 2)
    assert head_of(database, aid) == (2, False)
    assert counts(database) == {"entries": 2, "alert_versions": 2, "alert_heads": 1}
    with database.read() as s:
        bodies = [alert_pb2.Alert.FromString(r.body) for r in repo.alert_versions(s, "kz", aid)]
    assert [(b.version, b.summary) for b in bodies] == [
        (1, "Release from facility 3"),
        (2, "Release moved to facility 4"),
    ]


def test_entries_link_by_hash_on_the_outbox(sender: Database, kz_key: SigningKey) -> None:
    aid = new_id()
    send(sender, kz_key, make_alert(aid, 1))
    send(sender, kz_key, make_alert(aid, 2))
    e1, e2 = (channel_pb2.ChannelEntry.FromString(e.payload) for e in outbox(sender))
    assert (e1.seq, e1.prev_hash) == (1, GENESIS_HASH)
    assert (e2.seq, e2.prev_hash) == (2, hash_of(outbox(sender)[0]))
    assert (e1.origin, e1.recipient) == ("kz", "kg")


@pytest.mark.parametrize("stale", [1, 2])
def test_version_not_newer_refused_at_publish(
    sender: Database, kz_key: SigningKey, stale: int
) -> None:
    aid = new_id()
    send(sender, kz_key, make_alert(aid, 1))
    send(sender, kz_key, make_alert(aid, 2))
    before = counts(sender)
    audits = audit_count(sender, "alert.amended")

    with pytest.raises(VersionRefused, match="not newer"):
        send(sender, kz_key, make_alert(aid, stale, summary="rollback attempt"))

    assert counts(sender) == before
    assert audit_count(sender, "alert.amended") == audits
    assert len(outbox(sender)) == 2


def test_version_refused_in_bulk_publish_stores_nothing(
    sender: Database, kz_key: SigningKey
) -> None:
    """One bad item in a bulk publish refuses the whole publish: no half-stored batch."""
    aid = new_id()
    send(sender, kz_key, make_alert(aid, 1))
    before = counts(sender)
    with pytest.raises(VersionRefused):
        send(sender, kz_key, make_alert(new_id(), 1), make_alert(aid, 1))
    assert counts(sender) == before


def test_withdrawal_applied_and_later_versions_refused(
    database: Database, sender: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    aid = new_id()
    send(sender, kz_key, make_alert(aid, 1))
    send(sender, kz_key, make_withdrawal(aid, 2))
    envs = outbox(sender)
    result, err = receive(database, envs, trusted)
    assert err is None and result.refusal is None and result.applied == 2
    assert head_of(database, aid) == (2, True)
    with database.read() as s:
        rows = repo.alert_versions(s, "kz", aid)
    assert [(r.version, r.withdrawn) for r in rows] == [(1, False), (2, True)]

    # The origin itself cannot publish past a withdrawal...
    sender_before = counts(sender)
    with pytest.raises(VersionRefused, match="withdrawn"):
        send(sender, kz_key, make_alert(aid, 3))
    assert counts(sender) == sender_before

    # ...and a receiver refuses a later version even if one is signed and sent anyway. The
    # entry is kept so the channel stays gap-free, but the alert stays withdrawn.
    before = counts(database)
    resurrect = signed_entry(kz_key, 3, hash_of(envs[-1]), make_alert(aid, 3, "back again"))
    result, err = receive(database, [resurrect], trusted)
    assert err is None and result.refusal is None
    after = counts(database)
    assert after["alert_versions"] == before["alert_versions"]
    assert after["alert_heads"] == before["alert_heads"]
    assert after["entries"] == before["entries"] + 1
    assert head_of(database, aid) == (2, True)
    assert audit_count(database, "alert.version_refused") == 1


def test_replayed_batch_changes_nothing(
    database: Database, sender: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    aid = new_id()
    send(sender, kz_key, make_alert(aid, 1))
    send(sender, kz_key, make_alert(aid, 2))
    envs = outbox(sender)
    first, _ = receive(database, envs, trusted)
    assert first.applied == 2
    before = counts(database)
    head = channel_head(database)
    received_audits = audit_count(database, "channel.received")

    again, err = receive(database, envs, trusted)

    assert err is None
    assert (again.applied, again.replayed, again.head_seq, again.refusal) == (0, 2, 2, None)
    assert_nothing_stored(database, before)
    assert channel_head(database) == head
    assert audit_count(database, "channel.received") == received_audits


def test_replay_overlapping_new_entries_applies_only_new(
    database: Database, sender: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    aid = new_id()
    send(sender, kz_key, make_alert(aid, 1))
    receive(database, outbox(sender), trusted)
    send(sender, kz_key, make_alert(aid, 2))

    result, err = receive(database, outbox(sender), trusted)  # seq 1 (again) and seq 2

    assert err is None and result.refusal is None
    assert (result.applied, result.replayed, result.head_seq) == (1, 1, 2)
    assert counts(database) == {"entries": 2, "alert_versions": 2, "alert_heads": 1}


def test_duplicate_entry_within_batch_is_replay_not_fork(
    database: Database, sender: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    """An entry repeated later in the same batch was just stored: a replay, not a fork."""
    aid = new_id()
    send(sender, kz_key, make_alert(aid, 1))
    send(sender, kz_key, make_alert(aid, 2))
    e1, e2 = outbox(sender)

    result, err = receive(database, [e1, e2, e1], trusted)

    assert err is None
    assert result.refusal is None
    assert (result.applied, result.replayed, result.head_seq) == (2, 1, 2)
    assert audit_count(database, "channel.refused") == 0


def test_older_entry_after_newer_in_batch_is_replay_not_fork(
    database: Database, sender: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    aid = new_id()
    send(sender, kz_key, make_alert(aid, 1))
    send(sender, kz_key, make_alert(aid, 2))
    e1, e2 = outbox(sender)
    receive(database, [e1, e2], trusted)
    before = counts(database)

    result, err = receive(database, [e2, e1], trusted)

    assert err is None and result.refusal is None
    assert (result.applied, result.replayed) == (0, 2)
    assert_nothing_stored(database, before)


def test_gap_refused_and_audited(
    database: Database, sender: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    aid = new_id()
    send(sender, kz_key, make_alert(aid, 1))
    send(sender, kz_key, make_alert(aid, 2))
    _, e2 = outbox(sender)
    before = counts(database)

    result, err = receive(database, [e2], trusted)  # entry 1 skipped

    assert err is None  # each entry is well signed: the channel rule refuses it
    assert isinstance(result.refusal, ChannelRefused)
    assert "gap" in result.refusal.message
    assert result.refusal.head_seq == 0  # tells the sender where to resend from
    assert (result.applied, result.head_seq) == (0, 0)
    assert_nothing_stored(database, before)
    assert channel_head(database) == (0, GENESIS_HASH)
    with database.read() as s:
        [event] = repo.audit_events(s, "channel.refused")
    assert event.peer == "kz"
    assert '"kind":"ChannelRefused"' in event.detail
    assert "gap" in event.detail


def test_gap_mid_batch_stores_valid_prefix_only(
    database: Database, sender: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    a, b = new_id(), new_id()
    send(sender, kz_key, make_alert(a, 1))
    send(sender, kz_key, make_alert(b, 1))
    send(sender, kz_key, make_alert(a, 2))
    e1, _, e3 = outbox(sender)

    result, _ = receive(database, [e1, e3], trusted)

    assert isinstance(result.refusal, ChannelRefused)
    assert (result.applied, result.head_seq) == (1, 1)
    assert counts(database) == {"entries": 1, "alert_versions": 1, "alert_heads": 1}
    assert head_of(database, a) == (1, False)


def test_fork_at_stored_seq_refused(
    database: Database, sender: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    aid = new_id()
    send(sender, kz_key, make_alert(aid, 1))
    send(sender, kz_key, make_alert(aid, 2))
    e1, e2 = outbox(sender)
    receive(database, [e1, e2], trusted)
    before = counts(database)
    head = channel_head(database)

    # The origin's key re-signs seq 2 with a different body (equivocation).
    forked = signed_entry(kz_key, 2, hash_of(e1), make_alert(aid, 2, summary="other story"))
    result, err = receive(database, [forked], trusted)

    assert err is None
    assert isinstance(result.refusal, ChannelRefused)
    assert "fork" in result.refusal.message
    assert result.applied == 0
    assert_nothing_stored(database, before)
    assert channel_head(database) == head
    assert audit_count(database, "channel.refused") == 1
    with database.read() as s:
        [row] = [r for r in repo.alert_versions(s, "kz", aid) if r.version == 2]
    assert alert_pb2.Alert.FromString(row.body).summary == "Release from facility 3"


def test_fork_at_next_seq_with_wrong_prev_hash_refused(
    database: Database, sender: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    aid = new_id()
    send(sender, kz_key, make_alert(aid, 1))
    receive(database, outbox(sender), trusted)
    before = counts(database)

    forked = signed_entry(kz_key, 2, b"\x42" * 32, make_alert(aid, 2))
    result, err = receive(database, [forked], trusted)

    assert err is None
    assert isinstance(result.refusal, ChannelRefused)
    assert "fork" in result.refusal.message
    assert_nothing_stored(database, before)
    assert head_of(database, aid) == (1, False)


def test_malformed_prev_hash_refused(
    database: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    before = counts(database)
    bad = signed_entry(kz_key, 1, b"\x00" * 31, make_alert(new_id(), 1))
    result, err = receive(database, [bad], trusted)
    assert err is None
    assert isinstance(result.refusal, MalformedInput)
    assert_nothing_stored(database, before)


def test_bad_signature_stops_batch_after_valid_prefix(
    database: Database, sender: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    aid = new_id()
    send(sender, kz_key, make_alert(aid, 1))
    send(sender, kz_key, make_alert(aid, 2))
    send(sender, kz_key, make_alert(aid, 3))
    e1, e2, e3 = outbox(sender)
    sig = bytearray(e2.signatures[0].sig)
    sig[10] ^= 0x80
    e2.signatures[0].sig = bytes(sig)

    good, err = check_batch([e1, e2, e3], trusted, "kz", "kg", MAX_ENTRY, NOW)
    assert isinstance(err, SignatureError)
    assert [i.seq for i in good] == [1]

    result = apply(database, "kz", "kg", good, NOW, err)

    assert result.refusal is err
    assert (result.applied, result.head_seq) == (1, 1)
    assert counts(database) == {"entries": 1, "alert_versions": 1, "alert_heads": 1}
    assert head_of(database, aid) == (1, False)
    with database.read() as s:
        [event] = repo.audit_events(s, "channel.refused")
    assert '"kind":"SignatureError"' in event.detail


def test_bad_signature_on_first_entry_stores_nothing(
    database: Database, sender: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    send(sender, kz_key, make_alert(new_id(), 1))
    [e1] = outbox(sender)
    e1.payload = e1.payload.replace(b"facility 3", b"facility 9")
    before = counts(database)

    result, err = receive(database, [e1], trusted)

    assert isinstance(err, SignatureError)
    assert result.refusal is err and result.applied == 0
    assert_nothing_stored(database, before)
    assert audit_count(database, "channel.refused") == 1


def test_entry_signed_by_untrusted_key_refused(
    database: Database, sender: Database, trusted: dict[str, VerifyKey]
) -> None:
    impostor = SigningKey.generate()
    send(sender, impostor, make_alert(new_id(), 1))
    before = counts(database)
    result, err = receive(database, outbox(sender), trusted)
    assert isinstance(err, SignatureError)
    assert result.applied == 0
    assert_nothing_stored(database, before)


@pytest.mark.parametrize("caller", ["kz", "tj"])
def test_entry_claiming_other_origin_refused(
    database: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey], caller: str
) -> None:
    """kz's key signs an entry claiming to come from tj: refused on kz's connection and on
    tj's (kz's key does not speak for tj)."""
    before = counts(database)
    alert = make_alert(new_id(), 1)
    assert isinstance(alert, alert_pb2.Alert)
    alert.origin = "tj"
    env = signed_entry(kz_key, 1, GENESIS_HASH, alert, origin="tj")

    result, err = receive(database, [env], trusted, caller=caller)

    assert isinstance(err, NotPermitted)
    assert result.applied == 0
    assert_nothing_stored(database, before)
    assert audit_count(database, "channel.refused") == 1


def test_alert_origin_differing_from_entry_origin_refused(
    database: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    """A kz entry may not carry an alert that claims to be tj's."""
    before = counts(database)
    alert = make_alert(new_id(), 1)
    assert isinstance(alert, alert_pb2.Alert)
    alert.origin = "tj"
    env = signed_entry(kz_key, 1, GENESIS_HASH, alert)

    _, err = receive(database, [env], trusted)

    assert isinstance(err, NotPermitted)
    assert_nothing_stored(database, before)


def test_entry_addressed_to_another_recipient_refused(
    database: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    before = counts(database)
    env = signed_entry(kz_key, 1, GENESIS_HASH, make_alert(new_id(), 1), recipient="tj")

    result, err = receive(database, [env], trusted)

    assert isinstance(err, NotPermitted)
    assert "addressed to" in err.message
    assert result.applied == 0
    assert_nothing_stored(database, before)


def test_oversized_entry_refused(
    database: Database, sender: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    send(sender, kz_key, make_alert(new_id(), 1))
    envs = outbox(sender)
    size = len(envs[0].SerializeToString())
    before = counts(database)

    result, err = receive(database, envs, trusted, max_entry_bytes=size - 1)

    assert isinstance(err, TooLarge)
    assert result.applied == 0
    assert_nothing_stored(database, before)
    assert audit_count(database, "channel.refused") == 1

    # Exactly at the limit it is accepted.
    result, err = receive(database, envs, trusted, max_entry_bytes=size)
    assert err is None and result.applied == 1


def test_invalid_alert_content_refused(
    database: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    before = counts(database)
    alert = make_alert(new_id(), 1, summary="x" * 1001)
    env = signed_entry(kz_key, 1, GENESIS_HASH, alert)

    _, err = receive(database, [env], trusted)

    assert isinstance(err, MalformedInput)
    assert "summary" in err.message
    assert_nothing_stored(database, before)


def test_entry_without_item_refused(
    database: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    before = counts(database)
    entry = channel_pb2.ChannelEntry(origin="kz", recipient="kg", seq=1, prev_hash=GENESIS_HASH)
    env = kz_key.sign(ENTRY_PAYLOAD_TYPE, entry.SerializeToString())
    _, err = receive(database, [env], trusted)
    assert isinstance(err, MalformedInput)
    assert_nothing_stored(database, before)


def test_withdrawal_of_never_received_alert_not_applied(
    database: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    before = counts(database)
    env = signed_entry(kz_key, 1, GENESIS_HASH, make_withdrawal(new_id(), 2))
    result, err = receive(database, [env], trusted)
    assert err is None and result.refusal is None
    after = counts(database)
    assert after["alert_versions"] == before["alert_versions"]
    assert after["alert_heads"] == before["alert_heads"]
    assert audit_count(database, "alert.version_refused") == 1


# -- replay_prefix: known entries skip a second verification ---------------------------------


def test_replay_prefix_counts_only_byte_identical_stored_entries(
    sender: Database, database: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    send(sender, kz_key, make_alert(new_id(), 1), make_alert(new_id(), 1))
    envs = outbox(sender)
    receive(database, envs[:1], trusted)
    assert replay_prefix(database, "kz", "kg", envs) == (1, 1)  # entry 1 known, 2 is new
    forged = envelope_pb2.Envelope()
    forged.CopyFrom(envs[0])
    forged.payload = forged.payload.replace(b"facility 3", b"facility 4")
    assert replay_prefix(database, "kz", "kg", [forged, envs[1]]) == (0, 1)  # same seq, new bytes
    assert replay_prefix(database, "kz", "kg", [envs[1], envs[0]]) == (0, 1)  # prefix only


def test_known_payload_with_broken_signature_changes_nothing(
    sender: Database, database: Database, kz_key: SigningKey, trusted: dict[str, VerifyKey]
) -> None:
    """A stored entry's bytes with a garbled signature are skipped as a replay: nothing new is
    stored and nothing the receiver holds is altered."""
    send(sender, kz_key, make_alert(new_id(), 1))
    [env] = outbox(sender)
    receive(database, [env], trusted)
    before = counts(database)
    garbled = envelope_pb2.Envelope()
    garbled.CopyFrom(env)
    garbled.signatures[0].sig = bytes(64)
    assert replay_prefix(database, "kz", "kg", [garbled]) == (1, 1)
    assert counts(database) == before
