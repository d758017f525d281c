"""A record's attachments: each encrypted under its own AES-256-GCM key, chunk by chunk, and
fetched by the requester over the chunked, resumable content path documents use
(Exchange.FetchContent), each ciphertext chunk checked against the hashes in the signed
response before it is stored. The keys travel only inside the sealed record.

A chunk's nonce is its index and its associated data says whether it is the last, so chunks
cannot be reordered, dropped or the content cut short without failing to decrypt.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from exchange._proto.v1 import document_pb2, record_pb2
from exchange.documents.manifest import chunk_length

PLAIN_CHUNK = 1024 * 1024
TAG = 16
CHUNK = PLAIN_CHUNK + TAG  # ciphertext bytes per chunk
SEALED_MEDIA = "application/x-exchange-sealed"  # never an allowed document type
MAX_ATTACHMENTS = 4
MAX_TOTAL = 32 * 1024 * 1024  # plaintext bytes of one response's attachments
_LABEL = b"exchange.v1.RecordAttachment"


def _aad(index: int, last: bool) -> bytes:
    return _LABEL + index.to_bytes(8, "big") + (b"\x01" if last else b"\x00")


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


def encrypt(data: bytes) -> tuple[bytes, list[bytes]]:
    """A fresh key and the ciphertext chunks of `data` (one chunk for empty data)."""
    key = AESGCM.generate_key(bit_length=256)
    aead = AESGCM(key)
    pieces = [data[i : i + PLAIN_CHUNK] for i in range(0, len(data), PLAIN_CHUNK)] or [b""]
    last = len(pieces) - 1
    return key, [aead.encrypt(_nonce(i), p, _aad(i, i == last)) for i, p in enumerate(pieces)]


def content_of(chunks: list[bytes]) -> record_pb2.AttachmentContent:
    whole = hashlib.sha256()
    for c in chunks:
        whole.update(c)
    return record_pb2.AttachmentContent(
        content_sha256=whole.digest(),
        size=sum(len(c) for c in chunks),
        chunk_size=CHUNK,
        chunk_sha256=[hashlib.sha256(c).digest() for c in chunks],
    )


def content_problem(c: record_pb2.AttachmentContent) -> str | None:
    """Why a response's attachment content does not add up (None if it does)."""
    if len(c.content_sha256) != 32:
        return "an attachment's content_sha256 is not 32 bytes"
    if c.chunk_size != CHUNK:
        return f"an attachment's chunk size is {c.chunk_size}, not {CHUNK}"
    if not TAG <= c.size <= MAX_TOTAL + TAG * (MAX_TOTAL // PLAIN_CHUNK + 1):
        return "an attachment's size is out of bounds"
    chunks = -(-c.size // CHUNK)
    if len(c.chunk_sha256) != chunks or any(len(h) != 32 for h in c.chunk_sha256):
        return f"an attachment of {c.size} bytes has {chunks} chunks, each hashed in 32 bytes"
    if chunk_length(c.size, CHUNK, chunks - 1) < TAG:
        return "an attachment's last chunk is shorter than its tag"
    return None


def manifest_of(owner: str, response_id: str, c: record_pb2.AttachmentContent) -> bytes:
    """The content as the document fetcher reads a manifest (origin, digest, chunking)."""
    m = document_pb2.DocumentManifest(
        document_id=response_id,
        version=1,
        origin=owner,
        media_type=SEALED_MEDIA,
        content_sha256=c.content_sha256,
        size=c.size,
        chunk_size=c.chunk_size,
        chunk_sha256=list(c.chunk_sha256),
    )
    return m.SerializeToString(deterministic=True)


def decrypt(key: bytes, chunks: Iterator[bytes], count: int) -> Iterator[bytes]:
    """The plaintext of ciphertext chunks 0..count-1, chunk by chunk (InvalidTag if any was
    changed, moved or the content cut short)."""
    aead = AESGCM(key)
    for i, c in enumerate(chunks):
        yield aead.decrypt(_nonce(i), c, _aad(i, i == count - 1))
