"""This node's audit head, signed and given to every peer to witness; and asking them back.

Every `audit_checkpoint_seconds` (a clock the tests inject), if the head moved, the node signs a
checkpoint of it with its current certified signing key and gives it to each peer that does
not hold it yet (WitnessAudit, one unary call, 10 s timeout; a failed peer is retried on the
next tick). On a clean stop it signs the final head (after `node.stopped`) and gives it to every
peer within a short deadline. `witnesses` asks every peer for what it holds of us, for `exchange
audit verify --with-peers`; only heads signed by our own certified keys count.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

import grpc

from exchange._proto.v1 import audit_pb2, envelope_pb2, exchange_pb2_grpc, trust_pb2
from exchange.audit_checkpoint import AuditCheckpoint, open_audit_checkpoint, sign_audit_checkpoint
from exchange.audit_witness import MAX_HELD, PeerHeads
from exchange.clock import Clock
from exchange.config import NodeConfig
from exchange.errors import Error
from exchange.node.identity import Identity
from exchange.node.peers import PeerInfo, PeerRegistry
from exchange.node.truststore import NodeTrust
from exchange.store import repo
from exchange.store.db import Database
from exchange.trust._common import now_ns

log = logging.getLogger("exchange.auditheads")
T = TypeVar("T")


class AuditHost(Protocol):
    """What the audit heads need of the node (exchange.node.runtime.Node is one)."""

    @property
    def country(self) -> str: ...

    @property
    def config(self) -> NodeConfig: ...

    @property
    def db(self) -> Database: ...

    @property
    def identity(self) -> Identity: ...

    @property
    def trust(self) -> NodeTrust: ...

    @property
    def peers(self) -> PeerRegistry: ...

    @property
    def stopping(self) -> asyncio.Event: ...

    async def run_db(self, fn: Callable[..., T], *args: Any) -> T: ...

    def channel_to(self, peer: PeerInfo) -> grpc.aio.Channel: ...


CALL_TIMEOUT = 10.0
STOP_DEADLINE = 3.0
RETRY_AFTER = 5.0  # seconds between two calls to one peer (a witness allows 1/s)


class AuditHeads:
    def __init__(self, node: AuditHost, clock: Clock) -> None:
        self.node = node
        self.clock: Callable[[], datetime] = clock.now
        self._time = clock
        self.interval = timedelta(seconds=node.config.sync.audit_checkpoint_seconds)
        self._signed: tuple[int, bytes, str, envelope_pb2.Envelope] | None = None
        self._next: datetime | None = None  # when the next checkpoint is due
        self._given: dict[str, int] = {}  # peer -> seq of the checkpoint it holds from us
        self._tried: dict[str, float] = {}  # peer -> when we last gave it a checkpoint

    def _head(self) -> tuple[int, bytes]:
        with self.node.db.read() as s:
            return repo.audit_head(s)

    async def sign(self) -> envelope_pb2.Envelope | None:
        """A checkpoint of the current head (the last one again if neither the head nor our
        key changed); None while the log is empty or our key has no valid certificate."""
        seq, head = await self.node.run_db(self._head)
        key = self.node.identity.signing
        if seq == 0:
            return None
        if self._signed is not None and self._signed[:3] == (seq, head, key.key_id):
            return self._signed[3]
        now = self.clock()
        if not self.node.trust.certified(
            self.node.country, trust_pb2.KEY_PURPOSE_SIGN, key.public_raw, now
        ):
            return None
        env = sign_audit_checkpoint(key, self.node.country, seq, head, now)
        self._signed = (seq, head, key.key_id, env)
        return env

    async def tick(self) -> None:
        """Sign and give the head if the interval passed; retry peers that did not take it."""
        now = self.clock()
        if (self._next is None or now >= self._next) and await self.sign() is not None:
            self._next = now + self.interval  # not before a first signature (no key yet)
        if self._signed is not None:
            await self.give(self._signed[3], self._signed[0], CALL_TIMEOUT)

    async def give(self, env: envelope_pb2.Envelope, seq: int, timeout: float) -> None:
        peers = [p.country for p in self.node.peers.all() if self._given.get(p.country) != seq]
        await asyncio.gather(*(self._give_one(c, env, seq, timeout) for c in peers))

    async def _give_one(
        self, country: str, env: envelope_pb2.Envelope, seq: int, timeout: float
    ) -> None:
        now = self._time.monotonic()
        if now - self._tried.get(country, now - RETRY_AFTER) < RETRY_AFTER:
            return
        self._tried[country] = now
        req = audit_pb2.AuditWitnessRequest(checkpoint=env)
        try:
            reply = await self._call(country, req, timeout)
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.FAILED_PRECONDITION:
                # The witness holds a head this one contradicts and audited that; giving it the
                # same head again changes nothing (`audit verify --with-peers` tells the operator).
                log.error(
                    "%s refused our audit head #%d: %s", country, seq, (exc.details() or "")[:200]
                )
                self._given[country] = seq
            else:
                log.debug("audit checkpoint to %s: %s", country, exc.code().name)
            return
        except Error as exc:
            log.debug("audit checkpoint to %s: %s", country, exc.message)
            return
        if reply.stored:
            self._given[country] = seq

    async def _call(
        self, country: str, req: audit_pb2.AuditWitnessRequest, timeout: float
    ) -> audit_pb2.AuditWitnessReply:
        peer = self.node.peers.get(country)
        if peer is None:
            raise Error(f"{country} is not a peer")
        stub = exchange_pb2_grpc.ExchangeStub(self.node.channel_to(peer))
        reply: audit_pb2.AuditWitnessReply = await stub.WitnessAudit(req, timeout=timeout)
        return reply

    async def final(self) -> None:
        """On a clean stop: sign the final head and give it to every peer, briefly."""
        self._tried.clear()
        try:
            env = await self.sign()
            if env is not None and self._signed is not None:
                await asyncio.wait_for(
                    self.give(env, self._signed[0], STOP_DEADLINE), STOP_DEADLINE + 0.5
                )
        except (TimeoutError, Error, OSError) as exc:
            log.warning("final audit checkpoint not given to every peer: %s", type(exc).__name__)

    async def run(self) -> None:
        while not self.node.stopping.is_set():
            try:
                await self.tick()
            except (Error, OSError) as exc:
                log.error("audit checkpoint tick failed: %s", getattr(exc, "message", exc))
            except Exception as exc:  # keep going; never log the text
                log.error("audit checkpoint tick failed: %s", type(exc).__name__)
            await self._time.sleep(1.0)

    # -- asking the witnesses back -------------------------------------------------------

    async def witnesses(self) -> list[PeerHeads]:
        countries = sorted(p.country for p in self.node.peers.all())
        return list(await asyncio.gather(*(self._ask(c) for c in countries)))

    async def _ask(self, country: str) -> PeerHeads:
        try:
            reply = await self._call(country, audit_pb2.AuditWitnessRequest(want=MAX_HELD), 15.0)
        except grpc.aio.AioRpcError as exc:
            return PeerHeads(
                country, False, error=f"{exc.code().name}: {(exc.details() or '')[:200]}"
            )
        except Error as exc:
            return PeerHeads(country, False, error=exc.message[:200])
        if len(reply.held) > MAX_HELD:
            return PeerHeads(
                country, True, unverified=len(reply.held), unverified_reason="answer over the cap"
            )
        signers = self.node.trust.signers(self.node.country)
        now = now_ns(self.clock())
        good: list[AuditCheckpoint] = []
        bad, reason = 0, ""
        for env in reply.held:
            try:
                good.append(open_audit_checkpoint(env, self.node.country, signers, now))
            except Error as exc:
                bad, reason = bad + 1, reason or exc.message[:200]
        return PeerHeads(country, True, good, unverified=bad, unverified_reason=reason)
