"""Review dates: a received alert whose review date (`valid_until`) has passed loses its
content and tokens, as a withdrawal does (its id and versions stay; a later version the
origin publishes, say an extension, is taken as usual); a received document past its review
date loses its text and content. Our own alerts are kept unless the config says otherwise.
Also what `exchange status` and the metrics warn about: our alerts due for review soon."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
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

MAX_PER_PASS = 5000


def _latest(s: Session, origin_is_me: bool, me: str) -> list[tuple[AlertHead, AlertVersion]]:
    q = (
        select(AlertHead, AlertVersion)
        .join(
            AlertVersion,
            (AlertVersion.origin == AlertHead.origin)
            & (AlertVersion.alert_id == AlertHead.alert_id)
            & (AlertVersion.version == AlertHead.version),
        )
        .where(
            AlertHead.withdrawn.is_(False),
            AlertVersion.purged.is_(False),
            (AlertHead.origin == me) if origin_is_me else (AlertHead.origin != me),
        )
        .limit(MAX_PER_PASS)
    )
    return [(h, v) for h, v in s.execute(q)]


def _review(body: bytes) -> datetime | None:
    a = alert_pb2.Alert.FromString(body)
    return ts_datetime(a.valid_until) if a.HasField("valid_until") else None


def expire(s: Session, me: str, now: datetime, purge_own: bool) -> dict[str, list[str]]:
    """Drop what passed its review date; the ids dropped, by kind."""
    out: dict[str, list[str]] = {"alerts": [], "own_alerts": [], "documents": []}
    for h, v in _latest(s, False, me):
        due = _review(v.body)
        if due is not None and due <= now:
            received.purge(s, h.origin, me, h.alert_id, h.version + 1, tombstoned=False)
            s.execute(
                delete(SubjectTokenRow).where(
                    SubjectTokenRow.origin == h.origin, SubjectTokenRow.alert_id == h.alert_id
                )
            )
            out["alerts"].append(f"{h.origin}:{h.alert_id}")
    if purge_own:
        for h, v in _latest(s, True, me):
            due = _review(v.body)
            if due is not None and due <= now:
                s.execute(
                    update(AlertVersion)
                    .where(AlertVersion.origin == me, AlertVersion.alert_id == h.alert_id)
                    .where(AlertVersion.withdrawn.is_(False))
                    .values(body=b"", purged=True)
                )
                out["own_alerts"].append(h.alert_id)
    docs = s.execute(
        select(DocumentVersion)
        .where(
            DocumentVersion.origin != me,
            DocumentVersion.withdrawn.is_(False),
            DocumentVersion.manifest != b"",
        )
        .limit(MAX_PER_PASS)
    ).scalars()
    for d in list(docs):
        m = document_pb2.DocumentManifest.FromString(d.manifest)
        if m.HasField("review_date") and ts_datetime(m.review_date) <= now:
            documents.expire(s, d.origin, d.document_id)
            out["documents"].append(f"{d.origin}:{d.document_id}")
    n = sum(len(v) for v in out.values())
    if n:
        repo.append_audit(
            s, now, "retention.expired", {k: v[:200] for k, v in out.items()} | {"count": n}
        )
    return out


def due_soon(s: Session, me: str, now: datetime, warn_days: int) -> int:
    """Our own live alerts whose review date falls within `warn_days` (or has passed)."""
    limit = now + timedelta(days=warn_days)
    n = 0
    for _, v in _latest(s, True, me):
        due = _review(v.body)
        if due is not None and due <= limit:
            n += 1
    return n


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
