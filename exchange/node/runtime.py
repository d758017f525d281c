"""The running node: storage, peers, servers, senders and pullers on one event loop.

Database work runs in a bounded thread pool (sync SQLAlchemy); signature verification runs in a
second pool sized to the cores (Ed25519 verification releases the GIL).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import json
import logging
import os
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from exchange._proto.v1 import envelope_pb2, exchange_pb2, operator_pb2, trust_pb2
from exchange.alerts import pii
from exchange.alerts.views import Disclosure
from exchange.config import NodeConfig
from exchange.errors import ConfigError, Error, NotPermitted, PeerError, TooLarge
from exchange.items.base import Acceptance
from exchange.node import identity as identity_mod
from exchange.node import rpc, whoami
from exchange.node.auditheads import AuditHeads
from exchange.node.auditwitness import AuditWitness
from exchange.node.identity import Identity
from exchange.node.peers import PeerInfo, PeerRegistry
from exchange.node.tls import server_name
from exchange.node.trustintake import TrustIntake
from exchange.node.truststore import NodeTrust, Outcome
from exchange.node.whoami import WHO_SOCKET
from exchange.policy import AcceptRule, Policy, load_policy
from exchange.policy.disclosure import PolicyDisclosure
from exchange.policy.rate import TokenBucket
from exchange.store import received, repo
from exchange.store.db import Database
from exchange.sync import inbox
from exchange.sync.puller import run_puller
from exchange.sync.sender import run_sender
from exchange.sync.streams import STALL_AFTER, Stream, StreamHolds
from exchange.sync.trustsync import run_trust_sync
from exchange.trust import PURPOSES
from exchange.trust.errors import KeyRevoked

log = logging.getLogger("exchange.node")
T = TypeVar("T")
EXCHANGE_SERVICE = exchange_pb2.DESCRIPTOR.services_by_name["Exchange"]
OPERATOR_SERVICE = operator_pb2.DESCRIPTOR.services_by_name["Operator"]
SERVICE_NAMES = (
    EXCHANGE_SERVICE.full_name,
    health.SERVICE_NAME,
    reflection.SERVICE_NAME,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Prepared:
    """A batch checked and verified, waiting for its turn to be written."""

    skipped: int  # leading entries already stored byte for byte
    head: int
    good: list[inbox.Incoming]
    error: Error | None
    now: datetime
    acceptance: Acceptance  # what the policy accepts from this peer, per item kind


@dataclass
class LinkState:
    """What this process knows of its link to one peer (not persisted)."""

    connected: bool = False
    last_contact: datetime | None = None
    last_error: str = ""
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    pulls_served: int = 0  # Pull streams we are serving to the peer now
    pull_progress: float = 0.0  # monotonic time a served Pull last sent a batch
    unacked_since: float | None = None  # our oldest sent entry the peer has not acked, since
    trust_wake: asyncio.Event = field(default_factory=asyncio.Event)


class Node:
    def __init__(self, config: NodeConfig, identity: Identity, db: Database) -> None:
        self.config = config
        self.identity = identity
        self.country = config.country
        self.db = db
        self.peers = PeerRegistry(lambda: self.identity)
        self._addresses: dict[str, str] = {}
        self.trust = NodeTrust(config.country, signer=lambda: self.identity.signing)
        self.revoked_refusals: dict[str, int] = {}  # country -> entries refused (since start)
        self.id_conflicts: dict[str, int] = {}  # country -> alert ids it reused (since start)
        self.policy: Policy = load_policy(self._policy_path(), config.country)
        pii.use_country_lists(dict(self.policy.guard))  # one node per process
        self._policy_stamp = _stamp(self._policy_path())
        self.policy_problem = ""  # why the policy file on disk is not in force, or ""
        self.disclosure: Disclosure = PolicyDisclosure(lambda: self.policy)
        self._buckets: dict[str, tuple[AcceptRule, TokenBucket]] = {}
        self.links: dict[str, LinkState] = {}
        self.address = ""
        self._db_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="db")
        self._cpu_pool = ThreadPoolExecutor(
            max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="verify"
        )
        self.trust_intake = TrustIntake(self.trust, db, self._db_pool, self._cpu_pool)
        self._channels: dict[str, tuple[str, grpc.aio.Channel]] = {}
        self._tasks: dict[str, list[asyncio.Task[None]]] = {}
        self._ingest_locks: dict[str, asyncio.Lock] = {}
        self.holds = StreamHolds()
        self._policy_task: asyncio.Task[None] | None = None
        self._trust_task: asyncio.Task[None] | None = None
        self._promote_lock = asyncio.Lock()
        self._server: grpc.aio.Server | None = None
        self._operator: grpc.aio.Server | None = None
        self._who: asyncio.Server | None = None
        self.health = health.aio.HealthServicer()
        self.stopping = asyncio.Event()
        self.policy_poll_seconds = 2.0
        # Our signed audit heads go to every peer; theirs are kept here (exchange.audit_witness).
        self.audit_heads = AuditHeads(self, utcnow)
        self.audit_witness = AuditWitness(db, self.run_db, self.trust.signers, self.audit, utcnow)
        self._audit_task: asyncio.Task[None] | None = None

    # -- thread pools ----------------------------------------------------------------------

    async def run_db(self, fn: Callable[..., T], *args: Any) -> T:
        ctx = contextvars.copy_context()  # the acting user follows the request (exchange.actor)
        return await asyncio.get_running_loop().run_in_executor(self._db_pool, ctx.run, fn, *args)

    async def audit(self, event: str, detail: dict[str, Any], peer: str = "") -> None:
        def write() -> None:
            with self.db.write() as s:
                repo.append_audit(s, utcnow(), event, detail, peer)

        await self.run_db(write)

    # -- policy ----------------------------------------------------------------------------

    def _policy_path(self) -> Path:
        if self.config.policy is None:
            raise ConfigError("the node config names no policy file")
        return self.config.policy

    def reload_policy(self) -> tuple[Policy, bool]:
        """Load the policy file again; keep the old one (and raise) if the new one is invalid."""
        path = self._policy_path()
        stamp = _stamp(path)
        try:
            policy = load_policy(path, self.country)
        except Error as exc:
            self._policy_stamp, self.policy_problem = stamp, exc.message[:300]
            raise
        changed = policy.digest != self.policy.digest or bool(self.policy_problem)
        self.policy, self._policy_stamp, self.policy_problem = policy, stamp, ""
        pii.use_country_lists(dict(policy.guard))
        return policy, changed

    async def _watch_policy(self) -> None:
        """Apply policy file changes without a restart (checked every two seconds).

        Survives any file: one that fails to load (not UTF-8, not TOML, not a policy, a folder,
        gone) keeps the last good policy in force, is audited once and stays an alarm in
        `exchange status` until a good file loads."""
        while not self.stopping.is_set():
            await asyncio.sleep(self.policy_poll_seconds)
            await self.check_policy_file()

    async def check_policy_file(self) -> None:
        """One look at the policy file; never raises. A file that cannot even be stat'ed has
        the stamp GONE, so its refusal too is audited once, not every two seconds."""
        try:
            if _stamp(self._policy_path()) == self._policy_stamp:
                return
            _, changed = self.reload_policy()
        except Error as exc:
            return await self._policy_refused(exc.message)
        except Exception as exc:  # a bug must not end the watcher: say so, keep the old policy
            kind = type(exc).__name__
            log.error("policy file check failed (%s); the previous policy stays", kind)
            return await self._policy_refused(f"the policy file could not be checked ({kind})")
        if changed:
            await self.audit_policy("file change")

    async def _policy_refused(self, problem: str) -> None:
        problem = problem[:300]
        log.error("policy file change refused, the previous policy stays: %s", problem)
        self.policy_problem = problem
        await self.audit(
            "policy.refused",
            {"reason": problem, "path": str(self.config.policy), "in_force": self.policy.digest},
        )

    def policy_alarms(self) -> list[str]:
        if not self.policy_problem:
            return []
        return [
            f"policy file refused ({self.policy_problem}); the previous policy "
            f"(sha256 {self.policy.digest[:16]}) stays in force until a valid file is saved"
        ]

    async def audit_policy(self, trigger: str) -> None:
        log.info("policy loaded (%s): sha256 %s", trigger, self.policy.digest[:16])
        await self.audit(
            "policy.loaded",
            {"digest": self.policy.digest, "path": str(self._policy_path()), "trigger": trigger},
        )

    # -- peers -----------------------------------------------------------------------------

    def load_addresses(self) -> None:
        """Read the peers' addresses from the database (at start and after `peers add`)."""
        with self.db.read() as s:
            self._addresses = {r.country: r.address for r in repo.peers(s)}

    def refresh_peers(self) -> bool:
        """Rebuild peers from their addresses and the TLS keys certified for them now.

        Called on every trust change and every couple of seconds (windows open and close with
        time); in memory only. True if the pins changed."""
        now = utcnow()
        infos = [
            PeerInfo(country, address, tuple(sorted(self.trust.tls_pins(country, now).items())))
            for country, address in sorted(self._addresses.items())
        ]
        for p in infos:
            self.links.setdefault(p.country, LinkState())
        return self.peers.replace(infos)

    def outgoing(self, stored: bytes) -> envelope_pb2.Envelope:
        """An entry of our outbox as it goes out: signed with our current key.

        An entry signed before a rotation is re-signed over the same payload (its hash, hence
        the channel, is unchanged), so a backlog never depends on a rotated-out or revoked
        key."""
        env = envelope_pb2.Envelope.FromString(stored)
        signing = self.identity.signing
        if len(env.signatures) == 1 and env.signatures[0].key_id != signing.key_id:
            return signing.sign(env.payload_type, env.payload)
        return env

    def alarms(self, quarantined: int) -> list[str]:
        """Every alarm `exchange status` shows, in one list (acknowledged or not)."""
        return self.trust_alarms() + self.receipt_alarms(quarantined) + self.policy_alarms()

    def trust_alarms(self) -> list[str]:
        """What `exchange status` must shout about: trust state and refused revoked keys."""
        out = self.trust.alarms(utcnow())
        for country, n in sorted(self.revoked_refusals.items()):
            out.append(f"refused {n} batch(es) from {country} signed by a revoked key")
        if (
            not self.trust.certified(
                self.country, trust_pb2.KEY_PURPOSE_SIGN, self.identity.signing.public_raw, utcnow()
            )
            and self.trust.bundle is not None
        ):
            out.append(
                "this node's signing key has no valid certificate: peers refuse what it sends"
            )
        return out

    def receipt_alarms(self, quarantined: int) -> list[str]:
        """What `exchange status` must say about received content held back or refused."""
        out = []
        if quarantined:
            out.append(
                f"{quarantined} received item(s) held in quarantine (free text that looks like "
                "personal data, or a newer schema): review with `exchange quarantine list`"
            )
        for country, n in sorted(self.id_conflicts.items()):
            out.append(
                f"refused {n} alert(s) from {country} whose id another country's alert already "
                "has (see `exchange audit list --event alert.id_conflict`)"
            )
        return out

    def own_tls(self) -> list[bytes]:
        """Our TLS certificates to announce: the current one, and the next during a rotation."""
        nxt = identity_mod.next_tls_pem(self.config.state_dir)
        return [self.identity.tls_cert_pem, *([nxt] if nxt else [])]

    async def import_trust(self, envs: list[envelope_pb2.Envelope], anchor_digest: str) -> Outcome:
        """The administrator installs trust items (exchange keys import / bundle publish); the
        first bundle only with the digest the administrator confirmed."""
        return await self._trust_write(
            lambda s, now: self.trust.import_items(s, envs, now, anchor_digest=anchor_digest), ""
        )

    async def apply_trust_sync(self, sender: str, msg: exchange_pb2.TrustSync) -> Outcome:
        """Take a peer's trust offer (exchange.node.trustintake: caps, signatures outside any
        transaction, bounded audit). Raises TooLarge, already audited, for a refused offer."""
        return await self._after_trust_write(await self.trust_intake.take(sender, msg))

    async def _trust_write(self, fn: Callable[[Any, datetime], Outcome], peer: str) -> Outcome:
        return await self._after_trust_write(await self.trust_intake.write(fn, peer))

    async def _after_trust_write(self, out: Outcome) -> Outcome:
        for alarm in out.alarms:
            log.error("trust alarm: %s", alarm)
        if out.changed or out.alarms:
            await self.after_trust_change()
        return out

    async def after_trust_change(self) -> None:
        """Re-pin peers, promote our next keys if now certified, and gossip onward."""
        self.refresh_peers()
        await self.promote_keys()
        for link in self.links.values():
            link.trust_wake.set()

    async def promote_keys(self) -> None:
        """Switch to a next key once its certificate is installed and in effect."""
        async with self._promote_lock:  # the tick and an import may both get here
            await self._promote_keys()

    async def _promote_keys(self) -> None:
        now = utcnow()
        for purpose, public in identity_mod.pending(self.config.state_dir).items():
            if not self.trust.certified(self.country, PURPOSES[purpose], public, now):
                continue
            old = self.identity
            self.identity = identity_mod.promote(self.config.state_dir, self.country, purpose)
            if purpose == "tls":
                self.peers.identity_changed()
            await self.audit(
                "key.rotated",
                {
                    "purpose": purpose,
                    "old": old.signing.key_id if purpose == "sign" else old.fingerprint,
                    "new": self.identity.signing.key_id
                    if purpose == "sign"
                    else self.identity.fingerprint,
                },
            )
            log.info("%s key rotated: the certified next key is now in use", purpose)
            self._write_runtime_file()

    async def _trust_tick(self) -> None:
        """Time moves certificate windows: re-pin and promote every two seconds."""
        while not self.stopping.is_set():
            await asyncio.sleep(2.0)
            try:
                if self.refresh_peers():
                    log.info("peer TLS pins changed")
                await self.promote_keys()
            except (Error, OSError) as exc:
                log.error("trust tick failed: %s", getattr(exc, "message", exc))

    def identify(self, context: grpc.aio.ServicerContext[Any, Any]) -> str:
        """The country the caller speaks for: the one its pinned certificate is bound to."""
        country = self.peer_of(context)
        if not country:
            raise NotPermitted("the client certificate is not pinned for any peer")
        link = self.links.setdefault(country, LinkState())
        link.last_contact = utcnow()
        return country

    def peer_of(self, context: grpc.aio.ServicerContext[Any, Any]) -> str:
        """The country a caller's pinned certificate speaks for, or "" (for the audit log)."""
        certs = context.auth_context().get("x509_pem_cert") or []
        return (self.peers.country_for_cert(certs[0]) if certs else None) or ""

    def channel_to(self, peer: PeerInfo) -> grpc.aio.Channel:
        """A client channel to a peer, re-created when its address or pin changes."""
        cached = self._channels.get(peer.country)
        roots = hashlib.sha256(peer.cert_pem).hexdigest()  # pins and the PEMs behind them
        key = f"{peer.address}|{roots}|{self.identity.fingerprint}"
        if not peer.cert_pem:
            raise PeerError(
                f"no certified TLS certificate of {peer.country} is known yet",
                hint=f"import {peer.country}'s certificates, or wait for a peer to relay them",
            )
        if cached and cached[0] == key:
            return cached[1]
        limit = self.config.limits.max_message_bytes + (1 << 20)
        channel = grpc.aio.secure_channel(
            peer.address,
            self.peers.channel_credentials(peer),
            options=[
                ("grpc.ssl_target_name_override", server_name(peer.country)),
                *rpc.channel_options(limit),
            ],
        )
        if cached:
            asyncio.get_running_loop().create_task(cached[1].close())
        self._channels[peer.country] = (key, channel)
        return channel

    def mark_ok(self, country: str) -> None:
        link = self.links.setdefault(country, LinkState())
        if not link.connected:
            log.info("link to %s up", country)
        link.connected, link.last_contact, link.last_error = True, utcnow(), ""

    def mark_failed(self, country: str, reason: str) -> None:
        link = self.links.setdefault(country, LinkState())
        if link.connected or link.last_error != reason:
            log.warning("link to %s: %s", country, reason)
        link.connected, link.last_error = False, reason

    def stalled(self, country: str, pending: bool) -> str:
        """Why the link to country looks stuck though it may be up, or "" (for status).
        `pending`: the peer has not acknowledged everything (it may have pulled the rest)."""
        link = self.links.get(country)
        since = link.unacked_since if link and pending else None
        reasons = [self.holds.stalled(country)]
        if since is not None and (idle := time.monotonic() - since) >= STALL_AFTER:
            reasons.append(f"push to {country}: no acknowledgement for {idle:.0f}s")
        return "; ".join(r for r in reasons if r)

    def wake_senders(self) -> None:
        for link in self.links.values():
            link.wake.set()

    # -- receiving -------------------------------------------------------------------------

    async def ingest_stream(
        self, caller: str, batches: AsyncIterable[exchange_pb2.EntryBatch], kind: str
    ) -> AsyncIterator[inbox.Applied]:
        """Verify and apply a stream of batches from caller, in order; yield one result each.

        Pipelined: the next batch's signatures are verified (in the worker pool, off the GIL)
        while the current one is written. A refusal is raised after the valid prefix is stored
        (it is already audited).
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[asyncio.Future[_Prepared] | None] = asyncio.Queue(maxsize=2)
        stream = Stream(caller, kind)

        async def read() -> None:
            try:
                async for batch in batches:
                    stream.touch()
                    await queue.put(asyncio.ensure_future(self._prepare(caller, batch)))
                await queue.put(None)
            except Exception as exc:  # the stream broke: hand the error to the consumer
                failed: asyncio.Future[_Prepared] = loop.create_future()
                failed.set_exception(exc)
                await queue.put(failed)

        # One stream per origin at a time, as long as it moves (exchange.sync.streams).
        await self.holds.acquire(stream)
        stream.touch()
        reader = asyncio.ensure_future(read())
        try:
            while (item := await stream.next(queue)) is not None:
                result = await self._commit(caller, await item)
                stream.touch()
                if result.refusal is not None:
                    raise result.refusal
                yield result
        finally:
            reader.cancel()
            while not queue.empty():
                pending = queue.get_nowait()
                if pending is not None:
                    pending.cancel()
            self.holds.release(stream)

    async def _prepare(self, caller: str, batch: exchange_pb2.EntryBatch) -> _Prepared:
        """Bounds, then skip entries already stored byte for byte, then verify the rest."""
        limits = self.config.limits
        now = utcnow()
        err: Error | None = None
        rule = self.policy.accept_rule(caller)
        if rule is None:
            err = NotPermitted(
                f"the policy of {self.country} accepts nothing from {caller} yet",
                hint="the entries stay queued at the sender until an [[accept]] rule names it",
            )
        elif len(batch.entries) > rule.max_batch:
            err = TooLarge(
                f"batch of {len(batch.entries)} entries exceeds the policy's max_batch "
                f"{rule.max_batch} for {caller}"
            )
        elif not self._bucket(caller, rule).take(len(batch.entries), time.monotonic()):
            err = TooLarge(f"{caller} is over its rate of {rule.max_rate:g} entries/s; retry later")
        elif len(batch.entries) > limits.max_batch_entries:
            err = TooLarge(
                f"batch of {len(batch.entries)} entries exceeds the limit of "
                f"{limits.max_batch_entries}"
            )
        elif (size := batch.ByteSize()) > limits.max_message_bytes:
            err = TooLarge(f"batch of {size} bytes exceeds the limit of {limits.max_message_bytes}")
        if err is not None:
            await self.audit("channel.refused", inbox.refusal_detail(err), caller)
            raise err
        envs = list(batch.entries)
        skip, head = await self.run_db(inbox.replay_prefix, self.db, caller, self.country, envs)
        good, first_error = await self._verify(caller, envs[skip:], now)
        return _Prepared(skip, head, good, first_error, now, self.policy.acceptance(caller))

    def _bucket(self, caller: str, rule: AcceptRule) -> TokenBucket:
        held = self._buckets.get(caller)
        if held is None or held[0] != rule:
            capacity = max(float(rule.max_batch), rule.max_rate)
            held = (rule, TokenBucket(rule.max_rate, capacity, time.monotonic()))
            self._buckets[caller] = held
        return held[1]

    async def _verify(
        self, caller: str, envs: list[envelope_pb2.Envelope], now: datetime
    ) -> tuple[list[inbox.Incoming], Error | None]:
        if not envs:
            return [], None
        trusted = self.trust.signers(caller)
        loop = asyncio.get_running_loop()
        workers = max(1, min(len(envs) // 64, self._cpu_pool._max_workers))
        step = -(-len(envs) // workers)
        chunks = [envs[i : i + step] for i in range(0, len(envs), step)]
        results = await asyncio.gather(
            *(
                loop.run_in_executor(
                    self._cpu_pool,
                    inbox.check_batch,
                    chunk,
                    trusted,
                    caller,
                    self.country,
                    self.config.limits.max_entry_bytes,
                    now,
                )
                for chunk in chunks
            )
        )
        good: list[inbox.Incoming] = []
        for items, error in results:
            good.extend(items)
            if error is not None:
                return good, error
        return good, None

    async def _commit(self, caller: str, prep: _Prepared) -> inbox.Applied:
        """Apply a verified batch; one batch per origin at a time (push and pull may overlap)."""
        if isinstance(prep.error, KeyRevoked):
            self.revoked_refusals[caller] = self.revoked_refusals.get(caller, 0) + 1
            log.error("refused an entry from %s signed by a revoked key", caller)
        if not prep.good and prep.error is None:
            return inbox.Applied(0, prep.skipped, prep.head, None)
        async with self._ingest_locks.setdefault(caller, asyncio.Lock()):
            result = await self.run_db(
                inbox.apply,
                self.db,
                caller,
                self.country,
                prep.good,
                prep.now,
                prep.error,
                prep.acceptance.categories,
                prep.acceptance,
            )
        if result.conflicts:
            self.id_conflicts[caller] = self.id_conflicts.get(caller, 0) + result.conflicts
        return inbox.Applied(
            result.applied, result.replayed + prep.skipped, result.head_seq, result.refusal
        )

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        from exchange.node.exchange_service import ExchangeService
        from exchange.node.operator_service import OperatorService

        await self.run_db(self.db.migrate)
        await self.run_db(self._purge_withdrawn)
        await self.run_db(self._restore_trust)
        await self.run_db(self.load_addresses)
        self.refresh_peers()
        limit = self.config.limits.max_message_bytes + (1 << 20)
        server = grpc.aio.server(options=rpc.server_options(limit))
        rpc.register(
            server,
            self,
            EXCHANGE_SERVICE,
            ExchangeService(self),
            raw=frozenset({"Trust", "WitnessAudit"}),
        )
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        reflection.enable_server_reflection(SERVICE_NAMES, server)
        rpc.check_bindable(self.config.listen)  # our own one-line error, before grpc logs its own
        try:
            port = server.add_secure_port(self.config.listen, self.peers.server_credentials())
        except RuntimeError:  # grpc raises on a failed bind in newer releases, returns 0 in older
            port = 0
        if port == 0:
            raise Error(
                f"cannot listen on {self.config.listen}: the address is in use or not this host's",
                hint="is another node already using that port? change 'listen' in the config",
            )
        host = self.config.listen.rpartition(":")[0]
        self.address = f"{host}:{port}"
        await server.start()
        self._server = server

        sock = self.config.socket_path
        if sock.exists():
            sock.unlink()
        operator = grpc.aio.server()
        servicer = OperatorService(self)
        rpc.register(operator, self, OPERATOR_SERVICE, servicer)
        self._who = await whoami.serve(self.config.state_dir / WHO_SOCKET, servicer.tickets)
        old_umask = os.umask(0o077)
        try:
            operator.add_insecure_port(f"unix:{sock}")
            await operator.start()
        finally:
            os.umask(old_umask)
        self._operator = operator

        for p in self.peers.all():
            self.start_peer(p.country)
        await self.health.set("", health_pb2.HealthCheckResponse.SERVING)
        for name in SERVICE_NAMES[:1]:
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        self._write_runtime_file()
        await self.audit_policy("start")
        self._policy_task = asyncio.get_running_loop().create_task(self._watch_policy())
        self._trust_task = asyncio.get_running_loop().create_task(self._trust_tick())
        await self.audit("node.started", {"address": self.address})
        self._audit_task = asyncio.get_running_loop().create_task(self.audit_heads.run())
        log.info("node %s serving on %s", self.country, self.address)

    def start_peer(self, country: str) -> None:
        if country in self._tasks:
            return
        self.links.setdefault(country, LinkState())
        loop = asyncio.get_running_loop()
        bare = contextvars.Context  # no acting user: started by a request, but not its doing
        self._tasks[country] = [
            loop.create_task(run_sender(self, country), name=f"sender-{country}", context=bare()),
            loop.create_task(run_puller(self, country), name=f"puller-{country}", context=bare()),
            loop.create_task(
                run_trust_sync(self, country), name=f"trust-{country}", context=bare()
            ),
        ]
        self.links[country].wake.set()

    async def stop_peer(self, country: str) -> None:
        """Stop the tasks and link of a peer that was removed."""
        for t in self._tasks.pop(country, []):
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self.links.pop(country, None)
        if (cached := self._channels.pop(country, None)) is not None:
            await cached[1].close()

    def _purge_withdrawn(self) -> None:
        """Content of alerts withdrawn before this node purged on receipt goes now."""
        with self.db.write() as s:
            n = received.purge_withdrawn(s, self.country)
            if n:
                repo.append_audit(s, utcnow(), "alert.purged", {"withdrawn_alerts": n})

    def _restore_trust(self) -> None:
        with self.db.read() as s:
            self.trust.restore(s)

    def _write_runtime_file(self) -> None:
        data = {
            "country": self.country,
            "address": self.address,
            "fingerprint": self.identity.fingerprint,
            "pid": os.getpid(),
        }
        path = self.config.state_dir / "node.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(path)

    async def stop(self, grace: float = 5.0) -> None:
        """Graceful stop: NOT_SERVING first, let in-flight batches finish, then close."""
        self.stopping.set()
        await self.health.enter_graceful_shutdown()
        for task in (self._policy_task, self._trust_task, self._audit_task):
            if task is not None:
                task.cancel()
        if self._audit_task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._audit_task
        for tasks in self._tasks.values():
            for t in tasks:
                t.cancel()
        for tasks in self._tasks.values():
            for t in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await t
        if self._server is not None:
            await self._server.stop(grace)
        if self._operator is not None:
            await self._operator.stop(1.0)
        if self._who is not None:
            self._who.close()
        try:
            await self.run_db(self._final_audit)
            await self.audit_heads.final()  # the head after node.stopped, to every peer
        finally:
            for _, ch in self._channels.values():
                await ch.close()
            self._db_pool.shutdown(wait=True)
            self._cpu_pool.shutdown(wait=True)
            self.db.close()
            (self.config.state_dir / "node.json").unlink(missing_ok=True)
            self.config.socket_path.unlink(missing_ok=True)
            (self.config.state_dir / WHO_SOCKET).unlink(missing_ok=True)

    def _final_audit(self) -> None:
        with self.db.write() as s:
            repo.append_audit(s, utcnow(), "node.stopped", {})


GONE = (0, 0, 0)


def _stamp(path: Path) -> tuple[int, int, int]:
    """What tells a changed file: mtime, size and inode (an editor may replace the file);
    GONE when it cannot be stat'ed (reading it then says why)."""
    try:
        st = path.stat()
    except OSError:
        return GONE
    return (st.st_mtime_ns, st.st_size, st.st_ino)
