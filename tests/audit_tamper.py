"""What an attacker with write access to a node's database can do to its audit log: delete or
alter events and recompute the whole chain and its head, so `audit verify` alone still passes."""

from __future__ import annotations

import json

from sqlalchemy import delete, update

from exchange import audit
from exchange.store import repo
from exchange.store.db import Database
from exchange.store.models import AuditEvent, AuditHead


def rewrite_audit(db: Database, *, drop: int | None = None, alter: int | None = None) -> int:
    """Remove event `drop` and/or change the detail of event `alter`, renumber, recompute
    every hash and the head. Returns the new event count."""
    with db.write() as s:
        old = repo.audit_events(s)
        s.execute(delete(AuditEvent))
        prev, seq = audit.GENESIS, 0
        for ev in old:
            if ev.seq == drop:
                continue
            detail = ev.detail
            if ev.seq == alter:
                detail = audit.canonical({**json.loads(detail), "rewritten": True})
            seq += 1
            h = audit.event_hash(prev, seq, ev.at, ev.event, ev.peer, detail)
            s.add(
                AuditEvent(
                    seq=seq,
                    at=ev.at,
                    event=ev.event,
                    peer=ev.peer,
                    detail=detail,
                    prev_hash=prev,
                    hash=h,
                )
            )
            prev = h
        s.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=prev))
    return seq
