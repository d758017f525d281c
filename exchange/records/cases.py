"""A record case's directions, states and row shape (both sides keep one row per request)."""

from __future__ import annotations

from typing import Any

OUT, IN = "out", "in"
FINAL_OUT = frozenset({"answered", "denied", "refused"})
FINAL_IN = frozenset({"approved", "denied", "refused"})
STATES = ("sent", "received", "queued", "approved", "denied", "refused", "answered", "overdue")


def blank(**values: Any) -> dict[str, Any]:
    """A case row with every column set: the given values over empty defaults."""
    base: dict[str, Any] = {
        "hit_kind": "",
        "reason": "",
        "decided_by": "",
        "decided_at": None,
        "response_id": "",
        "handling": 0,
        "restrictions": "",
        "fields": "",
        "attachments": 0,
        "sealed": b"",
        "seal_key_id": "",
        "sign_key_id": "",
        "officer": "",
    }
    return base | values
