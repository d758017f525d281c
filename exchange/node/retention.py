"""The retention loop: every `[retention] interval_seconds`, drop what passed its review date
(exchange.store.retention), in the database thread, and audit it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from exchange.store import retention

if TYPE_CHECKING:
    from exchange.node.runtime import Node

log = logging.getLogger(__name__)


async def run(node: Node, stopping: asyncio.Event) -> None:
    every = node.config.retention.interval_seconds
    while not stopping.is_set():
        try:
            await pass_once(node)
        except Exception as exc:  # keep going; never log row content
            log.error("retention pass failed: %s", type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), every)


async def pass_once(node: Node) -> dict[str, list[str]]:
    cfg = node.config.retention

    def work() -> dict[str, list[str]]:
        now = node.clock.now()
        with node.db.write() as s:
            out = retention.expire(s, node.country, now, bool(cfg.purge_own))
        with node.db.write() as s:
            cut = retention.prune_audit(s, node.country, node.identity.signing, now, cfg.audit_days)
        if cut:
            out["audit_through"] = [str(cut)]
        return out

    return await node.run_db(work)
