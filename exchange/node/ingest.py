"""Receiving: verify and apply the batches of an inbound stream, in order, pipelined.

The next batch's signatures are verified in the CPU pool (Ed25519 releases the GIL) while the
current one is written in the database pool. Bounds and the policy's accept rule (batch size,
rate) are checked before anything is verified; a refusal is audited once and raised after the
valid prefix is stored. One batch per origin is applied at a time (push and pull may overlap).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from exchange._proto.v1 import envelope_pb2, exchange_pb2
from exchange.clock import Clock
from exchange.config import NodeConfig
from exchange.errors import Error, NotPermitted, TooLarge
from exchange.items.base import Acceptance
from exchange.node import checkpool
from exchange.node.checkpool import CheckPool
from exchange.node.metrics import Metrics
from exchange.policy import AcceptRule, Policy
from exchange.policy.rate import TokenBucket
from exchange.store.db import Database
from exchange.sync import inbox
from exchange.sync.streams import Stream, StreamHolds
from exchange.trust.errors import KeyRevoked
from exchange.trust.signers import TrustedSigners

log = logging.getLogger("exchange.node")
T = TypeVar("T")
RunDb = Callable[..., Awaitable[Any]]
Audit = Callable[[str, dict[str, Any], str], Awaitable[None]]


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
class Ingest:
    """The node's receive path; counts what `exchange status` reports since start."""

    config: NodeConfig
    db: Database
    run_db: RunDb
    audit: Audit
    policy: Callable[[], Policy]
    signers: Callable[[str], TrustedSigners]
    cpu_pool: ThreadPoolExecutor
    clock: Clock
    holds: StreamHolds
    metrics: Metrics = field(default_factory=Metrics)
    checks: CheckPool = field(default_factory=lambda: CheckPool(0))  # processes for catch-up
    revoked_refusals: dict[str, int] = field(default_factory=dict)  # country -> batches
    id_conflicts: dict[str, int] = field(default_factory=dict)  # country -> alert ids reused
    _buckets: dict[str, tuple[AcceptRule, TokenBucket]] = field(default_factory=dict, init=False)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict, init=False)

    @property
    def country(self) -> str:
        return self.config.country

    async def stream(
        self, caller: str, batches: AsyncIterable[exchange_pb2.EntryBatch], kind: str
    ) -> AsyncIterator[inbox.Applied]:
        """Verify and apply a stream of batches from caller, in order; yield one result each."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[asyncio.Future[_Prepared] | None] = asyncio.Queue(maxsize=2)
        stream = Stream(caller, kind, self.clock)

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
        now = self.clock.now()
        err: Error | None = None
        rule = self.policy().accept_rule(caller)
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
        elif not self._bucket(caller, rule).take(len(batch.entries), self.clock.monotonic()):
            err = TooLarge(f"{caller} is over its rate of {rule.max_rate:g} entries/s; retry later")
        elif len(batch.entries) > limits.max_batch_entries:
            err = TooLarge(
                f"batch of {len(batch.entries)} entries exceeds the limit of "
                f"{limits.max_batch_entries}"
            )
        elif (size := batch.ByteSize()) > limits.max_message_bytes:
            err = TooLarge(f"batch of {size} bytes exceeds the limit of {limits.max_message_bytes}")
        if err is not None:
            self.metrics.refused.labels(caller, type(err).__name__).inc()
            await self.audit("channel.refused", inbox.refusal_detail(err), caller)
            raise err
        envs = list(batch.entries)
        skip, head = await self.run_db(inbox.replay_prefix, self.db, caller, self.country, envs)
        started = time.perf_counter()
        good, first_error = await self._verify(caller, envs[skip:], now)
        if len(envs) > skip:
            self.metrics.verify_seconds.observe(time.perf_counter() - started)
        acceptance = self.policy().acceptance(caller)
        return _Prepared(skip, head, good, first_error, now, acceptance)

    def _bucket(self, caller: str, rule: AcceptRule) -> TokenBucket:
        held = self._buckets.get(caller)
        if held is None or held[0] != rule:
            capacity = max(float(rule.max_batch), rule.max_rate)
            held = (rule, TokenBucket(rule.max_rate, capacity, self.clock.monotonic()))
            self._buckets[caller] = held
        return held[1]

    async def _verify(
        self, caller: str, envs: list[envelope_pb2.Envelope], now: datetime
    ) -> tuple[list[inbox.Incoming], Error | None]:
        if not envs:
            return [], None
        trusted = self.signers(caller)
        loop = asyncio.get_running_loop()
        max_bytes = self.config.limits.max_entry_bytes
        if self.checks.enabled and len(envs) >= checkpool.MIN_ENTRIES:
            # Worker processes: the guard and the bounds hold no GIL of this process.
            step = -(-len(envs) // self.checks.workers)
            chunks = [envs[i : i + step] for i in range(0, len(envs), step)]
            raws = [[e.SerializeToString() for e in chunk] for chunk in chunks]
            spec = checkpool.SignerSpec.of(trusted)
            lists = checkpool.guard_lists()
            pool = self.checks.executor()
            done = await asyncio.gather(
                *(
                    loop.run_in_executor(
                        pool,
                        checkpool.check_chunk,
                        raw,
                        spec,
                        lists,
                        caller,
                        self.country,
                        max_bytes,
                        now,
                    )
                    for raw in raws
                )
            )
            results = [
                (checkpool.rebuild(chunk, raw, values), error)
                for chunk, raw, (values, error) in zip(chunks, raws, done, strict=True)
            ]
        else:
            workers = max(1, min(len(envs) // 64, self.cpu_pool._max_workers))
            step = -(-len(envs) // workers)
            chunks = [envs[i : i + step] for i in range(0, len(envs), step)]
            results = await asyncio.gather(
                *(
                    loop.run_in_executor(
                        self.cpu_pool,
                        inbox.check_batch,
                        chunk,
                        trusted,
                        caller,
                        self.country,
                        max_bytes,
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
            self.metrics.replayed.labels(caller).inc(prep.skipped)
            return inbox.Applied(0, prep.skipped, prep.head, None)
        async with self._locks.setdefault(caller, asyncio.Lock()):
            started = time.perf_counter()
            result: inbox.Applied = await self.run_db(
                inbox.apply,
                self.db,
                caller,
                self.country,
                prep.good,
                prep.now,
                prep.error,
                prep.acceptance,
            )
            self.metrics.commit_seconds.observe(time.perf_counter() - started)
        m = self.metrics
        m.received.labels(caller).inc(result.applied)
        m.replayed.labels(caller).inc(result.replayed + prep.skipped)
        if result.refusal is not None:
            m.refused.labels(caller, type(result.refusal).__name__).inc()
        if result.conflicts:
            self.id_conflicts[caller] = self.id_conflicts.get(caller, 0) + result.conflicts
        return inbox.Applied(
            result.applied,
            result.replayed + prep.skipped,
            result.head_seq,
            result.refusal,
            tables=result.tables,
        )
