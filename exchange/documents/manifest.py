"""A document's manifest: what it must hold, how its content splits into chunks, and the
checks a receiver makes on the manifest and on every chunk before storing it.

Sizes add up or the manifest is refused: `size` bytes make exactly `len(chunk_sha256)` chunks
of `chunk_size` (the last one shorter), within the bounds below. A chunk is stored only if its
length is the one the manifest implies and its sha256 is the one the manifest lists; the whole
content is checked against `content_sha256` once its last chunk is in.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from exchange import bounds
from exchange._proto.v1 import document_pb2
from exchange.alerts.model import HANDLING, is_country
from exchange.documents import mediatype, topics

CHUNK_SIZE = 1024 * 1024  # what this node publishes with
MIN_CHUNK = 16 * 1024
MAX_CHUNK = 4 * 1024 * 1024  # a chunk and its message header fit the 8 MiB message limit
MAX_CHUNKS = 1024  # 32 KiB of hashes: the manifest fits a 64 KiB entry
MAX_SIZE = MAX_CHUNKS * MAX_CHUNK
MAX_TITLE = 300
MAX_SUMMARY = 2000
MAX_TAGS = 20
MAX_TAG = 48
MAX_ORGANISATION = 200
MAX_REASON = 500
LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}")  # BCP 47


def chunk_count(size: int, chunk_size: int) -> int:
    return -(-size // chunk_size)


def chunk_length(size: int, chunk_size: int, index: int) -> int:
    """Bytes in chunk `index` of content of `size` bytes."""
    return min(chunk_size, size - index * chunk_size)


def layout_problem(size: int, chunk_size: int, hashes: int) -> str | None:
    """Why size, chunk size and the number of chunk hashes do not add up (None if they do)."""
    if not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
        return f"chunk_size {chunk_size} is outside {MIN_CHUNK}..{MAX_CHUNK}"
    if not 0 < size <= MAX_SIZE:
        return f"size {size} is outside 1..{MAX_SIZE}"
    if hashes != chunk_count(size, chunk_size):
        return (
            f"{hashes} chunk hashes for {size} bytes in chunks of {chunk_size} "
            f"(that is {chunk_count(size, chunk_size)} chunks)"
        )
    return None


def text_fields(m: document_pb2.DocumentManifest) -> list[tuple[str, str]]:
    """The free text the personal-data guard reads: title, summary, tags."""
    out = [("title", m.title)]
    if m.summary:
        out.append(("summary", m.summary))
    out += [("tags", t) for t in m.tags]
    return out


def problem(
    m: document_pb2.DocumentManifest, now: datetime, extra_topics: dict[str, str] | None = None
) -> str | None:
    """Why a manifest is malformed (None if every field is in bounds and sizes add up).

    `extra_topics`: a publisher checks against its policy's topics too; a receiver checks
    only the form (its accept rule decides which topics it takes)."""
    if not bounds.is_uuid7(m.document_id):
        return "document_id is not a canonical UUIDv7"
    if p := bounds.version_problem(m.version):
        return p
    if not is_country(m.origin):
        return "origin is not a country code"
    if not m.HasField("issued_at"):
        return "no issued_at time"
    if p := bounds.time_problem(m.issued_at, "issued_at", now=now, ahead_seconds=86400):
        return p
    if not m.title.strip():
        return "no title"
    for value, name, limit in (
        (m.title, "title", MAX_TITLE),
        (m.organisation, "organisation", MAX_ORGANISATION),
    ):
        if p := bounds.text_problem(value, name, limit):
            return p
    if p := bounds.text_problem(m.summary, "summary", MAX_SUMMARY, multiline=True):
        return p
    if len(m.tags) > MAX_TAGS:
        return f"more than {MAX_TAGS} tags"
    for tag in m.tags:
        if not tag.strip() or (p := bounds.text_problem(tag, "tag", MAX_TAG)):
            return p or "an empty tag"
    if extra_topics is not None:
        if p := topics.problem(m.topic, extra_topics):
            return p
    elif not topics.TOPIC_RE.fullmatch(m.topic):
        return "topic is not a topic name"
    if not LANGUAGE.fullmatch(m.language):
        return f"language {m.language[:20]!r} is not a BCP 47 tag (ru, kk, ky, tg, uz, en...)"
    if m.handling not in HANDLING.values():
        return "handling is not H0..H3"
    if m.HasField("review_date") and (
        p := bounds.time_problem(m.review_date, "review_date", now=now)
    ):
        return p
    if m.media_type not in mediatype.ALLOWED:
        return f"media type {m.media_type[:80]!r} is not allowed"
    if len(m.content_sha256) != 32 or any(len(h) != 32 for h in m.chunk_sha256):
        return "a content or chunk hash is not 32 bytes"
    if p := layout_problem(m.size, m.chunk_size, len(m.chunk_sha256)):
        return p
    if m.supersedes and m.supersedes >= m.version:
        return "supersedes names a version that is not earlier"
    if m.HasField("translation_of"):
        t = m.translation_of
        if not is_country(t.origin) or not bounds.is_uuid7(t.document_id):
            return "translation_of does not name a document"
        if (t.origin, t.document_id) == (m.origin, m.document_id):
            return "a document cannot be its own translation"
    return None


def withdrawal_problem(w: document_pb2.DocumentWithdrawal, now: datetime) -> str | None:
    if not bounds.is_uuid7(w.document_id):
        return "document_id is not a canonical UUIDv7"
    if p := bounds.version_problem(w.version):
        return p
    if not w.HasField("issued_at"):
        return "no issued_at time"
    if p := bounds.time_problem(w.issued_at, "issued_at", now=now, ahead_seconds=86400):
        return p
    return bounds.text_problem(w.reason, "reason", MAX_REASON, multiline=True)


def chunk_problem(m: document_pb2.DocumentManifest, index: int, data: bytes) -> str | None:
    """Why `data` is not chunk `index` of the manifest's content (None if it is)."""
    if not 0 <= index < len(m.chunk_sha256):
        return f"chunk {index} is outside the document's {len(m.chunk_sha256)} chunks"
    want = chunk_length(m.size, m.chunk_size, index)
    if len(data) != want:
        return f"chunk {index} has {len(data)} bytes, the manifest says {want}"
    if hashlib.sha256(data).digest() != m.chunk_sha256[index]:
        return f"chunk {index} does not match its hash in the signed manifest"
    return None


