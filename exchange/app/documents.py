"""Document use cases: publish (content streamed in, stored once by its sha256), list, show,
search, withdraw, and fetch and read a received document's content.

What the node knows itself it never takes from the caller: ids, versions, origin, times,
size, hashes and chunking; the media type is checked against the content.
"""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import uuid6
from sqlalchemy.orm import Session

from exchange import bounds
from exchange._proto.v1 import alert_pb2, document_ops_pb2, document_pb2
from exchange.alerts.model import timestamp
from exchange.alerts.pii import check_summary, find_pii
from exchange.app import keyed as keyed_mod
from exchange.documents import manifest as mf
from exchange.documents import mediatype
from exchange.errors import MalformedInput, NotFound, NotPermitted, TooLarge, VersionRefused
from exchange.policy import documents as doc_policy
from exchange.store import documents as store
from exchange.store.chunkfile import ChunkFile
from exchange.store.db import Database
from exchange.store.models import Blob, DocumentVersion
from exchange.sync import docpublish

if TYPE_CHECKING:
    from exchange.node.runtime import Node

MAX_UPLOAD_MESSAGE = 1024 * 1024
SERVE_BATCH = 4  # chunks per read transaction when serving content
STAGE_BATCH = 8  # chunks per write transaction when staging an upload
STAGE_QUEUE = 1  # batches received ahead of the staging writer
RunDb = Callable[..., Awaitable[Any]]
COMPLETE, PARTIAL, PENDING, WITHDRAWN = "complete", "partial", "pending", "withdrawn"


@dataclass(frozen=True)
class DocumentView:
    """One stored version, with the state of its content on this node."""

    manifest: document_pb2.DocumentManifest
    content: str
    have_bytes: int = 0
    stored_at: datetime | None = None
    withdrawn: bool = False
    withdraw_reason: str = ""
    recipients: int = 0
    no_recipients_reason: str = ""
    note: str = ""


def view(row: DocumentVersion, blob: Blob | None, *, hashes: bool = False) -> DocumentView:
    m = document_pb2.DocumentManifest()
    if row.manifest:
        m.ParseFromString(row.manifest)
        if not hashes:
            del m.chunk_sha256[:]
    else:
        m.document_id, m.version, m.origin = row.document_id, row.version, row.origin
    if row.withdrawn:
        content, have = WITHDRAWN, 0
    elif blob is not None and blob.complete:
        content, have = COMPLETE, row.size
    elif blob is not None and blob.have and blob.chunk_size == row.chunk_size:
        content, have = PARTIAL, min(blob.have * blob.chunk_size, row.size)
    else:
        content, have = PENDING, 0
    return DocumentView(
        m,
        content,
        have,
        row.stored_at,
        row.withdrawn,
        row.withdraw_reason,
        note=row.note,
    )


def _views(s: Session, rows: Sequence[DocumentVersion]) -> list[DocumentView]:
    return [view(r, store.blob(s, r.content_sha256) if r.content_sha256 else None) for r in rows]


# -- publish -------------------------------------------------------------------------------


def _draft_manifest(
    node: Node, d: document_ops_pb2.DocumentDraft, now: datetime
) -> document_pb2.DocumentManifest:
    m = document_pb2.DocumentManifest(
        origin=node.country,
        title=d.title.strip(),
        topic=d.topic,
        language=d.language,
        summary=d.summary,
        tags=[t.strip() for t in d.tags],
        organisation=d.organisation,
        handling=d.handling or alert_pb2.HANDLING_H0,
        media_type=d.media_type,
        chunk_size=mf.CHUNK_SIZE,
    )
    m.issued_at.CopyFrom(timestamp(now))
    if d.HasField("review_date"):
        m.review_date.CopyFrom(d.review_date)
    return m


async def _guard(node: Node, m: document_pb2.DocumentManifest, now: datetime, allow: str) -> None:
    """The personal-data guard on title, summary and tags; an override is audited by kinds."""
    texts = mf.text_fields(m)
    if not allow:
        for name, value in texts:
            check_summary(value, now.date(), field=name)
        return
    if p := bounds.text_problem(allow, "the --allow-pii reason", 300):
        raise MalformedInput(p)
    kinds = {
        n: sorted({f.kind for f in found}) for n, v in texts if (found := find_pii(v, now.date()))
    }
    if kinds:
        await node.audit(
            "document.pii_override", {"document_id": m.document_id, "kinds": kinds, "reason": allow}
        )


