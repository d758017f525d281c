"""Publishing through a transactional outbox.

One database transaction stores the alert version and writes one signed ChannelEntry per
recipient (next seq, previous entry's hash). If the process dies after commit, the senders find
the entries on restart; if it dies before, nothing was published.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from exchange._proto.v1 import alert_pb2, channel_pb2
from exchange.alerts.model import timestamp
from exchange.alerts.versions import Current, HeadChange, check_newer
from exchange.alerts.views import Disclosure, Item
from exchange.channel import entry_hash
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


def _head_change(item: Item, origin: str, now: datetime) -> HeadChange:
    if isinstance(item, alert_pb2.Alert):
        return HeadChange(origin, item.alert_id, item.version, False, item.category, item.risk, now)
    return HeadChange(origin, item.alert_id, item.version, True, 0, 0, now)


def publish(
    db: Database,
    origin: str,
    signer: SigningKey,
    recipients: Sequence[str],
    items: Sequence[Item],
    disclosure: Disclosure,
    now: datetime,
    also: Callable[[Session, list[Published]], None] | None = None,
) -> list[Published]:
    """Store items (alert versions or withdrawals) and queue them for recipients, atomically;
    `also` writes what belongs to the same change (an idempotency key) in that transaction."""
    out: list[Published] = []
    recipients = sorted(set(recipients) - {origin})  # fixed lock order
    signed_at = timestamp(now)
    with db.write() as s:
        current = repo.current_versions(s, origin, (i.alert_id for i in items))
        taken = received.taken_ids(s, origin, (i.alert_id for i in items))
        if taken:
            raise AlreadyExists(
                f"alert id {sorted(taken)[0]} is already held under another origin",
                hint="publish it again: a new alert gets a fresh id",
            )
        existing = set(current)
        heads: dict[str, HeadChange] = {}
        versions = []
        for item in items:
            withdrawal = isinstance(item, alert_pb2.Withdrawal)
            check_newer(current.get(item.alert_id), item.version, withdrawal=withdrawal)
            change = _head_change(item, origin, now)
            current[item.alert_id] = Current(item.version, withdrawal)
            heads[item.alert_id] = change
            versions.append(
                {
                    "origin": origin,
                    "alert_id": item.alert_id,
                    "version": item.version,
                    "withdrawn": withdrawal,
                    "body": item.SerializeToString(deterministic=True),
                    "stored_at": now,
                }
            )
        repo.write_alert_versions(s, versions, heads, existing)

        channels = {r: repo.lock_channel(s, origin, r) for r in recipients}
        got = repo.recipients_by_alert(s, origin, {i.alert_id for i in items})
        rows = []
        events: list[tuple[str, dict[str, object], str]] = []
        for item in items:
            had = got.setdefault(item.alert_id, set())
            sent: dict[str, list[str]] = {}
            withheld: dict[str, str] = {}
            for r in recipients:
                view = disclosure.view(item, r, r in had)
                if view.item is None:
                    withheld[r] = view.reason
                    continue
                ch = channels[r]
                handler = handler_for_item(view.item)
                entry = channel_pb2.ChannelEntry(
                    origin=origin,
                    recipient=r,
                    seq=ch.head_seq + 1,
                    prev_hash=ch.head_hash,
                    signed_at=signed_at,
                    schema=handler.schema,
                )
                getattr(entry, handler.member).CopyFrom(view.item)
                payload = entry.SerializeToString(deterministic=True)
                env = signer.sign(ENTRY_PAYLOAD_TYPE, payload)
                h = entry_hash(payload)
                rows.append(
                    {
                        "origin": origin,
                        "recipient": r,
                        "seq": entry.seq,
                        "entry_hash": h,
                        "envelope": env.SerializeToString(),
                        "item_id": item.alert_id,
                        "version": item.version,
                        "stored_at": now,
                        "item_kind": handler.kind,
                        "state": "stored",
                        "note": "",
                    }
                )
                ch.head_seq, ch.head_hash = entry.seq, h
                sent[r] = list(view.fields)
                had.add(r)
            out.append(
                Published(
                    item.alert_id,
                    item.version,
                    tuple(sent),
                    tuple(withheld),
                    tuple(sorted(withheld.items())),
                )
            )
            kind = (
                "alert.withdrawn"
                if isinstance(item, alert_pb2.Withdrawal)
                else ("alert.published" if item.version == 1 else "alert.amended")
            )
            # Who got which fields and who got nothing, and why: never the values.
            events.append(
                (
                    kind,
                    {
                        "alert_id": item.alert_id,
                        "version": item.version,
                        "sent": sent,
                        "withheld": withheld,
                    },
                    "",
                )
            )
        repo.insert_entries(s, rows)
        repo.append_audit_many(s, now, events)
        if also is not None:
            also(s, out)
    return out
