"""Typed SQLAlchemy models. The Alembic migrations create exactly these tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false

from exchange.records.checks import MAX_FIELD_NAMES_TEXT, MAX_RESTRICTIONS_TEXT


class Base(DeclarativeBase):
    pass


class Peer(Base):
    """A country this node exchanges with, pinned by its TLS key fingerprint."""

    __tablename__ = "peers"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    address: Mapped[str] = mapped_column(String(255))
    tls_fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    tls_cert_pem: Mapped[bytes] = mapped_column(LargeBinary)
    sign_public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_key_id: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Channel(Base):
    """Head of one channel origin -> recipient (ours outbound, or a peer's inbound)."""

    __tablename__ = "channels"

    origin: Mapped[str] = mapped_column(String(2), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(2), primary_key=True)
    head_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    head_hash: Mapped[bytes] = mapped_column(LargeBinary)
    acked_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # The highest seq ever acknowledged (acked_seq moves back on a rewind; this never does):
    # `alert.delivered` is audited once per entry, however often a peer makes us resend.
    delivered_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class Entry(Base):
    """One signed channel entry, stored exactly as it travelled (the outbox and the inbox)."""

    __tablename__ = "entries"
    __table_args__ = (Index("ix_entries_origin_item", "origin", "item_id"),)

    origin: Mapped[str] = mapped_column(String(2), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(2), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    item_id: Mapped[str] = mapped_column(String(64))  # of the item_kind below
    version: Mapped[int] = mapped_column(Integer)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # What became of a received entry's content (see exchange.sync.receipt): stored,
    # refused (no payload kept), quarantined, purged (by a withdrawal) or dropped.
    item_kind: Mapped[str] = mapped_column(String(16), default="alert", server_default="alert")
    state: Mapped[str] = mapped_column(String(16), default="stored", server_default="stored")
    note: Mapped[str] = mapped_column(String(300), default="")


class AlertVersion(Base):
    """Every version of every alert this node holds; a withdrawal is a tombstone version."""

    __tablename__ = "alert_versions"

    origin: Mapped[str] = mapped_column(String(2), primary_key=True)
    alert_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[bytes] = mapped_column(LargeBinary)  # Alert or Withdrawal protobuf bytes
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Content removed by a later withdrawal (ids and versions stay).
    purged: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class AlertHead(Base):
    """The latest version held for each alert, for listing and version checks."""

    __tablename__ = "alert_heads"
    __table_args__ = (Index("ix_alert_heads_alert_id", "alert_id"),)

    origin: Mapped[str] = mapped_column(String(2), primary_key=True)
    alert_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    category: Mapped[int] = mapped_column(Integer)
    risk: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AuditEvent(Base):
    """Hash-chained audit log: each row's hash covers the previous row's hash."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event: Mapped[str] = mapped_column(String(64), index=True)
    peer: Mapped[str] = mapped_column(String(2), default="")
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON, never subject data
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary)
    hash: Mapped[bytes] = mapped_column(LargeBinary)


class AuditHead(Base):
    """One row: the audit chain's head, locked by every append so the chain stays linear."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[bytes] = mapped_column(LargeBinary)


class SubjectTokenRow(Base):
    """A received alert carried a token with this fingerprint (append-only lookup index).

    `tok` is a 64-bit fingerprint of (kind, epoch, value); rows of older versions and withdrawn
    alerts stay, and a lookup confirms every candidate against the alert's latest version.
    """

    __tablename__ = "subject_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tok: Mapped[int] = mapped_column(BigInteger, index=True)
    origin: Mapped[str] = mapped_column(String(2))
    alert_id: Mapped[str] = mapped_column(String(36))


class TrustItem(Base):
    """An admin-signed trust item this node holds (bundle version, certificate, revocation), or
    a peer's announced TLS certificate (kind "tls", keyed by its SPKI fingerprint)."""

    __tablename__ = "trust_items"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))
    body: Mapped[bytes] = mapped_column(LargeBinary)  # Envelope bytes, or PEM for "tls"
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KeyLogRow(Base):
    """One entry of a country's hash-chained key log, in its canonical encoding."""

    __tablename__ = "key_log"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry: Mapped[bytes] = mapped_column(LargeBinary)


class KeyLogFreeze(Base):
    """A split view seen in a country's key log: key changes from it stay frozen until resolved.

    The evidence: the checkpoint envelopes signed by that country that contradict each other
    (the second alone when it contradicts the entries the country's own node sent)."""

    __tablename__ = "key_log_freezes"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    detail: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    evidence_a: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    evidence_b: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class KeyCheckpoint(Base):
    """The latest verified checkpoint this node holds of another country's key log (relayed)."""

    __tablename__ = "key_checkpoints"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)


