"""Alert ids by prefix: a person reads and types the first characters of an id, not 36."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from exchange.store.models import AlertHead


def with_prefix(
    session: Session, origin: str | None, prefix: str, limit: int = 11
) -> list[tuple[str, str]]:
    """(origin, alert_id) of the alerts whose id starts with prefix (at most `limit`).

    The caller checked the prefix holds only hex digits and dashes, so LIKE sees no wildcard."""
    q = select(AlertHead.origin, AlertHead.alert_id).where(AlertHead.alert_id.like(prefix + "%"))
    if origin:
        q = q.where(AlertHead.origin == origin)
    rows = session.execute(q.order_by(AlertHead.origin, AlertHead.alert_id).limit(limit))
    return [(o, a) for o, a in rows]
