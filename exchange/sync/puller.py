"""Per-peer puller: catches up a peer's channel to us from our last stored seq.

Runs at start (so a node that was down catches up at once), then at the pull interval as a
safety net beside the peer's own sender. Entries go through the same verify-and-apply path as
pushed ones, so a pulled replay changes nothing.
"""

from __future__ import annotations

import logging

import grpc

from exchange._proto.v1 import exchange_pb2, exchange_pb2_grpc
from exchange.errors import Error
from exchange.store import repo
from exchange.sync.backoff import Backoff
from exchange.sync.ports import SyncPorts
from exchange.sync.streams import PULL

log = logging.getLogger("exchange.puller")


async def run_puller(node: SyncPorts, country: str, backoff: Backoff | None = None) -> None:
    cfg = node.config.sync
    sleep, links = node.clock.sleep, node.links
    backoff = backoff or Backoff(cfg.retry_initial_seconds, cfg.retry_max_seconds)
    while not node.stopping.is_set():
        # Pull even while the peer pushes: a push stream may be open on a dead connection, and
        # overlapping streams wait for each other only while the other one moves.
        try:
            await pull_once(node, country)
            backoff.reset()
            links.mark_ok(country)
            await sleep(cfg.pull_interval_seconds)
        except grpc.aio.AioRpcError as err:
            links.mark_failed(country, f"{err.code().name}: {err.details()}")
            await sleep(backoff.next())
        except Error as err:
            links.mark_failed(country, f"refused entries from {country}: {err.message}")
            await sleep(cfg.pull_interval_seconds)
        except Exception as exc:  # keep pulling later; never log the text (it may echo rows)
            log.error("pull from %s failed: %s", country, type(exc).__name__)
            links.mark_failed(country, f"internal error: {type(exc).__name__}")
            await sleep(backoff.next())


async def pull_once(node: SyncPorts, country: str) -> int:
    peer = node.peers.get(country)
    if peer is None:
        return 0

    def head() -> int:
        with node.db.read() as s:
            return repo.channel_head(s, country, node.country).seq

    after = await node.run_db(head)
    stub = exchange_pb2_grpc.ExchangeStub(node.channel_to(peer))
    call = stub.Pull(
        exchange_pb2.PullRequest(origin=country, recipient=node.country, after_seq=after)
    )
    applied = 0
    async for result in node.ingest_stream(country, call, PULL):
        applied += result.applied
    if applied:
        log.info("caught up %d entries from %s", applied, country)
    return applied