class QuarantineRow(Base):
    """A received item held unshown and unmatched until an operator releases or drops it; its
    content is the entry's stored envelope."""

    __tablename__ = "quarantine"

    origin: Mapped[str] = mapped_column(String(2), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(24))  # alert, withdrawal-reason, schema
    alert_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    held_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditWitnessRow(Base):
    """A verified audit checkpoint another country's node gave this node to keep (this node
    witnesses its audit head; exchange.audit_witness says which are kept)."""

    __tablename__ = "audit_witness"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary)
    signed_at_ns: Mapped[int] = mapped_column(BigInteger)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IdempotencyKey(Base):
    """A publish, amend or withdraw done under a caller's key: a retry with the same key and
    request gets this result back instead of a second change (kept for a bounded time)."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    operation: Mapped[str] = mapped_column(String(16))
    request_digest: Mapped[str] = mapped_column(String(64))  # sha256 of the request, key aside
    alert_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    recipients: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AlarmAck(Base):
    """An operator acknowledged an alarm (by the digest of its text)."""

    __tablename__ = "alarm_acks"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DocumentVersion(Base):
    """Every version of every document this node holds (own and received), with the signed
    manifest as it travelled; a withdrawal leaves the ids, versions and hashes."""

    __tablename__ = "document_versions"
    __table_args__ = (Index("ix_document_versions_content", "content_sha256"),)

    origin: Mapped[str] = mapped_column(String(2), primary_key=True)
    document_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    manifest: Mapped[bytes] = mapped_column(LargeBinary)  # DocumentManifest bytes ("" purged)
    title: Mapped[str] = mapped_column(String(300))
    topic: Mapped[str] = mapped_column(String(48))
    language: Mapped[str] = mapped_column(String(35))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    chunk_size: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(String(64))  # hex
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    withdraw_reason: Mapped[str] = mapped_column(String(500), default="")
    # Why its content is not fetched yet (larger than the prefetch size, say), or was refused.
    note: Mapped[str] = mapped_column(String(300), default="")
    wanted: Mapped[bool] = mapped_column(Boolean, default=False)  # fetch it, whatever its size


class DocumentText(Base):
    """What `docs search` reads: a live document version's title, summary and tags. SQLite
    indexes it with FTS5 (document_fts, migration 0010), PostgreSQL with a GIN index over
    to_tsvector('simple', body)."""

    __tablename__ = "document_text"

    origin: Mapped[str] = mapped_column(String(2), primary_key=True)
    document_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class Blob(Base):
    """One content, by its sha256, stored once however many documents share it. A received
    blob is filled chunk by chunk, in order, from the one origin it is being fetched from."""

    __tablename__ = "blobs"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # hex sha256
    size: Mapped[int] = mapped_column(BigInteger)
    chunk_size: Mapped[int] = mapped_column(Integer)
    chunks: Mapped[int] = mapped_column(Integer)
    have: Mapped[int] = mapped_column(Integer, default=0)  # verified chunks stored (a prefix)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(2))  # the origin it is fetched from (or ours)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The name its chunk rows are stored under: the digest, or the temporary name an upload
    # was staged under (a rename then changes this row only, not every chunk row).
    chunk_key: Mapped[str] = mapped_column(String(64))


class BlobChunk(Base):
    """One verified chunk of a blob: rows, never one large value."""

    __tablename__ = "blob_chunks"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # the blob's chunk_key
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class User(Base):
    """A person on this node and their one role (exchange.records.roles)."""

    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Argon2id (exchange.app.passwords); None: this user signs in with an API token only.
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True, default=None)
    password_set_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, default=None
    )


class UserToken(Base):
    """An API token: only its sha256 is kept; it expires and dies with its user."""

    __tablename__ = "user_tokens"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecordCaseRow(Base):
    """One record request as this node sees it: one we sent ("out") or one we were sent
    ("in"), with its state, deadline and decision. A response's sealed record is kept only at
    the requester, as ciphertext."""

    __tablename__ = "record_cases"

    direction: Mapped[str] = mapped_column(String(3), primary_key=True)
    peer: Mapped[str] = mapped_column(String(2), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    alert_origin: Mapped[str] = mapped_column(String(2))
    alert_id: Mapped[str] = mapped_column(String(36))
    hit_kind: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(1000))
    legal_basis: Mapped[str] = mapped_column(String(500))
    urgent: Mapped[bool] = mapped_column(Boolean)
    officer: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(1000))
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    response_id: Mapped[str] = mapped_column(String(36))
    handling: Mapped[int] = mapped_column(Integer)
    restrictions: Mapped[str] = mapped_column(String(MAX_RESTRICTIONS_TEXT))  # one per line
    fields: Mapped[str] = mapped_column(String(MAX_FIELD_NAMES_TEXT))  # names, one per line
    attachments: Mapped[int] = mapped_column(Integer)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)  # "out": the response's ciphertext
    seal_key_id: Mapped[str] = mapped_column(String(64))
    sign_key_id: Mapped[str] = mapped_column(String(64))


class RecordAttachmentRow(Base):
    """An attachment's ciphertext of an answered request, on both sides: "in" (we answered:
    the peer may fetch it) and "out" (we asked: the fetcher gets it against `manifest`, the
    response's signed hashes in the shape the document fetcher reads)."""

    __tablename__ = "record_attachments"

    direction: Mapped[str] = mapped_column(String(3), primary_key=True)
    peer: Mapped[str] = mapped_column(String(2), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    digest: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    manifest: Mapped[bytes] = mapped_column(LargeBinary)


class AuditCut(Base):
    """Where the audit log was pruned for retention: the last removed event's seq and hash,
    signed by this node (an audit checkpoint), so the chain after it still verifies."""

    __tablename__ = "audit_cuts"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SharedVersion(Base):
    """A counter per kind of state the replicas of a node cache in memory (trust, peers,
    policy): bumped in the database by the replica that changed it, polled by the others."""

    __tablename__ = "shared_versions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(128), default="")
