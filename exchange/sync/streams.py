"""Which inbound stream delivers each origin's channel here, and whether it still moves.

One stream per origin at a time is only an optimisation: when push and pull bring the same
channel at once, the second waits, then finds the entries stored and skips verifying them
(applying has its own lock). Waiting must never stall delivery, so:

- a new Push from an origin takes over at once from an older Push of the same origin (a peer
  runs one sender per channel: the older stream is dead, e.g. its host lost power and the
  connection stayed half-open); the older one is ended with UNAVAILABLE;
- any other stream waits only while the holder keeps moving: once the holder has brought
  nothing for STALE_AFTER seconds, the new stream goes ahead without the hold;
- a holder that has brought nothing for STALL_AFTER seconds is shown in `exchange status`.

Keepalive (exchange.node.rpc) closes the dead connection itself a little later.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TypeVar

from exchange.clock import SYSTEM, Clock, wait_event
from exchange.errors import PeerError

log = logging.getLogger("exchange.streams")
T = TypeVar("T")
STALE_AFTER = 2.0
STALL_AFTER = 1.5  # below the earliest keepalive close (3 s), so a stall is seen first
PUSH, PULL = "push", "pull"


@dataclass(eq=False)
class Stream:
    """One inbound stream of an origin's channel (a Push from it, or our Pull from it)."""

    origin: str
    kind: str
    clock: Clock = SYSTEM
    progress: float = -1.0  # clock.monotonic() when it last brought a batch (set at creation)
    superseded: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        if self.progress < 0:
            self.touch()

    def touch(self) -> None:
        self.progress = self.clock.monotonic()

    def idle(self) -> float:
        return self.clock.monotonic() - self.progress

    async def next(self, queue: asyncio.Queue[T]) -> T:
        """The next item of the stream's queue; PeerError once a newer stream took over."""
        if not queue.empty():
            return queue.get_nowait()
        getter = asyncio.ensure_future(queue.get())
        ended = asyncio.ensure_future(self.superseded.wait())
        try:
            await asyncio.wait((getter, ended), return_when=asyncio.FIRST_COMPLETED)
        except BaseException:  # cancelled: leave no task waiting on the queue
            getter.cancel()
            raise
        finally:
            ended.cancel()
        if getter.done():
            return getter.result()
        getter.cancel()
        raise PeerError(
            f"a newer {self.kind} stream from {self.origin} took over this one",
            hint="the sender's older connection is dead; the newer one carries the channel",
        )


class StreamHolds:
    """The holder of each origin's channel (in memory, one event loop)."""

    def __init__(self, stale_after: float = STALE_AFTER, clock: Clock = SYSTEM) -> None:
        self.stale_after = stale_after
        self.clock = clock
        self._held: dict[str, Stream] = {}

    async def acquire(self, stream: Stream) -> bool:
        """Hold stream's origin; False if the stream goes ahead without (holder stale)."""
        while True:
            holder = self._held.get(stream.origin)
            if holder is None:
                self._held[stream.origin] = stream
                return True
            if stream.kind == PUSH and holder.kind == PUSH:
                log.info(
                    "a new push from %s replaces one idle for %.0fs", stream.origin, holder.idle()
                )
                holder.superseded.set()
                self._held[stream.origin] = stream
                return True
            wait = self.stale_after - holder.idle()
            if wait <= 0:
                return False
            await wait_event(self.clock, holder.released, wait)

    def release(self, stream: Stream) -> None:
        stream.released.set()
        if self._held.get(stream.origin) is stream:
            del self._held[stream.origin]

    def stalled(self, origin: str) -> str:
        """Why the origin's inbound channel looks stuck, or ""."""
        holder = self._held.get(origin)
        if holder is None or holder.idle() < STALL_AFTER:
            return ""
        return f"inbound {holder.kind} from {origin}: nothing received for {holder.idle():.0f}s"
