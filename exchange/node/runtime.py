"""The running node: one facade over its parts, on one event loop.

The parts hold what their names say: policy (exchange.node.policywatch), receiving
(exchange.node.ingest), client channels (exchange.node.channels), links (exchange.sync.links),
listeners and per-peer tasks (exchange.node.lifecycle). The sync loops see the node only
through exchange.sync.ports, which `Node` satisfies. Database work runs in a bounded thread
pool (sync SQLAlchemy); signature verification runs in a second pool sized to the cores
(Ed25519 verification releases the GIL). Time comes from one injected clock (exchange.clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import os
from collections.abc import AsyncIterable, AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

import grpc

from exchange._proto.v1 import envelope_pb2, exchange_pb2, trust_pb2
from exchange.alerts.views import Disclosure
from exchange.clock import SYSTEM, Clock
from exchange.config import NodeConfig
from exchange.errors import ConfigError, Error, NotPermitted
from exchange.node import alarms, replicasync
from exchange.node import identity as identity_mod
from exchange.node import retention as retention_loop
from exchange.node.auditheads import AuditHeads
from exchange.node.auditwitness import AuditWitness
from exchange.node.channels import PeerChannels
from exchange.node.checkpool import CheckPool
from exchange.node.docfetch import DocFetcher
from exchange.node.exchange_service import ExchangeService
from exchange.node.identity import Identity
from exchange.node.ingest import Ingest
from exchange.node.lifecycle import Listeners, PeerTasks
from exchange.node.peers import PeerInfo, PeerRegistry
from exchange.node.policywatch import PolicyWatch
from exchange.node.recorddesk import RecordDesk
from exchange.node.replicas import LeaseBoard, SharedWatch
from exchange.node.trustintake import TrustIntake
from exchange.node.truststore import NodeTrust, Outcome
from exchange.policy import Policy
from exchange.policy.disclosure import PolicyDisclosure
from exchange.store import leases as lease_store
from exchange.store import received, repo, shared
from exchange.store.db import Database
from exchange.sync import inbox
from exchange.sync.groupcommit import PublishGroups
from exchange.sync.links import LinkBoard, LinkState
from exchange.sync.streams import StreamHolds
from exchange.trust import PURPOSES

__all__ = ["LinkState", "Node", "utcnow"]
CONTENT_TABLES = frozenset({"document_versions", "record_attachments"})  # content to fetch
RECORD_TABLES = frozenset({"record_cases"})  # requests for the record desk
log = logging.getLogger("exchange.node")
T = TypeVar("T")


def utcnow() -> datetime:
    """The system clock's wall time (for callers that have no node's clock at hand)."""
    return SYSTEM.now()


class Node:
    def __init__(
        self, config: NodeConfig, identity: Identity, db: Database, clock: Clock = SYSTEM
    ) -> None:
        self.config = config
        self.identity = identity
        self.country = config.country
        self.db = db
        self.clock = clock
        self.peers = PeerRegistry(lambda: self.identity)
        self._addresses: dict[str, str] = {}
        self.trust = NodeTrust(config.country, signer=lambda: self.identity.signing)
        self.policy_watch = PolicyWatch(config.policy, config.country, self._policy_audit, clock)
        self.disclosure: Disclosure = PolicyDisclosure(lambda: self.policy)
        self.links = LinkBoard(clock)
        self.address = ""
        self.metrics_port = 0  # the /metrics port once served ([metrics] listen)
        self._db_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="db")
        self._cpu_pool = ThreadPoolExecutor(
            max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="verify"
        )
        self.trust_intake = TrustIntake(
            self.trust, db, self._db_pool, self._cpu_pool, clock.monotonic, clock.now
        )
        self.channels = PeerChannels(
            self.peers, lambda: self.identity, config.limits.max_message_bytes
        )
        self.holds = StreamHolds(clock=clock)
        self.ingest = Ingest(
            config,
            db,
            self.run_db,
            self.audit,
            lambda: self.policy,
            self.trust.signers,
            self._cpu_pool,
            clock,
            self.holds,
            checks=CheckPool(config.sync.check_processes),
        )
        self.listeners = Listeners(config)
        self.health = self.listeners.health
        # Work one replica at a time may do, and what other replicas change (node.replicas).
        label = f"exchange {config.country}{'/' + config.replica if config.replica else ''} leases"
        self.leases = LeaseBoard(
            lease_store.for_url(db.url, label), on_change=self._write_runtime_file
        )
        self.shared = SharedWatch(
            db, self.run_db, replicasync.handlers(self), config.country, self._heads_moved
        )
        self.tasks = PeerTasks(self, self.leases)
        self._telling: set[asyncio.Task[None]] = set()
        self._loops: list[asyncio.Task[None]] = []  # policy watch, trust tick
        self._promote_lock = asyncio.Lock()
        self.stopping = asyncio.Event()
        # Our signed audit heads go to every peer; theirs are kept here (exchange.audit_witness).
        self.audit_heads = AuditHeads(self, clock)
        self.metrics = self.ingest.metrics
        self.doc_fetcher = DocFetcher(self)
        self.record_desk = RecordDesk(self)
        self.publishing = PublishGroups(self)
        self.audit_witness = AuditWitness(
            db, self.run_db, self.trust.signers, self.audit, clock.now, clock.monotonic
        )

    # -- thread pools ----------------------------------------------------------------------

    async def run_db(self, fn: Callable[..., T], *args: Any) -> T:
        ctx = contextvars.copy_context()  # the acting user follows the request (exchange.actor)
        return await asyncio.get_running_loop().run_in_executor(self._db_pool, ctx.run, fn, *args)

    async def audit(self, event: str, detail: dict[str, Any], peer: str = "") -> None:
        def write() -> None:
            with self.db.write() as s:
                repo.append_audit(s, self.clock.now(), event, detail, peer)

        await self.run_db(write)

    # -- replicas (exchange.node.replicas) -------------------------------------------------

    async def shared_changed(self, name: str, note: str = "") -> None:
        """Tell the other replicas that `name` (exchange.store.shared) changed here."""
        if self.db.is_sqlite:
            return  # one process: nobody else to tell

        def write() -> None:
            with self.db.write() as s:
                shared.bump(s, name, note)

        await self.run_db(write)

    def _heads_moved(self, recipients: list[str]) -> None:
        """Our channels to these peers grew (a publish at any replica): wake their senders
        here; the one on the replica that holds the peer's lease sends."""
        for country in recipients:
            if (link := self.links.get(country)) is not None:
                link.wake.set()

    async def _policy_audit(self, event: str, detail: dict[str, Any]) -> None:
        await self.audit(event, detail)
        if event == "policy.loaded":
            await self.shared_changed(shared.POLICY, str(detail.get("digest", "")))

    # -- policy (exchange.node.policywatch) ------------------------------------------------

    @property
    def policy(self) -> Policy:
        return self.policy_watch.policy

    @property
    def policy_problem(self) -> str:
        return self.policy_watch.problem

    def reload_policy(self) -> tuple[Policy, bool]:
        """Load the policy file again; keep the old one (and raise) if the new one is invalid."""
        return self.policy_watch.reload()

    async def check_policy_file(self) -> None:
        await self.policy_watch.check()

    def policy_alarms(self) -> list[str]:
        return self.policy_watch.alarms()

    async def audit_policy(self, trigger: str) -> None:
        await self.policy_watch.audit_loaded(trigger)

    # -- peers and links -------------------------------------------------------------------

    def load_addresses(self) -> None:
        """Read the peers' addresses from the database (at start and after `peers add`)."""
        with self.db.read() as s:
            self._addresses = {r.country: r.address for r in repo.peers(s)}

    async def recipients(self) -> list[str]:
        """The peers a publish queues for. On PostgreSQL, read from the database: a peer that
        another replica added a moment ago is not in this replica's memory yet."""
        if self.db.is_sqlite:
            return [p.country for p in self.peers.all()]

        def read() -> list[str]:
            with self.db.read() as s:
                return [r.country for r in repo.peers(s)]

        return await self.run_db(read)

    def refresh_peers(self) -> bool:
        """Rebuild peers from their addresses and the TLS keys certified for them now.

        Called on every trust change and every couple of seconds (windows open and close with
        time); in memory only. True if the pins changed."""
        now = self.clock.now()
        infos = [
            PeerInfo(country, address, tuple(sorted(self.trust.tls_pins(country, now).items())))
            for country, address in sorted(self._addresses.items())
        ]
        for p in infos:
            self.links.link(p.country)
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

    def identify(self, context: grpc.aio.ServicerContext[Any, Any]) -> str:
        """The country the caller speaks for: the one its pinned certificate is bound to."""
        country = self.peer_of(context)
        if not country:
            raise NotPermitted("the client certificate is not pinned for any peer")
        self.links.contact(country)
        return country

    def peer_of(self, context: grpc.aio.ServicerContext[Any, Any]) -> str:
        """The country a caller's pinned certificate speaks for, or "" (for the audit log)."""
        certs = context.auth_context().get("x509_pem_cert") or []
        return (self.peers.country_for_cert(certs[0]) if certs else None) or ""

    def channel_to(self, peer: PeerInfo) -> grpc.aio.Channel:
        """A client channel to a peer, re-created when its address or pin changes."""
        return self.channels.channel_to(peer)

    def mark_ok(self, country: str) -> None:
        self.links.mark_ok(country)

    def mark_failed(self, country: str, reason: str) -> None:
        self.links.mark_failed(country, reason)

    def stalled(self, country: str, pending: bool) -> str:
        """Why the link to country looks stuck though it may be up, or "" (for status).
        `pending`: the peer has not acknowledged everything (it may have pulled the rest)."""
        reasons = [self.holds.stalled(country), self.links.push_stalled(country, pending)]
        return "; ".join(r for r in reasons if r)

    def wake_senders(self) -> None:
        self.links.wake_senders()

    # -- alarms ----------------------------------------------------------------------------

    @property
    def revoked_refusals(self) -> dict[str, int]:
        return self.ingest.revoked_refusals  # country -> batches refused (since start)

    @property
    def id_conflicts(self) -> dict[str, int]:
        return self.ingest.id_conflicts  # country -> alert ids it reused (since start)

    def alarms(self, quarantined: int) -> list[str]:
        """Every alarm `exchange status` shows, in one list (acknowledged or not)."""
        return self.trust_alarms() + self.receipt_alarms(quarantined) + self.policy_alarms()

    def trust_alarms(self) -> list[str]:
        """What `exchange status` must shout about: trust state and refused revoked keys."""
        now = self.clock.now()
        signing = self.identity.signing.public_raw
        certified = self.trust.bundle is None or self.trust.certified(
            self.country, trust_pb2.KEY_PURPOSE_SIGN, signing, now
        )
        return self.trust.alarms(now) + alarms.refusal_alarms(self.revoked_refusals, certified)

    def receipt_alarms(self, quarantined: int) -> list[str]:
        """What `exchange status` must say about received content held back or refused."""
        return alarms.receipt_alarms(quarantined, self.id_conflicts)

    # -- trust -----------------------------------------------------------------------------

    def own_tls(self) -> list[bytes]:
        """Our TLS certificates to announce: the current one, and the next during a rotation."""
        nxt = identity_mod.next_tls_pem(self.config.state_dir)
        return [self.identity.tls_cert_pem, *([nxt] if nxt else [])]

    def trust_offer(self) -> exchange_pb2.TrustSync:
        """What we offer a peer in a Trust round (exchange.sync.trustsync)."""
        return self.trust.offer(self.own_tls(), self.clock.now())

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
        if out.changed:
            await self.shared_changed(shared.TRUST)
        return out

    async def after_trust_change(self) -> None:
        """Re-pin peers, promote our next keys if now certified, and gossip onward."""
        self.refresh_peers()
        await self.promote_keys()
        self.links.wake_trust()

    async def promote_keys(self) -> None:
        """Switch to a next key once its certificate is installed and in effect."""
        async with self._promote_lock:  # the tick and an import may both get here
            await self._promote_keys()

    async def _promote_keys(self) -> None:
        now = self.clock.now()
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
                    "old": identity_mod.key_ids(old)[purpose],
                    "new": identity_mod.key_ids(self.identity)[purpose],
                },
            )
            log.info("%s key rotated: the certified next key is now in use", purpose)
            self._write_runtime_file()
            await self.shared_changed(shared.KEYS, purpose)

    async def _trust_tick(self) -> None:
        """Time moves certificate windows: re-pin and promote every two seconds."""
        while not self.stopping.is_set():
            await self.clock.sleep(2.0)
            try:
                if self.refresh_peers():
                    log.info("peer TLS pins changed")
                await self.promote_keys()
            except (Error, OSError) as exc:
                log.error("trust tick failed: %s", getattr(exc, "message", exc))

    # -- receiving (exchange.node.ingest) --------------------------------------------------

    def ingest_stream(
        self, caller: str, batches: AsyncIterable[exchange_pb2.EntryBatch], kind: str
    ) -> AsyncIterator[inbox.Applied]:
        """Verify and apply a stream of batches from caller, in order; yield one result each.
        A refusal is raised after the valid prefix is stored (it is already audited)."""
        return self._woken(self.ingest.stream(caller, batches, kind))

    async def _woken(self, results: AsyncIterator[inbox.Applied]) -> AsyncIterator[inbox.Applied]:
        """New entries may bring content to fetch or record requests to decide: wake those
        loops only when the batch wrote such rows (not on every batch of alerts)."""
        async for result in results:
            self.wake_for(result.tables)
            yield result

    def wake_for(self, tables: frozenset[str]) -> None:
        """Wake what has work after rows were written to these tables (exchange.store.items);
        on PostgreSQL also the replica that holds its lease (a shared version it polls)."""
        woken = []
        if tables & CONTENT_TABLES:
            self.doc_fetcher.wake()
            woken.append(shared.CONTENT)
        if tables & RECORD_TABLES:
            self.record_desk.wake()
            woken.append(shared.RECORDS)
        if woken and not self.db.is_sqlite:
            task = asyncio.get_running_loop().create_task(self._tell(woken))
            self._telling.add(task)
            task.add_done_callback(self._telling.discard)

    async def _tell(self, names: list[str]) -> None:
        for name in names:
            try:
                await self.shared_changed(name)
            except Exception as exc:  # the holder's own timer finds the work anyway
                log.error("could not wake the other replicas: %s", type(exc).__name__)

    # -- lifecycle (exchange.node.lifecycle) -----------------------------------------------

    async def start(self) -> None:
        from exchange.node.operator_service import OperatorService  # it imports this module

        await self.run_db(self.db.migrate)
        await self.run_db(self._purge_withdrawn)
        await self.shared.prime()  # what is loaded next is at least as new as these versions
        await self.run_db(self._restore_trust)
        await self.run_db(self.load_addresses)
        self.refresh_peers()
        self.address = await self.listeners.start_peer_port(
            self, ExchangeService(self), self.peers.server_credentials()
        )
        servicer = OperatorService(self)
        await self.listeners.start_operator(self, servicer, servicer.tickets)
        for p in self.peers.all():
            self.start_peer(p.country)
        await self.listeners.serving()
        if self.config.metrics.listen:
            self.metrics.watch(self)
            host, _, port = self.config.metrics.listen.rpartition(":")
            try:
                self.metrics_port = await asyncio.to_thread(self.metrics.serve, host, int(port))
            except OSError as exc:
                raise ConfigError(
                    f"cannot serve metrics on {self.config.metrics.listen}: {exc.strerror}",
                    hint="choose a free address for [metrics] listen, or remove it",
                ) from None
            log.info("metrics on http://%s:%d/metrics", host, self.metrics_port)
        self._write_runtime_file()
        await self.audit_policy("start")
        loop = asyncio.get_running_loop()
        # Singletons among replicas: each runs where its lease is held (node.replicas).
        self.leases.want("record-desk", lambda: self.record_desk.run(self.stopping))
        self.leases.want("retention", lambda: retention_loop.run(self, self.stopping))
        self.leases.want("documents", self._fetch_documents)
        self.leases.want("audit-checkpoints", self.audit_heads.run)
        await self.leases.tick()
        self._loops = [
            loop.create_task(self.policy_watch.watch(self.stopping)),
            loop.create_task(self._trust_tick()),
            loop.create_task(self.leases.run(self.stopping)),
            *([] if self.db.is_sqlite else [loop.create_task(self.shared.run(self.stopping))]),
        ]
        await self.audit(
            "node.started",
            {"address": self.address, **({"replica": self.replica} if self.replica else {})},
        )
        log.info("node %s%s serving on %s", self.country, self._replica_label, self.address)

    @property
    def replica(self) -> str:
        return self.config.replica

    @property
    def _replica_label(self) -> str:
        return f" (replica {self.replica})" if self.replica else ""

    async def _fetch_documents(self) -> None:
        try:
            await self.doc_fetcher.run(self.stopping)
        finally:
            await self.doc_fetcher.stop()  # the transfers it started end with the lease

    def start_peer(self, country: str) -> None:
        self.tasks.start(country)

    async def stop_peer(self, country: str) -> None:
        """Stop the tasks and link of a peer that was removed."""
        await self.tasks.stop(country)
        self.links.pop(country, None)
        await self.channels.close(country)

    def _purge_withdrawn(self) -> None:
        """Content of alerts withdrawn before this node purged on receipt goes now."""
        with self.db.write() as s:
            n = received.purge_withdrawn(s, self.country)
            if n:
                repo.append_audit(s, self.clock.now(), "alert.purged", {"withdrawn_alerts": n})

    def _restore_trust(self) -> None:
        with self.db.read() as s:
            self.trust.restore(s)

    def _write_runtime_file(self) -> None:
        data = {
            "country": self.country,
            "address": self.address,
            "fingerprint": self.identity.fingerprint,
            "pid": os.getpid(),
            "metrics_port": self.metrics_port,
            "replica": self.replica,
            "leases": self.leases.held(),
        }
        path = self.config.run_dir / "node.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(path)

    async def stop(self, grace: float = 5.0) -> None:
        """Graceful stop: NOT_SERVING first, let in-flight batches finish, then close."""
        self.stopping.set()
        await self.health.enter_graceful_shutdown()
        for task in self._loops:
            task.cancel()
        for task in self._loops:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.leases.stop()  # the leased work ends; other replicas take the leases over
        await asyncio.to_thread(self.metrics.stop)
        await self.listeners.stop(grace)
        try:
            await self.run_db(self._final_audit)
            await self.audit_heads.final()  # the head after node.stopped, to every peer
        finally:
            await self.channels.close_all()
            self._db_pool.shutdown(wait=True)
            self._cpu_pool.shutdown(wait=True)
            self.ingest.checks.shutdown()
            self.db.close()
            self.listeners.remove_files()

    def _final_audit(self) -> None:
        with self.db.write() as s:
            repo.append_audit(s, self.clock.now(), "node.stopped", {})