async def _base(
    node: Node, d: document_ops_pb2.DocumentDraft, m: document_pb2.DocumentManifest
) -> None:
    """Id and version: new, or the next version of one of our own documents."""
    if not d.supersedes:
        m.document_id, m.version = str(uuid6.uuid7()), 1
        return
    origin, did = await resolve(node, d.supersedes, node.country)
    rows = await node.run_db(_versions, node, origin, did)
    if not rows or rows[-1].withdrawn:
        raise VersionRefused(f"document {did} was withdrawn; it cannot have a new version")
    m.document_id, m.version, m.supersedes = did, rows[-1].version + 1, rows[-1].version


def _versions(node: Node, origin: str, did: str) -> list[DocumentVersion]:
    with node.db.read() as s:
        return store.versions(s, origin, did)


async def resolve(node: Node, document_id: str, origin: str = "") -> tuple[str, str]:
    """The one (origin, id) an id or prefix names on this node."""
    prefix = keyed_mod.id_prefix(document_id)

    def find() -> list[tuple[str, str]]:
        with node.db.read() as s:
            return store.origins_with_prefix(s, prefix, origin)

    found = await node.run_db(find)
    if not found:
        where = "published by this node" if origin == node.country else "on this node"
        raise NotFound(
            f"no document {document_id[:40]!r} {where}",
            hint="see `exchange docs list` for the documents this node holds",
        )
    if len(found) > 1:
        shown = ", ".join(f"{o}/{a}" for o, a in found[:10])
        raise MalformedInput(
            f"{document_id[:40]!r} names several documents: {shown}",
            hint="give more characters of the id, or --origin",
        )
    return found[0]


async def publish(
    node: Node, uploads: AsyncIterator[document_ops_pb2.DocumentUpload], now: datetime
) -> DocumentView:
    """A new document (or the next version of one of ours) from a stream: the draft first,
    then the content. Nothing is kept if any check fails."""
    first = await anext(aiter(uploads), None)
    if first is None or not first.HasField("draft"):
        raise MalformedInput("the upload starts without the document's description")
    d = first.draft
    m = _draft_manifest(node, d, now)
    await _base(node, d, m)
    if d.HasField("translation_of"):
        o, did = await resolve(node, d.translation_of.document_id, d.translation_of.origin)
        m.translation_of.origin, m.translation_of.document_id = o, did
    placeholder = list(m.chunk_sha256)
    m.size, m.content_sha256 = 1, bytes(32)
    m.chunk_sha256.append(bytes(32))  # stands in for the content while the fields are checked
    if p := mf.problem(m, now, dict(node.policy.topics)):
        raise MalformedInput(p)
    await _guard(node, m, now, d.allow_pii_reason)
    del m.chunk_sha256[:]
    m.chunk_sha256.extend(placeholder)
    limit = min(node.config.documents.max_publish_bytes, mf.MAX_CHUNKS * mf.CHUNK_SIZE)
    staged = "upload-" + uuid.uuid4().hex
    try:
        chunker = await _stage(node, uploads, first.data, staged, m.media_type, limit, now)
        m.size, m.content_sha256 = chunker.size, chunker.digest
        m.chunk_sha256.extend(chunker.hashes)
        if p := await node.run_db(_container, node, staged, m):
            raise MalformedInput(p, hint="publish documents and images only, without macros")
        if p := mf.problem(m, now, dict(node.policy.topics)):
            raise MalformedInput(p)
        recipients = await node.recipients()
        policy = node.policy
        queued = await node.run_db(
            docpublish.publish,
            node.db,
            node.country,
            node.identity.signing,
            recipients,
            m,
            staged,
            lambda r: doc_policy.decide(policy, m, r),
            now,
        )
    except BaseException:
        await node.run_db(_drop_staged, node, staged)
        raise
    node.wake_senders()
    note = ""
    if not queued.recipients:
        note = keyed_mod.no_recipients_reason(len(recipients), dict(queued.withheld))
    del m.chunk_sha256[:]
    return DocumentView(
        m, COMPLETE, m.size, now, recipients=len(queued.recipients), no_recipients_reason=note
    )


