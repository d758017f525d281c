"""Putting one record item (a request or a response) on its channel, with the case row it
changes and its audit event, in one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.protobuf.message import Message
from sqlalchemy.orm import Session

from exchange.channel import Head
from exchange.envelope import SigningKey
from exchange.store import repo
from exchange.sync.outbox import queue_entry


def queue_item(
    s: Session,
    origin: str,
    recipient: str,
    signer: SigningKey,
    item: Message,
    item_id: str,
    now: datetime,
) -> int:
    """Queue `item` on origin -> recipient inside the caller's transaction; its seq."""
    ch = repo.lock_channel(s, origin, recipient)
    row, head = queue_entry(
        origin, recipient, Head(ch.head_seq, ch.head_hash), item, item_id, 1, signer, now
    )
    ch.head_seq, ch.head_hash = head.seq, head.hash
    repo.insert_entries(s, [row])
    return head.seq


def audit(s: Session, now: datetime, event: str, detail: dict[str, Any], peer: str) -> None:
    repo.append_audit(s, now, event, detail, peer=peer)
