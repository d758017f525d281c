"""Idempotency keys: a publish, amend or withdraw that timed out may still have committed, so
the caller retries with the same key and gets the first result back, never a second change.

A key is kept for LIFETIME (a retry comes within seconds; a day covers a node restarted
after a crash) and written in the transaction of the change it names, so a crash cannot
leave one without the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from exchange.store.db import aware
from exchange.store.models import IdempotencyKey

LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class Keyed:
    """One keyed request: its key, operation and a digest of the request (key aside)."""

    key: str
    operation: str
    digest: str


def lookup(session: Session, key: str, now: datetime) -> IdempotencyKey | None:
    """The live record of a key, or None (never used, or older than LIFETIME)."""
    row = session.get(IdempotencyKey, key)
    if row is None or aware(row.created_at) < now - LIFETIME:
        return None
    return row


def save(
    session: Session,
    keyed: Keyed,
    alert_id: str,
    version: int,
    recipients: int,
    note: str,
    now: datetime,
) -> None:
    """Record a keyed change inside its transaction; expired keys go on the way."""
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - LIFETIME))
    session.add(
        IdempotencyKey(
            key=keyed.key,
            operation=keyed.operation,
            request_digest=keyed.digest,
            alert_id=alert_id,
            version=version,
            recipients=recipients,
            note=note[:300],
            created_at=now,
        )
    )
