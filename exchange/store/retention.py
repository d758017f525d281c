"""Review dates: a received alert whose review date (`valid_until`) has passed loses its
content and tokens, as a withdrawal does (its id and versions stay; a later version the
origin publishes, say an extension, is taken as usual); a received document past its review
date loses its text and content. Our own alerts are kept unless the config says otherwise.
Also what `exchange status` and the metrics warn about: our alerts due for review soon; and
the audit log's retention cut."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.orm import Session

from exchange._proto.v1 import alert_pb2, document_pb2
from exchange.alerts.model import ts_datetime
from exchange.audit_checkpoint import sign_audit_checkpoint
from exchange.envelope import SigningKey
from exchange.store import documents, received, repo
from exchange.store.models import (
    AlertHead,
    AlertVersion,
    AuditCut,
    AuditEvent,
    DocumentVersion,
    SubjectTokenRow,
)

PAGE = 1000  # rows read per query: every one is looked at, a page at a time


def _review(body: bytes) -> datetime | None:
    a = alert_pb2.Alert.FromString(body)
    return ts_datetime(a.valid_until) if a.HasField("valid_until") else None


def _reviews(s: Session, ours: bool, me: str) -> Iterator[tuple[str, str, int, datetime]]:
    """(origin, alert_id, version, review date) of every live alert's latest version, ours or
    received, a page at a time in key order: none is skipped however many there are."""
    after = ("", "")
    while True:
        q = (
            select(AlertHead.origin, AlertHead.alert_id, AlertHead.version, AlertVersion.body)
            .join(
                AlertVersion,
                (AlertVersion.origin == AlertHead.origin)
                & (AlertVersion.alert_id == AlertHead.alert_id)
                & (AlertVersion.version == AlertHead.version),
            )
            .where(
                AlertHead.withdrawn.is_(False),
                AlertVersion.purged.is_(False),
                (AlertHead.origin == me) if ours else (AlertHead.origin != me),
                tuple_(AlertHead.origin, AlertHead.alert_id) > tuple_(*after),
            )
            .order_by(AlertHead.origin, AlertHead.alert_id)
            .limit(PAGE)
        )
        rows = s.execute(q).all()
        for origin, alert_id, version, body in rows:
            due = _review(body)
            if due is not None:
                yield origin, alert_id, version, due
        if len(rows) < PAGE:
            return
        after = (rows[-1][0], rows[-1][1])


def _due_documents(s: Session, me: str, now: datetime) -> list[tuple[str, str]]:
    """Received live documents past their review date, a page at a time."""
    out: dict[tuple[str, str], None] = {}  # in order, once each
    after = ("", "", 0)
    while True:
        q = (
            select(
                DocumentVersion.origin,
                DocumentVersion.document_id,
                DocumentVersion.version,
                DocumentVersion.manifest,
            )
            .where(
                DocumentVersion.origin != me,
                DocumentVersion.withdrawn.is_(False),
                DocumentVersion.manifest != b"",
                tuple_(DocumentVersion.origin, DocumentVersion.document_id, DocumentVersion.version)
                > tuple_(*after),
            )
            .order_by(DocumentVersion.origin, DocumentVersion.document_id, DocumentVersion.version)
            .limit(PAGE)
        )
        rows = s.execute(q).all()
        for origin, document_id, _, manifest in rows:
            m = document_pb2.DocumentManifest.FromString(manifest)
            if m.HasField("review_date") and ts_datetime(m.review_date) <= now:
                out[(origin, document_id)] = None
        if len(rows) < PAGE:
            return list(out)
        after = (rows[-1][0], rows[-1][1], rows[-1][2])


def expire(s: Session, me: str, now: datetime, purge_own: bool) -> dict[str, list[str]]:
    """Drop what passed its review date; the ids dropped, by kind."""
    out: dict[str, list[str]] = {"alerts": [], "own_alerts": [], "documents": []}
    expired = [(o, a, v) for o, a, v, due in _reviews(s, False, me) if due <= now]
    for origin, alert_id, version in expired:
        received.purge(s, origin, me, alert_id, version + 1, tombstoned=False)
        s.execute(
            delete(SubjectTokenRow).where(
                SubjectTokenRow.origin == origin, SubjectTokenRow.alert_id == alert_id
            )
        )
        out["alerts"].append(f"{origin}:{alert_id}")
    if purge_own:
        for alert_id in [a for _, a, _, due in _reviews(s, True, me) if due <= now]:
            s.execute(
                update(AlertVersion)
                .where(AlertVersion.origin == me, AlertVersion.alert_id == alert_id)
                .where(AlertVersion.withdrawn.is_(False))
                .values(body=b"", purged=True)
            )
            out["own_alerts"].append(alert_id)
    for origin, document_id in _due_documents(s, me, now):
        documents.expire(s, origin, document_id)
        out["documents"].append(f"{origin}:{document_id}")
    n = sum(len(v) for v in out.values())
    if n:
        repo.append_audit(
            s, now, "retention.expired", {k: v[:200] for k, v in out.items()} | {"count": n}
        )
    return out


def due_soon(s: Session, me: str, now: datetime, warn_days: int) -> int:
    """Our own live alerts whose review date falls within `warn_days` (or has passed)."""
    limit = now + timedelta(days=warn_days)
    return sum(1 for *_, due in _reviews(s, True, me) if due <= limit)


def last_cut(s: Session) -> AuditCut | None:
    return s.execute(select(AuditCut).order_by(AuditCut.seq.desc()).limit(1)).scalar_one_or_none()


def prune_audit(s: Session, me: str, signer: SigningKey, now: datetime, days: int) -> int:
    """Remove audit events older than `days`, after signing a checkpoint of the last one
    removed (kept in audit_cuts): the chain after the cut verifies from its hash. Returns the
    cut's seq (0: nothing to prune). The newest event is never removed."""
    before = now - timedelta(days=days)
    newest = s.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)).scalar()
    if newest is None:
        return 0
    q = (
        select(AuditEvent)
        .where(AuditEvent.at < before, AuditEvent.seq < newest)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    last = s.execute(q).scalar_one_or_none()
    if last is None:
        return 0
    env = sign_audit_checkpoint(signer, me, last.seq, last.hash, now)
    s.add(
        AuditCut(
            seq=last.seq,
            hash=last.hash,
            envelope=env.SerializeToString(deterministic=True),
            at=now,
        )
    )
    s.execute(delete(AuditEvent).where(AuditEvent.seq <= last.seq))
    repo.append_audit(
        s,
        now,
        "audit.pruned",
        {"through_seq": last.seq, "hash": last.hash.hex(), "key_id": signer.key_id},
    )
    return last.seq
