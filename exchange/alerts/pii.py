"""Free-text PII guard for alert summaries.

Alerts are minimal by construction (DESIGN.md, principle 2): a subject is a set of tokens, a
birth year, sex and nationality. The free-text `summary` is the one field where a person could
still type a name, a full date of birth, a document number, a phone number or an e-mail
address, so this module looks for them before an alert is published.

It is a heuristic, tuned so that ordinary operational text passes (places, institutions,
categories, event dates) and identifying text does not. Rules, in the order they win when two
findings overlap:

- ``email``: ``local@domain.tld`` (also ``[at]`` / ``(at)``, and "name at mail dot ru").
- ``date-of-birth``: a full calendar date (``dd.mm.yyyy``, ``dd/mm/yyyy``, ``dd-mm-yyyy``,
  ``yyyy-mm-dd``, ``12 марта 1987``, ``12 March 1987``, ``March 12, 1987``) that either sits
  next to a birth marker (``born``, ``DOB``, ``date of birth``, ``д.р.``, ``г.р.``,
  ``дата рождения``, ``родился``...; then also ``dd.mm.yy``), or lies more than
  ``DOB_MIN_AGE_YEARS`` (14, the lowest age of criminal responsibility in KZ/KG/TJ) before
  `today`: nobody in custody was born later, and recent or future dates are events (transfer
  on 2026-11-20). A bare year ("born 1987", "1987 г.р.") is not a date of birth: the alert
  carries a birth year anyway.
- ``passport``: Kazakh ``N12345678``, Kyrgyz ``AN1234567`` / ``ID1234567``, generic one or two
  capital letters + 6-9 digits, Russian-style ``45 06 123456``, a bare 8-digit number (Tajik
  style ``40012345``), and any number after "passport" / "паспорт" / "удостоверение".
- ``iin``: 12 digits whose first six are a valid YYMMDD (Kazakh IIN), also in groups after
  "IIN" / "ИИН" / "ЖСН".
- ``phone``: numbers that Google's libphonenumber (``phonenumbers``) finds valid for KZ, KG or
  TJ (international numbers for any country) unless glued to a code (``KZ-2026-00123``),
  ``+`` followed by 9-15 digits, or digits after "tel" / "тел." / "phone" / "WhatsApp".
- ``national-id``: any other run of 9 or more digits (Kyrgyz 14-digit PIN, Tajik INN, 12
  digits that are not an IIN...), and grouped digits after "PIN" / "ПИН" / "INN" / "ИНН".
- ``name``: a run of capitalised words (Latin or Cyrillic) that looks like a person: it holds a
  patronymic (-ovich, -ovna, -ович, -овна; -uly, -kyzy, -улы, -кызы next to another word; a
  separate "уулу" / "kyzy"), a surname suffix (-ov, -ev, -in, -zoda, -bek, -ов, -ева, -зода...)
  or a frequent given name next to another capitalised word, initials ("A. Ivanov",
  "Иванов И.И."), or follows a person word ("prisoner", "осуждённый", "гражданин", "alias").
  One capitalised word alone counts only with a strong surname ending (-ov, -eva, -zoda,
  -ов, -ева, -зода), and in Cyrillic only inside a sentence ("приходил Шарипов"), since
  sentence-initial genitive plurals ("Обысков проведено") look the same. Words on the
  allow-list (regions and cities of KZ/KG/TJ and neighbours, institutions,
  months, weekdays, categories, number words) are never part of a name.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date

from exchange.alerts import pii_dates, pii_morph, pii_names, pii_numbers, pii_rules
from exchange.alerts.pii_finding import DOB_MIN_AGE_YEARS, Finding, _finding
from exchange.errors import MalformedInput

__all__ = ["DOB_MIN_AGE_YEARS", "KINDS", "Finding", "check_summary", "find_pii"]

KINDS = (
    "email",
    "date-of-birth",
    "passport",
    "iin",
    "phone",
    "national-id",
    "handle",
    "vehicle-plate",
    "address",
    "alias",
    "name",
)
"""Every kind `find_pii` reports; earlier kinds win where findings overlap."""

_LABELS = {
    "email": "an e-mail address",
    "date-of-birth": "a full date of birth",
    "passport": "a passport or ID document number",
    "iin": "an IIN (Kazakh individual identification number)",
    "phone": "a phone number",
    "national-id": "a national ID number",
    "name": "a personal name",
    "handle": "a messenger handle",
    "vehicle-plate": "a vehicle registration plate",
    "address": "a home address",
    "alias": "a nickname or alias",
}
_MAX_EXCERPT = 60


# --------------------------------------------------------------------------------------------
# public API


def find_pii(text: str, today: date | None = None) -> list[Finding]:
    """Every span of `text` that looks like personal data, in text order, without overlaps.

    `today` decides which full dates are dates of birth (older than `DOB_MIN_AGE_YEARS`) and
    which are events; without it every full date counts, so a caller cannot forget to pass it
    and silently let dates of birth through.
    """
    if len(text) <= _CACHED_LEN:  # short fields (regions, requested actions) repeat
        return list(_find_cached(text, today))
    return _find(text, today)


_CACHED_LEN = 120


def use_country_lists(lists: Mapping[str, Sequence[str]]) -> None:
    """Read texts with the country's own words too (its policy's [guard] lists), from now on;
    an empty mapping goes back to the shipped rules alone."""
    pii_rules.set_extensions(lists)
    _find_cached.cache_clear()


@functools.lru_cache(maxsize=1 << 12)
def _find_cached(text: str, today: date | None) -> tuple[Finding, ...]:
    return tuple(_find(text, today))


def _find(text: str, today: date | None) -> list[Finding]:
    candidates = [
        *pii_numbers._numbers(text),
        *pii_dates._dates(text, today),
        *pii_names._names(text),
    ]
    candidates += [
        _finding(text, *span)
        for span in pii_rules.extra_findings(text, today)
        if span.kind != "name"
        or not pii_names._is_allowed(text[span.start : span.end])
        or pii_rules.listed_given(text[span.start : span.end])  # Данияр, not Дания's stem
    ]
    quiet = pii_rules.suppressed(text)
    candidates = [
        c
        for c in candidates
        if not quiet(c.kind, c.start, c.end)
        and not (c.kind == "name" and pii_morph.heading_only(text, c.start, c.end))
    ]
    rank = {kind: n for n, kind in enumerate(KINDS)}
    candidates.sort(key=lambda f: (rank[f.kind], -(f.end - f.start), f.start))
    chosen: list[Finding] = []
    for cand in candidates:
        if all(cand.end <= f.start or cand.start >= f.end for f in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda f: f.start)


def _show(text: str, f: Finding) -> str:
    """One finding for the error message: what it is, where, and the text (shortened)."""
    excerpt = f.excerpt if len(f.excerpt) <= _MAX_EXCERPT else f.excerpt[: _MAX_EXCERPT - 3] + "..."
    before = "..." if f.start > 0 else ""
    after = "..." if f.end < len(text) else ""
    return f'{_LABELS[f.kind]}: "{before}{excerpt}{after}" (chars {f.start}-{f.end})'


def check_summary(text: str, today: date, field: str = "summary") -> None:
    """Refuse a summary that holds personal data, naming each span so the author can fix it.

    The message quotes the offending text back to the person who wrote it; log or audit
    `find_pii` kinds and positions instead of this message if the log must stay minimal.
    """
    findings = find_pii(text, today)
    if not findings:
        return
    if len(findings) == 1:
        message = f"{field} contains {_show(text, findings[0])}"
    else:
        message = f"{field} contains {len(findings)} items of personal data: " + "; ".join(
            _show(text, f) for f in findings
        )
    raise MalformedInput(
        message,
        hint="remove or generalise what is shown (a region instead of an address, a birth year "
        'in the subject instead of a date); to publish it anyway pass --allow-pii "reason", which '
        "is audited",
    )
