"""Alerts and withdrawals: the first two item kinds.

An alert version is stored and shown if it is newer than what is held and our accept rule
takes its category. A withdrawal is the origin's tombstone for an alert: later versions are
refused, and the content of every earlier version goes (versions, tokens, stored payloads,
quarantined copies), whether or not we held them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.protobuf.message import Message

from exchange._proto.v1 import alert_pb2
from exchange.alerts import model
from exchange.alerts.versions import Current, HeadChange, check_newer
from exchange.errors import MalformedInput, NotPermitted, VersionRefused
from exchange.items.base import Incoming, Parsed, Placing, Plan, hold, refuse


def _origin(item: alert_pb2.Alert | alert_pb2.Withdrawal, kind: str, caller: str) -> None:
    if item.origin != caller:
        raise NotPermitted(f"the {kind}'s origin differs from the entry's origin")


@dataclass(frozen=True)
class _AlertFamily:
    kind: str
    member: str
    tombstone: bool
    id_key: str = "alert_id"
    schema: int = 1

    @property
    def held_whole(self) -> bool:
        return not self.tombstone  # a withdrawal applies; only its reason waits

    def read(self, item: Message, caller: str, now: datetime) -> Parsed:
        if isinstance(item, alert_pb2.Alert):
            model.validate(item, now=now, received=True)
        elif isinstance(item, alert_pb2.Withdrawal):
            model.validate_withdrawal(item, now=now)
        else:
            raise MalformedInput(f"not a {self.kind}")
        _origin(item, self.kind, caller)
        return Parsed(item.alert_id, item.version, model.free_text(item))

    def place(self, plan: Plan, row: dict[str, Any], it: Incoming, ctx: Placing) -> None:
        if it.item_id in ctx.taken:
            plan.conflicts += 1
            why = "the alert id is already held under another origin"
            refuse(plan, row, it, why, "alert.id_conflict")
            return
        if not self.tombstone and not _accepted(it.entry.alert.category, ctx.acceptance.categories):
            reason = "category not accepted from this peer by our policy"
            refuse(plan, row, it, reason, "alert.refused_by_policy")
            return
        if self.tombstone:
            # The origin's word that the alert is gone: its content goes, stored or not.
            plan.purges.append((it.item_id, it.version, False))
        try:
            check_newer(ctx.current.get(it.item_id), it.version, withdrawal=self.tombstone)
        except VersionRefused as exc:
            refuse(plan, row, it, exc.message, "alert.version_refused")
            return
        ctx.current[it.item_id] = Current(it.version, self.tombstone)
        if not self.tombstone:
            store_item(plan, it)
            return
        plan.purges[-1] = (it.item_id, it.version, True)
        if ctx.flagged is not None:  # the tombstone applies; its reason waits for a person
            hold(plan, row, it, "withdrawal-reason", ctx.flagged, keep_state=True)
        store_item(plan, it, withdraw_reason="" if ctx.flagged is not None else None)


ALERTS = _AlertFamily("alert", "alert", tombstone=False)
WITHDRAWALS = _AlertFamily("withdrawal", "withdrawal", tombstone=True)


def store_item(plan: Plan, it: Incoming, withdraw_reason: str | None = None) -> None:
    """Add the rows that make an alert or withdrawal live: its version, head and tokens."""
    e = it.entry
    is_alert = it.kind == ALERTS.kind
    item: alert_pb2.Alert | alert_pb2.Withdrawal
    if is_alert:
        item = e.alert
        plan.tokens.extend(
            (plan.origin, it.item_id, t.kind, t.epoch, t.value) for t in e.alert.subject.tokens
        )
    else:
        item = alert_pb2.Withdrawal()
        item.CopyFrom(e.withdrawal)
        if withdraw_reason is not None:
            item.reason = withdraw_reason
    plan.heads[it.item_id] = HeadChange(
        plan.origin,
        it.item_id,
        it.version,
        not is_alert,
        e.alert.category if is_alert else 0,
        e.alert.risk if is_alert else 0,
        plan.now,
    )
    plan.versions.append(
        {
            "origin": plan.origin,
            "alert_id": it.item_id,
            "version": it.version,
            "withdrawn": not is_alert,
            "purged": False,
            "body": item.SerializeToString(deterministic=True),
            "stored_at": plan.now,
        }
    )


def _accepted(category: int, accepted: frozenset[int]) -> bool:
    """A category the sender withheld is accepted only by a rule that accepts every category."""
    return category in accepted if category else accepted >= model.ALL_CATEGORIES
