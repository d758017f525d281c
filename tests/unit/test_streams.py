"""Who holds an origin's inbound channel (exchange.sync.streams): a dead stream never makes the
next one wait for long. Real asyncio, real time (a few tenths of a second)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from exchange.errors import PeerError
from exchange.sync.streams import PULL, PUSH, Stream, StreamHolds

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 5))


def test_new_push_replaces_a_dead_push_at_once() -> None:
    """kz's host lost power mid-push; its restarted sender's push must not wait for the old."""

    async def scenario() -> tuple[bool, float]:
        holds = StreamHolds(stale_after=30.0)
        old, new = Stream("kz", PUSH), Stream("kz", PUSH)
        assert await holds.acquire(old)
        queue: asyncio.Queue[int] = asyncio.Queue()
        waiting = asyncio.ensure_future(old.next(queue))  # the old stream waits for a batch
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        held = await holds.acquire(new)
        took = loop.time() - t0
        with pytest.raises(PeerError, match="newer push stream from kz"):
            await waiting
        holds.release(old)  # the old stream ends: the new one keeps the hold
        assert holds._held["kz"] is new
        return held, took

    held, took = run(scenario())
    assert held and took < 0.1


def test_stream_waits_for_a_moving_holder_then_takes_the_hold() -> None:
    async def scenario() -> bool:
        holds = StreamHolds(stale_after=0.3)
        pull, push = Stream("kz", PULL), Stream("kz", PUSH)
        assert await holds.acquire(pull)

        async def moving_pull() -> None:
            for _ in range(5):  # brings a batch every 0.1 s for 0.5 s, then ends
                await asyncio.sleep(0.1)
                pull.touch()
            holds.release(pull)

        task = asyncio.ensure_future(moving_pull())
        held = await holds.acquire(push)
        assert task.done(), "the push did not wait for the moving pull"
        return held

    assert run(scenario()) is True


def test_stream_goes_ahead_of_a_stale_holder() -> None:
    """Our pull from kz hangs on a dead connection: kz's new push waits stale_after, no more."""

    async def scenario() -> tuple[bool, float]:
        holds = StreamHolds(stale_after=0.3)
        pull, push = Stream("kz", PULL), Stream("kz", PUSH)
        assert await holds.acquire(pull)
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        held = await holds.acquire(push)
        return held, loop.time() - t0

    held, took = run(scenario())
    assert held is False and 0.25 < took < 1.0


def test_stale_holder_is_reported_stalled() -> None:
    async def scenario() -> tuple[str, str]:
        holds = StreamHolds()
        s = Stream("kg", PUSH)
        await holds.acquire(s)
        fresh = holds.stalled("kg")
        s.progress -= 60  # as if nothing had arrived for a minute
        return fresh, holds.stalled("kg")

    fresh, stale = run(scenario())
    assert fresh == "" and stale.startswith("inbound push from kg: nothing received for 6")
