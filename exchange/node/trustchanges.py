"""The changes a trust decision makes, as plain values: what the storage step writes.

The trust state machine (exchange.node.truststate, exchange.node.keywitness) never touches
the database: it records here what to keep or delete, and exchange.node.truststore writes
the whole list, in order, in the caller's one transaction. `at` is the decision's time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class KeepItem:
    """An admin-signed item (bundle, certificate, revocation) or a peer's TLS certificate."""

    digest: str
    kind: str
    country: str
    body: bytes


@dataclass(frozen=True)
class AppendLog:
    country: str
    seq: int
    entry: bytes


@dataclass(frozen=True)
class KeepCheckpoint:
    """The newest verified checkpoint of a country's key log (replaces the one held)."""

    country: str
    seq: int
    envelope: bytes


@dataclass(frozen=True)
class KeepFreeze:
    """A split-view freeze, with the signed evidence (at most two checkpoints)."""

    country: str
    seq: int
    detail: str
    evidence: tuple[bytes, ...]


@dataclass(frozen=True)
class ForgetLog:
    """Discard another country's key log and checkpoint (learned again from its node)."""

    country: str


@dataclass(frozen=True)
class Unfreeze:
    country: str


Change = KeepItem | AppendLog | KeepCheckpoint | KeepFreeze | ForgetLog | Unfreeze


@dataclass
class Changes:
    at: datetime
    ops: list[Change] = field(default_factory=list)

    def add(self, op: Change) -> None:
        self.ops.append(op)


@dataclass(frozen=True)
class Held:
    """What the store holds of trust, as values: what the state machine is loaded from."""

    items: tuple[KeepItem, ...] = ()
    log_entries: tuple[bytes, ...] = ()  # in (country, seq) order
    freezes: tuple[KeepFreeze, ...] = ()
    checkpoints: tuple[KeepCheckpoint, ...] = ()
