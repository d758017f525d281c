"""Fetching received documents' content from their origins, chunk by chunk, in the background.

A manifest arrives on the channel; its content follows here: up to the prefetch size at once,
larger documents when an operator asks (`docs get`). Each chunk is checked against the signed
manifest (its length and sha256) in a worker thread before it is written; a wrong chunk is
refused, audited and not stored, and that origin is not asked for that content again until
the node restarts. Chunks are stored in order, so a transfer cut by a crash, a restart or a
dropped link resumes from the last verified chunk. The whole is checked against the manifest's
content sha256 before it counts as complete. No more than a few chunks are held in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import grpc

from exchange._proto.v1 import document_pb2, exchange_pb2_grpc
from exchange.documents import manifest as mf
from exchange.documents import mediatype
from exchange.node import faults
from exchange.records import attach
from exchange.store import documents, repo
from exchange.store import records as record_store
from exchange.store.chunkfile import ChunkFile
from exchange.store.db import Database
from exchange.sync.backoff import Backoff

if TYPE_CHECKING:
    from exchange.node.runtime import Node

log = logging.getLogger("exchange.documents")
BATCH = 16  # chunks per write transaction, at most
QUEUE = 8  # chunks received ahead of the writer
STALE = "the content went meanwhile (withdrawn)"
Hash = Any  # hashlib's running hash object (hashlib._Hash has no public name)
IDLE_SECONDS = 2.0


@dataclass
class Transfer:
    """One content being fetched: what the operator's progress shows."""

    origin: str
    digest: str
    size: int
    have_bytes: int = 0
    note: str = ""
    backoff: Backoff = field(default_factory=lambda: Backoff(1.0, 30.0))
    retry_at: float = 0.0


