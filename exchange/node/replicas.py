"""Replicas of one node on one PostgreSQL database: leased singleton work and shared caches.

`LeaseBoard` runs each piece of work that must not run twice (the sender, puller and trust
gossip of each peer, the record desk, retention, the document fetcher, the audit checkpoint
loop) only while this replica holds its lease (exchange.store.leases). Every `poll` seconds it
checks that the lease connection is alive and tries to take the leases it wants but does not
hold: a replica that dies (SIGKILL included) loses its leases with its connection, and another
takes them over on its next poll. On SQLite every lease is held at once (one process).

`SharedWatch` polls the shared versions (exchange.store.shared) and reloads what another
replica changed: trust state, peers, policy, the node's keys; and it polls the heads of our
outgoing channels, so that an entry queued at another replica wakes the sender here (the one
that holds the peer's lease sends it within a poll).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from exchange.store import leases as lease_store
from exchange.store import shared
from exchange.store.db import Database

log = logging.getLogger("exchange.replicas")
Work = Callable[[], Coroutine[Any, Any, None]]
POLL_SECONDS = 1.0


class LeaseBoard:
    def __init__(
        self,
        leases: lease_store.Leases,
        poll: float = POLL_SECONDS,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self._leases = leases
        self.poll = poll
        self._on_change = on_change
        self._wanted: dict[str, Work] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}  # held leases, with their work
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Tick now (a new lease is wanted) rather than at the next poll."""
        self._wake.set()

    def held(self) -> list[str]:
        return sorted(self._tasks)

    def want(self, name: str, work: Work) -> None:
        """Run `work` whenever this replica holds the lease `name` (from the next tick)."""
        self._wanted.setdefault(name, work)

    async def drop(self, name: str) -> None:
        """Stop wanting `name`: its work is cancelled and the lease released."""
        self._wanted.pop(name, None)
        task = self._tasks.pop(name, None)
        if task is not None:
            await _cancel([task])
            await asyncio.to_thread(self._leases.release, name)
            self._on_change()

    async def tick(self) -> None:
        """Check the held leases, restart work that ended, and take free wanted ones."""
        try:
            if self._tasks:
                await asyncio.to_thread(self._leases.check)
            changed = False
            for name, work in list(self._wanted.items()):
                task = self._tasks.get(name)
                if task is not None:
                    if task.done():  # the work ended (a bug): start it again, lease kept
                        if not task.cancelled() and task.exception() is not None:
                            log.error("%s ended: %s", name, type(task.exception()).__name__)
                        self._tasks[name] = _start(name, work)
                    continue
                if await asyncio.to_thread(self._leases.try_take, name):
                    if name not in self._wanted:  # dropped meanwhile
                        await asyncio.to_thread(self._leases.release, name)
                        continue
                    log.info("lease %s taken", name)
                    self._tasks[name] = _start(name, work)
                    changed = True
        except lease_store.LeaseLost as exc:
            log.error("lease connection lost (%s): stopping the leased work", exc)
            await _cancel(list(self._tasks.values()))
            self._tasks.clear()
            changed = True
        if changed:
            self._on_change()

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self.tick()
            except Exception as exc:  # the board must outlive any error
                log.error("lease tick failed: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll)
            self._wake.clear()

    async def stop(self) -> None:
        """Cancel the leased work, then close the connection (PostgreSQL frees the leases)."""
        await _cancel(list(self._tasks.values()))
        self._tasks.clear()
        await asyncio.to_thread(self._leases.close)


def _start(name: str, work: Work) -> asyncio.Task[None]:
    return asyncio.get_running_loop().create_task(work(), name=f"lease:{name}")


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    for t in tasks:
        t.cancel()
    for t in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await t


class SharedWatch:
    """Reloads what another replica changed, by shared version; cheap to poll (one query)."""

    def __init__(
        self,
        db: Database,
        run_db: Callable[..., Awaitable[Any]],
        handlers: dict[str, Callable[[str], Awaitable[None]]],
        country: str,
        heads_moved: Callable[[list[str]], None],
        poll: float = POLL_SECONDS,
    ) -> None:
        self._db, self._run_db = db, run_db
        self._handlers = handlers
        self._country, self._heads_moved = country, heads_moved
        self.poll = poll
        self._seen: dict[str, int] = {}
        self._heads: dict[str, int] = {}

    def _read(self) -> tuple[dict[str, tuple[int, str]], dict[str, int]]:
        with self._db.read() as s:
            return shared.versions(s), shared.own_heads(s, self._country)

    async def prime(self) -> None:
        """What is in memory at start is what the database holds now."""
        versions, self._heads = await self._run_db(self._read)
        self._seen = {k: v for k, (v, _) in versions.items()}

    async def tick(self) -> list[str]:
        current, heads = await self._run_db(self._read)
        # Our outgoing channels: a publish at another replica moved a head (no extra write).
        moved = [r for r, seq in heads.items() if self._heads.get(r) != seq]
        self._heads = heads
        if moved:
            self._heads_moved(moved)
        changed = [k for k, (v, _) in current.items() if self._seen.get(k) != v]
        for name in changed:
            handler = self._handlers.get(name)
            if handler is not None:
                await handler(current[name][1])
            self._seen[name] = current[name][0]
        return changed

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self.poll)
            try:
                await self.tick()
            except Exception as exc:  # keep polling; a reload is retried next time
                log.error("shared state reload failed: %s", type(exc).__name__)
