"""Quarantine use cases: the received items held back (personal data in free text, or a
category our policy does not accept), and releasing or dropping one for a stated reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from exchange._proto.v1 import alert_pb2
from exchange.alerts import model
from exchange.app.listing import AlertView
from exchange.errors import MalformedInput
from exchange.sync import quarantine
from exchange.sync.quarantine import Held

if TYPE_CHECKING:
    from exchange.node.runtime import Node


@dataclass(frozen=True)
class HeldView:
    origin: str
    seq: int
    kind: str
    alert_id: str
    version: int
    reason: str
    state: str  # held, released or dropped
    held_at: datetime
    record: AlertView | None  # None when this node cannot read the content


def held_view(h: Held, state: str) -> HeldView:
    r = h.row
    rec: AlertView | None = None
    if isinstance(h.item, alert_pb2.Alert):
        rec = AlertView(alert=h.item)
    elif isinstance(h.item, alert_pb2.Withdrawal):
        stub = alert_pb2.Alert(
            alert_id=h.item.alert_id, version=h.item.version, origin=h.item.origin
        )
        rec = AlertView(alert=stub, withdrawn=True, withdraw_reason=h.item.reason)
    return HeldView(r.origin, r.seq, r.kind, r.alert_id, r.version, r.reason, state, r.held_at, rec)


async def list_quarantine(node: Node, origin: str) -> list[HeldView]:
    if origin and not model.is_country(origin):
        raise MalformedInput(f"unknown country {origin[:8]!r}")
    held = await node.run_db(quarantine.list_held, node.db, node.country, origin)
    return [held_view(h, "held") for h in held]


async def release(node: Node, origin: str, seq: int, reason: str, now: datetime) -> HeldView:
    """Apply a held item as if it had just arrived; an item of a category our policy does
    not accept stays held."""
    accepted = node.policy.acceptance(origin)  # no rule: nothing accepted
    held, released = await node.run_db(
        quarantine.release, node.db, origin, node.country, seq, reason, now, accepted
    )
    if released:  # a released manifest or record request: its loop need not wait its timer
        node.wake_for(frozenset({"document_versions", "record_cases"}))
    return held_view(held, "released" if released else "held")


async def drop(node: Node, origin: str, seq: int, reason: str, now: datetime) -> HeldView:
    """Delete a held item's content; its channel position and hash stay."""
    held = await node.run_db(quarantine.drop, node.db, origin, node.country, seq, reason, now)
    return held_view(held, "dropped")
