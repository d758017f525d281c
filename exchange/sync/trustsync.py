"""Per-peer trust gossip: offer what this node trusts, take what the peer trusts.

One unary Trust call per round carries the bundle chain, certificates, revocations, our own key
log, our signed checkpoint of it and the checkpoints we hold of every other country (see
exchange.node.truststore); the peer checks it through exchange.node.trustintake (rate, caps,
signatures). Rounds run at the trust interval and at once after any trust change, so a
revocation or a new bundle crosses the region in a few round trips; a node that was offline
walks the bundle chain forward on its first round.
"""

from __future__ import annotations

import logging

import grpc

from exchange._proto.v1 import exchange_pb2_grpc
from exchange.clock import wait_event
from exchange.errors import Error
from exchange.sync.backoff import Backoff
from exchange.sync.ports import TrustPorts

log = logging.getLogger("exchange.trustsync")


async def run_trust_sync(node: TrustPorts, country: str, backoff: Backoff | None = None) -> None:
    cfg = node.config.sync
    backoff = backoff or Backoff(cfg.retry_initial_seconds, cfg.retry_max_seconds)
    link = node.links[country]
    while not node.stopping.is_set():
        link.trust_wake.clear()
        try:
            await trust_once(node, country)
            backoff.reset()
            delay = cfg.trust_interval_seconds
        except grpc.aio.AioRpcError as err:
            log.debug("trust sync with %s: %s", country, err.code().name)
            delay = backoff.next()
        except Error as err:
            log.debug("trust sync with %s: %s", country, err.message)
            delay = backoff.next()
        except Exception as exc:  # keep going; never log the text
            log.error("trust sync with %s failed: %s", country, type(exc).__name__)
            delay = backoff.next()
        await wait_event(node.clock, link.trust_wake, delay)


async def trust_once(node: TrustPorts, country: str) -> None:
    peer = node.peers.get(country)
    if peer is None:
        return
    stub = exchange_pb2_grpc.ExchangeStub(node.channel_to(peer))
    offer = node.trust_offer()
    answer = await stub.Trust(offer, timeout=10)
    await node.apply_trust_sync(country, answer)
