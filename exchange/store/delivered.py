"""Delivery acknowledgements in the audit log: when a peer acknowledges our channel up to a
seq, each alert version (or withdrawal) newly acknowledged gets one `alert.delivered` event.

Bounded: an entry is acknowledged once (acked_seq only moves forward), and each alert version
travels once per peer, so a version has at most one such event per peer (a rewind after the
peer was restored from a backup acknowledges the resent entries again, and says so)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exchange.store import repo
from exchange.store.models import Channel, Entry


def acknowledge(session: Session, origin: str, recipient: str, seq: int, now: datetime) -> int:
    """Advance the channel's ack to seq and audit what it newly covers; return how many."""
    ch = session.execute(
        select(Channel)
        .where(Channel.origin == origin, Channel.recipient == recipient)
        .with_for_update()
    ).scalar_one_or_none()
    if ch is None or seq <= ch.acked_seq or seq > ch.head_seq:
        return 0
    old = ch.acked_seq
    repo.advance_acked(session, origin, recipient, seq)
    rows = session.execute(
        select(Entry.seq, Entry.alert_id, Entry.version, Entry.item_kind)
        .where(
            Entry.origin == origin,
            Entry.recipient == recipient,
            Entry.seq > old,
            Entry.seq <= seq,
            Entry.item_kind.in_(("alert", "withdrawal")),
        )
        .order_by(Entry.seq)
    ).all()
    events: list[tuple[str, dict[str, Any], str]] = [
        (
            "alert.delivered",
            {"alert_id": aid, "version": version, "kind": kind, "seq": s},
            recipient,
        )
        for s, aid, version, kind in rows
    ]
    if events:
        repo.append_audit_many(session, now, events)
    return len(events)
