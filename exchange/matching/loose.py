"""A looser name key for the harder spellings, and its one-letter-typo neighbourhood.

Why: the exact keys of `normalize` keep letters apart on purpose, so the full-date tokens they
feed stay precise. The same person is also written with a changed surname form (Tajik
post-reform Рахмонов -> Рахмонзода / Раҳмонӣ / Rahmon, Kazakh Серіков -> Серікұлы, Kyrgyz
Асанбеков -> Асанбек уулу), with ё as е or e, Kazakh Latin 2017 apostrophes (S'arypov,
Ja'nibek), vowels and h/g, p/f heard differently (Rahmon/Rahman, Ibragim/Ibrohim,
Yusup/Yusuf), or with a one-letter typo. The loose key is always bound to the full date of
birth (see `tokens`), which keeps different people apart.

Loose key, in order (the suffix list is data: ``exchange/data/matching/suffixes.json``):

1. Kazakh Latin 2017 digraphs first: s' -> sh, c' -> ch (other apostrophes vanish later).
2. ASCII letters only (``anyascii``), lower case; for a surname, the longest listed form
   ending (-zoda, -ov, -uly, uulu, -ī ...) is cut off while a stem of 3+ letters remains.
3. The `normalize.skeleton` of what is left, then g -> h, p -> f, and every vowel and glide
   dropped (consonants carry the name; vowels are where spellings differ most). A key that
   would keep fewer than two consonants keeps its vowels (as a/i classes) instead.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Final

from anyascii import anyascii

from exchange.matching.normalize import skeleton

__all__ = ["deletions", "loose_key", "surname_stem"]

_KZ2017: Final = ((re.compile(r"s['’ʼ]", re.IGNORECASE), "sh"), (re.compile(r"c['’ʼ]", re.I), "ch"))
_NON_LETTERS: Final = re.compile(r"[^a-z]+")
_VOWELS: Final = re.compile(r"[aeiouy]")
_MIN_STEM: Final = 3


@cache
def _suffixes() -> tuple[str, ...]:
    """Surname form endings, longest first (from the package data file that names its source)."""
    raw = resources.files("exchange.data.matching").joinpath("suffixes.json").read_text("utf-8")
    items = json.loads(raw)["surname_form_endings"]
    return tuple(sorted({str(s) for s in items}, key=len, reverse=True))


def _letters(text: str) -> str:
    for pattern, repl in _KZ2017:
        text = pattern.sub(repl, text)
    return _NON_LETTERS.sub("", anyascii(text.replace("ё", "е").replace("Ё", "Е")).lower())


def surname_stem(text: str) -> str:
    """The surname without its form ending (Рахмонзода, Rahmonov, Раҳмонӣ -> rahmon)."""
    letters = _letters(text)
    for suffix in _suffixes():
        if letters.endswith(suffix) and len(letters) - len(suffix) >= _MIN_STEM:
            return letters[: -len(suffix)]
    return letters


def loose_key(text: str, *, surname: bool) -> str:
    """The loose key of a surname or a given name ("" if it has no letters)."""
    base = surname_stem(text) if surname else _letters(text)
    if not base:
        return ""
    folded = skeleton(base).replace("g", "H").replace("p", "f")
    consonants = re.sub(r"(.)\1+", r"\1", _VOWELS.sub("", folded))
    if len(consonants) >= 2:
        return consonants
    return re.sub(r"[ou]", "a", re.sub(r"[ey]", "i", folded))


def deletions(key: str, limit: int) -> list[str]:
    """Up to `limit` distinct one-letter deletions of `key` (its typo neighbourhood), in order."""
    out: list[str] = []
    for i in range(len(key)):
        variant = key[:i] + key[i + 1 :]
        if len(variant) >= 2 and variant not in out and variant != key:
            out.append(variant)
        if len(out) >= limit:
            break
    return out
