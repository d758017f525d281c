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


@dataclass(frozen=True)
class AlertFilter:
    """What the inbox asks for: a page of the latest versions, newest first."""

    origin: str = ""
    offset: int = 0
    category: int = 0
    min_risk: int = 0
    handling: int = 0
    since: datetime | None = None
    received_only: bool = False


MAX_OFFSET = 1_000_000
HANDLING_SCAN = 5_000  # handling is not indexed: at most this many heads are read to fill a page


async def list_alerts(
    node: Node, origin: str, limit: int, where: AlertFilter | None = None
) -> list[AlertView]:
    """The latest version of each alert held (of one origin, if given), newest first."""
    return (await page(node, limit, where or AlertFilter(origin=origin)))[0]


async def page(node: Node, limit: int, where: AlertFilter) -> tuple[list[AlertView], bool]:
    """One page of latest versions matching `where`, and whether more follow. Every filter but
    handling is a SQL condition on the heads table; handling is read from the versions."""
    limit = min(limit or DEFAULT_LIST, MAX_LIST)
    if where.origin and not model.is_country(where.origin):
        raise MalformedInput(f"unknown country {where.origin[:8]!r}", hint="use a code such as kz")
    if where.offset > MAX_OFFSET:
        raise MalformedInput(f"an offset is at most {MAX_OFFSET}")
    me = node.config.country

    def load() -> tuple[list[AlertView], bool]:
        with node.db.read() as s:
            if not where.handling:
                heads = repo.alert_heads_page(
                    s, where, me if where.received_only else None, where.offset, limit + 1
                )
                rows = [s.get(AlertVersion, (h.origin, h.alert_id, h.version)) for h in heads]
                out = [view(r) for r in rows if r is not None]
                return out[:limit], len(out) > limit
            heads = repo.alert_heads_page(
                s, where, me if where.received_only else None, 0, HANDLING_SCAN
            )
            picked: list[AlertView] = []
            skip = where.offset
            for h in heads:
                r = s.get(AlertVersion, (h.origin, h.alert_id, h.version))
                if r is None:
                    continue
                v = view(r)
                if v.alert.handling != where.handling:
                    continue
                if skip:
                    skip -= 1
                    continue
                picked.append(v)
                if len(picked) > limit:
                    break
            return picked[:limit], len(picked) > limit

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
