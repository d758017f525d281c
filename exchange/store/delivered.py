"""Delivery acknowledgements in the audit log: when a peer acknowledges our channel up to a
seq, each alert version (or withdrawal) newly acknowledged gets one `alert.delivered` event.

Bounded: each alert version travels once per peer and an entry is audited only the first time
it is acknowledged (above the channel's delivered_seq), so a version has at most one such event
per peer, however often a peer reports a gap and makes us resend (a hostile one could
otherwise grow our audit log without end)."""

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
    old = max(ch.acked_seq, ch.delivered_seq)
    repo.advance_acked(session, origin, recipient, seq)
    if seq <= old:
        return 0  # resent after a rewind: already audited
    ch.delivered_seq = seq
    rows = session.execute(
        select(Entry.seq, Entry.item_id, Entry.version, Entry.item_kind)
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
