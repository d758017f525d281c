"""Time-driven behaviour on the injected clock (exchange.clock): the tests move a ManualClock
instead of sleeping, so backoff, stale streams and stalls are checked exactly and at once.

The sync loops get a fake node through the protocol of exchange.sync.ports: no database, no
network, no real sleep.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import grpc
import pytest

from exchange.clock import ManualClock, wait_event
from exchange.config import NodeConfig, SyncConfig
from exchange.sync.backoff import Backoff
from exchange.sync.links import LinkBoard
from exchange.sync.puller import run_puller
from exchange.sync.sender import run_sender
from exchange.sync.streams import PULL, PUSH, STALE_AFTER, STALL_AFTER, Stream, StreamHolds

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 5))  # a real bound: a broken clock must not hang


class RecordingClock(ManualClock):
    """A ManualClock that remembers every sleep asked of it."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.asked.append(seconds)
        await super().sleep(seconds)


class FakePeers:
    """Peer lookup that fails like an unreachable peer while `down` is set."""

    def __init__(self) -> None:
        self.down = True
        self.calls = 0

    def get(self, country: str) -> None:
        self.calls += 1
        if self.down:
            raise grpc.aio.AioRpcError(
                grpc.StatusCode.UNAVAILABLE, grpc.aio.Metadata(), grpc.aio.Metadata(), "down"
            )
        return None  # not a peer: nothing to pull or push, a success


class FakeNode:
    """Just what exchange.sync.ports.SyncPorts names, with a ManualClock."""

    def __init__(self, clock: ManualClock, sync: SyncConfig) -> None:
        self.country = "kz"
        self.config = NodeConfig("kz", "127.0.0.1:0", Path("/nonexistent"), sync=sync)
        self.clock = clock
        self.peers = FakePeers()
        self.links = LinkBoard(clock)
        self.links.link("kg")
        self.stopping = asyncio.Event()
        self.db: Any = None

    async def run_db(self, fn: Any, *args: Any) -> Any:
        return fn(*args)


def test_manual_clock_wakes_sleepers_in_deadline_order_only_when_moved() -> None:
    async def scenario() -> list[str]:
        clock = ManualClock(start=datetime(2026, 5, 1, tzinfo=UTC))
        woke: list[str] = []

        async def sleeper(name: str, s: float) -> None:
            await clock.sleep(s)
            woke.append(name)

        tasks = [asyncio.ensure_future(sleeper(n, s)) for n, s in (("b", 2.0), ("a", 1.0))]
        await clock.advance(0.5)
        assert woke == [] and clock.sleepers == 2
        await clock.advance(1.0)
        assert woke == ["a"]
        await clock.advance(10.0)
        await asyncio.gather(*tasks)
        assert clock.now() == datetime(2026, 5, 1, tzinfo=UTC) + timedelta(seconds=11.5)
        return woke

    assert run(scenario()) == ["a", "b"]


def test_wait_event_times_out_on_the_clock_or_returns_when_set() -> None:
    async def scenario() -> tuple[bool, bool]:
        clock = ManualClock()
        event = asyncio.Event()
        timed = asyncio.ensure_future(wait_event(clock, event, 30.0))
        await clock.advance(29.0)
        assert not timed.done()
        await clock.advance(1.0)
        first = await timed
        woken = asyncio.ensure_future(wait_event(clock, event, 30.0))
        await asyncio.sleep(0)
        event.set()
        return first, await woken

    assert run(scenario()) == (False, True)


def test_backoff_grows_while_the_peer_is_down_and_resets_once_it_answers() -> None:
    """The puller's retries double (full jitter, capped); one success starts them over."""

    async def scenario() -> list[float]:
        clock = RecordingClock()
        sync = SyncConfig(retry_initial_seconds=1.0, retry_max_seconds=8.0)
        node = FakeNode(clock, sync)
        task = asyncio.ensure_future(run_puller(node, "kg"))  # type: ignore[arg-type]
        for _ in range(5):  # five failed attempts: wait out each retry delay
            await clock.advance(clock.asked[-1] if clock.asked else 0)
        node.peers.down = False
        await clock.advance(clock.asked[-1])  # the next attempt succeeds
        assert node.links["kg"].connected
        node.peers.down = True
        await clock.advance(sync.pull_interval_seconds)  # the next round fails again
        node.stopping.set()
        await clock.advance(60)
        await asyncio.wait_for(task, 1)
        return clock.asked

    asked = run(scenario())
    caps = [1.0, 2.0, 4.0, 8.0, 8.0]
    for delay, cap in zip(asked[:5], caps, strict=True):
        assert cap / 2 <= delay <= cap
    assert asked[5] == 30.0  # after the success: the pull interval, not a retry delay
    assert 0.5 <= asked[6] <= 1.0  # failing again starts from the initial delay


