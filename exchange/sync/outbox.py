"""Publishing through a transactional outbox: a pure plan, and one transaction that writes it.

`plan_publish` decides, with no I/O: which versions are newer than what is held, which view of
each item every recipient gets through the policy (or why it gets none), the next signed entry
on each channel (next seq, previous entry's hash), and the audit events. `publish` reads what
the plan needs, and writes the versions, the entries and the new channel heads in one database
transaction. If the process dies after commit, the senders find the entries on restart; if it
dies before, nothing was published.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from google.protobuf.message import Message
from sqlalchemy.orm import Session

from exchange._proto.v1 import alert_pb2, channel_pb2
from exchange.alerts.model import timestamp
from exchange.alerts.versions import Current, HeadChange, check_newer
from exchange.alerts.views import Disclosure, Item
from exchange.channel import Head, entry_hash
from exchange.envelope import ENTRY_PAYLOAD_TYPE, SigningKey
from exchange.errors import AlreadyExists
from exchange.items.registry import handler_for_item
from exchange.store import received, repo
from exchange.store.db import Database


@dataclass(frozen=True)
class Published:
    alert_id: str
    version: int
    recipients: tuple[str, ...]
    withheld: tuple[str, ...]
    withheld_why: tuple[tuple[str, str], ...] = ()  # (recipient, the policy's reason)


@dataclass
class PublishPlan:
    """What one publish writes: versions and heads, one entry per recipient that gets a view,
    the channels' new heads, the audit events, and what each item did."""

    versions: list[dict[str, Any]] = field(default_factory=list)
    heads: dict[str, HeadChange] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)
    channel_heads: dict[str, Head] = field(default_factory=dict)
    events: list[tuple[str, dict[str, object], str]] = field(default_factory=list)
    published: list[Published] = field(default_factory=list)


def _head_change(item: Item, origin: str, now: datetime) -> HeadChange:
    if isinstance(item, alert_pb2.Alert):
        return HeadChange(origin, item.alert_id, item.version, False, item.category, item.risk, now)
    return HeadChange(origin, item.alert_id, item.version, True, 0, 0, now)


def _refuse_taken(taken: frozenset[str]) -> None:
    if taken:
        raise AlreadyExists(
            f"alert id {sorted(taken)[0]} is already held under another origin",
            hint="publish it again: a new alert gets a fresh id",
        )


def queue_entry(
    origin: str,
    recipient: str,
    head: Head,
    item: Message,
    item_id: str,
    version: int,
    signer: SigningKey,
    now: datetime,
) -> tuple[dict[str, Any], Head]:
    """The next signed entry on a channel, carrying `item` (any kind), and the new head."""
    handler = handler_for_item(item)
    entry = channel_pb2.ChannelEntry(
        origin=origin,
        recipient=recipient,
        seq=head.seq + 1,
        prev_hash=head.hash,
        signed_at=timestamp(now),
        schema=handler.schema,
    )
    getattr(entry, handler.member).CopyFrom(item)
    payload = entry.SerializeToString(deterministic=True)
    h = entry_hash(payload)
    row = {
        "origin": origin,
        "recipient": recipient,
        "seq": entry.seq,
        "entry_hash": h,
        "envelope": signer.sign(ENTRY_PAYLOAD_TYPE, payload).SerializeToString(),
        "item_id": item_id,
        "version": version,
        "stored_at": now,
        "item_kind": handler.kind,
        "state": "stored",
        "note": "",
    }
    return row, head.advance(entry.seq, h)


def plan_publish(
    origin: str,
    signer: SigningKey,
    items: Sequence[Item],
    disclosure: Disclosure,
    now: datetime,
    *,
    current: Mapping[str, Current],
    taken: frozenset[str],
    channels: Mapping[str, Head],
    sent_before: Mapping[str, set[str]],
) -> PublishPlan:
    """Decide a publish (no I/O). `channels`: each recipient's channel head; `sent_before`:
    for each alert id, the recipients that were sent a version of it (a withdrawal follows)."""
    _refuse_taken(taken)
    plan = PublishPlan(channel_heads=dict(channels))
    held = dict(current)
    had = {k: set(v) for k, v in sent_before.items()}
    for item in items:
        withdrawal = isinstance(item, alert_pb2.Withdrawal)
        check_newer(held.get(item.alert_id), item.version, withdrawal=withdrawal)
        held[item.alert_id] = Current(item.version, withdrawal)
        plan.heads[item.alert_id] = _head_change(item, origin, now)
        plan.versions.append(
            {
                "origin": origin,
                "alert_id": item.alert_id,
                "version": item.version,
                "withdrawn": withdrawal,
                "body": item.SerializeToString(deterministic=True),
                "stored_at": now,
            }
        )
    for item in items:
        got = had.setdefault(item.alert_id, set())
        sent: dict[str, list[str]] = {}
        withheld: dict[str, str] = {}
        for r in sorted(plan.channel_heads):
            view = disclosure.view(item, r, r in got)
            if view.item is None:
                withheld[r] = view.reason
                continue
            row, plan.channel_heads[r] = queue_entry(
                origin,
                r,
                plan.channel_heads[r],
                view.item,
                item.alert_id,
                item.version,
                signer,
                now,
            )
            plan.entries.append(row)
            sent[r] = list(view.fields)
            got.add(r)
        plan.published.append(
            Published(
                item.alert_id,
                item.version,
                tuple(sent),
                tuple(withheld),
                tuple(sorted(withheld.items())),
            )
        )
        event = (
            "alert.withdrawn"
            if isinstance(item, alert_pb2.Withdrawal)
            else ("alert.published" if item.version == 1 else "alert.amended")
        )
        # Who got which fields and who got nothing, and why: never the values.
        plan.events.append(
            (
                event,
                {
                    "alert_id": item.alert_id,
                    "version": item.version,
                    "sent": sent,
                    "withheld": withheld,
                },
                "",
            )
        )
    return plan


def publish(
    db: Database,
    origin: str,
    signer: SigningKey,
    recipients: Sequence[str],
    items: Sequence[Item],
    disclosure: Disclosure,
    now: datetime,
    also: Callable[[Session, list[Published]], None] | None = None,
    actors: Sequence[dict[str, Any] | None] | None = None,
) -> list[Published]:
    """Store items (alert versions or withdrawals) and queue them for recipients, atomically;
    `also` writes what belongs to the same change (an idempotency key) in that transaction;
    `actors`: who asked for each item, when several callers share the transaction."""
    ids = [i.alert_id for i in items]
    with db.write() as s:
        current = repo.current_versions(s, origin, ids)
        taken = received.taken_ids(s, origin, ids)
        _refuse_taken(taken)  # before any channel is locked
        rows = {
            r: repo.lock_channel(s, origin, r)
            for r in sorted(set(recipients) - {origin})  # fixed lock order
        }
        plan = plan_publish(
            origin,
            signer,
            items,
            disclosure,
            now,
            current=current,
            taken=taken,
            channels={r: Head(c.head_seq, c.head_hash) for r, c in rows.items()},
            sent_before=repo.recipients_by_alert(s, origin, set(ids)),
        )
        repo.write_alert_versions(s, plan.versions, plan.heads, set(current))
        for r, head in plan.channel_heads.items():
            rows[r].head_seq, rows[r].head_hash = head.seq, head.hash
        repo.insert_entries(s, plan.entries)
        repo.append_audit_many(s, now, plan.events, actors)
        if also is not None:
            also(s, plan.published)
    return plan.published
