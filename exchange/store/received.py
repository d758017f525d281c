"""Queries for received content: id ownership, quarantine, and purging withdrawn alerts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from exchange.store.models import AlertHead, AlertVersion, Entry, QuarantineRow, SubjectTokenRow
from exchange.store.repo import bulk_insert, is_pg

_PG_TAKEN = text(
    "select h.alert_id from unnest(cast(:ids as varchar[])) as i(id) "
    "join alert_heads h on h.alert_id = i.id and h.origin <> :origin "
    "union select q.alert_id from unnest(cast(:ids as varchar[])) as i(id) "
    "join quarantine q on q.alert_id = i.id and q.origin <> :origin"
)


def taken_ids(session: Session, origin: str, alert_ids: Iterable[str]) -> frozenset[str]:
    """The ids among `alert_ids` that this node holds under an origin other than `origin`:
    stored, or held in quarantine (a squat must not take the id of an alert under review, nor
    block its release)."""
    ids = sorted({a for a in alert_ids if a})
    if not ids:
        return frozenset()
    if is_pg(session):
        return frozenset(r[0] for r in session.execute(_PG_TAKEN, {"ids": ids, "origin": origin}))
    out: set[str] = set()
    for i in range(0, len(ids), 500):
        out.update(
            session.execute(
                select(AlertHead.alert_id)
                .where(AlertHead.alert_id.in_(ids[i : i + 500]), AlertHead.origin != origin)
                .distinct()
            ).scalars()
        )
        out.update(
            session.execute(
                select(QuarantineRow.alert_id)
                .where(QuarantineRow.alert_id.in_(ids[i : i + 500]), QuarantineRow.origin != origin)
                .distinct()
            ).scalars()
        )
    return frozenset(out)


def origins_of(session: Session, alert_id: str) -> list[str]:
    """Every origin under which this node holds `alert_id` (one, unless data predates 0005)."""
    return list(
        session.execute(
            select(AlertHead.origin)
            .where(AlertHead.alert_id == alert_id)
            .order_by(AlertHead.origin)
        ).scalars()
    )


# -- quarantine -----------------------------------------------------------------------------


def quarantine_count(session: Session, origin: str | None = None) -> int:
    q = select(func.count()).select_from(QuarantineRow)
    if origin is not None:
        q = q.where(QuarantineRow.origin == origin)
    return int(session.execute(q).scalar_one())


def insert_quarantine(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        bulk_insert(session, QuarantineRow.__table__, rows)


def quarantined(session: Session, origin: str = "", limit: int = 1000) -> list[QuarantineRow]:
    q = select(QuarantineRow).order_by(QuarantineRow.held_at, QuarantineRow.seq).limit(limit)
    if origin:
        q = q.where(QuarantineRow.origin == origin)
    return list(session.execute(q).scalars())


def set_entry_state(
    session: Session, origin: str, me: str, seq: int, state: str, *, drop_payload: bool
) -> None:
    values: dict[str, Any] = {"state": state}
    if drop_payload:
        values["envelope"] = b""
    session.execute(
        update(Entry)
        .where(Entry.origin == origin, Entry.recipient == me, Entry.seq == seq)
        .values(**values)
    )


# -- withdrawals ----------------------------------------------------------------------------


def purge(
    session: Session, origin: str, me: str, alert_id: str, below: int, tombstoned: bool
) -> None:
    """Remove the content of every version of a received alert below `below`: stored versions
    keep their id and number, entries keep their position and hash, quarantined copies go; the
    match index forgets the alert once its tombstone is stored."""
    session.execute(
        update(AlertVersion)
        .where(
            AlertVersion.origin == origin,
            AlertVersion.alert_id == alert_id,
            AlertVersion.version < below,
            AlertVersion.withdrawn.is_(False),
        )
        .values(body=b"", purged=True)
    )
    session.execute(
        update(Entry)
        .where(
            Entry.origin == origin,
            Entry.recipient == me,
            Entry.item_id == alert_id,
            Entry.item_kind.in_(("alert", "withdrawal")),  # an alert's own entries only
            Entry.version < below,
        )
        .values(envelope=b"", state="purged")
    )
    session.execute(
        delete(QuarantineRow).where(
            QuarantineRow.origin == origin,
            QuarantineRow.alert_id == alert_id,
            QuarantineRow.version < below,
        )
    )
    if tombstoned:
        session.execute(
            delete(SubjectTokenRow).where(
                SubjectTokenRow.origin == origin, SubjectTokenRow.alert_id == alert_id
            )
        )


def purge_withdrawn(session: Session, me: str) -> int:
    """Purge received alerts withdrawn before this rule existed (idempotent; run at start)."""
    rows = session.execute(
        select(AlertHead.origin, AlertHead.alert_id, AlertHead.version).where(
            AlertHead.origin != me,
            AlertHead.withdrawn.is_(True),
            select(AlertVersion.version)
            .where(
                AlertVersion.origin == AlertHead.origin,
                AlertVersion.alert_id == AlertHead.alert_id,
                AlertVersion.withdrawn.is_(False),
                AlertVersion.purged.is_(False),
            )
            .exists(),
        )
    ).all()
    for origin, aid, version in rows:
        purge(session, origin, me, aid, version, True)
    return len(rows)
