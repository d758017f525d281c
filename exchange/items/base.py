"""What every item kind shares: the handler protocol, and the receipt plan it writes into.

No I/O here: a handler decides and adds rows to a Plan; `exchange.sync.inbox` writes a plan
in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from google.protobuf.message import Message

from exchange._proto.v1 import channel_pb2
from exchange.alerts import model
from exchange.alerts.versions import Current, HeadChange
from exchange.channel import SCHEMA_VERSION, Head
from exchange.errors import Error
from exchange.records.deadlines import Terms

STORED, REFUSED, QUARANTINED, PURGED, DROPPED = (
    "stored",
    "refused",
    "quarantined",
    "purged",
    "dropped",
)


@dataclass(frozen=True)
class Parsed:
    """An item's checked id and version, and its free text for the personal-data guard."""

    item_id: str
    version: int
    texts: list[tuple[str, str]]


@dataclass(frozen=True)
class Acceptance:
    """What our accept rule takes from one peer, per kind. Default deny for every kind but
    alerts, whose categories the accept rule has always listed."""

    categories: frozenset[int] = model.ALL_CATEGORIES
    document_topics: frozenset[str] = frozenset()
    max_document_size: int = 512 * 1024**2  # bytes of one document's content
    document_budget: int = 4 * 1024**3  # bytes of live document content from one peer
    record_terms: Terms = field(default_factory=Terms)  # our deadlines for answering requests


def as_acceptance(accepted: frozenset[int] | Acceptance) -> Acceptance:
    """An accept rule given as its alert categories alone takes no other kind."""
    return accepted if isinstance(accepted, Acceptance) else Acceptance(categories=accepted)


@dataclass(frozen=True)
class Incoming:
    """One verified, parsed entry, with what the guard found in its free text.

    `item_id` and `version` are checked values ("" and 0 for an item this node cannot read)."""

    seq: int
    prev_hash: bytes
    hash: bytes
    envelope: bytes
    entry: channel_pb2.ChannelEntry
    kind: str = ""  # a handler's kind; "" for an item of a newer schema
    item_id: str = ""
    id_key: str = "alert_id"  # what audit events call the id (alert_id, document_id)
    version: int = 0
    schema: int = SCHEMA_VERSION  # newer than this node reads: the item is held unread
    findings: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (field, kinds) of personal data


@dataclass(frozen=True)
class Known:
    """What the store holds that the plan needs, for the ids and seqs a batch names."""

    head: Head
    hashes: Mapping[int, bytes]  # stored entry hashes at the batch's old seqs
    current: Mapping[str, Current]  # this origin's alerts: latest version held
    taken: frozenset[str] = frozenset()  # ids held under another origin
    held: int = 0  # items of this origin already in quarantine
    content_bytes: int = 0  # bytes of content held for this origin's live items
    cases: Mapping[str, str] = field(default_factory=dict)  # "in:<id>"/"out:<id>" -> state
    open_requests: int = 0  # record requests from this origin not yet decided


@dataclass
class Plan:
    """Rows to write in one transaction, and what the batch did."""

    origin: str
    me: str
    now: datetime
    head: Head
    entries: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    heads: dict[str, HeadChange] = field(default_factory=dict)
    tokens: list[tuple[str, str, str, int, bytes]] = field(default_factory=list)
    purges: list[tuple[str, int, bool]] = field(default_factory=list)  # id, below, tombstoned
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    replayed: int = 0
    refusal: Error | None = None
    conflicts: int = 0  # ids refused because another origin holds them
    # Kind-specific rows by table (exchange.store.items.write_rows), and the content bytes
    # held for the origin once they are written.
    rows: dict[str, list[Any]] = field(default_factory=dict)
    content_bytes: int = 0
    open_requests: int = 0  # record requests from this origin not yet decided


@dataclass
class Placing:
    """What placing one item may read and change, beside the plan: the versions held so far
    in this batch, ids held under other origins, our accept rule, and whether the guard
    flagged its free text."""

    current: dict[str, Current]
    taken: frozenset[str]
    acceptance: Acceptance
    flagged: str | None = None
    cases: dict[str, str] = field(default_factory=dict)  # record cases with this peer


class ItemHandler(Protocol):
    """One item kind (see the package docstring)."""

    @property
    def kind(self) -> str:
        """Stored as entries.item_kind and named in audit events."""

    @property
    def member(self) -> str:
        """The ChannelEntry `oneof item` member that carries it."""

    @property
    def schema(self) -> int:
        """The oldest schema that defines this kind: what its entries are written in."""

    @property
    def id_key(self) -> str:
        """What audit events call its id."""

    @property
    def held_whole(self) -> bool:
        """Flagged free text holds the whole item in quarantine (False: the item applies and
        only its text waits for a person, as a withdrawal's reason)."""

    def read(self, item: Message, caller: str, now: datetime) -> Parsed:
        """Check a received item's fields and bounds (raise Error); its id, version, text."""

    def place(self, plan: Plan, row: dict[str, Any], it: Incoming, ctx: Placing) -> None:
        """Store the item, or refuse its content, by policy, id ownership and version."""


def refuse(plan: Plan, row: dict[str, Any], it: Incoming, why: str, event: str) -> None:
    """The channel position stays; the content is not kept."""
    row.update(state=REFUSED, note=why[:300], envelope=b"")
    plan.events.append(
        (event, {it.id_key: it.item_id, "version": it.version, "seq": it.seq, "reason": why})
    )


def hold(
    plan: Plan, row: dict[str, Any], it: Incoming, kind: str, why: str, keep_state: bool = False
) -> None:
    """Keep the item unshown, unmatched, until an operator releases or drops it."""
    if not keep_state:
        row["state"] = QUARANTINED
    row["note"] = why[:300]
    plan.quarantine.append(
        {
            "origin": plan.origin,
            "seq": it.seq,
            "kind": kind,
            "alert_id": it.item_id,
            "version": it.version,
            "reason": why[:500],
            "held_at": plan.now,
        }
    )
    plan.events.append(
        (
            "item.quarantined",
            {"seq": it.seq, "kind": kind, it.id_key: it.item_id, "version": it.version}
            | {"reason": why[:500]},
        )
    )
