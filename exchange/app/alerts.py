"""Alert use cases: publish, amend and withdraw this node's own alerts.

Called by the Operator servicer (and later the web console); they raise `exchange.errors.Error`
and never trust the caller for what the node knows itself: ids, origin, versions, times, and
the base of an amendment come from this node's own store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import uuid6
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from exchange import bounds
from exchange._proto.v1 import alert_pb2, operator_pb2
from exchange.alerts import model
from exchange.alerts.amend import apply_changes, changed_fields
from exchange.alerts.pii import check_summary, find_pii
from exchange.alerts.views import Item
from exchange.app import keyed as keyed_mod
from exchange.app.listing import AlertView, view
from exchange.errors import MalformedInput, NotFound, VersionRefused
from exchange.node import faults
from exchange.store import alert_ids, idempotency, repo
from exchange.store.idempotency import Keyed
from exchange.store.models import AlertVersion
from exchange.sync import outbox

if TYPE_CHECKING:
    from exchange.node.runtime import Node

MAX_PII_REASON = 300


def refuse_unknown_fields(msg: alert_pb2.Alert) -> None:
    """A request carrying fields this schema does not define is refused, not passed on."""
    copy = alert_pb2.Alert()
    copy.CopyFrom(msg)
    copy.DiscardUnknownFields()
    if copy.ByteSize() != msg.ByteSize():
        raise MalformedInput(
            "the alert holds fields this node does not know",
            hint="use an `exchange` command of the same version as the node",
        )


async def guard(node: Node, item: Item, now: datetime, allow_pii: str) -> None:
    """The personal-data guard on every free-text field; an override is audited by the kinds
    found, by field, and the reason, never the text."""
    texts = model.free_text(item)
    if not allow_pii:
        for name, text in texts:
            check_summary(text, now.date(), field=name)
        return
    if p := bounds.text_problem(allow_pii, "the --allow-pii reason", MAX_PII_REASON):
        raise MalformedInput(p)
    kinds = {
        name: sorted({f.kind for f in found})
        for name, text in texts
        if (found := find_pii(text, now.date()))
    }
    if kinds:
        await node.audit(
            "alert.pii_override",
            {
                "alert_id": item.alert_id,
                "version": item.version,
                "kinds": kinds,
                "reason": allow_pii,
            },
        )


async def _stamp(node: Node, alert: alert_pb2.Alert, now: datetime, allow_pii: str) -> None:
    alert.origin = node.country
    alert.issued_at.CopyFrom(model.timestamp(now))
    if not alert.HasField("valid_until"):  # every alert has a review date
        days = node.config.retention.review_days
        alert.valid_until.CopyFrom(model.timestamp(now + timedelta(days=days)))
    model.validate(alert, now=now)
    await guard(node, alert, now, allow_pii)


async def _publish(node: Node, item: Item, now: datetime, key: Keyed | None = None) -> AlertView:
    recipients = await node.recipients()
    note = ""

    def keep(s: Session, published: list[outbox.Published]) -> None:
        nonlocal note
        p = published[0]
        if not p.recipients:
            note = keyed_mod.no_recipients_reason(len(recipients), dict(p.withheld_why))
        if key is not None:
            idempotency.save(s, key, item.alert_id, item.version, len(p.recipients), note, now)

    try:
        published = [await node.publishing.publish(item, recipients, now, keep)]
    except IntegrityError:
        if key is not None and (first := await replayed(node, key, now)) is not None:
            return first  # a concurrent retry with the same key won
        raise VersionRefused("a concurrent change took that version; retry") from None
    faults.maybe_crash("crash-after-commit")
    node.wake_senders()
    row = AlertVersion(
        origin=node.country,
        alert_id=item.alert_id,
        version=item.version,
        withdrawn=isinstance(item, alert_pb2.Withdrawal),
        purged=False,
        body=item.SerializeToString(deterministic=True),
        stored_at=now,
    )
    return replace(view(row, len(published[0].recipients)), no_recipients_reason=note)


async def replayed(node: Node, key: Keyed, now: datetime) -> AlertView | None:
    """The first result of a request made again with its idempotency key, or None; the same
    key for another request is refused."""

    def load() -> tuple[str, str, AlertVersion | None, int, str] | None:
        with node.db.read() as s:
            k = idempotency.lookup(s, key.key, now)
            if k is None:
                return None
            row = s.get(AlertVersion, (node.country, k.alert_id, k.version))
            return k.operation, k.request_digest, row, k.recipients, k.note

    found = await node.run_db(load)
    if found is None:
        return None
    operation, digest, row, recipients, note = found
    keyed_mod.refuse_reuse(key, operation, digest)
    if row is None:
        return None
    return replace(view(row, recipients), no_recipients_reason=note, replayed=True)


async def publish(
    node: Node, draft: alert_pb2.Alert, now: datetime, *, allow_pii: str = "", key: str = ""
) -> AlertView:
    """A new alert, version 1, with an id this node makes. `key`: the caller's idempotency
    key (a retry with the same key and draft returns the first result)."""
    request = operator_pb2.PublishAlertRequest(allow_pii_reason=allow_pii)
    if draft.ByteSize():
        request.alert.CopyFrom(draft)
    keyed = keyed_mod.keyed("publish", key, request)
    if keyed is not None and (first := await replayed(node, keyed, now)) is not None:
        return first
    refuse_unknown_fields(draft)
    alert = alert_pb2.Alert()
    alert.CopyFrom(draft)
    alert.alert_id = str(uuid6.uuid7())
    alert.version = 1
    await _stamp(node, alert, now, allow_pii)
    return await _publish(node, alert, now, keyed)


async def own_current(node: Node, alert_id: str) -> AlertVersion:
    """The latest version of one of this node's own alerts (never another origin's), named
    by its id or an unambiguous prefix of it."""
    prefix = keyed_mod.id_prefix(alert_id)

    def latest() -> AlertVersion | None:
        with node.db.read() as s:
            found = alert_ids.with_prefix(s, node.country, prefix)
            if not found:
                return None
            rows = repo.alert_versions(s, node.country, keyed_mod.pick(alert_id, found)[1])
            return rows[-1] if rows else None

    row = await node.run_db(latest)
    if row is None:
        raise NotFound(
            f"no alert {alert_id[:40]!r} published by this node",
            hint="only the publishing country can amend or withdraw an alert; "
            "see `exchange alerts list --origin " + node.country + "`",
        )
    return row


async def amend(
    node: Node,
    alert_id: str,
    changes: alert_pb2.Alert,
    fields: Sequence[str],
    now: datetime,
    *,
    allow_pii: str = "",
    key: str = "",
) -> AlertView:
    """The next version: our own current version with only the named fields changed (those
    `changes` sets, when no field is named)."""
    request = operator_pb2.AmendAlertRequest(
        allow_pii_reason=allow_pii, alert_id=alert_id, fields=fields
    )
    if changes.ByteSize():
        request.changes.CopyFrom(changes)
    keyed = keyed_mod.keyed("amend", key, request)
    if keyed is not None and (first := await replayed(node, keyed, now)) is not None:
        return first
    refuse_unknown_fields(changes)
    current = await own_current(node, alert_id)
    if current.withdrawn:
        raise VersionRefused(f"alert {current.alert_id} was withdrawn; it cannot be amended")
    named = list(fields) or changed_fields(changes)
    if not named:
        raise MalformedInput("nothing to change", hint="give the fields to amend, e.g. --risk")
    base = alert_pb2.Alert.FromString(current.body)
    alert = apply_changes(base, changes, named)
    if alert == base:
        raise MalformedInput(
            f"the amendment changes nothing: version {current.version} already says that",
            hint="see `exchange alerts show " + current.alert_id + "`",
        )
    alert.version = current.version + 1
    await _stamp(node, alert, now, allow_pii)
    return await _publish(node, alert, now, keyed)


async def withdraw(
    node: Node, alert_id: str, reason: str, now: datetime, *, key: str = ""
) -> AlertView:
    """A tombstone version: receivers delete the content and keep the id and version."""
    request = operator_pb2.WithdrawAlertRequest(alert_id=alert_id, reason=reason)
    keyed = keyed_mod.keyed("withdraw", key, request)
    if keyed is not None and (first := await replayed(node, keyed, now)) is not None:
        return first
    current = await own_current(node, alert_id)
    w = alert_pb2.Withdrawal(
        alert_id=current.alert_id,
        version=current.version + 1,
        origin=node.country,
        reason=reason,
    )
    w.issued_at.CopyFrom(model.timestamp(now))
    model.validate_withdrawal(w, now=now)
    await guard(node, w, now, "")
    return await _publish(node, w, now, keyed)
