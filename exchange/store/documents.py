"""Documents at rest: versions with their manifests, searchable text, and content stored once
per sha256 as chunk rows. Every function runs inside the caller's transaction."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from exchange.alerts.versions import Current
from exchange.store.models import Blob, BlobChunk, DocumentText, DocumentVersion, Entry
from exchange.store.repo import bulk_insert, is_pg

WORD = re.compile(r"\w+", re.UNICODE)


def current_versions(s: Session, origin: str, ids: Iterable[str]) -> dict[str, Current]:
    """The latest version held of each of `origin`'s documents among `ids`."""
    wanted = sorted(set(ids))
    out: dict[str, Current] = {}
    for i in range(0, len(wanted), 500):
        rows = s.execute(
            select(DocumentVersion.document_id, DocumentVersion.version, DocumentVersion.withdrawn)
            .where(
                DocumentVersion.origin == origin,
                DocumentVersion.document_id.in_(wanted[i : i + 500]),
            )
            .order_by(DocumentVersion.version)
        )
        for did, version, withdrawn in rows:
            out[did] = Current(version, withdrawn or out.get(did, Current(0, False)).withdrawn)
    return out


def taken_ids(s: Session, origin: str, ids: Iterable[str]) -> frozenset[str]:
    """The ids among `ids` held as documents under another origin."""
    wanted = sorted({i for i in ids if i})
    out: set[str] = set()
    for i in range(0, len(wanted), 500):
        out.update(
            s.execute(
                select(DocumentVersion.document_id)
                .where(
                    DocumentVersion.document_id.in_(wanted[i : i + 500]),
                    DocumentVersion.origin != origin,
                )
                .distinct()
            ).scalars()
        )
    return frozenset(out)


def live_bytes(s: Session, origin: str) -> int:
    """Bytes of content of `origin`'s live documents (every version not withdrawn)."""
    total = s.execute(
        select(func.coalesce(func.sum(DocumentVersion.size), 0)).where(
            DocumentVersion.origin == origin, DocumentVersion.withdrawn.is_(False)
        )
    ).scalar_one()
    return int(total)


