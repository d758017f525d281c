"""Record cases, both directions: the requests we sent ("out") and those we were sent ("in")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exchange.records.cases import IN, OUT
from exchange.store.models import Blob, RecordAttachmentRow, RecordCaseRow

__all__ = ["IN", "OUT"]


def case(s: Session, direction: str, peer: str, request_id: str) -> RecordCaseRow | None:
    return s.get(RecordCaseRow, (direction, peer, request_id))


def find(s: Session, request_id: str, direction: str) -> list[RecordCaseRow]:
    """Cases of one direction whose id is, or starts with, `request_id` (8+ characters); at
    most 3 (enough to tell one from several)."""
    q = select(RecordCaseRow).where(RecordCaseRow.direction == direction)
    if len(request_id) == 36:
        q = q.where(RecordCaseRow.request_id == request_id)
    else:
        q = q.where(RecordCaseRow.request_id.startswith(request_id, autoescape=True))
    return list(s.execute(q.limit(3)).scalars())


def states(s: Session, peer: str, ids: Iterable[str]) -> dict[str, str]:
    """ "in:<id>" / "out:<id>" -> state, for the ids a receipt batch names."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    q = select(RecordCaseRow.direction, RecordCaseRow.request_id, RecordCaseRow.state).where(
        RecordCaseRow.peer == peer, RecordCaseRow.request_id.in_(wanted)
    )
    return {f"{d}:{i}": st for d, i, st in s.execute(q)}


def listing(
    s: Session, direction: str = "", states_: Sequence[str] = (), limit: int = 200
) -> list[RecordCaseRow]:
    q = select(RecordCaseRow).order_by(RecordCaseRow.requested_at.desc())
    if direction:
        q = q.where(RecordCaseRow.direction == direction)
    if states_:
        q = q.where(RecordCaseRow.state.in_(list(states_)))
    return list(s.execute(q.limit(limit)).scalars())


def insert(s: Session, rows: Sequence[dict[str, Any]]) -> None:
    for r in rows:
        s.add(RecordCaseRow(**r))
    s.flush()


def answer(s: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Responses received: the request we sent takes the owner's decision."""
    for r in rows:
        c = case(s, OUT, r["peer"], r["request_id"])
        if c is None:
            continue
        for k, v in r.items():
            setattr(c, k, v)
    s.flush()


def add_attachments(s: Session, rows: Sequence[dict[str, Any]]) -> None:
    for r in rows:
        s.add(RecordAttachmentRow(**r))
    s.flush()


def attachments(
    s: Session, direction: str, peer: str, request_id: str
) -> list[RecordAttachmentRow]:
    q = (
        select(RecordAttachmentRow)
        .where(
            RecordAttachmentRow.direction == direction,
            RecordAttachmentRow.peer == peer,
            RecordAttachmentRow.request_id == request_id,
        )
        .order_by(RecordAttachmentRow.idx)
    )
    return list(s.execute(q).scalars())


def served_to(s: Session, caller: str, digest: str) -> bool:
    """`digest` is an attachment of a request `caller` sent us and we approved."""
    q = (
        select(RecordAttachmentRow.idx)
        .join(
            RecordCaseRow,
            (RecordCaseRow.direction == RecordAttachmentRow.direction)
            & (RecordCaseRow.peer == RecordAttachmentRow.peer)
            & (RecordCaseRow.request_id == RecordAttachmentRow.request_id),
        )
        .where(
            RecordAttachmentRow.direction == IN,
            RecordAttachmentRow.peer == caller,
            RecordAttachmentRow.digest == digest,
            RecordCaseRow.state == "approved",
        )
    )
    return s.execute(q.limit(1)).first() is not None


def wanted_attachments(s: Session, limit: int = 20) -> list[RecordAttachmentRow]:
    """Attachments of answers we received whose ciphertext is not complete here."""
    q = (
        select(RecordAttachmentRow)
        .outerjoin(Blob, Blob.digest == RecordAttachmentRow.digest)
        .where(
            RecordAttachmentRow.direction == OUT,
            (Blob.digest.is_(None)) | (Blob.complete.is_(False)),
        )
        .limit(limit)
    )
    return list(s.execute(q).scalars())


def open_from(s: Session, peer: str) -> int:
    q = select(func.count()).where(
        RecordCaseRow.direction == IN,
        RecordCaseRow.peer == peer,
        RecordCaseRow.state.in_(["received", "queued"]),
    )
    return int(s.execute(q.select_from(RecordCaseRow)).scalar_one())


OPEN = ("sent", "received", "queued")


@dataclass(frozen=True)
class Counts:
    """What status and the metrics report of record requests."""

    pending: int  # to us, waiting for an approver
    overdue: dict[str, int]  # open and past their deadline, by direction
    due_soon: int  # to us, open and due within `soon`

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue.values())


def counts(s: Session, now: datetime, soon: timedelta) -> Counts:
    """Counted in the database, whatever the number of cases."""

    def n(*where: Any) -> int:
        q = select(func.count()).select_from(RecordCaseRow).where(*where)
        return int(s.execute(q).scalar_one())

    open_ = RecordCaseRow.state.in_(OPEN)
    late = select(RecordCaseRow.direction, func.count()).where(open_, RecordCaseRow.due_at < now)
    overdue = {IN: 0, OUT: 0} | {
        d: int(c) for d, c in s.execute(late.group_by(RecordCaseRow.direction))
    }
    return Counts(
        pending=n(RecordCaseRow.direction == IN, RecordCaseRow.state == "queued"),
        overdue=overdue,
        due_soon=n(
            RecordCaseRow.direction == IN,
            open_,
            RecordCaseRow.due_at > now,
            RecordCaseRow.due_at <= now + soon,
        ),
    )
