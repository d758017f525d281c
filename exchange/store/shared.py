"""Shared versions (table `shared_versions`): how one replica tells the others that state
they hold in memory changed in the database (exchange.node.replicas polls them).

Also the upsert both backends need where two replicas may create one row at once (a channel
head, the audit head): insert if missing, never fail on the other's insert.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from exchange.store.models import Channel, SharedVersion

TRUST, PEERS, POLICY, KEYS = "trust", "peers", "policy", "keys"
CONTENT, RECORDS = "content", "records"  # work for the document fetcher / the record desk


def _insert(session: Session, table: Any) -> Any:
    name = session.get_bind().dialect.name
    return (pg_insert if name == "postgresql" else sqlite_insert)(table)


def insert_missing(session: Session, table: Any, values: dict[str, Any]) -> None:
    """Insert the row unless its key is already there (another replica's insert wins)."""
    session.execute(_insert(session, table).values(**values).on_conflict_do_nothing())


def bump(session: Session, name: str, note: str = "") -> None:
    """Count one change of `name`, in the caller's transaction (committed with the change)."""
    table = SharedVersion.__table__
    stmt = _insert(session, table).values(name=name, version=1, note=note[:128])
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={"version": table.c.version + 1, "note": stmt.excluded.note},
        )
    )


def versions(session: Session) -> dict[str, tuple[int, str]]:
    """Every counter: name -> (version, note). One small query (polled every second)."""
    rows = session.execute(select(SharedVersion.name, SharedVersion.version, SharedVersion.note))
    return {n: (int(v), note) for n, v, note in rows}


def own_heads(session: Session, origin: str) -> dict[str, int]:
    """The head seq of each of our outgoing channels (one row per peer)."""
    rows = session.execute(
        select(Channel.recipient, Channel.head_seq).where(Channel.origin == origin)
    )
    return {r: int(seq) for r, seq in rows}
