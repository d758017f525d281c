"""Hash-chained audit log: the pure chain rules and a verifier.

Each event's hash covers the previous hash and the event's canonical JSON, so removing,
reordering or editing any stored event breaks every hash after it. Details never hold subject
data or secrets: ids, versions, countries, counts and reasons only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from exchange.errors import Error

GENESIS = bytes(32)


class AuditBroken(Error):
    """The stored audit chain does not verify."""


def canonical(detail: dict[str, Any]) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def at_text(at: datetime) -> str:
    """UTC, microseconds, no zone suffix: stable across SQLite (naive) and PostgreSQL (aware)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def event_hash(
    prev_hash: bytes, seq: int, at: datetime, event: str, peer: str, detail: str
) -> bytes:
    body = canonical(
        {"seq": seq, "at": at_text(at), "event": event, "peer": peer, "detail": detail}
    )
    return hashlib.sha256(prev_hash + body.encode()).digest()


@dataclass(frozen=True)
class Event:
    seq: int
    at: datetime
    event: str
    peer: str
    detail: str
    prev_hash: bytes
    hash: bytes


def verify_chain(
    events: Iterable[Event],
    head: tuple[int, bytes] | None = None,
    start: tuple[int, bytes] = (0, GENESIS),
) -> int:
    """Check the chain from the first event; return how many events verified.

    With `head` (the stored head's seq and hash), a chain whose newest events were removed is
    refused too: the last event must be the head. `start`: the seq and hash of the last event
    removed by a retention cut (the chain then begins right after it).
    """
    prev = start[1]
    expected_seq = start[0] + 1
    count = 0
    for ev in events:
        if ev.seq != expected_seq:
            raise AuditBroken(f"audit event {expected_seq} is missing (found {ev.seq})")
        if ev.prev_hash != prev:
            raise AuditBroken(f"audit event {ev.seq} does not link to the one before it")
        if event_hash(prev, ev.seq, ev.at, ev.event, ev.peer, ev.detail) != ev.hash:
            raise AuditBroken(f"audit event {ev.seq} was altered")
        prev = ev.hash
        expected_seq += 1
        count += 1
    if head is not None and (start[0] + count, prev) != (head[0], head[1]):
        raise AuditBroken(
            f"the audit log ends at event {start[0] + count} but its head records event {head[0]}: "
            "the newest events were removed or altered"
        )
    return count