async def _stage(
    node: Node,
    uploads: AsyncIterator[document_ops_pb2.DocumentUpload],
    first: bytes,
    staged: str,
    media_type: str,
    limit: int,
    now: datetime,
) -> mf.Chunker:
    """Write the content as chunk rows under a temporary name, STAGE_BATCH chunks per
    transaction: a writer task stores each batch in a worker thread while the next is
    received (at most STAGE_QUEUE batches wait between them)."""
    chunker = mf.Chunker()
    head = bytearray()
    batch: list[bytes] = []

    def begin() -> None:
        with node.db.write() as s:
            store.start_blob(s, staged, 0, mf.CHUNK_SIZE, 0, node.country, now)

    def write(first_idx: int, chunks: list[bytes]) -> None:
        with node.db.write() as s:
            store.add_chunks(s, staged, first_idx, chunks)

    await node.run_db(begin)
    queue: asyncio.Queue[list[bytes] | None] = asyncio.Queue(STAGE_QUEUE)

    async def writer() -> None:
        at = 0
        while (chunks := await queue.get()) is not None:
            await node.run_db(write, at, chunks)
            at += len(chunks)

    written = asyncio.get_running_loop().create_task(writer())

    async def put(item: list[bytes] | None) -> None:
        """Queue a batch, waiting for room; the writer's error, if it failed, is raised."""
        putting = asyncio.ensure_future(queue.put(item))
        await asyncio.wait({putting, written}, return_when=asyncio.FIRST_COMPLETED)
        if not putting.done():
            putting.cancel()
            written.result()

    async def pieces() -> AsyncIterator[bytes]:
        if first:
            yield first
        async for u in uploads:
            if u.HasField("draft"):
                raise MalformedInput("the upload carries a second description")
            yield u.data

    try:
        async for data in pieces():
            if len(data) > MAX_UPLOAD_MESSAGE:
                raise TooLarge("an upload message is larger than 1 MiB")
            if chunker.size + len(data) > limit:
                raise TooLarge(
                    f"the document is larger than this node publishes ({limit} bytes)",
                    hint="raise [documents] max_publish_bytes in the node config, or split it",
                )
            if len(head) < mediatype.HEAD:
                head += data[: mediatype.HEAD - len(head)]
                if len(head) >= mediatype.HEAD and (
                    p := mediatype.head_problem(media_type, bytes(head), limit)
                ):
                    raise MalformedInput(p, hint="publish documents and images only")
            for _, piece in chunker.feed(data):
                batch.append(piece)
                if len(batch) >= STAGE_BATCH:
                    await put(batch)
                    batch = []
        for _, piece in chunker.finish():
            batch.append(piece)
        if batch:
            await put(batch)
        await put(None)
        await written
    finally:  # a write still running finds no staged blob once the caller drops it
        written.cancel()
    if chunker.size == 0:
        raise MalformedInput("the document is empty")
    if len(head) < mediatype.HEAD and (
        p := mediatype.head_problem(media_type, bytes(head), chunker.size)
    ):
        raise MalformedInput(p, hint="publish documents and images only")
    return chunker


def _container(node: Node, staged: str, m: document_pb2.DocumentManifest) -> str | None:
    with io.BufferedReader(ChunkFile(node.db, staged, m.size, m.chunk_size), 65536) as f:
        return mediatype.container_problem(m.media_type, f)


def _drop_staged(node: Node, staged: str) -> None:
    with node.db.write() as s:
        store.drop_blob(s, staged)


# -- reading -------------------------------------------------------------------------------


async def list_documents(
    node: Node, origin: str = "", topic: str = "", language: str = "", limit: int = 0
) -> list[DocumentView]:
    def read() -> list[DocumentView]:
        with node.db.read() as s:
            return _views(s, store.latest(s, origin, topic, language, min(limit or 200, 1000)))

    return await node.run_db(read)


async def show(node: Node, document_id: str, origin: str = "") -> list[DocumentView]:
    o, did = await resolve(node, document_id, origin)

    def read() -> list[DocumentView]:
        with node.db.read() as s:
            return _views(s, store.versions(s, o, did))

    return await node.run_db(read)


async def search(node: Node, words: str, limit: int = 0) -> list[DocumentView]:
    if p := bounds.text_problem(words, "the search words", 200):
        raise MalformedInput(p)

    def read() -> list[DocumentView]:
        with node.db.read() as s:
            return _views(s, store.search(s, words, min(limit or 50, 200)))

    return await node.run_db(read)


# -- withdraw ------------------------------------------------------------------------------


async def withdraw(node: Node, document_id: str, reason: str, now: datetime) -> DocumentView:
    origin, did = await resolve(node, document_id, node.country)
    rows = await node.run_db(_versions, node, origin, did)
    if rows[-1].withdrawn:
        raise VersionRefused(f"document {did} is already withdrawn")
    w = document_pb2.DocumentWithdrawal(
        document_id=did, version=rows[-1].version + 1, origin=node.country, reason=reason
    )
    w.issued_at.CopyFrom(timestamp(now))
    if p := mf.withdrawal_problem(w, now):
        raise MalformedInput(f"the withdrawal's {p}")
    check_summary(reason, now.date(), field="reason")
    recipients = await node.recipients()
    queued = await node.run_db(
        docpublish.withdraw, node.db, node.country, node.identity.signing, recipients, w, now
    )
    node.wake_senders()
    m = document_pb2.DocumentManifest(document_id=did, version=w.version, origin=node.country)
    return DocumentView(m, WITHDRAWN, 0, now, True, reason, len(queued.recipients))


