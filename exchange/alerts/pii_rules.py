"""Data-driven guard rules across the region's languages (exchange/data/pii/rules.json).

Why a second module: `pii` holds the original detectors; this one adds what they missed
(addresses, plates, @handles, aliases, month-name dates in kk/ky/tg/uz/sv/bg, spaced national
numbers and observers' personal numbers, lower-case names, a listed given name alone, surnames
with a case ending) and what they refused wrongly (names of places "named after" someone, case
numbers, dates of past events). Word lists live in the data file, which names its sources; a
country may extend them (`extend`).

Context decides most clean cases: an old full date is an event when a custody-event word
(arrest, sentence, court, transfer, admission) stands in its own clause; a number is a case or
register number next to a case word (before it, or after it as in "N-сонли іс"); a name after
an institution or place word ("университет „Ботев“", "им.") names the place; in text written
in capitals or Title Case a surname ending alone is no name (see `case_uninformative`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from exchange.alerts import pii_morph
from exchange.alerts.pii_finding import case_uninformative

__all__ = ["EXTRA_KINDS", "Span", "extend", "extra_findings", "suppressed"]

EXTRA_KINDS = ("address", "vehicle-plate", "handle", "alias")


class Span(NamedTuple):
    kind: str
    start: int
    end: int


_EXT: dict[str, list[str]] = {}
# The lists a country may extend with its own words, in its policy's [guard] table.
EXTENSIBLE = frozenset(
    {
        "given_names", "strong_surname_endings", "foreign_surname_endings", "case_suffixes",
        "street_words", "street_suffixes", "house_words", "flat_words", "year_words",
        "birth_markers", "alias_phrases", "alias_phrases_after", "event_markers",
        "case_markers_before", "case_markers_after", "case_number_words_after",
        "named_after_before", "named_after_after", "plate_context", "person_words_before",
        "person_words_after", "given_names_also_words", "document_words_before",
    }
)  # fmt: skip


def extend(lists: Mapping[str, list[str]]) -> None:
    """Add a country's own words (given_names, alias_phrases, street_words...) to the rules."""
    for key, words in lists.items():
        _EXT.setdefault(key, []).extend(w.lower() for w in words)
    _rules.cache_clear()
    _word_flags.cache_clear()


def extensions() -> dict[str, list[str]]:
    """The country's own words in force (a copy)."""
    return {key: list(words) for key, words in _EXT.items()}


def set_extensions(lists: Mapping[str, Sequence[str]]) -> None:
    """Replace the country's own words with `lists` (a policy load or reload)."""
    _EXT.clear()
    for key, words in lists.items():
        _EXT[key] = [w.lower() for w in words]
    _rules.cache_clear()
    _word_flags.cache_clear()


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _latin_variants(word: str, pairs: dict[str, list[str]]) -> set[str]:
    """The word and its spellings in the region's other Latin romanisations (Sanzhar, Sanjar;
    Farrukh, Farrux): each listed letter group replaced by each of its equivalents, one group
    at a time."""
    out = {word}
    if word.isascii():
        for group, alts in pairs.items():
            if group in word:
                out.update(word.replace(group, alt) for alt in alts)
    return out


def _gate(phrases: list[str]) -> tuple[str, ...]:
    """The longest word of every phrase: a text without any of them cannot match the phrases."""
    return tuple({max(p.split(), key=len) for p in phrases if p.split()})


