"""Delivery acknowledgements in the audit log, on both databases: one `alert.delivered` per
entry, however often a peer reports a gap and makes us resend (a hostile peer's rewinds must
not grow our audit log)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from exchange.store import delivered, repo
from exchange.store.db import Database
from exchange.store.models import AuditEvent, Channel


def _channel_of(db: Database, n: int) -> None:
    now = datetime.now(UTC)
    with db.write() as s:
        ch = repo.lock_channel(s, "kz", "kg")
        ch.head_seq = n
        repo.insert_entries(
            s,
            [
                {
                    "origin": "kz",
                    "recipient": "kg",
                    "seq": i,
                    "entry_hash": bytes(32),
                    "envelope": b"e",
                    "item_id": f"0190a000-0000-7000-8000-{i:012d}",
                    "version": 1,
                    "stored_at": now,
                    "item_kind": "alert",
                }
                for i in range(1, n + 1)
            ],
        )


def _delivered_events(db: Database) -> int:
    with db.read() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.event == "alert.delivered")
            )
            or 0
        )


def test_each_entry_is_audited_once_however_often_it_is_resent(database: Database) -> None:
    _channel_of(database, 5)
    now = datetime.now(UTC)
    with database.write() as s:
        assert delivered.acknowledge(s, "kz", "kg", 3, now) == 3
    for _ in range(3):  # the peer reports a gap at 0 again and again; we resend; it acks
        with database.write() as s:
            repo.rewind_acked(s, "kz", "kg", 0)
        with database.write() as s:
            assert delivered.acknowledge(s, "kz", "kg", 5, now) in (2, 0)
    assert _delivered_events(database) == 5
    with database.read() as s:
        ch = s.get(Channel, ("kz", "kg"))
        assert ch is not None and (ch.acked_seq, ch.delivered_seq) == (5, 5)


def test_an_ack_beyond_what_was_sent_changes_nothing(database: Database) -> None:
    _channel_of(database, 2)
    with database.write() as s:
        assert delivered.acknowledge(s, "kz", "kg", 10**12, datetime.now(UTC)) == 0
    assert _delivered_events(database) == 0
    with database.read() as s:
        ch = s.get(Channel, ("kz", "kg"))
        assert ch is not None and (ch.acked_seq, ch.delivered_seq) == (0, 0)
