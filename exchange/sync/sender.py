"""Per-peer sender: streams outbox entries in batches and advances only on the peer's ack.

A few batches are kept in flight on one Push stream. If the peer refuses with a gap (it holds
less than we thought, e.g. restored from a backup), the sender rewinds to the peer's head and
resends; replays are acknowledged by the peer without change, so nothing is lost or doubled.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

import grpc

from exchange._proto.v1 import exchange_pb2, exchange_pb2_grpc
from exchange.clock import wait_event
from exchange.node import faults
from exchange.node.status import HEAD_KEY, trailing
from exchange.store import delivered, repo
from exchange.store.models import Channel
from exchange.sync.backoff import Backoff
from exchange.sync.ports import SyncPorts
from exchange.sync.streams import STALE_AFTER

log = logging.getLogger("exchange.sender")


async def run_sender(node: SyncPorts, country: str, backoff: Backoff | None = None) -> None:
    cfg = node.config.sync
    clock = node.clock
    backoff = backoff or Backoff(cfg.retry_initial_seconds, cfg.retry_max_seconds)
    link = node.links[country]
    while not node.stopping.is_set():
        await wait_event(clock, link.wake, cfg.pull_interval_seconds)
        link.wake.clear()
        # The peer is pulling our channel right now: let that finish rather than send it twice,
        # as long as the pull moves (a pull from a host that lost power never finishes).
        for _ in range(int(cfg.pull_interval_seconds / 0.05)):
            moving = clock.monotonic() - link.pull_progress < STALE_AFTER
            if link.pulls_served == 0 or not moving or node.stopping.is_set():
                break
            await clock.sleep(0.05)
        try:
            await push_pending(node, country)
            backoff.reset()
        except grpc.aio.AioRpcError as err:
            head = trailing(err, HEAD_KEY)
            if err.code() == grpc.StatusCode.FAILED_PRECONDITION and head is not None:
                if await _rewind(node, country, int(head)):
                    link.wake.set()
                    continue
                # Rewinding changes nothing: the peer holds entries of ours we do not have.
                node.links.mark_failed(country, _diverged(country, int(head), err.details()))
                await clock.sleep(backoff.next())
                link.wake.set()
                continue
            node.links.mark_failed(country, f"{err.code().name}: {err.details()}")
            await clock.sleep(backoff.next())
            link.wake.set()
        except Exception as exc:  # keep the sender alive whatever happens; retry later
            log.error("sender to %s failed: %s", country, type(exc).__name__)
            node.links.mark_failed(country, f"internal error: {type(exc).__name__}")
            await clock.sleep(backoff.next())
            link.wake.set()


async def _rewind(node: SyncPorts, country: str, head: int) -> bool:
    """The peer refused with its head: resend from there if that is behind what we hold and
    not where we already resend from. False when the channel has diverged: the peer holds more
    of our channel than we do, or refuses the entry right after its head as a fork (this node
    was restored from a backup older than what the peer received); rewinding then would only
    resend the same refused entry in a tight loop, or skip entries the peer never got."""

    def write() -> bool:
        with node.db.write() as s:
            row = s.get(Channel, (node.country, country))
            if row is not None and (head > row.head_seq or head == row.acked_seq):
                return False
            repo.rewind_acked(s, node.country, country, head)
            return True

    if not await node.run_db(write):
        return False
    log.warning("peer %s holds our channel only up to seq %d: resending from there", country, head)
    return True


def _diverged(country: str, head: int, details: str | None) -> str:
    return (
        f"FAILED_PRECONDITION: {details or 'refused'}; {country} holds our channel up to seq "
        f"{head} with entries this node does not have (restored from an older backup?): new "
        "entries on this channel cannot be delivered"
    )


async def push_pending(node: SyncPorts, country: str) -> int:
    """Send everything the peer has not acknowledged; return how many entries were acked."""
    peer = node.peers.get(country)
    if peer is None:
        return 0
    me = node.country
    cfg = node.config.sync

    def acked_seq() -> int:
        with node.db.read() as s:
            row = s.get(Channel, (me, country))
            return row.acked_seq if row else 0

    def fetch(after: int) -> list[tuple[int, bytes]]:
        with node.db.read() as s:
            return repo.entries_after(s, me, country, after, cfg.batch_size)

    def ack(seq: int) -> None:
        with node.db.write() as s:
            delivered.acknowledge(s, me, country, seq, node.clock.now())

    after = await node.run_db(acked_seq)
    rows = await node.run_db(fetch, after)
    link = node.links[country]
    if not rows:
        link.unacked_since = None
        return 0
    # Kept through a failed call: entries still unacknowledged stay shown as stalled in
    # status, whether the connection went silent or down.
    if link.unacked_since is None:
        link.unacked_since = node.clock.monotonic()
    stub = exchange_pb2_grpc.ExchangeStub(node.channel_to(peer))
    call = stub.Push()
    in_flight: deque[int] = deque()
    total = 0
    done_reading = False
    while rows or in_flight:
        while rows and len(in_flight) < cfg.window:
            batch = exchange_pb2.EntryBatch(entries=[node.outgoing(env) for _, env in rows])
            try:
                await call.write(batch)
            except asyncio.InvalidStateError:  # the peer ended the stream: say why
                raise await _ended(call) from None
            in_flight.append(rows[-1][0])
            after = rows[-1][0]
            rows = await node.run_db(fetch, after)
        reply = await call.read()
        if reply is grpc.aio.EOF:
            done_reading = True
            break
        assert isinstance(reply, exchange_pb2.Ack)
        in_flight.popleft()
        faults.maybe_crash("crash-after-ack")
        await node.run_db(ack, reply.head_seq)
        link.unacked_since = node.clock.monotonic() if rows or in_flight else None
        total += reply.applied + reply.replayed
        node.links.mark_ok(country)
    await call.done_writing()
    if not done_reading:
        while (await call.read()) is not grpc.aio.EOF:
            pass
    if await call.code() != grpc.StatusCode.OK:
        raise await _ended(call)
    return total


async def _ended(call: grpc.aio.StreamStreamCall[Any, Any]) -> grpc.aio.AioRpcError:
    """The error a finished Push call ended with, to handle as any failed call: a gap is
    rewound, anything else marks the link down with its code.

    grpc's asyncio client raises InvalidStateError (not the call's status) on a write after
    the peer ended the stream: a refusal while batches were still being written, or a peer
    that died."""
    code = await call.code()
    details = await call.details()
    if code == grpc.StatusCode.OK:  # ended cleanly before taking what we still had to send
        code, details = grpc.StatusCode.UNAVAILABLE, "the peer closed the stream early"
    return grpc.aio.AioRpcError(
        code, await call.initial_metadata(), await call.trailing_metadata(), details
    )
