"""Publishes that arrive together are written together, in one write transaction.

Each PublishAlert (amend, withdraw) is its own Operator call, and at a steady load they
overlap. One write transaction per call made the write lock the limit: a node accepted about
50-80 alerts/s and the rest queued, so the time to reach peers grew to hundreds of ms. Here the
first call is written at once, alone; calls that arrive while a transaction runs wait for it
and are written together in the next one (up to MAX_GROUP, one item per alert id). If a shared
transaction fails, its calls are written again one by one, so one refused item (a version taken
meanwhile, a reused idempotency key) never refuses another, and each caller gets its own error.
Every audit event names the user who asked for its item, not whoever's call came first.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from exchange import actor
from exchange.alerts.views import Item
from exchange.sync import outbox

if TYPE_CHECKING:
    from exchange.node.runtime import Node

MAX_GROUP = 64
Keep = Callable[[Session, list[outbox.Published]], None]


@dataclass
class _Call:
    item: Item
    recipients: Sequence[str]
    keep: Keep | None
    now: datetime
    by: dict[str, Any] | None
    done: asyncio.Future[outbox.Published]


class PublishGroups:
    def __init__(self, node: Node) -> None:
        self.node = node
        self._waiting: list[_Call] = []
        self._drain: asyncio.Task[None] | None = None

    async def publish(
        self, item: Item, recipients: Sequence[str], now: datetime, keep: Keep | None = None
    ) -> outbox.Published:
        """Store and queue one item, in a transaction it may share with concurrent calls."""
        loop = asyncio.get_running_loop()
        call = _Call(item, recipients, keep, now, actor.current(), loop.create_future())
        self._waiting.append(call)
        if self._drain is None or self._drain.done():
            # An empty context: the drain outlives this call and writes for other users too.
            self._drain = loop.create_task(self._run(), context=contextvars.Context())
        return await call.done

    async def _run(self) -> None:
        while self._waiting:
            group: list[_Call] = []
            later: list[_Call] = []
            ids: set[str] = set()
            for c in self._waiting:
                if len(group) < MAX_GROUP and c.item.alert_id not in ids and _same(group, c):
                    group.append(c)
                    ids.add(c.item.alert_id)
                else:
                    later.append(c)
            self._waiting = later
            if len(group) > 1:
                try:
                    published = await self._write(group)
                except Exception:
                    pass  # written again one by one below, each with its own outcome
                else:
                    for c, p in zip(group, published, strict=True):
                        if not c.done.done():
                            c.done.set_result(p)
                    continue
            for c in group:
                try:
                    (p,) = await self._write([c])
                except Exception as exc:
                    if not c.done.done():
                        c.done.set_exception(exc)
                else:
                    if not c.done.done():
                        c.done.set_result(p)

    async def _write(self, group: list[_Call]) -> list[outbox.Published]:
        node = self.node

        def also(s: Session, published: list[outbox.Published]) -> None:
            for c, p in zip(group, published, strict=True):
                if c.keep is not None:
                    c.keep(s, [p])

        return await node.run_db(
            outbox.publish,
            node.db,
            node.country,
            node.identity.signing,
            group[0].recipients,
            [c.item for c in group],
            node.disclosure,
            max(c.now for c in group),
            also,
            [c.by for c in group],
        )


def _same(group: list[_Call], c: _Call) -> bool:
    """Calls share a transaction only when they go to the same peers (one peer list read)."""
    return not group or list(group[0].recipients) == list(c.recipients)