# -- content -------------------------------------------------------------------------------


async def _pick_version(node: Node, document_id: str, origin: str, version: int) -> DocumentVersion:
    o, did = await resolve(node, document_id, origin)
    rows = [r for r in await node.run_db(_versions, node, o, did) if not r.withdrawn]
    if version:
        rows = [r for r in rows if r.version == version]
    if not rows:
        raise NotFound(f"no live version of document {did} here", hint="see `exchange docs show`")
    return rows[-1]


async def fetch(
    node: Node, document_id: str, origin: str, version: int, *, poll: float = 0.25
) -> AsyncIterator[document_ops_pb2.DocumentProgress]:
    """Ask for a document's content (whatever its size) and report progress until complete."""
    row = await _pick_version(node, document_id, origin, version)

    def want() -> None:
        with node.db.write() as s:
            r = s.get(DocumentVersion, (row.origin, row.document_id, row.version))
            if r is not None and not r.wanted:
                r.wanted = True

    def state() -> tuple[Blob | None, DocumentVersion | None]:
        with node.db.read() as s:
            return store.blob(s, row.content_sha256), s.get(
                DocumentVersion, (row.origin, row.document_id, row.version)
            )

    if row.origin != node.country and not row.note.startswith(store.REFUSED_NOTE):
        await node.run_db(want)
        node.wake_for(frozenset({"document_versions"}))  # the fetcher, on whichever replica
    while True:
        b, r = await node.run_db(state)
        if r is None or r.withdrawn:
            raise NotFound("the document was withdrawn meanwhile")
        if r.note.startswith(store.REFUSED_NOTE):
            raise NotPermitted(
                f"the content {row.origin} sent was {r.note[:200]}",
                hint="none of its content was kept; the origin must publish it again; "
                "see `exchange audit list --event document.chunk_refused`",
            )
        v = view(r, b)
        t = node.doc_fetcher.transfers.get(row.content_sha256)
        have = max(v.have_bytes, t.have_bytes if t is not None else 0)
        yield document_ops_pb2.DocumentProgress(
            have_bytes=have,
            size=row.size,
            content=v.content,
            origin=row.origin,
            document_id=row.document_id,
            version=row.version,
            note=(t.note if t is not None else "")[:300],
        )
        if v.content == COMPLETE:
            return
        await asyncio.sleep(poll)


async def read(
    node: Node, document_id: str, origin: str, version: int, offset: int
) -> AsyncIterator[document_pb2.ContentChunk]:
    """A complete document's content from `offset` (chunk-aligned), chunk by chunk; a read
    from the start is audited (by id and version, with the reading user)."""
    row = await _pick_version(node, document_id, origin, version)

    def blob() -> Blob | None:
        with node.db.read() as s:
            return store.blob(s, row.content_sha256)

    b = await node.run_db(blob)
    if b is None or not b.complete:
        raise NotFound(
            "this node does not hold the whole content yet",
            hint="fetch it first: `exchange docs get ID --out PATH` does both",
        )
    if offset % b.chunk_size or offset > b.size:
        raise MalformedInput("the offset is not at a chunk boundary of the content")
    if offset == 0:  # a person reads the content: audited once per read, not per resumed part
        await node.audit(
            "document.read",
            {"document_id": row.document_id, "origin": row.origin, "version": row.version},
        )
    first = offset // b.chunk_size
    async for idx, data in serve_chunks(node.db, node.run_db, row.content_sha256, first):
        yield document_pb2.ContentChunk(offset=idx * b.chunk_size, data=data)


async def serve_chunks(
    db: Database, run_db: RunDb, digest: str, first: int
) -> AsyncIterator[tuple[int, bytes]]:
    """Stored chunks from `first` in order, read SERVE_BATCH at a time off the event loop (to
    the local operator, and to a peer by Exchange.FetchContent); the next few are read while
    these are sent."""

    def rows(start: int) -> list[tuple[int, bytes]]:
        with db.read() as s:
            return store.chunks_from(s, digest, start, SERVE_BATCH)

    at = first
    ahead: asyncio.Future[list[tuple[int, bytes]]] = asyncio.ensure_future(run_db(rows, at))
    try:
        while True:
            got = await ahead
            if not got:
                return
            ahead = asyncio.ensure_future(run_db(rows, at + len(got)))
            for idx, data in got:
                if idx != at:
                    return
                yield idx, data
                at += 1
    finally:
        ahead.cancel()
