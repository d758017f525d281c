"""The guard's rules for e-mail addresses, phone numbers and document and ID numbers (see
exchange.alerts.pii)."""

from __future__ import annotations

import re
from datetime import date

import phonenumbers

from exchange.alerts.pii_finding import Finding, _finding

_PHONE_REGIONS = ("KZ", "KG", "TJ")
# Cheap pre-checks: a rule whose every match contains one of these is skipped when the text
# has none (same findings, far less work on ordinary text).
_EMAIL_CANDIDATE = re.compile(r"@|\[at\]|\(at\)|\sat\s", re.IGNORECASE)
_NUMBER_CANDIDATE = re.compile(r"\d(?:\D{0,3}\d){5}")
_PHONE_CANDIDATE = re.compile(r"\d(?:\W{0,4}\d){6}")

# --------------------------------------------------------------------------------------------
# e-mail, numbers, documents

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+\s?(?:@|\[at\]|\(at\))\s?[\w-]+(?:(?:\.|\[dot\]|\(dot\))[\w-]+)*"
    r"(?:\.|\[dot\]|\(dot\))[^\W\d_]{2,}"
    # spelt out: "ivanov at mail dot ru"
    r"|(?<![\w.+-])[\w.+-]+\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)*\s+dot\s+[^\W\d_]{2,}\b",
    re.IGNORECASE,
)
_PASSPORT_PATTERNS = (
    # One or two capital letters, optional separator, 6-9 digits: N12345678, AN1234567, ID 1234567.
    re.compile(r"(?<![^\W_])[A-ZА-ЯЁ]{1,2}[ №-]?\d{6,9}(?!\d)"),
    # Russian-style series and number: 45 06 123456, 4506 123456.
    re.compile(r"(?<![\d-])\d{2}[ ]?\d{2}[ ]\d{6}(?![\d-])"),
    # A bare 8-digit number (Tajik passport 40012345; nothing operational is that long).
    re.compile(r"(?<![\d.,/-])\d{8}(?![\d.,/-]?\d)"),
)
_PASSPORT_KEYWORD = re.compile(
    r"(?:\bpassport|\bpass\.|\bпаспорт\w*|\bудостоверени\w*(?:\s+личности)?|\bid[- ]card"
    r"|\bуд\.\s?л\.)"
    r"[\s:#№.,-]*(?:(?:no|nr|number|series|серия|серии|номер|n)\.?[\s:#№]*)*"
    r"(?P<num>[A-ZА-ЯЁ]{0,2}[ -]?\d(?:(?:[ -]|\s?№\s?)?\d){5,13})(?!\d)",
    re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"(?<![\d.,])\d{9,}(?![\d]|[.,]\d)")
# A number after IIN / ИИН / ЖСН / PIN / INN, even when written in groups: ИИН 870412 350123.
_ID_KEYWORD = re.compile(
    r"\b(?:iin|иин|жсн|pin|пин|inn|инн|tin)\b\s*[:№#]?\s*(?P<num>\d(?:[ -]?\d){8,15})(?!\d)",
    re.IGNORECASE,
)
# Characters that, right next to a number, make it part of a code (KZ-2026-00123, ЛА-155/3).
_CODE_CHAR = re.compile(r"[^\W_]|[-/]")
_PHONE_PLUS = re.compile(r"(?<![\w+])\+\d(?:[\s().-]{0,2}\d){8,14}(?!\d)")
# The written CIS trunk format, 8 (7xx) xxx-xx-xx, is a phone number whatever its operator code
# (libphonenumber knows only the codes in use today).
_PHONE_TRUNK = re.compile(r"(?<![\w+])8\s?\(\d{3,4}\)\s?\d{2,3}(?:[\s-]\d{2}){2}(?!\d)")
_PHONE_KEYWORD = re.compile(
    r"(?:\bтел(?:ефон\w*)?\.?|\bphone|\btel\.?|\bmob(?:ile)?\.?|\bмоб(?:\.|ильн\w*)?|\bwhatsapp"
    r"|\bтелеграм\w*|\btelegram)"
    r"\s*[:№#]?\s*(?P<num>\+?\d(?:[\s().-]{0,2}\d){6,14})(?!\d)",
    re.IGNORECASE,
)


def _valid_yymmdd(digits: str) -> bool:
    """True if the digits start with a real YYMMDD date, as an IIN or a KG PIN body does."""
    try:
        date(2000 + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        return False
    return True


def _numbers(text: str) -> list[Finding]:
    """Candidate e-mail, passport, IIN, phone and national-ID findings (may overlap)."""
    out: list[Finding] = []
    if _EMAIL_CANDIDATE.search(text):
        for m in _EMAIL.finditer(text):
            out.append(_finding(text, "email", m.start(), m.end()))
    if _NUMBER_CANDIDATE.search(text) is None:
        return out  # every other kind here has six digits or more, close together
    for pattern in _PASSPORT_PATTERNS:
        for m in pattern.finditer(text):
            out.append(_finding(text, "passport", m.start(), m.end()))
    for m in _PASSPORT_KEYWORD.finditer(text):
        out.append(_finding(text, "passport", m.start("num"), m.end("num")))
    for m in _DIGIT_RUN.finditer(text):
        digits = m.group()
        kind = "iin" if len(digits) == 12 and _valid_yymmdd(digits) else "national-id"
        out.append(_finding(text, kind, m.start(), m.end()))
    for m in _ID_KEYWORD.finditer(text):
        digits = re.sub(r"\D", "", m.group("num"))
        kind = "iin" if len(digits) == 12 and _valid_yymmdd(digits) else "national-id"
        out.append(_finding(text, kind, m.start("num"), m.end("num")))
    # A valid number has at least 7 digits close together: skip the (slow) matcher otherwise.
    regions = _PHONE_REGIONS if _PHONE_CANDIDATE.search(text) else ()
    for region in regions:
        for pm in phonenumbers.PhoneNumberMatcher(text, region, phonenumbers.Leniency.VALID):
            if _CODE_CHAR.match(text[pm.start - 1 : pm.start] if pm.start else " ") or (
                _CODE_CHAR.match(text[pm.end : pm.end + 1] or " ")
            ):
                continue  # part of a case number or facility code, not a phone number
            out.append(_finding(text, "phone", pm.start, pm.end))
    for m in _PHONE_TRUNK.finditer(text):
        out.append(_finding(text, "phone", m.start(), m.end()))
    for m in _PHONE_PLUS.finditer(text):
        out.append(_finding(text, "phone", m.start(), m.end()))
    for m in _PHONE_KEYWORD.finditer(text):
        out.append(_finding(text, "phone", m.start("num"), m.end("num")))
    return out
