"""What the personal-data guard's rules share: a finding, and how one is made."""

from __future__ import annotations

import re
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


_WORD = re.compile(r"[^\W\d_]{2,}")


def case_uninformative(text: str) -> bool:
    """True when capitals say nothing about names: the text is in capitals or Title Case (four
    words of two or more letters at least, and at most one in five starting lower case), as in
    "СРОЧНО: ТЕЛЕФОНОВ ИЗЪЯТО 2" or "Обысков Проведено Четыре". There a surname ending alone
    (Russian genitive plurals end like surnames) is no name; a given name, a patronymic,
    initials or a person word still are."""
    words = _WORD.findall(text)
    if len(words) < 4:
        return False
    lower = sum(1 for w in words if not w[0].isupper())
    return lower * 5 <= len(words)
