"""Audit use cases: the newest events, checking the whole chain (and against the signed heads
our peers hold of it), and asking the peers for those heads.

Listing and checking read the database directly, so they work while the node is stopped;
asking the peers needs the running node."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exchange.audit import Event, verify_chain
from exchange.audit_alert import about
from exchange.audit_witness import PeerHeads, WitnessReport, check_heads
from exchange.store import repo
from exchange.store.db import Database

if TYPE_CHECKING:
    from exchange.node.runtime import Node


@dataclass(frozen=True)
class ChainChecked:
    events: int
    head: bytes
    witnesses: WitnessReport | None  # None when the peers' heads were not asked for


def events(
    db: Database,
    event: str | None = None,
    alert_prefix: str | None = None,
    last: int = 0,
    request_prefix: str | None = None,
) -> list[Event]:
    """The newest `last` events (all if 0), of one kind, about one alert or one record
    request if given."""
    with db.read() as s:
        found = repo.audit_events(s, event)
    if alert_prefix is not None:
        found = [e for e in found if about(e.detail, alert_prefix)]
    if request_prefix is not None:
        found = [e for e in found if about_request(e.detail, request_prefix)]
    return found[-last:] if last else found


def about_request(detail: str, prefix: str) -> bool:
    """The event names a record request whose id starts with `prefix`."""
    if prefix not in detail:
        return False
    try:
        rid = json.loads(detail).get("request_id", "")
    except ValueError:
        return False
    return isinstance(rid, str) and rid.startswith(prefix)


def verify(db: Database, witnessed: Sequence[PeerHeads] | None = None) -> ChainChecked:
    """Check every event's hash and the chain's head (raises AuditBroken); with the peers'
    heads, also that each lies on this chain (the report says which do not). Ask the peers
    first: every head they hold must then be within the chain read after."""
    with db.read() as s:
        head = repo.audit_head(s)
        found = repo.audit_events(s)
    count = verify_chain(found, head)
    report = None if witnessed is None else check_heads([e.hash for e in found], witnessed)
    return ChainChecked(count, head[1], report)


async def witnesses(node: Node) -> list[PeerHeads]:
    """The heads our peers hold of our audit log, verified against our own signing keys."""
    return await node.audit_heads.witnesses()