def test_backoff_unit_caps_and_resets() -> None:
    b = Backoff(0.2, 5.0)
    caps = [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]
    for cap in caps:
        assert cap / 2 <= b.next() <= cap
    b.reset()
    assert 0.1 <= b.next() <= 0.2


def test_sender_holds_back_while_the_peer_pulls_until_the_pull_goes_stale() -> None:
    """kg is pulling our channel: our sender waits rather than send it twice, but not for a
    pull that stopped moving (its host lost power): after STALE_AFTER it pushes."""

    async def scenario() -> None:
        clock = ManualClock()
        node = FakeNode(clock, SyncConfig())
        node.peers.down = False
        link = node.links["kg"]
        link.pulls_served, link.pull_progress = 1, clock.monotonic()
        task = asyncio.ensure_future(run_sender(node, "kg"))  # type: ignore[arg-type]
        link.wake.set()
        await clock.advance(STALE_AFTER - 0.5)
        assert node.peers.calls == 0, "pushed while a moving pull served the channel"
        await clock.advance(1.0)
        assert node.peers.calls == 1, "a stale pull held the push back"
        node.stopping.set()
        link.wake.set()
        await clock.advance(60)
        await asyncio.wait_for(task, 1)

    run(scenario())


def test_stream_goes_ahead_of_a_holder_idle_past_stale_after() -> None:
    async def scenario() -> None:
        clock = ManualClock()
        holds = StreamHolds(clock=clock)
        pull, push = Stream("kz", PULL, clock), Stream("kz", PUSH, clock)
        assert await holds.acquire(pull)
        waiting = asyncio.ensure_future(holds.acquire(push))
        await clock.advance(STALE_AFTER / 2)
        pull.touch()  # the holder moves: the push keeps waiting
        await clock.advance(STALE_AFTER - 0.1)
        assert not waiting.done()
        await clock.advance(0.2)
        assert waiting.done() and waiting.result() is False  # went ahead without the hold

    run(scenario())


def test_stream_takes_the_hold_once_the_holder_is_released() -> None:
    async def scenario() -> bool:
        clock = ManualClock()
        holds = StreamHolds(clock=clock)
        pull, push = Stream("kz", PULL, clock), Stream("kz", PUSH, clock)
        assert await holds.acquire(pull)
        waiting = asyncio.ensure_future(holds.acquire(push))
        await clock.advance(0.5)
        holds.release(pull)
        return await waiting

    assert run(scenario()) is True


def test_status_shows_an_inbound_stall_after_stall_after() -> None:
    async def scenario() -> tuple[str, str]:
        clock = ManualClock()
        holds = StreamHolds(clock=clock)
        await holds.acquire(Stream("kg", PUSH, clock))
        await clock.advance(STALL_AFTER - 0.1)
        before = holds.stalled("kg")
        await clock.advance(0.2)
        return before, holds.stalled("kg")

    before, after = run(scenario())
    assert before == "" and after.startswith("inbound push from kg: nothing received for")


@pytest.mark.parametrize("pending", [True, False])
def test_status_shows_a_push_stall_after_stall_after(pending: bool) -> None:
    """Our oldest unacknowledged entry ages on the clock; nothing pending, no stall."""

    async def scenario() -> tuple[str, str]:
        clock = ManualClock()
        board = LinkBoard(clock)
        board.link("kg").unacked_since = clock.monotonic()
        await clock.advance(STALL_AFTER - 0.1)
        before = board.push_stalled("kg", pending)
        await clock.advance(10.0)
        return before, board.push_stalled("kg", pending)

    before, after = run(scenario())
    assert before == ""
    if pending:
        assert after == "push to kg: no acknowledgement for 11s"
    else:
        assert after == ""
