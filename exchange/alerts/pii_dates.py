"""The guard's rules for dates of birth (see exchange.alerts.pii)."""

from __future__ import annotations

import re
from datetime import date

from exchange.alerts.pii_finding import DOB_MIN_AGE_YEARS, Finding, _finding

_DATE_CANDIDATE = re.compile(r"\d{4}|\d[./-]\d{1,2}[./-]\d")

# --------------------------------------------------------------------------------------------
# dates of birth

_MONTHS: tuple[tuple[int, str], ...] = (
    (1, r"jan(?:uary)?|январ\w*|янв|қаңтар\w*"),
    (2, r"feb(?:ruary)?|феврал\w*|фев|ақпан\w*"),
    (3, r"mar(?:ch)?|март\w*|мар|наурыз\w*"),
    (4, r"apr(?:il)?|апрел\w*|апр|сәуір\w*"),
    (5, r"may|ма[йя]|мамыр\w*"),
    (6, r"june?|июн[ья]?|маусым\w*"),
    (7, r"july?|июл[ья]?|шілде\w*"),
    (8, r"aug(?:ust)?|август\w*|авг|тамыз\w*"),
    (9, r"sep(?:t(?:ember)?)?|сентябр\w*|сен|қыркүйек\w*"),
    (10, r"oct(?:ober)?|октябр\w*|окт|қазан\w*"),
    (11, r"nov(?:ember)?|ноябр\w*|ноя|қараша\w*"),
    (12, r"dec(?:ember)?|декабр\w*|дек|желтоқсан\w*"),
)
_MONTH_ALT = "|".join(f"(?:{alt})" for _, alt in _MONTHS)
_MONTH_RES = tuple((n, re.compile(f"(?:{alt})$", re.IGNORECASE)) for n, alt in _MONTHS)

_DATE_DMY = re.compile(r"(?<![\d.,/-])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?!\d|[./-]\d)")
_DATE_YMD = re.compile(r"(?<![\d.,/-])(\d{4})([./-])(\d{1,2})\2(\d{1,2})(?!\d|[./-]\d)")
_DATE_TEXT_DMY = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|-?го)?(?:\s+of)?[\s-]+({_MONTH_ALT})\.?,?[\s-]+(\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_DATE_TEXT_MDY = re.compile(
    rf"(?<![^\W\d_])({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_DOB_BEFORE = re.compile(
    r"(?:\bborn(?:\s+on)?|\bdob|\bd\.o\.b\.?|\bdate\s+of\s+birth|\bbirth\s*date|\bbirthday"
    r"|\bд\.\s?р\.|\bд/р|\bдата\s+рождения|\bродил(?:ся|ась)|\bрожд(?:\.|ения)"
    r"|\bтуған(?:\s+күні)?|\bг\.\s?р\.)\s*[:=\-–—]?\s*(?:on\s+)?$",
    re.IGNORECASE,
)
_DOB_AFTER = re.compile(
    r"^\s*(?:г\.\s?р\.|г\.?\s+рождения|года?\s+рождения|\(?d\.?o\.?b\.?\)?(?![^\W\d_]))",
    re.IGNORECASE,
)


def _month(word: str) -> int:
    """Month number of an English, Russian or Kazakh month word, 0 if none."""
    for number, pattern in _MONTH_RES:
        if pattern.match(word):
            return number
    return 0


def _years_before(today: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _make_date(year: int, month: int, day: int) -> date | None:
    """A date, or None where the numbers are not one (31.02, a version number)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _dates(text: str, today: date | None) -> list[Finding]:
    """Full dates that are, or are likely to be, dates of birth (see the module docstring)."""
    cutoff = _years_before(today, DOB_MIN_AGE_YEARS) if today else None
    out: list[Finding] = []
    if _DATE_CANDIDATE.search(text) is None:
        return out  # every date form here has a 4-digit year, or is d.m.yy

    def consider(start: int, end: int, year: int, month: int, day: int, short: bool) -> None:
        marked = bool(
            _DOB_BEFORE.search(text[max(0, start - 30) : start])
            or _DOB_AFTER.match(text[end : end + 20])
        )
        if short:
            if not marked:
                return
            pivot = today.year % 100 if today else 30
            year += 1900 if year > pivot else 2000
        found = _make_date(year, month, day) or _make_date(year, day, month)
        if found is None or found.year < 1900:
            return
        if marked or cutoff is None or found < cutoff:
            out.append(_finding(text, "date-of-birth", start, end))

    for m in _DATE_DMY.finditer(text):
        y = m.group(4)
        consider(m.start(), m.end(), int(y), int(m.group(3)), int(m.group(1)), len(y) == 2)
    for m in _DATE_YMD.finditer(text):
        consider(m.start(), m.end(), int(m.group(1)), int(m.group(3)), int(m.group(4)), False)
    for m in _DATE_TEXT_DMY.finditer(text):
        month = _month(m.group(2))
        if month:
            consider(m.start(), m.end(), int(m.group(3)), month, int(m.group(1)), False)
    for m in _DATE_TEXT_MDY.finditer(text):
        month = _month(m.group(1))
        if month:
            consider(m.start(), m.end(), int(m.group(3)), month, int(m.group(2)), False)
    return out
