"""What the personal-data guard's rules share: a finding, and how one is made."""

from __future__ import annotations

from dataclasses import dataclass

DOB_MIN_AGE_YEARS = 14
"""Full dates at least this many years before `today` are taken for dates of birth."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One span of `text` that looks identifying; `excerpt` is ``text[start:end]``."""

    kind: str
    start: int
    end: int
    excerpt: str


def _finding(text: str, kind: str, start: int, end: int) -> Finding:
    """A Finding whose excerpt is exactly the span, so callers never re-slice."""
    return Finding(kind, start, end, text[start:end])
