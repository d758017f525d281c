"""The peer-facing Exchange service: Push (batches in, acks out) and Pull (catch-up)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol, TypeAlias

import grpc
from sqlalchemy.exc import SQLAlchemyError

from exchange._proto.v1 import audit_pb2, document_pb2, exchange_pb2, exchange_pb2_grpc
from exchange.app.documents import serve_chunks
from exchange.bounds import MAX_SEQ
from exchange.errors import Error, MalformedInput, NotFound, NotPermitted, OutOfRange
from exchange.node import faults
from exchange.node.auditwitness import AuditWitness
from exchange.node.metrics import Metrics
from exchange.node.status import abort
from exchange.node.trustintake import TrustIntake
from exchange.store import documents, repo
from exchange.store import records as record_store
from exchange.sync import inbox
from exchange.sync.ports import TrustPorts
from exchange.sync.streams import PUSH

log = logging.getLogger("exchange.exchange")
Ctx: TypeAlias = Any  # grpc.aio.ServicerContext; grpc ships no type information


class Host(TrustPorts, Protocol):
    """What the Exchange servicer needs of the node (exchange.node.runtime.Node is one)."""

    def identify(self, context: Ctx) -> str: ...

    async def audit(self, event: str, detail: dict[str, Any], peer: str = "") -> None: ...

    @property
    def trust_intake(self) -> TrustIntake: ...

    @property
    def audit_witness(self) -> AuditWitness: ...

    @property
    def metrics(self) -> Metrics: ...


class ExchangeService(exchange_pb2_grpc.ExchangeServicer):
    def __init__(self, node: Host) -> None:
        self.node = node

    async def _identify(self, context: Ctx) -> str:
        try:
            return self.node.identify(context)
        except Error as err:
            await self.node.audit("rpc.refused", inbox.refusal_detail(err))
            await abort(context, err)

    async def Push(
        self, request_iterator: AsyncIterator[exchange_pb2.EntryBatch], context: Ctx
    ) -> AsyncIterator[exchange_pb2.Ack]:
        caller = await self._identify(context)
        try:
            async for result in self.node.ingest_stream(caller, request_iterator, PUSH):
                yield exchange_pb2.Ack(
                    origin=caller,
                    recipient=self.node.country,
                    head_seq=result.head_seq,
                    applied=result.applied,
                    replayed=result.replayed,
                )
        except Error as err:
            await abort(context, err)
        except (SQLAlchemyError, OSError) as exc:
            # Never log the exception text: database errors echo the rows (subject data).
            log.error("storing entries from %s failed: %s", caller, type(exc).__name__)
            await self.node.audit("channel.error", {"error": type(exc).__name__}, caller)
            await context.abort(
                grpc.StatusCode.INTERNAL,
                f"the receiver could not store the batch ({type(exc).__name__}); it stays "
                "queued at the sender",
            )

    async def Pull(
        self, request: exchange_pb2.PullRequest, context: Ctx
    ) -> AsyncIterator[exchange_pb2.EntryBatch]:
        caller = await self._identify(context)
        me = self.node.country
        err: Error | None = None
        if request.recipient != caller:
            err = NotPermitted(
                f"the caller speaks for {caller!r} and cannot pull the channel of "
                f"{request.recipient[:8]!r}"
            )
        elif request.origin != me:
            err = MalformedInput(f"this node serves only its own channels (origin {me!r})")
        elif request.after_seq > MAX_SEQ:
            err = OutOfRange(f"after_seq is above {MAX_SEQ}, the highest seq a channel holds")
        if err is not None:
            await self.node.audit("rpc.refused", inbox.refusal_detail(err), caller)
            await abort(context, err)
        limit = min(request.max_entries or self.node.config.sync.batch_size, 1000)
        after = request.after_seq

        def ack() -> None:
            with self.node.db.write() as s:
                repo.advance_acked(s, me, caller, after)

        await self.node.run_db(ack)

        def fetch(after_seq: int) -> list[tuple[int, bytes]]:
            with self.node.db.read() as s:
                return repo.entries_after(s, me, caller, after_seq, limit)

        link = self.node.links.link(caller)
        link.pulls_served += 1  # our sender to caller holds back meanwhile: no double delivery
        link.pull_progress = self.node.clock.monotonic()
        try:
            while True:
                rows = await self.node.run_db(fetch, after)
                if not rows:
                    break
                batch = exchange_pb2.EntryBatch()
                for _, env in rows:
                    batch.entries.append(self.node.outgoing(env))
                yield batch
                link.pull_progress = self.node.clock.monotonic()
                after = rows[-1][0]
                if len(rows) < limit:
                    break
        finally:
            link.pulls_served -= 1

    async def FetchContent(
        self, request: document_pb2.ContentRequest, context: Ctx
    ) -> AsyncIterator[document_pb2.ContentChunk]:
        """A document's content, from a chunk-aligned offset, to a peer that was sent a live
        manifest of it, or a record attachment's ciphertext to the peer whose request we
        answered with it; to anyone else the same NOT_FOUND as for content that does not
        exist."""
        caller = await self._identify(context)
        me = self.node.country
        digest = request.content_sha256.hex() if len(request.content_sha256) == 32 else ""

        def allowed() -> tuple[int, int] | None:
            with self.node.db.read() as s:
                ok = bool(digest) and (
                    documents.sent_to(s, me, caller, digest) is not None
                    or record_store.served_to(s, caller, digest)
                )
                b = documents.blob(s, digest) if ok else None
                return (b.chunk_size, b.size) if b is not None and b.complete else None

        found = await self.node.run_db(allowed)
        err: Error | None = None
        if found is None:
            err = NotFound("no document content with that digest for this peer")
        elif request.offset % found[0] or request.offset >= found[1]:
            err = OutOfRange("the offset is not a chunk boundary inside the content")
        if err is not None or found is None:
            assert err is not None
            detail = inbox.refusal_detail(err) | {"content_sha256": digest[:64]}
            await self.node.audit("document.content_refused", detail, caller)
            await abort(context, err)
        chunk_size = found[0]
        first = request.offset // chunk_size
        async for idx, data in serve_chunks(self.node.db, self.node.run_db, digest, first):
            yield document_pb2.ContentChunk(offset=idx * chunk_size, data=data)
            self.node.metrics.document_bytes.labels(caller, "out").inc(len(data))
            faults.maybe_crash_after("crash-serving-chunks", idx + 1)

    async def Trust(self, request: bytes, context: Ctx) -> exchange_pb2.TrustSync:  # type: ignore[override]
        """Take the caller's trust material (rate-limited, then parsed, capped and checked
        item by item) and answer with ours. `request` is the raw bytes (Node.start registers
        Trust as raw), so a caller over its rate is refused before its offer is parsed."""
        caller = await self._identify(context)
        try:
            offer = await self.node.trust_intake.admit(caller, request)
            await self.node.apply_trust_sync(caller, offer)
        except Error as err:  # over the rate or the caps, malformed: already audited
            await abort(context, err)
        except (SQLAlchemyError, OSError) as exc:
            log.error("storing trust items from %s failed: %s", caller, type(exc).__name__)
            await context.abort(
                grpc.StatusCode.INTERNAL, "the receiver could not store trust items"
            )
        return self.node.trust_offer()

    async def WitnessAudit(self, request: bytes, context: Ctx) -> audit_pb2.AuditWitnessReply:  # type: ignore[override]
        """Keep the caller's signed audit head and answer with those held of it
        (exchange.node.auditwitness). Raw like Trust: rate-limited before parsing."""
        caller = await self._identify(context)
        try:
            return await self.node.audit_witness.serve(caller, request)
        except Error as err:  # already audited
            await abort(context, err)
