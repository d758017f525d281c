"""What the receipt path reads and writes for every item kind at once, so delivery code
names no kind: versions held and ids taken (alerts and documents), and the kind-specific rows
a receipt plan carries (`Plan.rows`, by table)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from exchange.alerts.versions import Current
from exchange.items.records import REQUESTS, RESPONSES
from exchange.store import documents, received, repo
from exchange.store import records as record_store

_RECORD_KINDS = frozenset({REQUESTS.kind, RESPONSES.kind})


def current_versions(s: Session, origin: str, ids: Iterable[str]) -> dict[str, Current]:
    wanted = [i for i in ids if i]
    return repo.current_versions(s, origin, wanted) | documents.current_versions(s, origin, wanted)


def taken_ids(s: Session, origin: str, ids: Iterable[str]) -> frozenset[str]:
    wanted = [i for i in ids if i]
    return received.taken_ids(s, origin, wanted) | documents.taken_ids(s, origin, wanted)


def record_states(s: Session, origin: str, items: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Our record cases with `origin` that a batch's (kind, id) pairs name; no query for a
    batch without record items (the common case on the receive path)."""
    ids = [i for kind, i in items if kind in _RECORD_KINDS]
    return record_store.states(s, origin, ids) if ids else {}


def open_requests(s: Session, origin: str, kinds: Iterable[str]) -> int:
    """Record requests from `origin` not yet decided (received or queued), when the batch's
    item kinds include requests (0 otherwise: no query)."""
    if REQUESTS.kind not in set(kinds):
        return 0
    return record_store.open_from(s, origin)


def content_bytes(s: Session, origin: str) -> int:
    """Bytes of content held for `origin`'s live items (its documents)."""
    return documents.live_bytes(s, origin)


def write_rows(s: Session, origin: str, rows: Mapping[str, Sequence[Any]], now: datetime) -> None:
    """The kind-specific rows of a receipt plan."""
    documents.insert_versions(s, list(rows.get("document_versions", ())))
    for document_id, version, reason in rows.get("document_withdrawals", ()):
        documents.withdraw(s, origin, document_id, version, reason, now)
    record_store.insert(s, list(rows.get("record_cases", ())))
    record_store.answer(s, list(rows.get("record_answers", ())))
    record_store.add_attachments(s, list(rows.get("record_attachments", ())))