@cache
def _rules() -> dict[str, Any]:
    raw = resources.files("exchange.data.pii").joinpath("rules.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(raw)

    def words(key: str) -> list[str]:
        return [*str(data.get(key, "")).split(), *_EXT.get(key, [])]

    def phrases(key: str) -> list[str]:
        """A list of phrases (several words each allowed), plus the country's own."""
        return [str(p).lower() for p in data.get(key, [])] + _EXT.get(key, [])

    month = _alt(
        [w for v in data["months"].values() for w in str(v).split()]
        + [p for v in data.get("month_phrases", {}).values() for p in v]  # "баш оона"
    )
    year_w = _alt(words("year_words"))
    b = r"(?<![^\W\d_])"
    r: dict[str, Any] = {
        "date_dmy": re.compile(
            rf"(?<!\d)(\d{{1,2}})(?:-?(?:го|е|чи|и))?[\s.-]*(?:{month})[^\W\d_]*\.?,?\s+"
            rf"(?:(?:соли|of)\s+)?(\d{{4}})(?!\d)",
            re.IGNORECASE,
        ),
        "date_ymd": re.compile(
            rf"(?<!\d)(\d{{4}})\s*-?\s*(?:(?:{year_w})\s*)?,?\s*(\d{{1,2}})[\s-]*(?:{month})",
            re.IGNORECASE,
        ),
        "date_mdy": re.compile(rf"{b}(?:{month})[^\W\d_]*\s+(\d{{1,2}}),?\s+(\d{{4}})", re.I),
        "birth": re.compile(_alt(phrases("birth_markers")), re.IGNORECASE),
        "event": re.compile(rf"{b}(?:{_alt(phrases('event_markers'))})", re.IGNORECASE),
        "case_before": re.compile(
            rf"{b}(?:{_alt(phrases('case_markers_before'))})\W{{0,4}}$", re.I
        ),
        "case_after": re.compile(
            rf"^\W{{0,2}}(?:(?:{_alt(words('case_number_words_after'))})\s+)?"
            rf"(?:{_alt(phrases('case_markers_after'))})(?![^\W\d_])",
            re.I,
        ),
        # a document, personal-number or phone word, then "№" (or nothing) right before the number:
        # "Паспорт № 12345678", "Жеке куәлігі № 045612378", "ИИН № 870415300123"
        "document_before": re.compile(
            rf"{b}(?:{_alt(phrases('document_words_before'))})[^\W\d_]*\.?"
            rf"(?:\s+(?:{_alt(words('document_words_between'))})[^\W\d_]*\.?){{0,2}}"
            rf"[\s:.,#-]*(?:№|no\.?|nr\.?|n\.)?[\s:#]*$",
            re.I,
        ),
        # the place word, then up to three capitalised words of the person's name before the
        # finding ("шаҳри Бобоҷон Ғафуров", "ба номи Карим Аҳмедов", "района Бейимбета Майлина")
        "named_before": re.compile(
            rf"(?:{_alt(phrases('named_after_before'))})[^\W\d_]{{0,3}}[\s\"«„“]*"
            rf"(?:(?-i:[{_CAPS}])[^\W\d_]*(?:['’-][^\W\d_]+)*[\s\"«„“]+){{0,3}}$",
            re.I,
        ),
        "named_after": re.compile(rf"^[\s\"»“]*(?:{_alt(phrases('named_after_after'))})", re.I),
        # "named after" after a whole name: up to two more words of it first ("Мұхтар Әуезов
        # атындағы", "Абылай хан атындағы"); a district word names only the word next to it
        # ("Ержан Мұқанов Жамбыл ауданында": a person beside a district)
        "named_after_full": re.compile(
            rf"^(?:[\s\"»“]+(?:(?-i:[{_CAPS}])[^\W\d_]*|{_alt(words('named_after_between'))})){{1,2}}"
            rf"[\s\"»“]*(?:{_alt(phrases('named_after_full'))})",
            re.I,
        ),
        "alias": re.compile(
            rf"{b}(?:{_alt(phrases('alias_phrases'))})(?![^\W\d_])(?:\s*[:\-–—]\s*|\s+)"
            rf"[«\"“„']?\s*[^\W\d_]{{2,}}",
            re.I,
        ),
        "alias_after": re.compile(
            rf"(?<![^\W\d_])[«\"“„']?[^\W\d_]{{2,}}[»\"”']?\s+(?:{_alt(phrases('alias_phrases_after'))})",
            re.I,
        ),
        # "known as", "он же", "его зовут" before a capitalised or quoted word only ("известен
        # как наиболее сложный участок" names no one); "известен в отряде как «Шрам»"
        "alias_named": re.compile(
            rf"{b}(?:{_alt(phrases('alias_phrases_named'))})(?![^\W\d_])[\s:\-–—]+"
            rf"(?:[«\"“„'][^\W\d_]{{2,}}|(?-i:[{_CAPS}])[^\W\d_]+)",
            re.I,
        ),
        "alias_known": re.compile(
            rf"{b}(?:{_alt(words('alias_known_words'))})(?:\s+[^\W\d_]+){{0,3}}\s+"
            rf"(?:{_alt(words('alias_as_words'))})\s+"
            rf"(?:[«\"“„'][^\W\d_]{{2,}}|(?-i:[{_CAPS}])[^\W\d_]+)",
            re.I,
        ),
        "alias_named_gate": _gate([*phrases("alias_phrases_named"), *phrases("alias_known_words")]),
        # a quoted nickname, then "they call him" (uni «Chol» deyishadi, аны «Чал» дешет)
        "alias_quoted": re.compile(
            rf"[«\"“„][^\W\d_][^»\"”\n]{{1,30}}[»\"”]\s+(?:{_alt(phrases('alias_phrases_after_quoted'))})"
            rf"(?![^\W\d_])",
            re.I,
        ),
        # Telegram and most messengers take Latin handles; a handle typed in Cyrillic is one too.
        "handle": re.compile(r"(?<![\w.@])@[^\W\d_][\w]{2,31}"),
        "street": re.compile(
            rf"{b}(?:{_alt(words('street_words'))})\s*[^\W\d_][^\d\n;]{{0,30}}?[\s,]*"
            rf"(?:(?:{_alt(words('house_words'))})\s*)?\d{{1,4}}",
            re.IGNORECASE,
        ),
        "street_first": re.compile(
            rf"\d{{1,4}}[\s,]+[^\W\d_]+\s+(?:{_alt(words('street_words'))})", re.IGNORECASE
        ),
        # the street's name before its word, then the house (Chilonzor ko'chasi, 38-uy)
        "street_after": re.compile(
            rf"[^\W\d_]{{3,}}\s+(?:{_alt(words('street_words'))})[\s,]*"
            rf"(?:(?:{_alt(words('house_words'))})\s*)?\d{{1,4}}",
            re.IGNORECASE,
        ),
        "street_suffix": re.compile(
            rf"[^\W\d_]+(?:{_alt(words('street_suffixes'))})\s+\d{{1,4}}", re.IGNORECASE
        ),
        "flat": re.compile(
            rf"(?:\d{{1,4}}\s*-?\s*{b}(?:{_alt(words('flat_words'))})|{b}(?:{_alt(words('flat_words'))})\s*\d{{1,4}})",
            re.IGNORECASE,
        ),
        "plates": [re.compile(p) for p in data["plate_patterns"]],
        "plate_ctx": re.compile(_alt(phrases("plate_context")), re.IGNORECASE),
        "plate_ctx_pat": re.compile(data["plate_context_pattern"]),
        "fold": str.maketrans(dict(data.get("letter_folds", {}))),
        "person_before": re.compile(
            rf"{b}(?i:{_alt(phrases('person_words_before'))})\s+[{_CAPS}][^\W\d_]+"
        ),
        "person_after": re.compile(
            rf"(?<![^\W\d_])[{_CAPS}][^\W\d_]+\s+(?i:{_alt(phrases('person_words_after'))})"
            rf"(?![^\W\d_])"
        ),
        "person_gate": _gate([*phrases("person_words_before"), *phrases("person_words_after")]),
        "case_suffixes": tuple(sorted(words("case_suffixes"), key=len, reverse=True)),
        "strong": tuple(words("strong_surname_endings")),
        "foreign": tuple(words("foreign_surname_endings")),
    }
    r["given"] = frozenset(
        v.translate(r["fold"])
        for w in words("given_names")
        for v in _latin_variants(w, data.get("latin_spelling_variants", {}))
    )
    r["given_cased"] = frozenset(w.translate(r["fold"]) for w in words("given_names_also_words"))
    r["given_suffixes"] = tuple(
        sorted({w.translate(r["fold"]) for w in words("given_name_case_suffixes")}, key=len)[::-1]
    )
    r["given_replacing"] = frozenset(
        w.translate(r["fold"]) for w in words("given_name_case_suffixes_replacing")
    )
    r["given_stem_endings"] = ("", *words("given_name_stem_endings"))
    r["not_surnames"] = frozenset(words("not_surnames"))
    r["id_grouped"] = re.compile(
        rf"(?<![^\W\d_])(?:{_alt(phrases('id_words_before_grouped'))})\.?[\s:№#-]*"
        r"(\d{1,7}(?:[ -]\d{1,7}){0,5})(?![\d])",
        re.I,
    )
    endings = {e + suf for e in r["strong"] for suf in ("", *r["case_suffixes"])}
    r["case_endings"] = frozenset(endings)
    r["case_lengths"] = tuple(sorted({len(e) for e in endings}))
    # A surname ending followed by a Kazakh, Kyrgyz, Uzbek or Tajik case suffix (Ахметовқа,
    # Asanbekovga) is a surname even at a sentence's start: Russian words do not end so. The
    # Russian-like suffixes are left out (Обысков, Остановка, Листовки look the same).
    native = set(words("case_suffixes_shared_with_russian"))
    agglutinated = {e + suf for e in r["strong"] for suf in r["case_suffixes"] if suf not in native}
    r["agglutinated"] = re.compile(f"(?:{_alt(sorted(agglutinated))})\\Z")
    r["particles"] = frozenset(w.translate(r["fold"]) for w in words("patronymic_particles"))
    r["not_fathers"] = frozenset(w.translate(r["fold"]) for w in words("not_before_particle"))
    r["genitive_endings"] = tuple(w.translate(r["fold"]) for w in words("genitive_endings"))
    r["patronymic"] = re.compile(f"(?:{_alt(words('patronymic_endings'))})\\Z")
    r["weak_patronymic"] = re.compile(f"(?:{_alt(words('patronymic_endings_weak'))})\\Z")
    r["not_patronymic"] = frozenset(words("not_patronymics"))
    r["foreign_endings"] = frozenset(r["foreign"])
    r["foreign_lengths"] = tuple(sorted({len(e) for e in r["foreign"]}))
    r["ending_last_letters"] = frozenset(e[-1] for e in (*endings, *r["foreign"]) if e)
    r["case_end"] = re.compile(f"(?:{_alt(sorted(e for e in endings if e))})\\Z")
    r["foreign_end"] = re.compile(f"(?:{_alt([e for e in r['foreign'] if e])})\\Z")
    # Gates: each phrase's longest word, which any match must hold (a short word such as "по"
    # or "ат" is in nearly every text, and would gate nothing).
    r["alias_low"] = re.compile(r["alias"].pattern)
    r["alias_after_low"] = re.compile(r["alias_after"].pattern)
    r["alias_after_gate"] = _gate(phrases("alias_phrases_after"))
    r["street_gate"] = tuple({w.lower() for w in words("street_words")})
    r["suffix_gate"] = tuple({w.lower() for w in words("street_suffixes")})
    r["flat_gate"] = tuple({w.lower() for w in words("flat_words")})
    return r


def _dates(text: str, today: date | None, r: dict[str, Any]) -> list[Span]:
    out: list[Span] = []
    cutoff = date(today.year - 14, 1, 1) if today else None
    for key, year_group in (("date_dmy", 2), ("date_ymd", 1), ("date_mdy", 2)):
        for m in r[key].finditer(text):
            year = int(m.group(year_group))
            around = text[max(0, m.start() - 40) : m.end() + 25]
            if r["birth"].search(around) or (
                year >= 1900
                and (cutoff is None or year < cutoff.year)
                and not r["event"].search(_clause(text, m.start(), m.end()))
            ):
                out.append(Span("date-of-birth", m.start(), m.end()))
    return out


_SPACED = re.compile(r"(?<![\d.,/-])\d{2,6}(?:[ -]\d{2,6}){1,4}(?![\d/]|[.,]\d)")
_PNR = re.compile(r"(?<![\d-])(?:19|20)?(\d{2})(\d{2})(\d{2})[-+]\d{4}(?![\d-])")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _numbers(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _SPACED.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if len(digits) >= 11 and not re.match(
            r"\s*(?:tenge|тенге|сом|som|somoni|сомони|kr|лв)", text[m.end() :], re.I
        ):
            out.append(Span("national-id", m.start(), m.end()))
    for m in _rules()["id_grouped"].finditer(text):  # "РМА 690 809 368", "PINFL 3 260783 ..."
        if len(re.sub(r"\D", "", m.group(1))) >= 9:
            out.append(Span("national-id", m.start(1), m.end(1)))
    for m in _PNR.finditer(text):
        month, day = int(m.group(2)), int(m.group(3)) % 60
        if 1 <= month <= 12 and 1 <= day <= 31:
            out.append(Span("national-id", m.start(), m.end()))
    return out


_GIVEN, _CASED, _SURNAME, _AGGLUTINATED, _PATRONYMIC, _WEAK_PATRONYMIC, _PARTICLE = (
    1,
    2,
    4,
    8,
    16,
    32,
    64,
)


@functools.lru_cache(maxsize=1 << 16)
def _word_flags(word: str) -> int:
    """What one word can be (a listed given name, a given name that is also a word, a surname
    ending, one with a Turkic case suffix); cached, as words repeat across texts (cleared
    with the rules)."""
    r = _rules()
    low = word.lower()
    folded = low.translate(r["fold"])
    if folded in r["given"]:
        return _GIVEN
    if folded in r["given_cased"]:
        return _CASED
    if folded in r["particles"]:
        return _PARTICLE
    given = _given_in_case(word, folded, r)
    if given:
        return given
    w = low.replace("ё", "е")
    if len(w) >= 6:
        if r["patronymic"].search(w, 3) and w not in r["not_patronymic"]:
            return _PATRONYMIC
        if r["weak_patronymic"].search(w, 3):
            return _WEAK_PATRONYMIC
    if len(w) < 4 or w[-1] not in r["ending_last_letters"] or not _surname_with_case(w, r):
        return 0
    if not r["agglutinated"].search(w, 3):
        return _SURNAME
    if any(w.endswith(s) and w[: -len(s)] in r["not_surnames"] for s in r["case_suffixes"]):
        return 0  # tergovda, so'rovga: an Uzbek or Tajik noun in -ov with its case ending
    return _SURNAME | _AGGLUTINATED


def _given_in_case(word: str, folded: str, r: dict[str, Any]) -> int:
    """A listed given name with a case ending (Максиму, Аселью, Талғатқа, Бектурдун, Anvarning,
    Фарҳодро), in any letter case; the Russian ones also after dropping -а/-я/-й (Светланы,
    Андрея). A short name (four letters or fewer) with a one-letter ending counts only where
    a capitalised name can stand (даны, дани are words)."""
    for suf in r["given_suffixes"]:
        if not folded.endswith(suf) or len(folded) - len(suf) < 3:
            continue
        stem = folded[: -len(suf)]
        ends = r["given_stem_endings"] if suf in r["given_replacing"] else ("",)
        for cand in (stem + e for e in ends):
            if cand in r["given"]:
                return _CASED if len(suf) == 1 and len(cand) <= 4 else _GIVEN
            if cand in r["given_cased"]:
                return _CASED
    return 0


def _names(text: str, r: dict[str, Any]) -> list[Span]:
    out: list[Span] = []
    words = list(_WORD.finditer(text))
    flags = [_word_flags(m.group()) for m in words]
    if not any(flags):
        return out
    native = _NATIVE.search(text) is not None  # Kazakh, Kyrgyz, Tajik, Uzbek Cyrillic letters
    for k, m in enumerate(words):
        f = flags[k]
        if not f:
            continue
        if f & (_GIVEN | _PATRONYMIC):
            out.append(Span("name", m.start(), m.end()))
        elif f & _PARTICLE:
            # "Бейшен уулу", "нурлан кызы": the word before a patronymic particle is a father's
            # name, unless it is a genitive ("анын кызы", her daughter) or a joining word.
            if (
                k
                and _adjacent(text, words, k - 1)
                and _father(words[k - 1].group(), flags[k - 1], r)
            ):
                out.append(Span("name", words[k - 1].start(), m.end()))
        elif f & _WEAK_PATRONYMIC:  # -овна/-евна (also виновна, духовна): next to a name only
            if _next_name(flags, k):
                out.append(Span("name", m.start(), m.end()))
        elif f & _CASED:
            if (
                m.group()[0].isupper()
                and not _sentence_start(text, m.start())
                and not case_uninformative(text)
            ) or _next_flag(flags, k, _SURNAME | _PATRONYMIC | _WEAK_PATRONYMIC):
                out.append(Span("name", m.start(), m.end()))
        elif (
            _next_flag(flags, k, _GIVEN | _CASED | _PATRONYMIC | _WEAK_PATRONYMIC)
            or (
                m.group()[0].isupper()
                and (not _sentence_start(text, m.start()) or f & _AGGLUTINATED)
            )
            or (native and len(m.group()) >= 6)
            or (f & _AGGLUTINATED and len(m.group()) >= 8)  # karimovdan, юсуповнинг
        ):
            out.append(Span("name", m.start(), m.end()))
    if out and case_uninformative(text):  # capitals say nothing: a surname ending alone is no name
        starts = {m.start(): k for k, m in enumerate(words)}
        out = [
            s
            for s in out
            if flags[starts[s.start]] & (_GIVEN | _PATRONYMIC | _PARTICLE)
            or _next_given(flags, starts[s.start])
            or (flags[starts[s.start]] & _CASED and _next_flag(flags, starts[s.start], _SURNAME))
        ]
    return out


# A letter of the Kazakh or Kyrgyz alphabet only (not Uzbek or Tajik: тергов, сўров end so):
# their own words never end in -ов/-ев, so in such a text a word so ending, in any case, is a
# surname ("әдебиетті ахметов таратады"); Russian text (отрядов, часов) holds none of them.
_NATIVE = re.compile("[әңөұүһіӘҢӨҰҮҺІ]")


def _adjacent(text: str, words: list[re.Match[str]], k: int) -> bool:
    return text[words[k].end() : words[k + 1].start()] in (" ", "\u00a0")


def _father(word: str, flags: int, r: dict[str, Any]) -> bool:
    low = word.lower().translate(r["fold"])
    if flags & (_GIVEN | _CASED):
        return True
    return (
        len(low) >= 3
        and low not in r["not_fathers"]
        and not low.endswith(r["genitive_endings"])
        and not _WORD_DIGIT.search(low)
    )


_WORD_DIGIT = re.compile(r"\d")


def father_word(word: str) -> bool:
    """True if `word` can be a father's name before a patronymic particle (not a genitive or a
    joining word: "Анын кызы", "Оның ұлы" are her daughter, his son)."""
    return _father(word, _word_flags(word), _rules())


def listed_given(word: str) -> bool:
    """True for a given name of the lists (the allow-list's stems do not veto it: Данияр)."""
    return bool(_word_flags(word) & _GIVEN)


def _next_given(flags: list[int], k: int) -> bool:
    return any(flags[j] & _GIVEN for j in (k - 1, k + 1) if 0 <= j < len(flags))


def _next_flag(flags: list[int], k: int, want: int) -> bool:
    return any(flags[j] & want for j in (k - 1, k + 1) if 0 <= j < len(flags))


def _next_name(flags: list[int], k: int) -> bool:
    return _next_flag(flags, k, _GIVEN | _CASED | _SURNAME | _PATRONYMIC)


def _sentence_start(text: str, at: int) -> bool:
    """Nothing but spaces, quotes or an opening bracket between the last sentence end and `at`."""
    i = at - 1
    while i >= 0 and text[i] in " \t(«\"“'":
        i -= 1
    return i < 0 or text[i] in ".!?:\n"


def _surname_with_case(w: str, r: dict[str, Any]) -> bool:
    """A surname ending, bare or with a case suffix, after a stem of 3 or more letters; or a
    foreign surname ending on a word of 6 or more. One regex each, searched from the fourth
    letter and anchored at the word's end: the receiver runs this on every received word."""
    if r["case_end"].search(w, 3):
        return True
    return len(w) >= 6 and r["foreign_end"].search(w, 3) is not None


def extra_findings(text: str, today: date | None) -> list[Span]:
    """Candidate findings of the data-driven rules (may overlap each other and `pii`'s)."""
    r = _rules()
    out: list[Span] = []
    # Cheap gates first (the receiver runs this on every text it receives): every date rule
    # needs a four-digit year, every number, address and plate rule a digit, and each address
    # rule one of its words; a rule whose gate fails cannot match, so it is not run.
    if _DIGIT.search(text):
        if _YEAR.search(text):
            out += _dates(text, today, r)
        out += _numbers(text)
        low = text.lower()
        for key, gate in _ADDRESS_GATES:
            if any(w in low for w in r[gate]):
                out += [Span("address", m.start(), m.end()) for m in r[key].finditer(text)]
        for pat in r["plates"]:
            out += [Span("vehicle-plate", m.start(), m.end()) for m in pat.finditer(text)]
        if r["plate_ctx"].search(text):
            out += [
                Span("vehicle-plate", m.start(), m.end()) for m in r["plate_ctx_pat"].finditer(text)
            ]
    if "@" in text:
        out += [Span("handle", m.start(), m.end()) for m in r["handle"].finditer(text)]
    low = text.lower()
    # The alias rules hold no capitals: on lower-cased text (same length) they run without
    # IGNORECASE, which is much slower on Cyrillic.
    same = len(low) == len(text)
    for key, gated in (("alias", False), ("alias_after", True)):
        if gated and not any(p in low for p in r["alias_after_gate"]):
            continue
        pat, src = (r[key + "_low"], low) if same else (r[key], text)
        out += [Span("alias", m.start(), m.end()) for m in pat.finditer(src)]
    if "«" in text or '"' in text or "“" in text or "„" in text:
        out += [Span("alias", m.start(), m.end()) for m in r["alias_quoted"].finditer(text)]
    if any(p in low for p in r["alias_named_gate"]):
        for key in ("alias_named", "alias_known"):
            out += [Span("alias", m.start(), m.end()) for m in r[key].finditer(text)]
    out += [Span("name", s, e) for s, e in pii_morph.lower_surnames(text)]
    if any(p in low for p in r["person_gate"]):
        for key in ("person_before", "person_after"):
            out += [Span("name", m.start(), m.end()) for m in r[key].finditer(text)]
    out += _names(text, r)
    return out


_DIGIT = re.compile(r"\d")
# Capitals of Latin and Cyrillic (with the region's letters) that start a name.
_CAPS = "A-ZÀ-ÖØ-ÞА-ЯЁЀ-ЏҐ-Ӿ"
_YEAR = re.compile(r"\d{4}")
# Which word list each address rule cannot match without (lower-cased substrings).
_ADDRESS_GATES = (
    ("street", "street_gate"),
    ("street_first", "street_gate"),
    ("street_after", "street_gate"),
    ("street_suffix", "suffix_gate"),
    ("flat", "flat_gate"),
)


# A period ends a clause after a word of four letters or more or a digit, not after an
# abbreviation (ж., г., ул.).
_CLAUSE_END = re.compile(r"[,;!?()]|(?:(?<=[^\W\d_]{4})|(?<=\d))\.(?:\s|$)")


def _clause(text: str, start: int, end: int) -> str:
    """The date at start:end with the words of its own clause around it (up to 40 characters
    before, 60 after, not across a comma, semicolon or sentence end): an event word explains a
    date only there ("Задержан 12.05.2005 в Алматы", "02.09.2006 Алматыда ұсталған"), not in a
    neighbouring clause ("Subject, 12 March 1987, transferred")."""
    before = text[max(0, start - 40) : start]
    cut = [m.end() for m in _CLAUSE_END.finditer(before)]
    if cut:
        before = before[cut[-1] :]
    after = text[end : end + 60]  # Turkic and Tajik clauses end with their verb
    stop = _CLAUSE_END.search(after)
    if stop:
        after = after[: stop.start()]
    return before + text[start:end] + after


def suppressed(text: str) -> Callable[[str, int, int], bool]:
    """A test for findings that are not personal data in their context: a name of a place
    named after someone, a case number, a past event's date."""
    r = _rules()

    def test(kind: str, start: int, end: int) -> bool:
        before, after = text[max(0, start - 30) : start], text[end : end + 30]
        if kind == "name":
            return bool(
                r["named_before"].search(before)
                or r["named_after"].match(after)
                or r["named_after_full"].match(after)
            )
        if kind in ("passport", "national-id", "iin", "phone", "vehicle-plate"):
            if kind != "vehicle-plate" and r["document_before"].search(before):
                return False  # "Паспорт № 12345678": the "№" is the document's
            return bool(r["case_before"].search(before) or r["case_after"].match(after))
        if kind == "date-of-birth":
            around = text[max(0, start - 40) : end + 25]
            clause = _clause(text, start, end)
            return not r["birth"].search(around) and bool(r["event"].search(clause))
        return False

    return test
