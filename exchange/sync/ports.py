"""What the sync loops need of the node: a small protocol, so they never import the node.

`exchange.node.runtime.Node` satisfies it; a test can pass anything else that does (a fake
with a ManualClock and a scripted channel). The loops (sender, puller, trust gossip) take a
`SyncPorts` or `TrustPorts` and use only what is named here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Any, Protocol, TypeVar

import grpc

from exchange._proto.v1 import envelope_pb2, exchange_pb2
from exchange.clock import Clock
from exchange.config import NodeConfig
from exchange.node.peers import PeerInfo
from exchange.store.db import Database
from exchange.sync.inbox import Applied
from exchange.sync.links import LinkBoard

T = TypeVar("T")


class PeerLookup(Protocol):
    def get(self, country: str) -> PeerInfo | None:
        """The pinned peer, or None if it is not (or no longer) a peer."""
        ...


class SyncPorts(Protocol):
    """Peer lookup, channel factory, link board, channel store, ingest, clock, stop event."""

    @property
    def country(self) -> str: ...

    @property
    def config(self) -> NodeConfig: ...

    @property
    def peers(self) -> PeerLookup: ...

    @property
    def links(self) -> LinkBoard: ...

    @property
    def db(self) -> Database: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def stopping(self) -> asyncio.Event: ...

    async def run_db(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking store work off the event loop."""
        ...

    def channel_to(self, peer: PeerInfo) -> grpc.aio.Channel:
        """A client channel to the peer (mTLS, pinned), cached."""
        ...

    def outgoing(self, stored: bytes) -> envelope_pb2.Envelope:
        """An outbox entry as it goes out (signed with the current key)."""
        ...

    def ingest_stream(
        self, caller: str, batches: AsyncIterable[exchange_pb2.EntryBatch], kind: str
    ) -> AsyncIterator[Applied]:
        """Verify and apply a stream of batches from caller, one result per batch."""
        ...


class TrustPorts(SyncPorts, Protocol):
    """What trust gossip needs beyond delivery: our offer, and taking the peer's."""

    def trust_offer(self) -> exchange_pb2.TrustSync: ...

    async def apply_trust_sync(self, sender: str, msg: exchange_pb2.TrustSync) -> object: ...