def insert_versions(s: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Versions with their searchable text (`text` in each row)."""
    for row in rows:
        body = row.pop("text")
        s.add(DocumentVersion(**row))
        s.add(
            DocumentText(
                origin=row["origin"],
                document_id=row["document_id"],
                version=row["version"],
                body=body,
            )
        )
        s.flush()


def expire(s: Session, origin: str, document_id: str) -> list[str]:
    """A received document past its review date: its text, manifests and content (unless a
    live document shares it) go, as on a withdrawal; its versions stay, marked."""
    earlier = list(
        s.execute(
            select(DocumentVersion).where(
                DocumentVersion.origin == origin, DocumentVersion.document_id == document_id
            )
        ).scalars()
    )
    digests = {v.content_sha256 for v in earlier if v.content_sha256}
    for v in earlier:
        v.manifest, v.title, v.withdrawn, v.note, v.wanted = b"", "", True, "", False
        v.withdraw_reason = "its review date passed"
    s.execute(
        delete(DocumentText).where(
            DocumentText.origin == origin, DocumentText.document_id == document_id
        )
    )
    s.flush()
    dropped = []
    for digest in sorted(digests):
        if not shared(s, digest):
            drop_blob(s, digest)
            dropped.append(digest)
    return dropped


def withdraw(
    s: Session, origin: str, document_id: str, version: int, reason: str, now: datetime
) -> list[str]:
    """Record the tombstone, drop every earlier version's descriptive text and manifest, and
    the content no live version shares any more. Returns the digests dropped."""
    earlier = list(
        s.execute(
            select(DocumentVersion).where(
                DocumentVersion.origin == origin, DocumentVersion.document_id == document_id
            )
        ).scalars()
    )
    digests = {v.content_sha256 for v in earlier if v.content_sha256}
    for v in earlier:
        v.manifest, v.title, v.withdrawn, v.note, v.wanted = b"", "", True, "", False
    s.execute(
        delete(DocumentText).where(
            DocumentText.origin == origin, DocumentText.document_id == document_id
        )
    )
    s.add(
        DocumentVersion(
            origin=origin,
            document_id=document_id,
            version=version,
            manifest=b"",
            title="",
            topic="",
            language="",
            media_type="",
            size=0,
            chunk_size=0,
            content_sha256="",
            issued_at=now,
            stored_at=now,
            withdrawn=True,
            withdraw_reason=reason[:500],
            note="",
            wanted=False,
        )
    )
    s.flush()
    dropped = []
    for digest in sorted(digests):
        if not shared(s, digest):
            drop_blob(s, digest)
            dropped.append(digest)
    return dropped


def shared(s: Session, digest: str) -> bool:
    """Whether a live version of any document still names this content."""
    return (
        s.execute(
            select(DocumentVersion.document_id)
            .where(DocumentVersion.content_sha256 == digest, DocumentVersion.withdrawn.is_(False))
            .limit(1)
        ).first()
        is not None
    )


def drop_blob(s: Session, digest: str) -> None:
    key = chunk_key(s, digest)
    if key is not None:
        s.execute(delete(BlobChunk).where(BlobChunk.digest == key))
    s.execute(delete(Blob).where(Blob.digest == digest))


def chunk_key(s: Session, digest: str) -> str | None:
    """The name a blob's chunk rows are stored under (None: no such blob)."""
    return s.execute(select(Blob.chunk_key).where(Blob.digest == digest)).scalar_one_or_none()


# -- content -------------------------------------------------------------------------------


def blob(s: Session, digest: str) -> Blob | None:
    return s.get(Blob, digest)


def start_blob(
    s: Session, digest: str, size: int, chunk_size: int, chunks: int, source: str, now: datetime
) -> Blob:
    """The blob for `digest`, created empty if this node holds none."""
    found = s.get(Blob, digest, with_for_update=True)
    if found is not None:
        return found
    b = Blob(
        digest=digest,
        size=size,
        chunk_size=chunk_size,
        chunks=chunks,
        have=0,
        complete=False,
        source=source,
        created_at=now,
        chunk_key=digest,
    )
    s.add(b)
    s.flush()
    return b


def add_chunks(s: Session, digest: str, first: int, chunks: Sequence[bytes]) -> int:
    """Append verified chunks `first`.. to a blob whose stored prefix ends at `first`; returns
    the new prefix length. A blob that moved on meanwhile (another fetch) is left as it is."""
    b = s.get(Blob, digest, with_for_update=True)
    if b is None or b.have != first or b.complete:
        return b.have if b is not None else 0
    key = b.chunk_key
    bulk_insert(
        s,
        BlobChunk.__table__,
        [{"digest": key, "idx": first + i, "data": c} for i, c in enumerate(chunks)],
    )
    b.have = first + len(chunks)
    return b.have


def chunk(s: Session, digest: str, idx: int) -> bytes | None:
    return s.execute(
        select(BlobChunk.data)
        .join(Blob, Blob.chunk_key == BlobChunk.digest)
        .where(Blob.digest == digest, BlobChunk.idx == idx)
    ).scalar_one_or_none()


def chunks_from(s: Session, digest: str, first: int, count: int) -> list[tuple[int, bytes]]:
    key = chunk_key(s, digest)
    if key is None:
        return []
    if is_pg(s):
        return _pg_binary(
            s,
            "select idx, data from blob_chunks where digest = %s and idx >= %s "
            "order by idx limit %s",
            (key, first, count),
        )
    rows = s.execute(
        select(BlobChunk.idx, BlobChunk.data)
        .where(BlobChunk.digest == key, BlobChunk.idx >= first)
        .order_by(BlobChunk.idx)
        .limit(count)
    )
    return [(i, d) for i, d in rows]


def _pg_binary(s: Session, sql: str, params: tuple[Any, ...]) -> list[tuple[int, bytes]]:
    """PostgreSQL: rows in binary format, in the session's transaction; bytea comes as it is
    stored instead of as hex text twice its size (about 3x faster for chunk rows)."""
    raw: Any = s.connection().connection.driver_connection
    with raw.cursor(binary=True) as cur:
        cur.execute(sql, params)
        return [(int(i), bytes(d)) for i, d in cur.fetchall()]


REFUSED_NOTE = "refused:"


def mark_refused(s: Session, origin: str, digest: str, note: str) -> None:
    """`origin`'s content for this digest was refused: not fetched from it again."""
    s.execute(
        update(DocumentVersion)
        .where(DocumentVersion.origin == origin, DocumentVersion.content_sha256 == digest)
        .values(note=note[:300], wanted=False)
    )


def mark_complete(s: Session, digest: str) -> None:
    s.execute(update(Blob).where(Blob.digest == digest).values(complete=True))


def rename_blob(s: Session, old: str, new: str) -> None:
    """An upload staged under a temporary name becomes content under its digest; its chunk
    rows stay under the staging name (its chunk_key), so this writes one row, not the content."""
    s.execute(update(Blob).where(Blob.digest == old).values(digest=new))


# -- reading -------------------------------------------------------------------------------


def versions(s: Session, origin: str, document_id: str) -> list[DocumentVersion]:
    return list(
        s.execute(
            select(DocumentVersion)
            .where(DocumentVersion.origin == origin, DocumentVersion.document_id == document_id)
            .order_by(DocumentVersion.version)
        ).scalars()
    )


def origins_with_prefix(s: Session, prefix: str, origin: str = "") -> list[tuple[str, str]]:
    """(origin, document id) of the documents whose id starts with `prefix`."""
    q = (
        select(DocumentVersion.origin, DocumentVersion.document_id)
        .where(DocumentVersion.document_id.startswith(prefix, autoescape=True))
        .distinct()
        .limit(20)
    )
    if origin:
        q = q.where(DocumentVersion.origin == origin)
    return [(o, d) for o, d in s.execute(q)]


def latest(
    s: Session, origin: str = "", topic: str = "", language: str = "", limit: int = 200
) -> list[DocumentVersion]:
    """The latest version of every document, newest first, filtered."""
    newest = (
        select(
            DocumentVersion.origin.label("o"),
            DocumentVersion.document_id.label("d"),
            func.max(DocumentVersion.version).label("v"),
        )
        .group_by(DocumentVersion.origin, DocumentVersion.document_id)
        .subquery()
    )
    q = select(DocumentVersion).join(
        newest,
        (DocumentVersion.origin == newest.c.o)
        & (DocumentVersion.document_id == newest.c.d)
        & (DocumentVersion.version == newest.c.v),
    )
    if origin:
        q = q.where(DocumentVersion.origin == origin)
    if topic:
        q = q.where(DocumentVersion.topic == topic)
    if language:
        q = q.where(DocumentVersion.language == language)
    q = q.order_by(DocumentVersion.stored_at.desc(), DocumentVersion.document_id).limit(limit)
    return list(s.execute(q).scalars())


def search(s: Session, words: str, limit: int = 50) -> list[DocumentVersion]:
    """Live versions whose title, summary or tags hold every word (full-text search: FTS5 on
    SQLite, to_tsvector on PostgreSQL), best first."""
    terms = [w.lower() for w in WORD.findall(words)][:20]
    if not terms:
        return []
    if is_pg(s):
        query = " & ".join(f"{t}:*" for t in terms)
        rows = s.execute(
            text(
                "select origin, document_id, version from document_text "
                "where to_tsvector('simple', body) @@ to_tsquery('simple', :q) "
                "order by ts_rank(to_tsvector('simple', body), to_tsquery('simple', :q)) desc "
                "limit :n"
            ),
            {"q": query, "n": limit},
        )
    else:
        query = " ".join('"' + t.replace('"', "") + '"*' for t in terms)
        rows = s.execute(
            text(
                "select t.origin, t.document_id, t.version from document_fts f "
                "join document_text t on t.rowid = f.rowid where document_fts match :q "
                "order by f.rank limit :n"
            ),
            {"q": query, "n": limit},
        )
    keys = [(o, d, v) for o, d, v in rows]
    out = []
    for key in keys:
        row = s.get(DocumentVersion, key)
        if row is not None and not row.withdrawn:
            out.append(row)
    return out


def sent_to(s: Session, me: str, caller: str, digest: str) -> DocumentVersion | None:
    """Our live version with this content that was queued for `caller` (None: it may not
    have it)."""
    rows = s.execute(
        select(DocumentVersion)
        .join(
            Entry,
            (Entry.origin == DocumentVersion.origin)
            & (Entry.item_id == DocumentVersion.document_id)
            & (Entry.version == DocumentVersion.version),
        )
        .where(
            DocumentVersion.origin == me,
            DocumentVersion.content_sha256 == digest,
            DocumentVersion.withdrawn.is_(False),
            Entry.recipient == caller,
            Entry.item_kind == "document",
        )
        .limit(1)
    )
    return rows.scalars().first()


def wanted_content(s: Session, me: str, prefetch: int, limit: int = 20) -> list[DocumentVersion]:
    """Received live versions whose content is not complete here and should be fetched: up to
    `prefetch` bytes, or asked for by an operator."""
    q = (
        select(DocumentVersion)
        .outerjoin(Blob, Blob.digest == DocumentVersion.content_sha256)
        .where(
            DocumentVersion.origin != me,
            DocumentVersion.withdrawn.is_(False),
            DocumentVersion.size > 0,
            (Blob.digest.is_(None)) | (Blob.complete.is_(False)),
            (DocumentVersion.size <= prefetch) | (DocumentVersion.wanted.is_(True)),
            DocumentVersion.note.not_like(REFUSED_NOTE + "%"),
        )
        .order_by(DocumentVersion.wanted.desc(), DocumentVersion.stored_at)
        .limit(limit)
    )
    return list(s.execute(q).scalars())


def iter_chunks(read: Any, digest: str, first: int = 0, batch: int = 8) -> Iterator[bytes]:
    """Chunks of a stored blob in order, `batch` at a time, each batch in its own read
    transaction (`read` is Database.read)."""
    at = first
    while True:
        with read() as s:
            rows = chunks_from(s, digest, at, batch)
        if not rows:
            return
        for idx, data in rows:
            if idx != at:
                return
            yield data
            at += 1
