"""The link board: what this process knows of its link to each peer (in memory only).

Written by the sync loops and the Exchange servicer, read by `exchange status`. Times that
measure idleness are on the injected clock (exchange.clock), so tests move time instead of
sleeping.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from exchange.clock import SYSTEM, Clock
from exchange.sync.streams import STALL_AFTER

log = logging.getLogger("exchange.node")


@dataclass
class LinkState:
    """What this process knows of its link to one peer (not persisted)."""

    connected: bool = False
    last_contact: datetime | None = None
    last_error: str = ""
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    pulls_served: int = 0  # Pull streams we are serving to the peer now
    pull_progress: float = 0.0  # clock.monotonic() when a served Pull last sent a batch
    unacked_since: float | None = None  # our oldest sent entry the peer has not acked, since
    trust_wake: asyncio.Event = field(default_factory=asyncio.Event)


class LinkBoard(dict[str, LinkState]):
    """Every peer's LinkState by country; a dict, so callers index it as before."""

    def __init__(self, clock: Clock = SYSTEM) -> None:
        super().__init__()
        self.clock = clock

    def link(self, country: str) -> LinkState:
        return self.setdefault(country, LinkState())

    def mark_ok(self, country: str) -> None:
        link = self.link(country)
        if not link.connected:
            log.info("link to %s up", country)
        link.connected, link.last_contact, link.last_error = True, self.clock.now(), ""

    def mark_failed(self, country: str, reason: str) -> None:
        link = self.link(country)
        if link.connected or link.last_error != reason:
            log.warning("link to %s: %s", country, reason)
        link.connected, link.last_error = False, reason

    def contact(self, country: str) -> LinkState:
        """The peer just called us."""
        link = self.link(country)
        link.last_contact = self.clock.now()
        return link

    def push_stalled(self, country: str, pending: bool) -> str:
        """Why our push to country looks stuck, or "": entries unacknowledged too long."""
        link = self.get(country)
        since = link.unacked_since if link and pending else None
        if since is not None and (idle := self.clock.monotonic() - since) >= STALL_AFTER:
            return f"push to {country}: no acknowledgement for {idle:.0f}s"
        return ""

    def wake_senders(self) -> None:
        for link in self.values():
            link.wake.set()

    def wake_trust(self) -> None:
        for link in self.values():
            link.trust_wake.set()