@dataclass
class Chunker:
    """Cut a stream of any-sized pieces into chunks, hashing each and the whole, holding at
    most one chunk in memory."""

    chunk_size: int = CHUNK_SIZE
    size: int = 0

    def __post_init__(self) -> None:
        self._buf = bytearray()
        self._whole = hashlib.sha256()
        self.hashes: list[bytes] = []

    def feed(self, data: bytes) -> Iterator[tuple[int, bytes]]:
        """The chunks completed by `data`, as (index, bytes). A piece that is exactly one
        chunk at a chunk boundary (the usual upload message) is passed on without a copy."""
        self.size += len(data)
        self._whole.update(data)
        rest = memoryview(data)
        if self._buf:
            need = self.chunk_size - len(self._buf)
            self._buf += rest[:need]
            rest = rest[need:]
            if len(self._buf) < self.chunk_size:
                return
            piece, self._buf = bytes(self._buf), bytearray()
            yield self._emit(piece)
        while len(rest) >= self.chunk_size:
            if len(rest) == len(data) == self.chunk_size and isinstance(data, bytes):
                piece = data
            else:
                piece = bytes(rest[: self.chunk_size])
            rest = rest[self.chunk_size :]
            yield self._emit(piece)
        self._buf += rest

    def finish(self) -> Iterator[tuple[int, bytes]]:
        """The last, shorter chunk, if any."""
        if self._buf:
            piece, self._buf = bytes(self._buf), bytearray()
            yield self._emit(piece)

    def _emit(self, piece: bytes) -> tuple[int, bytes]:
        self.hashes.append(hashlib.sha256(piece).digest())
        return len(self.hashes) - 1, piece

    @property
    def digest(self) -> bytes:
        return self._whole.digest()


HANDLING_NAMES = {v: k for k, v in HANDLING.items()}  # the alerts' handling codes