class DocFetcher:
    def __init__(self, node: Node) -> None:
        self.node = node
        self._wake = asyncio.Event()
        self.transfers: dict[str, Transfer] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self.refused: set[tuple[str, str]] = set()  # (origin, digest) that sent a bad chunk

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_SECONDS)
            self._wake.clear()
            try:
                await self._start_wanted()
            except Exception as exc:  # keep going; never log the text (it may echo rows)
                log.error("document fetch round failed: %s", type(exc).__name__)

    async def stop(self) -> None:
        for task in self._running.values():
            task.cancel()
        for task in list(self._running.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _start_wanted(self) -> None:
        prefetch = self.node.config.documents.prefetch_bytes

        def wanted() -> list[tuple[str, str, int, bytes]]:
            """(origin, digest, size, manifest) of documents, then record attachments (always
            fetched: they are bounded, and an officer waits for them)."""
            with self.node.db.read() as s:
                docs = documents.wanted_content(s, self.node.country, prefetch)
                parts = record_store.wanted_attachments(s)
                return [(d.origin, d.content_sha256, d.size, d.manifest) for d in docs] + [
                    (a.peer, a.digest, a.size, a.manifest) for a in parts
                ]

        now = self.node.clock.monotonic()
        for origin, digest, size, manifest in await self.node.run_db(wanted):
            if digest in self._running or (origin, digest) in self.refused:
                continue
            t = self.transfers.get(digest)
            if t is not None and t.retry_at > now:
                continue
            if self.node.peers.get(origin) is None:
                continue
            t = t or Transfer(origin, digest, size)
            t.origin = origin
            self.transfers[digest] = t
            task = asyncio.get_running_loop().create_task(self._fetch(t, manifest))
            self._running[digest] = task
            task.add_done_callback(self._done(digest))

    def _done(self, digest: str) -> Callable[[asyncio.Task[None]], None]:
        def forget(_task: asyncio.Task[None]) -> None:
            self._running.pop(digest, None)

        return forget

    async def _fetch(self, t: Transfer, manifest_bytes: bytes) -> None:
        m = document_pb2.DocumentManifest.FromString(manifest_bytes)
        try:
            done = await self._transfer(t, m)
            if done:
                t.backoff.reset()
                self.transfers.pop(t.digest, None)
        except grpc.aio.AioRpcError as exc:
            t.note = f"{m.origin} did not serve it: {exc.code().name}"
            self._later(t)
        except Exception as exc:
            log.error("fetching content from %s failed: %s", m.origin, type(exc).__name__)
            t.note = f"internal error: {type(exc).__name__}"
            self._later(t)

    def _later(self, t: Transfer) -> None:
        t.retry_at = self.node.clock.monotonic() + t.backoff.next()

    async def _transfer(self, t: Transfer, m: document_pb2.DocumentManifest) -> bool:
        node = self.node
        digest = m.content_sha256.hex()
        chunks = len(m.chunk_sha256)

        def begin() -> tuple[int, bool, str]:
            with node.db.write() as s:
                b = documents.start_blob(
                    s, digest, m.size, m.chunk_size, chunks, m.origin, node.clock.now()
                )
                if b.complete:
                    return b.have, True, ""
                if b.source != m.origin or b.chunk_size != m.chunk_size:
                    return b.have, False, "shares its content with another transfer"
                return b.have, False, ""

        have, complete, busy = await node.run_db(begin)
        if complete:
            return True
        if busy:
            t.note = busy
            self._later(t)
            return False
        whole = hashlib.sha256()
        if have:  # resume: the hash of what is stored, read back chunk by chunk
            await node.run_db(_rehash, node.db, digest, have, whole)
        t.have_bytes = min(have * m.chunk_size, m.size)
        t.note = ""
        if have < chunks:
            peer = node.peers.get(m.origin)
            if peer is None:
                return False
            stub = exchange_pb2_grpc.ExchangeStub(node.channel_to(peer))
            call = stub.FetchContent(
                document_pb2.ContentRequest(
                    content_sha256=m.content_sha256, offset=have * m.chunk_size
                )
            )
            expected, problem = await self._receive(t, m, digest, call, have, whole)
            if problem:
                await self._refuse(t, m, problem)
                return problem == STALE
            if expected < chunks:
                t.note = f"{m.origin} ended the transfer early; it resumes"
                self._later(t)
                return False
        return await self._finish(t, m, digest, whole.digest())

    async def _receive(
        self,
        t: Transfer,
        m: document_pb2.DocumentManifest,
        digest: str,
        call: Any,
        have: int,
        whole: Hash,
    ) -> tuple[int, str]:
        """Receive and store at once: a reader task puts the chunks on a bounded queue while
        those before them are verified and written in a worker thread, up to BATCH at a time.
        Returns (the stored prefix, the problem of a refused chunk or STALE)."""
        node, chunks = self.node, len(m.chunk_sha256)
        q: asyncio.Queue[bytes | None] = asyncio.Queue(QUEUE)
        failed: list[Exception] = []

        async def read() -> None:
            at = have
            try:
                async for msg in call:
                    # out of order: b"" is refused as the chunk at that place
                    await q.put(msg.data if msg.offset == at * m.chunk_size else b"")
                    at += 1
                    if at >= chunks:
                        break
            except Exception as exc:  # the peer's error: what is queued is dropped (the writer
                failed.append(exc)  # stops), and fetched again when the transfer resumes
            await q.put(None)

        reader = asyncio.get_running_loop().create_task(read())
        expected, ended = have, False
        try:
            while not ended and expected < chunks:
                item = await q.get()
                batch: list[bytes] = []
                while item is not None:
                    batch.append(item)
                    if len(batch) >= BATCH or q.empty():
                        break
                    item = q.get_nowait()
                ended = item is None
                if batch and not failed:
                    stored, problem = await node.run_db(
                        _store, node.db, m, digest, expected, batch, whole
                    )
                    expected += stored
                    node.metrics.document_bytes.labels(m.origin, "in").inc(
                        sum(len(b) for b in batch[:stored])
                    )
                    t.have_bytes = min(expected * m.chunk_size, m.size)
                    if problem:
                        return expected, problem
        finally:
            call.cancel()
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        if failed:
            raise failed[0]
        return expected, ""

    async def _finish(
        self, t: Transfer, m: document_pb2.DocumentManifest, digest: str, got: bytes
    ) -> bool:
        node = self.node
        ok = got == m.content_sha256
        why = "the content does not match its signed sha256"
        if ok and (p := await node.run_db(_container, node.db, digest, m)):
            ok, why = False, p

        def write() -> None:
            with node.db.write() as s:
                detail = {"document_id": m.document_id, "version": m.version, "size": m.size}
                if ok:
                    documents.mark_complete(s, digest)
                    repo.append_audit(
                        s, node.clock.now(), "document.content_stored", detail, peer=m.origin
                    )
                else:
                    documents.drop_blob(s, digest)
                    documents.mark_refused(s, m.origin, digest, f"refused: {why}")
                    repo.append_audit(
                        s,
                        node.clock.now(),
                        "document.content_refused",
                        detail | {"reason": why},
                        peer=m.origin,
                    )

        await node.run_db(write)
        if not ok:
            self.refused.add((m.origin, digest))
            t.note = f"refused: {why}"
        return ok

    async def _refuse(self, t: Transfer, m: document_pb2.DocumentManifest, problem: str) -> None:
        """A bad chunk: audited, not stored, that origin not asked for it again."""
        if problem == STALE:
            return
        self.refused.add((m.origin, t.digest))
        t.note = f"refused: {problem}"
        node = self.node

        def write() -> None:  # the verified chunks before it are of no use from that origin
            with node.db.write() as s:
                b = documents.blob(s, t.digest)
                if b is not None and not b.complete and b.source == m.origin:
                    documents.drop_blob(s, t.digest)
                documents.mark_refused(s, m.origin, t.digest, t.note)
                repo.append_audit(
                    s,
                    node.clock.now(),
                    "document.chunk_refused",
                    {"document_id": m.document_id, "version": m.version, "reason": problem},
                    peer=m.origin,
                )

        await node.run_db(write)


def _container(db: Database, digest: str, m: document_pb2.DocumentManifest) -> str | None:
    with io.BufferedReader(ChunkFile(db, digest, m.size, m.chunk_size), 65536) as f:
        return mediatype.container_problem(m.media_type, f)


def _rehash(db: Database, digest: str, have: int, whole: Hash) -> None:
    for n, data in enumerate(documents.iter_chunks(db.read, digest)):
        if n >= have:
            break
        whole.update(data)


def _store(
    db: Database,
    m: document_pb2.DocumentManifest,
    digest: str,
    first: int,
    batch: list[bytes],
    whole: Hash,
) -> tuple[int, str]:
    """Verify chunks first.. against the manifest and store the good prefix: (stored, the
    problem of the first bad chunk). STALE: the blob went meanwhile (a withdrawal)."""
    good: list[bytes] = []
    problem = ""
    for i, data in enumerate(batch):
        p = mf.chunk_problem(m, first + i, data)
        if p is None and first + i == 0 and m.media_type != attach.SEALED_MEDIA:
            # the content must be what the manifest says it is (ciphertext has no type)
            p = mediatype.head_problem(m.media_type, data[: mediatype.HEAD], m.size)
        if p:
            problem = p
            break
        good.append(data)
    if good:
        with db.write() as s:
            if documents.add_chunks(s, digest, first, good) != first + len(good):
                return 0, STALE
        for data in good:
            whole.update(data)
        faults.maybe_crash_after("crash-after-chunks", first + len(good))
    return len(good), problem
