"""Pure channel state: what a receiver does with the next entry on a channel origin -> recipient.

Entries carry `seq` (from 1) and the hash of the previous entry, so a receiver detects replays
(already stored, same hash), forks (same seq, different hash, or a wrong prev_hash), and gaps
(seq beyond head + 1). No I/O here: the caller passes what it has stored.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

GENESIS_HASH = bytes(32)
SCHEMA_VERSION = 4
"""The newest item schema this node reads (ChannelEntry.schema; 0 on the wire is 1). Schema 2
added a first document manifest; schema 3 the whole manifest (content by chunks) and
document withdrawals; schema 4 record requests and responses. Each entry is written in the
oldest schema that defines its kind (its handler's `schema`), so a peer that reads only
schema 1 still reads alerts, and holds a document unread in quarantine instead of refusing
the channel."""


def entry_hash(payload: bytes) -> bytes:
    return hashlib.sha256(payload).digest()


@dataclass(frozen=True)
class Head:
    """Last entry stored on a channel (seq 0 and the genesis hash when empty)."""

    seq: int = 0
    hash: bytes = GENESIS_HASH

    def advance(self, seq: int, h: bytes) -> Head:
        return Head(seq, h)


class Decision(enum.Enum):
    APPLY = "apply"  # the next entry: store it
    REPLAY = "replay"  # already stored with the same hash: acknowledge, change nothing
    GAP = "gap"  # beyond head + 1: refuse, the sender must resend from head + 1
    FORK = "fork"  # contradicts what is stored: refuse and raise the alarm
    MALFORMED = "malformed"  # seq 0 or a prev_hash of the wrong size


def decide(
    head: Head,
    seq: int,
    prev_hash: bytes,
    this_hash: bytes,
    stored_hash: Callable[[int], bytes | None],
) -> Decision:
    """Decide one entry against the channel head.

    `stored_hash(seq)` returns the hash stored at an earlier seq (only called when seq <= head).
    """
    if seq < 1 or len(prev_hash) != 32:
        return Decision.MALFORMED
    if seq <= head.seq:
        return Decision.REPLAY if stored_hash(seq) == this_hash else Decision.FORK
    if seq > head.seq + 1:
        return Decision.GAP
    return Decision.APPLY if prev_hash == head.hash else Decision.FORK
