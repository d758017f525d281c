"""Publishing a document: its content staged chunk by chunk, then one transaction that makes
the content addressable by its sha256 (stored once), stores the version, and queues the
manifest on every channel the policy allows. A withdrawal is queued to every peer that was
sent a version, and drops our content unless another live document shares it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from exchange._proto.v1 import document_pb2
from exchange.channel import Head
from exchange.envelope import SigningKey
from exchange.errors import VersionRefused
from exchange.items.documents import version_row
from exchange.store import documents, repo
from exchange.store.db import Database
from exchange.store.models import Entry
from exchange.sync.outbox import queue_entry

Decide = Callable[[str], tuple[bool, str]]


@dataclass(frozen=True)
class Queued:
    recipients: tuple[str, ...]
    withheld: tuple[tuple[str, str], ...]  # (recipient, why)


def sent_before(s: Session, origin: str, document_id: str) -> set[str]:
    """The peers that were sent a version of one of our documents."""
    rows = s.execute(
        select(Entry.recipient)
        .where(Entry.origin == origin, Entry.item_id == document_id, Entry.item_kind == "document")
        .distinct()
    )
    return {r for (r,) in rows}


def publish(
    db: Database,
    origin: str,
    signer: SigningKey,
    recipients: list[str],
    m: document_pb2.DocumentManifest,
    staged: str,
    decide: Decide,
    now: datetime,
) -> Queued:
    """Make the staged upload `staged` the content of manifest `m`, store `m`, queue it."""
    digest = m.content_sha256.hex()
    with db.write() as s:
        held = documents.current_versions(s, origin, [m.document_id]).get(m.document_id)
        if m.version > 1 and (held is None or held.withdrawn or held.version != m.version - 1):
            raise VersionRefused("a concurrent change took that version; retry")
        existing = documents.blob(s, digest)
        if existing is not None and existing.complete:
            documents.drop_blob(s, staged)  # the same content is already here: stored once
        else:
            if existing is not None:
                documents.drop_blob(s, digest)  # a partial transfer of it: ours is whole
            documents.rename_blob(s, staged, digest)
            b = documents.blob(s, digest)
            assert b is not None
            b.size, b.chunk_size, b.chunks, b.complete = (
                m.size,
                m.chunk_size,
                len(m.chunk_sha256),
                True,
            )
            b.have, b.source = b.chunks, origin
        documents.insert_versions(s, [version_row(m, now)])
        out = _queue(s, origin, signer, recipients, m, m.document_id, m.version, decide, now)
        repo.append_audit(
            s,
            now,
            "document.published",
            {
                "document_id": m.document_id,
                "version": m.version,
                "content_sha256": digest,
                "size": m.size,
                "sent": list(out.recipients),
                "withheld": dict(out.withheld),
            },
        )
    return out


def withdraw(
    db: Database,
    origin: str,
    signer: SigningKey,
    recipients: list[str],
    w: document_pb2.DocumentWithdrawal,
    now: datetime,
) -> Queued:
    with db.write() as s:
        got = sent_before(s, origin, w.document_id)
        out = _queue(
            s,
            origin,
            signer,
            recipients,
            w,
            w.document_id,
            w.version,
            lambda r: (r in got, "sent a version" if r in got else "never sent it"),
            now,
        )
        dropped = documents.withdraw(s, origin, w.document_id, w.version, w.reason, now)
        repo.append_audit(
            s,
            now,
            "document.withdrawn",
            {
                "document_id": w.document_id,
                "version": w.version,
                "sent": list(out.recipients),
                "content_dropped": len(dropped),
            },
        )
    return out


def _queue(
    s: Session,
    origin: str,
    signer: SigningKey,
    recipients: list[str],
    item: document_pb2.DocumentManifest | document_pb2.DocumentWithdrawal,
    item_id: str,
    version: int,
    decide: Decide,
    now: datetime,
) -> Queued:
    sent: list[str] = []
    withheld: dict[str, str] = {}
    rows = []
    for r in sorted(set(recipients) - {origin}):  # fixed lock order
        ok, why = decide(r)
        if not ok:
            withheld[r] = why
            continue
        ch = repo.lock_channel(s, origin, r)
        row, head = queue_entry(
            origin, r, Head(ch.head_seq, ch.head_hash), item, item_id, version, signer, now
        )
        ch.head_seq, ch.head_hash = head.seq, head.hash
        rows.append(row)
        sent.append(r)
    repo.insert_entries(s, rows)
    return Queued(tuple(sent), tuple(sorted(withheld.items())))
