"""The one injected clock: wall time, monotonic time and sleeping, so tests move time.

Everything in the node that waits or measures an interval (sync loops, backoff, stall and
stale detection, rate limits, trust timers) takes a `Clock` instead of reading `time` or
`datetime` itself. `SystemClock` is the real one; `ManualClock` stands still until a test
advances it, and wakes the sleepers whose deadline has passed.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Wall time, timezone-aware UTC (signatures, windows, audit)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (intervals, idleness, rates)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""
        ...


class SystemClock:
    """The host's clocks and the event loop's timer."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


SYSTEM = SystemClock()


class ManualClock:
    """A clock that moves only when told: `advance` wakes every sleeper now past its deadline.

    Sleepers are woken in deadline order; after `advance` the woken tasks have had a chance
    to run (it yields to the loop), so a test can assert right after moving time."""

    def __init__(self, start: datetime | None = None, monotonic: float = 1000.0) -> None:
        self._wall = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._mono = monotonic
        self._order = itertools.count()
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []

    def now(self) -> datetime:
        return self._wall

    def monotonic(self) -> float:
        return self._mono

    @property
    def sleepers(self) -> int:
        """How many tasks wait on this clock now (a test waits for a loop to go to sleep)."""
        return sum(1 for *_, f in self._sleepers if not f.done())

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._mono + seconds, next(self._order), fut))
        await fut

    async def advance(self, seconds: float) -> None:
        """Move both clocks forward and let every sleeper due by then run.

        Tasks that are ready run first, so a sleep they are about to start counts from now."""
        await settle()
        target = self._mono + seconds
        while self._sleepers and self._sleepers[0][0] <= target:
            due, _, fut = heapq.heappop(self._sleepers)
            self._wall += timedelta(seconds=due - self._mono)
            self._mono = due
            if not fut.done():
                fut.set_result(None)
            await settle()
        self._wall += timedelta(seconds=target - self._mono)
        self._mono = target
        await settle()


async def settle(rounds: int = 20) -> None:
    """Yield to the event loop a few times so woken tasks reach their next wait."""
    for _ in range(rounds):
        await asyncio.sleep(0)


async def wait_event(clock: Clock, event: asyncio.Event, timeout: float) -> bool:
    """Wait until `event` is set or `timeout` seconds of `clock` pass; True if it was set.

    What `asyncio.wait_for(event.wait(), timeout)` does, on the injected clock."""
    if event.is_set():
        return True
    waiter = asyncio.ensure_future(event.wait())
    timer = asyncio.ensure_future(clock.sleep(timeout))
    try:
        await asyncio.wait((waiter, timer), return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
        timer.cancel()
    return event.is_set()
