"""The audit checkpoints this node holds as a witness of its peers' audit logs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from exchange.audit_checkpoint import AuditCheckpoint
from exchange.audit_witness import Held, retained
from exchange.store.models import AuditWitnessRow


def held(session: Session, country: str) -> list[Held]:
    q = select(AuditWitnessRow.seq, AuditWitnessRow.hash, AuditWitnessRow.signed_at_ns).where(
        AuditWitnessRow.country == country
    )
    return [Held(seq, bytes(h), at) for seq, h, at in session.execute(q)]


def keep(session: Session, cp: AuditCheckpoint, now: datetime) -> None:
    """Store a checkpoint judged KEEP, then drop what the retention rule no longer keeps."""
    session.add(
        AuditWitnessRow(
            country=cp.country,
            seq=cp.seq,
            hash=cp.hash,
            signed_at_ns=cp.signed_at_ns,
            envelope=cp.envelope,
            received_at=now,
        )
    )
    session.flush()
    rows = held(session, cp.country)
    gone = {h.seq for h in rows} - retained(rows)
    if gone:
        session.execute(
            delete(AuditWitnessRow).where(
                AuditWitnessRow.country == cp.country, AuditWitnessRow.seq.in_(sorted(gone))
            )
        )


def envelopes(session: Session, country: str, limit: int) -> list[bytes]:
    """The checkpoints held of `country`, as received, newest first."""
    q = (
        select(AuditWitnessRow.envelope)
        .where(AuditWitnessRow.country == country)
        .order_by(AuditWitnessRow.seq.desc())
        .limit(limit)
    )
    return [bytes(e) for e in session.scalars(q)]
