"""What a replica does when another replica of its node changed shared state (the shared
versions of exchange.store.shared, polled by exchange.node.replicas.SharedWatch): reload it
from the database or the state dir, or wake the loop that has new work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from exchange.node import identity as identity_mod
from exchange.store import shared

if TYPE_CHECKING:
    from exchange.node.runtime import Node

log = logging.getLogger("exchange.replicas")
Handler = Callable[[str], Awaitable[None]]


def handlers(node: Node) -> dict[str, Handler]:
    async def trust(_note: str) -> None:
        await node.run_db(node._restore_trust)
        await node.after_trust_change()

    async def peers(_note: str) -> None:
        await node.run_db(node._restore_trust)  # `peers add` keeps the peer's TLS certificate
        await node.run_db(node.load_addresses)
        node.refresh_peers()
        now = {p.country for p in node.peers.all()}
        for country in sorted(node.tasks.started() - now):
            await node.stop_peer(country)
        for country in sorted(now - node.tasks.started()):
            node.start_peer(country)
        node.wake_senders()

    async def policy(digest: str) -> None:
        await node.policy_watch.check()  # a shared policy file may have changed just now
        node.policy_watch.elsewhere = digest

    async def keys(_note: str) -> None:
        """Another replica promoted a next key in the shared state dir: use it here too."""
        fresh = await asyncio.to_thread(identity_mod.load, node.config.state_dir, node.country)
        if identity_mod.key_ids(fresh) != identity_mod.key_ids(node.identity):
            node.identity = fresh
            node.peers.identity_changed()
            log.info("keys reloaded: another replica promoted a next key")
            node._write_runtime_file()

    async def content(_note: str) -> None:
        node.doc_fetcher.wake()

    async def records(_note: str) -> None:
        node.record_desk.wake()

    return {
        shared.TRUST: trust,
        shared.PEERS: peers,
        shared.POLICY: policy,
        shared.KEYS: keys,
        shared.CONTENT: content,
        shared.RECORDS: records,
    }
