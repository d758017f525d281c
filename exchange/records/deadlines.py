"""When a record request falls due: urgent ones in hours, others in working days, counted
in the owning country's calendar (its weekend and its holidays), as ECRIS counts them.

Pure: the policy gives the terms, the caller gives the time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WARN_BEFORE = timedelta(hours=24)  # status warns this long before a request falls due
MAX_HOLIDAYS = 400


@dataclass(frozen=True)
class Terms:
    """A country's deadlines for answering record requests."""

    urgent_hours: int = 12
    working_days: int = 10
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday(): Saturday, Sunday
    holidays: frozenset[date] = field(default_factory=frozenset)


def due(requested_at: datetime, urgent: bool, terms: Terms) -> datetime:
    """The time a request received at `requested_at` must be answered by."""
    if urgent:
        return requested_at + timedelta(hours=terms.urgent_hours)
    day, left = requested_at, terms.working_days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() not in terms.weekend and day.date() not in terms.holidays:
            left -= 1
    return day


def seconds_left(due_at: datetime, now: datetime) -> int:
    """Negative once overdue."""
    return int((due_at - now).total_seconds())


def is_due_soon(due_at: datetime, now: datetime) -> bool:
    return now < due_at <= now + WARN_BEFORE
