"""Client channels to the peers: one per peer, re-created when its address or pin changes.

Held apart from the node so the sync loops get channels through a small factory
(exchange.sync.ports) and a stopped or removed peer's channel is closed in one place.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable

import grpc

from exchange.config import split_addresses
from exchange.errors import PeerError
from exchange.node import rpc
from exchange.node.identity import Identity
from exchange.node.peers import PeerInfo, PeerRegistry
from exchange.node.tls import server_name


def grpc_target(address: str) -> tuple[str, list[tuple[str, str]]]:
    """The gRPC target of a peer's address, and its load-balancing options.

    One host:port is used as it is (gRPC's default pick_first: a DNS name that resolves to
    several replicas fails over between them). Several IP:port (the replicas of one node)
    become one `ipv4:` or `ipv6:` target list under gRPC's own round_robin: each call goes
    to a replica that is up, a dead one is skipped until it answers again."""
    parts = split_addresses(address)
    if len(parts) == 1:
        return parts[0], []
    scheme = "ipv6" if parts[0].startswith("[") else "ipv4"
    return f"{scheme}:{','.join(parts)}", [("grpc.lb_policy_name", "round_robin")]


class PeerChannels:
    def __init__(
        self, peers: PeerRegistry, identity: Callable[[], Identity], max_message_bytes: int
    ) -> None:
        self._peers = peers
        self._identity = identity  # the node's current identity (it changes on rotation)
        self._limit = max_message_bytes + (1 << 20)
        self._channels: dict[str, tuple[str, grpc.aio.Channel]] = {}

    def channel_to(self, peer: PeerInfo) -> grpc.aio.Channel:
        """A client channel to a peer, re-created when its address or pin changes."""
        cached = self._channels.get(peer.country)
        roots = hashlib.sha256(peer.cert_pem).hexdigest()  # pins and the PEMs behind them
        key = f"{peer.address}|{roots}|{self._identity().fingerprint}"
        if not peer.cert_pem:
            raise PeerError(
                f"no certified TLS certificate of {peer.country} is known yet",
                hint=f"import {peer.country}'s certificates, or wait for a peer to relay them",
            )
        if cached and cached[0] == key:
            return cached[1]
        target, balance = grpc_target(peer.address)
        channel = grpc.aio.secure_channel(
            target,
            self._peers.channel_credentials(peer),
            options=[
                ("grpc.ssl_target_name_override", server_name(peer.country)),
                *rpc.channel_options(self._limit),
                *balance,
            ],
        )
        if cached:
            asyncio.get_running_loop().create_task(cached[1].close())
        self._channels[peer.country] = (key, channel)
        return channel

    async def close(self, country: str) -> None:
        if (cached := self._channels.pop(country, None)) is not None:
            await cached[1].close()

    async def close_all(self) -> None:
        for country in list(self._channels):
            await self.close(country)
