"""Best-practice documents: manifests and their withdrawals, two item kinds (schema 3).

A manifest is stored and listed if it is newer than what is held, our accept rule takes its
topic from that peer, it is no larger than the rule's maximum document size, and the peer's
live documents stay within the rule's byte budget. Its content is fetched apart
(exchange.node.docfetch), chunk by chunk against the manifest's hashes. A withdrawal drops
every earlier version's text and manifest, and the content no live document shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.protobuf.message import Message

from exchange._proto.v1 import document_pb2
from exchange.alerts.model import ts_datetime
from exchange.alerts.versions import Current, check_newer
from exchange.documents import manifest as mf
from exchange.errors import MalformedInput, NotPermitted, VersionRefused
from exchange.items.base import Incoming, Parsed, Placing, Plan, hold, refuse


def _known(plan: Plan, row: dict[str, Any], it: Incoming, ctx: Placing, tombstone: bool) -> bool:
    """Refuse an id another origin holds, or a version that is not newer; else record it."""
    if it.item_id in ctx.taken:
        plan.conflicts += 1
        why = "the document id is already held under another origin"
        refuse(plan, row, it, why, "document.id_conflict")
        return False
    try:
        check_newer(ctx.current.get(it.item_id), it.version, withdrawal=tombstone)
    except VersionRefused as exc:
        refuse(plan, row, it, exc.message.replace("alert", "document"), "document.version_refused")
        return False
    ctx.current[it.item_id] = Current(it.version, tombstone)
    return True


@dataclass(frozen=True)
class _Documents:
    kind: str = "document"
    member: str = "document"
    id_key: str = "document_id"
    schema: int = 3
    held_whole: bool = True

    def read(self, item: Message, caller: str, now: datetime) -> Parsed:
        if not isinstance(item, document_pb2.DocumentManifest):
            raise MalformedInput("not a document manifest")
        if item.origin != caller:
            raise NotPermitted("the document's origin differs from the entry's origin")
        if p := mf.problem(item, now):
            raise MalformedInput(f"document manifest: {p}")
        return Parsed(item.document_id, item.version, mf.text_fields(item))

    def place(self, plan: Plan, row: dict[str, Any], it: Incoming, ctx: Placing) -> None:
        m = it.entry.document
        rule = ctx.acceptance
        if m.topic not in rule.document_topics:
            why = "document topic not accepted from this peer by our policy"
            refuse(plan, row, it, why, "document.refused_by_policy")
            return
        if m.size > rule.max_document_size:
            why = f"document of {m.size} bytes is larger than our limit of {rule.max_document_size}"
            refuse(plan, row, it, why, "document.too_large")
            return
        if plan.content_bytes + m.size > rule.document_budget:
            why = f"the peer's documents would exceed our budget of {rule.document_budget} bytes"
            refuse(plan, row, it, why, "document.over_budget")
            return
        if not _known(plan, row, it, ctx, tombstone=False):
            return
        plan.content_bytes += m.size
        plan.rows.setdefault("document_versions", []).append(version_row(m, plan.now))


def version_row(m: document_pb2.DocumentManifest, now: datetime) -> dict[str, Any]:
    """The stored row of a manifest (own or received), with its searchable text."""
    return {
        "origin": m.origin,
        "document_id": m.document_id,
        "version": m.version,
        "manifest": m.SerializeToString(deterministic=True),
        "title": m.title,
        "topic": m.topic,
        "language": m.language,
        "media_type": m.media_type,
        "size": m.size,
        "chunk_size": m.chunk_size,
        "content_sha256": m.content_sha256.hex(),
        "issued_at": ts_datetime(m.issued_at),
        "stored_at": now,
        "withdrawn": False,
        "withdraw_reason": "",
        "note": "",
        "wanted": False,
        "text": "\n".join([m.title, m.summary, *m.tags]),
    }


@dataclass(frozen=True)
class _Withdrawals:
    kind: str = "doc-withdrawal"  # entries.item_kind holds 16 characters
    member: str = "document_withdrawal"
    id_key: str = "document_id"
    schema: int = 3
    held_whole: bool = False  # the tombstone applies; only its reason waits

    def read(self, item: Message, caller: str, now: datetime) -> Parsed:
        if not isinstance(item, document_pb2.DocumentWithdrawal):
            raise MalformedInput("not a document withdrawal")
        if item.origin != caller:
            raise NotPermitted("the withdrawal's origin differs from the entry's origin")
        if p := mf.withdrawal_problem(item, now):
            raise MalformedInput(f"document withdrawal: {p}")
        return Parsed(
            item.document_id, item.version, [("reason", item.reason)] if item.reason else []
        )

    def place(self, plan: Plan, row: dict[str, Any], it: Incoming, ctx: Placing) -> None:
        if not _known(plan, row, it, ctx, tombstone=True):
            return
        reason = it.entry.document_withdrawal.reason
        if ctx.flagged is not None:
            hold(plan, row, it, "withdrawal-reason", ctx.flagged, keep_state=True)
            reason = ""
        plan.rows.setdefault("document_withdrawals", []).append((it.item_id, it.version, reason))


DOCUMENTS = _Documents()
DOCUMENT_WITHDRAWALS = _Withdrawals()
