"""Which audit events are about one alert: the trail a person follows from publish to every
peer's acknowledgement and every read."""

from __future__ import annotations

import json
from typing import Any


def about(detail_text: str, prefix: str) -> bool:
    """True if an event's detail names an alert whose id starts with prefix: as `alert_id`,
    or in a list of `origin/id` (match hits) or `id:version` (receipts: `items`, `alerts` in
    events written before item kinds)."""
    if prefix not in detail_text:  # cheap first: most events name no alert
        return False
    detail: Any = json.loads(detail_text)
    if not isinstance(detail, dict):
        return False
    aid = detail.get("alert_id")
    if isinstance(aid, str) and aid.startswith(prefix):
        return True
    for key in ("alerts", "items"):
        listed = detail.get(key)
        if isinstance(listed, list) and any(
            isinstance(a, str) and a.rpartition("/")[2].startswith(prefix) for a in listed
        ):
            return True
    return False
