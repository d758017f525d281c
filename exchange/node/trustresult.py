"""What one trust import or sync did, and the bounded memory of what peers offered and we refused.

A hostile peer can offer any number of distinct junk items; what we remember of them is capped
(least recently seen forgotten first), so memory stays flat however long a flood lasts.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Generic, Literal, NamedTuple, TypeVar

from exchange.errors import Error

MAX_REMEMBERED = 4096

K = TypeVar("K")


@dataclass
class Outcome:
    """Kept items, refusals, alarms and warnings (for the audit log and the operator)."""

    accepted: list[tuple[str, str, bool]] = field(default_factory=list)  # kind, summary, new
    refused: list[tuple[str, Error]] = field(default_factory=list)  # kind, error
    alarms: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(new for _, _, new in self.accepted)


class Seen(NamedTuple):
    """One thing a peer offered that we refused or warned about."""

    kind: Literal["item", "chain", "tls", "log", "checkpoint", "head", "alarm"]
    ident: str  # a digest, a chain digest, a fingerprint or a claim


class BoundedSet(Generic[K]):
    """A set that forgets its least recently added or touched members beyond `limit`."""

    def __init__(self, limit: int = MAX_REMEMBERED) -> None:
        self.limit = limit
        self._items: OrderedDict[K, None] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def add(self, key: K) -> bool:
        """Add (or touch) `key`; True if it was not there."""
        new = key not in self._items
        self._items[key] = None
        self._items.move_to_end(key)
        while len(self._items) > self.limit:
            self._items.popitem(last=False)
        return new

    def clear(self) -> None:
        self._items.clear()


class Refusals:
    """`skip`: refused items not re-checked until this node's trust changes (then a refusal may
    turn into an acceptance). `told`: what was audited, kept across trust changes, so a peer
    repeating a refused item or a bogus claim is audited once, not every round."""

    def __init__(self, limit: int = MAX_REMEMBERED) -> None:
        self._skip: BoundedSet[Seen] = BoundedSet(limit)
        self._told: BoundedSet[Seen] = BoundedSet(limit)

    def skip(self, key: Seen) -> bool:
        return key in self._skip

    def refused(self, key: Seen) -> bool:
        """Remember a refusal; True the first time (audit it)."""
        self._skip.add(key)
        return self._told.add(key)

    def told(self, key: Seen) -> bool:
        return key in self._told

    def tell_once(self, key: Seen) -> bool:
        """True the first time a warning or alarm is seen (audit it), False after."""
        return self._told.add(key)

    def trust_changed(self) -> None:
        self._skip.clear()

    def forget(self) -> None:
        self._skip.clear()
        self._told.clear()

    def __len__(self) -> int:
        return max(len(self._skip), len(self._told))
