"""exchange.store.bulk writes exactly the rows SQLAlchemy's Core insert writes, defaults of
left-out columns included, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from exchange.store import bulk
from exchange.store.db import Database
from exchange.store.models import AlertVersion, Entry, SubjectTokenRow

NOW = datetime(2026, 12, 3, 13, 0, 0, 123456, tzinfo=UTC)


def _entries(recipient: str) -> list[dict[str, Any]]:
    return [
        {
            "origin": "kz",
            "recipient": recipient,
            "seq": i,
            "entry_hash": bytes([i]) * 32,
            "envelope": b"\x00\x01" * i,
            "item_id": f"id-{i}",
            "version": 1,
            "stored_at": NOW,
        }  # item_kind, state and note left out: their defaults
        for i in range(1, 6)
    ]


def _rows(db: Database, table: Any, where: Any, order: Any) -> list[tuple[Any, ...]]:
    with db.read() as s:
        return [tuple(r) for r in s.execute(select(table).where(where).order_by(*order))]


def test_bulk_rows_equal_core_rows(database: Database) -> None:
    with database.write() as s:
        s.connection().execute(Entry.__table__.insert(), _entries("kg"))
        bulk.insert(s.connection(), Entry.__table__, _entries("tj"))
        versions = [
            {
                "origin": o,
                "alert_id": f"a{i}",
                "version": 1,
                "withdrawn": i % 2 == 0,
                "purged": False,
                "body": b"body",
                "stored_at": NOW,
            }
            for o in ("kg", "tj")
            for i in range(3)
        ]
        s.connection().execute(AlertVersion.__table__.insert(), versions[:3])
        bulk.insert(s.connection(), AlertVersion.__table__, versions[3:])
        tokens = [{"tok": -(2**63) + i, "origin": "kz", "alert_id": f"a{i}"} for i in range(3)]
        s.connection().execute(SubjectTokenRow.__table__.insert(), tokens)
        bulk.insert(s.connection(), SubjectTokenRow.__table__, tokens)
    cols = (Entry.seq, Entry.entry_hash, Entry.envelope, Entry.item_id, Entry.version)
    core = _rows(database, Entry, Entry.recipient == "kg", [Entry.seq])
    fast = _rows(database, Entry, Entry.recipient == "tj", [Entry.seq])
    assert len(core) == len(fast) == 5
    assert [r[2:] for r in core] == [r[2:] for r in fast]  # all but the recipient
    with database.read() as s:
        kinds = s.execute(select(Entry.item_kind, Entry.state, Entry.note, *cols[:1])).all()
        stored_at = s.execute(select(Entry.stored_at)).scalars().all()
    assert {(k, st, n) for k, st, n, _ in kinds} == {("alert", "stored", "")}
    assert {t.replace(tzinfo=UTC) if t.tzinfo is None else t for t in stored_at} == {NOW}
    v_core = _rows(database, AlertVersion, AlertVersion.origin == "kg", [AlertVersion.alert_id])
    v_fast = _rows(database, AlertVersion, AlertVersion.origin == "tj", [AlertVersion.alert_id])
    assert [r[1:] for r in v_core] == [r[1:] for r in v_fast]
    with database.read() as s:
        toks = s.execute(
            select(SubjectTokenRow.id, SubjectTokenRow.tok).order_by(SubjectTokenRow.id)
        ).all()
    assert [t for _, t in toks] == [t["tok"] for t in tokens] * 2
    assert len({i for i, _ in toks}) == 6  # the database numbered every row


def test_rows_with_different_keys_still_written(database: Database) -> None:
    rows = _entries("kg")[:2]
    rows[1] = {**rows[1], "note": "a note"}
    with database.write() as s:
        bulk.insert(s.connection(), Entry.__table__, rows)
    with database.read() as s:
        notes = s.execute(select(Entry.note).order_by(Entry.seq)).scalars().all()
    assert notes == ["", "a note"]
