"""Server assembly and per-peer tasks: what the node starts and stops, in order.

`Listeners` holds the three servers: the peer port (Exchange behind the mTLS guard, health,
reflection), the Operator service on an owner-only Unix socket, and the who-am-I socket that
names the local user of an Operator call. `PeerTasks` holds each peer's sender, puller and
trust gossip loops (leased among replicas); they get the node only as the protocol of
exchange.sync.ports.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from exchange._proto.v1 import exchange_pb2, operator_pb2
from exchange.config import NodeConfig
from exchange.errors import Error
from exchange.node import rpc, whoami
from exchange.node.replicas import LeaseBoard
from exchange.node.whoami import WHO_SOCKET
from exchange.sync.ports import TrustPorts
from exchange.sync.puller import run_puller
from exchange.sync.sender import run_sender
from exchange.sync.trustsync import run_trust_sync

EXCHANGE_SERVICE = exchange_pb2.DESCRIPTOR.services_by_name["Exchange"]
OPERATOR_SERVICE = operator_pb2.DESCRIPTOR.services_by_name["Operator"]
OPERATOR_MAX = 40 * 1024 * 1024  # bytes of one request on the Operator socket
SERVICE_NAMES = (
    EXCHANGE_SERVICE.full_name,
    health.SERVICE_NAME,
    reflection.SERVICE_NAME,
)


class Listeners:
    def __init__(self, config: NodeConfig) -> None:
        self.config = config
        self.health = health.aio.HealthServicer()
        self._server: grpc.aio.Server | None = None
        self._operator: grpc.aio.Server | None = None
        self._who: asyncio.Server | None = None

    async def start_peer_port(
        self, host: rpc.Host, servicer: object, credentials: grpc.ServerCredentials
    ) -> str:
        """Serve Exchange, health and reflection on `listen`; return the bound address."""
        limit = self.config.limits.max_message_bytes + (1 << 20)
        server = grpc.aio.server(options=rpc.server_options(limit))
        rpc.register(
            server, host, EXCHANGE_SERVICE, servicer, raw=frozenset({"Trust", "WitnessAudit"})
        )
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        reflection.enable_server_reflection(SERVICE_NAMES, server)
        rpc.check_bindable(self.config.listen)  # our own one-line error, before grpc logs its own
        try:
            port = server.add_secure_port(self.config.listen, credentials)
        except RuntimeError:  # grpc raises on a failed bind in newer releases, returns 0 in older
            port = 0
        if port == 0:
            raise Error(
                f"cannot listen on {self.config.listen}: the address is in use or not this host's",
                hint="is another node already using that port? change 'listen' in the config",
            )
        await server.start()
        self._server = server
        return f"{self.config.listen.rpartition(':')[0]}:{port}"

    async def start_operator(
        self, host: rpc.Host, servicer: object, tickets: whoami.Tickets
    ) -> None:
        """The Operator service on the state dir's socket, owner-only (umask 077)."""
        sock = self.config.socket_path
        if sock.exists():
            sock.unlink()
        # Record attachments arrive whole in one ApproveRecord request (32 MiB in all).
        operator = grpc.aio.server(options=[("grpc.max_receive_message_length", OPERATOR_MAX)])
        rpc.register(operator, host, OPERATOR_SERVICE, servicer)
        self._who = await whoami.serve(self.config.run_dir / WHO_SOCKET, tickets)
        old_umask = os.umask(0o077)
        try:
            operator.add_insecure_port(f"unix:{sock}")
            await operator.start()
        finally:
            os.umask(old_umask)
        self._operator = operator

    async def serving(self) -> None:
        await self.health.set("", health_pb2.HealthCheckResponse.SERVING)
        for name in SERVICE_NAMES[:1]:
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)

    async def stop(self, grace: float) -> None:
        """Let in-flight peer calls finish for `grace` seconds, then close every listener."""
        if self._server is not None:
            await self._server.stop(grace)
        if self._operator is not None:
            await self._operator.stop(1.0)
        if self._who is not None:
            self._who.close()

    def remove_files(self) -> None:
        state: Path = self.config.run_dir
        (state / "node.json").unlink(missing_ok=True)
        self.config.socket_path.unlink(missing_ok=True)
        (state / WHO_SOCKET).unlink(missing_ok=True)


class PeerTasks:
    """Each peer's sender, puller and trust gossip, started once, stopped on removal or stop.

    They run under the lease `peer:<country>` (exchange.node.replicas): of several replicas of
    this node, one at a time sends our channel to a peer (and pulls and gossips with it)."""

    def __init__(self, ports: TrustPorts, board: LeaseBoard) -> None:
        self._ports = ports
        self._board = board
        self._started: set[str] = set()

    def started(self) -> set[str]:
        return set(self._started)

    def start(self, country: str) -> None:
        if country in self._started:
            return
        self._started.add(country)
        ports = self._ports
        ports.links.link(country)

        async def work() -> None:
            ports.links[country].wake.set()  # a takeover sends at once what is pending
            async with asyncio.TaskGroup() as group:  # one fails: all end, and start again
                group.create_task(run_sender(ports, country), name=f"sender-{country}")
                group.create_task(run_puller(ports, country), name=f"puller-{country}")
                group.create_task(run_trust_sync(ports, country), name=f"trust-{country}")

        self._board.want(f"peer:{country}", work)
        self._board.wake()

    async def stop(self, country: str) -> None:
        self._started.discard(country)
        await self._board.drop(f"peer:{country}")

    async def stop_all(self) -> None:
        for country in sorted(self._started):
            await self.stop(country)
