"""The record desk: decides received record requests by policy after their batch commits
(refuse, answer automatically, or queue for an approver), and wakes the senders."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from exchange.app import records

if TYPE_CHECKING:
    from exchange.node.runtime import Node

log = logging.getLogger(__name__)
IDLE_SECONDS = 30.0  # a pass also runs this often, for requests a crash left undecided


class RecordDesk:
    def __init__(self, node: Node) -> None:
        self.node = node
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_SECONDS)
            self._wake.clear()
            try:
                await self.pass_once()
            except Exception as exc:  # keep going; never log the text (it may echo rows)
                log.error("record desk pass failed: %s", type(exc).__name__)

    async def pass_once(self) -> int:
        done = await self.node.run_db(records.decide_received, self.node, self.node.clock.now())
        if done:
            self.node.wake_senders()
        return done
