"""Bounds on values that cross a border: times, versions, ids and free text.

The same checks run on publish and on receipt, so nothing a peer sends can be stored that this
node would not have let its own operator publish, and nothing stored can later break a reader
(a time beyond year 9999, negative nanoseconds, a version the database column cannot hold).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

MAX_VERSION = 2**31 - 1  # fits a 32-bit signed column on SQLite and PostgreSQL
MAX_SEQ = 2**63 - 1  # fits BIGINT
MIN_TIME = datetime(2000, 1, 1, tzinfo=UTC)
MAX_REVIEW_YEARS = 30  # a retention review date further out than this is a mistake
MAX_CLOCK_AHEAD_SECONDS = 24 * 3600  # an issue time this far in our future is refused

# Control characters a person cannot see and a terminal may act on; bidirectional embeddings,
# overrides and isolates that reorder what a reader sees (Trojan Source, CVE-2021-42574).
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_FORBIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_FORBIDDEN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")


def text_problem(value: str, name: str, limit: int, *, multiline: bool = False) -> str | None:
    """Why a free-text value is refused, or None: too long, or invisible control characters
    (newlines and tabs only where `multiline`)."""
    if len(value) > limit:
        return f"{name} is longer than {limit} characters"
    bad = (_FORBIDDEN if multiline else _FORBIDDEN_LINE).search(value)
    if bad is not None:
        code = f"U+{ord(bad.group()):04X}"
        label = unicodedata.name(bad.group(), "control character")
        return f"{name} holds an invisible control character ({code} {label.lower()})"
    return None


def escape_controls(text: str) -> str:
    """`text` with every control and bidi character written as an escape (\\n, \\x1b,
    \\u202e): for a log line that quotes text from outside, so it cannot forge lines."""
    return _FORBIDDEN_LINE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def time_problem(
    ts: Timestamp, name: str, *, now: datetime, ahead_seconds: float | None = None
) -> str | None:
    """Why a timestamp is refused, or None: malformed, before 2000, or too far ahead of `now`."""
    if not 0 <= ts.nanos < 1_000_000_000:
        return f"{name} has malformed nanoseconds"
    if ts.seconds < int(MIN_TIME.timestamp()):
        return f"{name} is before {MIN_TIME.year}"
    limit = (
        ahead_seconds
        if ahead_seconds is not None
        else MAX_REVIEW_YEARS * 366 * 86400  # a loose year is enough for a bound
    )
    if ts.seconds > now.timestamp() + limit:
        return f"{name} is too far in the future"
    return None


def version_problem(version: int, name: str = "version") -> str | None:
    if not 1 <= version <= MAX_VERSION:
        return f"{name} must be between 1 and {MAX_VERSION}"
    return None


def is_uuid7(value: str) -> bool:
    """True for the canonical lower-case text form of a UUIDv7 (what the node writes)."""
    if len(value) != 36:
        return False
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return False
    return parsed.version == 7 and str(parsed) == value
