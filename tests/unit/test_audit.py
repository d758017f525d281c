"""The hash-chained audit log: it verifies as written, and any edit, deletion or reorder of
stored events is detected. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, update

from exchange import audit
from exchange.audit import AuditBroken, verify_chain
from exchange.store import repo
from exchange.store.db import Database
from exchange.store.models import AuditEvent

T0 = datetime(2025, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)


def write_events(db: Database, n: int = 5) -> None:
    with db.write() as s:
        for i in range(n):
            repo.append_audit(
                s,
                T0 + timedelta(seconds=i, microseconds=i),
                "alert.published" if i % 2 else "channel.received",
                {"alert_id": f"a{i}", "version": i + 1, "note": "é ü"},
                peer="kg" if i % 2 else "",
            )


def events(db: Database) -> list[audit.Event]:
    with db.read() as s:
        return repo.audit_events(s)


def test_chain_verifies(database: Database) -> None:
    write_events(database)
    evs = events(database)
    assert verify_chain(evs) == 5
    assert [e.seq for e in evs] == [1, 2, 3, 4, 5]
    assert evs[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(evs))


def test_chain_verifies_across_transactions(database: Database) -> None:
    write_events(database, 2)
    write_events(database, 3)
    assert verify_chain(events(database)) == 5


def test_empty_chain_verifies() -> None:
    assert verify_chain([]) == 0


def test_non_utc_timestamp_still_verifies(database: Database) -> None:
    """An aware time in another zone must be stored so that its hash still holds."""
    at = datetime(2025, 6, 1, 17, 0, tzinfo=timezone(timedelta(hours=5)))
    with database.write() as s:
        repo.append_audit(s, at, "node.started", {})
    [ev] = events(database)
    assert verify_chain([ev]) == 1
    assert audit.at_text(ev.at) == "2025-06-01T12:00:00.000000"


def test_filtered_events_by_kind(database: Database) -> None:
    write_events(database)
    with database.read() as s:
        kinds = {e.event for e in repo.audit_events(s, "alert.published")}
    assert kinds == {"alert.published"}


def test_edited_detail_breaks_chain(database: Database) -> None:
    write_events(database)
    with database.write() as s:
        s.execute(
            update(AuditEvent)
            .where(AuditEvent.seq == 3)
            .values(detail=audit.canonical({"alert_id": "a2", "version": 99}))
        )
    with pytest.raises(AuditBroken, match="event 3 was altered"):
        verify_chain(events(database))


@pytest.mark.parametrize(
    ("column", "value"),
    [("event", "alert.withdrawn"), ("peer", "tj"), ("at", T0 + timedelta(hours=1))],
)
def test_edited_field_breaks_chain(database: Database, column: str, value: object) -> None:
    write_events(database)
    with database.write() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values({column: value}))
    with pytest.raises(AuditBroken, match="event 2 was altered"):
        verify_chain(events(database))


def test_edit_with_recomputed_hash_breaks_next_link(database: Database) -> None:
    """Rewriting one event and its own hash still breaks the link from the next event."""
    write_events(database)
    [_, ev2, *_] = events(database)
    detail = audit.canonical({"forged": True})
    forged_hash = audit.event_hash(ev2.prev_hash, 2, ev2.at, ev2.event, ev2.peer, detail)
    with database.write() as s:
        s.execute(
            update(AuditEvent).where(AuditEvent.seq == 2).values(detail=detail, hash=forged_hash)
        )
    with pytest.raises(AuditBroken, match="event 3 does not link"):
        verify_chain(events(database))


def test_deleted_middle_row_breaks_chain(database: Database) -> None:
    write_events(database)
    with database.write() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq == 3))
    with pytest.raises(AuditBroken, match="event 3 is missing"):
        verify_chain(events(database))


def test_deleted_row_with_renumbering_breaks_chain(database: Database) -> None:
    """Closing the seq hole after a deletion does not hide it: the links no longer match."""
    write_events(database)
    with database.write() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq == 3))
        for seq in (4, 5):
            s.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(seq=seq - 1))
    with pytest.raises(AuditBroken, match="event 3 does not link"):
        verify_chain(events(database))


def test_swapped_rows_break_chain(database: Database) -> None:
    write_events(database)
    with database.write() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(seq=-2))
        s.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(seq=2))
        s.execute(update(AuditEvent).where(AuditEvent.seq == -2).values(seq=4))
    with pytest.raises(AuditBroken, match="event 2 does not link"):
        verify_chain(events(database))


def test_swapped_details_break_chain(database: Database) -> None:
    write_events(database)
    evs = events(database)
    with database.write() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(detail=evs[3].detail))
        s.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(detail=evs[1].detail))
    with pytest.raises(AuditBroken, match="event 2 was altered"):
        verify_chain(events(database))


def test_chain_not_starting_at_genesis_refused(database: Database) -> None:
    write_events(database)
    evs = events(database)
    with pytest.raises(AuditBroken, match="event 1 is missing"):
        verify_chain(evs[1:])
    with pytest.raises(AuditBroken, match="does not link"):
        verify_chain([replace(evs[0], prev_hash=b"\x01" * 32), *evs[1:]])


def test_truncated_newest_events_detected_by_head(database: Database) -> None:
    """Deleting the newest events leaves a valid prefix; only the stored head reveals it."""
    write_events(database)
    with database.read() as s:
        head = repo.audit_head(s)
    assert verify_chain(events(database), head) == 5
    with database.write() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq >= 4))
    assert verify_chain(events(database)) == 3  # the prefix alone still links
    with pytest.raises(AuditBroken, match="newest events were removed"):
        verify_chain(events(database), head)
