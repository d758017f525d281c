"""Surnames on no list, found by their form in context; Title Case headings that are no names.

Why: a surname that no list holds, written in lower case ("с расуловым", "осуждённый
петров", "бо султонов", "hamdam qo'chqorov"), was missed, because lower-case Russian
words in -ов/-ин are mostly genitive plurals and nouns ("обысков", "магазина"). Here a
lower-case word with a surname suffix counts only where ordinary words of that form cannot
stand: after a person word ("осуждённый", "маҳбус", "mahkum"), after a Russian preposition in
an oblique case form that nouns of the same ending do not take, right before a clause end
("с расуловым," "для ивановой."), after a Tajik preposition (ба, бо, аз), or, in Uzbek and Tajik
text (whose own words do not end in -ov but for `not_surnames`), anywhere; -зода/-zoda
anywhere. And a line written in Title Case whose words are ordinary heading words ("Karantin
Bo'limi Yopiq", "Отчёт О Проверке") is no name. Word lists: `rules.json` (`morph_*`,
`heading_words`, sources named there).
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

__all__ = ["heading_only", "lower_surnames"]


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_TOK = re.compile(r"[^\W\d_]+(?:['ʼ’][^\W\d_]+)*")


@functools.cache
def _data() -> dict[str, Any]:
    raw = resources.files("exchange.data.pii").joinpath("rules.json").read_text("utf-8")
    d: dict[str, Any] = json.loads(raw)

    def words(key: str) -> list[str]:
        return str(d.get(key, "")).split()

    def form(stem: int, endings: str, suffixes: str = "") -> re.Pattern[str]:
        tail = f"(?:{_alt(words(suffixes))})?" if suffixes else ""
        return re.compile(rf"^(?:[^\W\d_]|'){{{stem},}}(?:{_alt(words(endings))}){tail}$")

    forms = words("morph_ru_endings") + words("morph_local_endings") + words("morph_zoda_endings")
    return {
        "ru_any": form(3, "morph_ru_endings"),  # every case form, bare -ов too
        "ru_oblique": form(3, "morph_ru_oblique_endings"),  # forms nouns of the ending lack
        "local": form(4, "morph_local_endings", "morph_local_suffixes"),
        "zoda": form(4, "morph_zoda_endings", "morph_local_suffixes"),
        "ru_person": frozenset(words("morph_ru_person_words")),
        "ru_prep": frozenset(words("morph_ru_prepositions")),
        "tg_prep": frozenset(words("morph_tg_prepositions")),
        "person": frozenset(words("morph_person_words")),
        "local_script": re.compile(f"[{d.get('morph_local_letters', '')}]"),
        "not": frozenset(words("not_surnames")) | frozenset(words("morph_ru_not_surnames")),
        "not_ends": tuple(words("morph_ru_not_surname_endings")),
        "suffixes": tuple(sorted(words("morph_local_suffixes"), key=len, reverse=True)),
        "heading": tuple(w.replace("’", "'") for w in words("heading_words")),
        "any_form": re.compile(
            rf"[^\W\d_]{{3}}(?:{_alt(forms)})"
            rf"(?:{_alt(words('morph_local_suffixes'))})?(?![^\W\d_])"
        ),
        # the last letter of every form the rules match: a cheap first test for each word
        "last_letters": frozenset(
            w[-1]
            for key in (
                "morph_ru_endings",
                "morph_ru_oblique_endings",
                "morph_local_endings",
                "morph_zoda_endings",
                "morph_local_suffixes",
            )
            for w in words(key)
        ),
    }


def _stem_ok(w: str, r: dict[str, Any]) -> bool:
    if w in r["not"] or w.endswith(r["not_ends"]):
        return False
    return not any(w.endswith(s) and w[: -len(s)] in r["not"] for s in r["suffixes"])


_CLAUSE_END = re.compile(r"\s*(?:[,.;:!?)]|$|и\s)")


def lower_surnames(text: str) -> list[tuple[int, int]]:
    """Spans of lower-case surnames that the capitalised-name rules cannot see."""
    r = _data()
    low = text.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")
    if len(low) != len(text) or text == text.upper():
        return []
    if r["any_form"].search(low) is None:
        return []
    toks = [(m.start(), m.end(), m.group()) for m in _TOK.finditer(low)]
    # Uzbek Latin text, or Cyrillic text with Uzbek or Tajik letters: their own words do not end
    # in -ov/-ev (but for `not_surnames`), so such a word in lower case is a surname.
    latin = re.search(r"[a-z]{3}", low) is not None and re.search("[а-я]", low) is None
    local_text = latin or r["local_script"].search(low) is not None
    out: list[tuple[int, int]] = []

    def joined(i: int) -> bool:  # token i-1 and i separated by blanks only
        return i > 0 and low[toks[i - 1][1] : toks[i][0]].strip() == ""

    last = r["last_letters"]
    for i, (s, e, w) in enumerate(toks):
        if w[-1] not in last or len(w) < 5 or not text[s].islower() or not _stem_ok(w, r):
            continue
        prev = toks[i - 1][2] if joined(i) else ""
        prev2 = toks[i - 2][2] if i > 1 and joined(i) and joined(i - 1) else ""
        start = None
        if r["ru_any"].match(w) and (prev in r["ru_person"] or prev2 in r["ru_person"]):
            start = s if prev in r["ru_person"] else toks[i - 1][0]
        elif (
            r["ru_oblique"].match(w)
            and prev in r["ru_prep"]
            and _CLAUSE_END.match(low, e) is not None
        ):
            start = s
        elif r["local"].match(w) or r["zoda"].match(w):
            if prev in r["tg_prep"] or local_text or r["zoda"].match(w):
                start = s
            elif prev in r["person"] or prev2 in r["person"]:
                start = s if prev in r["person"] else toks[i - 1][0]
        if start is not None:
            out.append((start, e))
    return out


def heading_only(text: str, start: int, end: int) -> bool:
    """True if the name finding at start:end lies in a Title Case line (every word of three
    letters or more capitalised) that holds an ordinary heading word, and each word of the
    finding is a heading word or has no name form (no listed name, patronymic or surname
    ending other than a heading word's): "Karantin Bo'limi Yopiq", "Журнал Приёма Передач"."""
    from exchange.alerts import pii_names  # late: pii_names imports the rules modules

    r = _data()
    lo = max(text.rfind(c, 0, start) for c in ".!?\n:") + 1
    his = [i for i in (text.find(c, end) for c in ".!?\n") if i >= 0]
    line = text[lo : min(his) if his else len(text)]
    words = re.findall(r"[^\W\d_]+(?:['ʼ’][^\W\d_]+)*", line)
    long = [w for w in words if len(w) >= 3]
    if len(long) < 2 or not all(w[0].isupper() for w in long):
        return False
    norm = [w.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'") for w in long]
    if not any(n.startswith(r["heading"]) for n in norm):
        return False
    for w in re.findall(r"[^\W\d_]+(?:['ʼ’][^\W\d_]+)*", text[start:end]):
        n = w.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")
        if n.startswith(r["heading"]):
            continue
        if pii_names._name_like(w) or pii_names._is_given(w):
            return False
    return True
