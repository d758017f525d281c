"""Reading alerts: the list of latest versions, and every version of one alert.

`AlertView` is how every use case hands back a stored version; reading an alert's content
through `show` is audited (by id and version count, never the content)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from exchange._proto.v1 import alert_pb2
from exchange.alerts import model
from exchange.app import keyed
from exchange.errors import MalformedInput, NotFound
from exchange.store import alert_ids, repo
from exchange.store.models import AlertVersion

if TYPE_CHECKING:
    from exchange.node.runtime import Node

DEFAULT_LIST = 100
MAX_LIST = 10_000


@dataclass(frozen=True)
class AlertView:
    """One version. For a withdrawal or a purged version `alert` holds only the id, version
    and origin (and a withdrawal's time); the content is gone or never was."""

    alert: alert_pb2.Alert
    withdrawn: bool = False
    withdraw_reason: str = ""
    purged: bool = False
    stored_at: datetime | None = None
    recipients: int = 0
    no_recipients_reason: str = ""
    replayed: bool = False


def view(row: AlertVersion, recipients: int = 0) -> AlertView:
    """One stored version as the use cases return it."""
    alert = alert_pb2.Alert()
    reason = ""
    if row.withdrawn:
        w = alert_pb2.Withdrawal.FromString(row.body)
        reason = w.reason
        alert.alert_id, alert.version, alert.origin = w.alert_id, w.version, w.origin
        alert.issued_at.CopyFrom(w.issued_at)
    elif row.purged:  # content removed by a withdrawal: the id and version remain
        alert.alert_id, alert.version, alert.origin = row.alert_id, row.version, row.origin
    else:
        alert.CopyFrom(alert_pb2.Alert.FromString(row.body))
    return AlertView(
        alert=alert,
        withdrawn=row.withdrawn,
        withdraw_reason=reason,
        purged=row.purged,
        stored_at=row.stored_at,
        recipients=recipients,
    )


async def list_alerts(node: Node, origin: str, limit: int) -> list[AlertView]:
    """The latest version of each alert held (of one origin, if given), newest first."""
    limit = min(limit or DEFAULT_LIST, MAX_LIST)

    def load() -> list[AlertView]:
        with node.db.read() as s:
            heads = repo.alert_heads(s, origin or None, limit)
            out = []
            for h in heads:
                row = s.get(AlertVersion, (h.origin, h.alert_id, h.version))
                if row is not None:
                    out.append(view(row))
            return out

    return await node.run_db(load)


async def versions(node: Node, alert_id: str, origin: str) -> list[AlertView]:
    """Every version of one alert, named by (origin, id); origin may be omitted when only one
    country's alert has that id here."""
    if origin and not model.is_country(origin):
        raise MalformedInput(f"unknown country {origin[:8]!r}", hint="use a code such as kz")

    prefix = keyed.id_prefix(alert_id)

    def load() -> list[AlertView]:
        with node.db.read() as s:
            found = alert_ids.with_prefix(s, origin or None, prefix)
            ids = {a for _, a in found}
            if len(ids) == 1 and len(found) > 1:
                origins = sorted(o for o, _ in found)
                raise MalformedInput(
                    f"alert id {found[0][1]} is held from {', '.join(origins)}",
                    hint="name the country: --origin " + origins[0],
                )
            if not found:
                return []
            o, aid = keyed.pick(alert_id, found)
            return [view(r) for r in repo.alert_versions(s, o, aid)]

    out = await node.run_db(load)
    if not out:
        raise NotFound(
            f"no alert {alert_id[:40]!r}" + (f" from {origin}" if origin else "") + " on this node",
            hint="see `exchange alerts list` for the alerts this node holds",
        )
    return out


async def show(node: Node, alert_id: str, origin: str) -> list[AlertView]:
    """Every version of one alert, for a person to read: the read is audited, by id only."""
    found = await versions(node, alert_id, origin)
    first = found[0].alert
    await node.audit(
        "alert.read",
        {"alert_id": first.alert_id, "origin": first.origin, "versions": len(found)},
    )
    return found
