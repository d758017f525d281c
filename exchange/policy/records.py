"""The records parts of a policy file: per peer, which requests are refused, wait for a
person or are answered automatically (and with which fields), and the country's deadlines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from exchange.policy.model import FIELDS
from exchange.records.deadlines import MAX_HOLIDAYS, WEEKDAYS, Terms

RECORD_KEYS = {"urgent_hours", "working_days", "weekend", "holidays"}
# What an automatic answer may release: the alert's own fields, read at the owner.
RECORD_FIELDS = FIELDS - {"subject.tokens"}


def record_fields(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: record_fields must be a list of field names")
    bad = sorted(set(value) - RECORD_FIELDS)
    if bad:
        raise ValueError(
            f"{where}: record_fields: unknown field {bad[0]!r}; use some of "
            f"{', '.join(sorted(RECORD_FIELDS))}"
        )
    return frozenset(value)


def terms(raw: Any, fail: Callable[..., Exception]) -> Terms:
    """The [records] table: deadlines in hours (urgent) and working days, weekend, holidays."""
    if not isinstance(raw, dict):
        raise fail("'records' must be a table: [records]", key="records")
    unknown = set(raw) - RECORD_KEYS
    if unknown:
        k = sorted(unknown)[0]
        raise fail(
            f"[records]: unknown key {k!r} (accepted: {', '.join(sorted(RECORD_KEYS))})",
            key="records",
        )
    hours = raw.get("urgent_hours", 12)
    days = raw.get("working_days", 10)
    for name, v, hi in (("urgent_hours", hours, 24 * 14), ("working_days", days, 90)):
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= hi:
            raise fail(f"[records]: {name} must be a whole number from 1 to {hi}", key="records")
    weekend = raw.get("weekend", ["sat", "sun"])
    if (
        not isinstance(weekend, list)
        or not all(isinstance(d, str) and d in WEEKDAYS for d in weekend)
        or len(set(weekend)) > 5
    ):
        raise fail(
            f"[records]: weekend must list at most five of {', '.join(WEEKDAYS)}", key="records"
        )
    holidays = raw.get("holidays", [])
    if not isinstance(holidays, list) or len(holidays) > MAX_HOLIDAYS:
        raise fail(
            f"[records]: holidays must be a list of at most {MAX_HOLIDAYS} dates", key="records"
        )
    out: set[date] = set()
    for h in holidays:
        if isinstance(h, date) and not hasattr(h, "hour"):
            out.add(h)
            continue
        try:
            out.add(date.fromisoformat(str(h)))
        except ValueError:
            raise fail(
                f"[records]: holiday {str(h)[:20]!r} is not a date (YYYY-MM-DD)", key="records"
            ) from None
    return Terms(hours, days, frozenset(WEEKDAYS.index(d) for d in weekend), frozenset(out))
