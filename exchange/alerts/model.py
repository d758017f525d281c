"""Alert vocabulary (codes <-> CLI names <-> display labels), bounds and validation.

The wire carries enums; people type short names (`release-notice`, `high`, `H2`) and read labels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from exchange import bounds
from exchange._proto.v1 import alert_pb2
from exchange.errors import MalformedInput

CATEGORIES: dict[str, tuple[int, str]] = {
    "release-notice": (alert_pb2.CATEGORY_RELEASE_NOTICE, "Release notice"),
    "transfer-notice": (alert_pb2.CATEGORY_TRANSFER_NOTICE, "Transfer notice"),
    "escape": (alert_pb2.CATEGORY_ESCAPE, "Escape"),
    "recruitment-activity": (alert_pb2.CATEGORY_RECRUITMENT_ACTIVITY, "Recruitment activity"),
    "contraband-device": (
        alert_pb2.CATEGORY_CONTRABAND_COMMUNICATION_DEVICE,
        "Contraband communication device",
    ),
    "threat-to-staff": (alert_pb2.CATEGORY_THREAT_TO_STAFF, "Threat to staff"),
    "coordinated-disturbance": (
        alert_pb2.CATEGORY_COORDINATED_DISTURBANCE,
        "Coordinated disturbance",
    ),
    "extremist-material": (alert_pb2.CATEGORY_EXTREMIST_MATERIAL, "Extremist material"),
    "visitor-of-concern": (alert_pb2.CATEGORY_VISITOR_OF_CONCERN, "Visitor of concern"),
    "other": (alert_pb2.CATEGORY_OTHER, "Other"),
}
ALL_CATEGORIES = frozenset(code for code, _ in CATEGORIES.values())
RISKS = {
    "low": alert_pb2.RISK_LOW,
    "medium": alert_pb2.RISK_MEDIUM,
    "high": alert_pb2.RISK_HIGH,
    "critical": alert_pb2.RISK_CRITICAL,
}
HANDLING = {
    "H0": alert_pb2.HANDLING_H0,
    "H1": alert_pb2.HANDLING_H1,
    "H2": alert_pb2.HANDLING_H2,
    "H3": alert_pb2.HANDLING_H3,
}
RELIABILITY = {
    "A": alert_pb2.RELIABILITY_A,
    "B": alert_pb2.RELIABILITY_B,
    "C": alert_pb2.RELIABILITY_C,
    "X": alert_pb2.RELIABILITY_X,
}
ACCURACY = {
    "1": alert_pb2.ACCURACY_1,
    "2": alert_pb2.ACCURACY_2,
    "3": alert_pb2.ACCURACY_3,
    "4": alert_pb2.ACCURACY_4,
}
SEXES = {"m": alert_pb2.SEX_MALE, "f": alert_pb2.SEX_FEMALE, "": alert_pb2.SEX_UNSPECIFIED}

MAX_SUMMARY = 1000
MAX_ACTION = 500
MAX_REGION = 100
MAX_REFERENCES = 10
MAX_REFERENCE_LEN = 200
MAX_TOKENS = 16
MAX_TOKEN_BYTES = 64
MAX_HANDLING_NOTE = 200
MAX_WITHDRAW_REASON = 500
COUNTRY_RE = re.compile(r"[a-z]{2}")
TOKEN_KIND_RE = re.compile(r"[a-z0-9-]{1,32}")


def _pick(table: Mapping[str, int], value: str, what: str) -> int:
    for name, code in table.items():
        if name.lower() == value.strip().lower():
            return code
    raise MalformedInput(
        f"unknown {what} {value!r}", hint=f"use one of: {', '.join(k for k in table if k)}"
    )


def category_code(name: str) -> int:
    return _pick({k: v[0] for k, v in CATEGORIES.items()}, name, "category")


def category_name(code: int) -> str:
    for name, (c, _) in CATEGORIES.items():
        if c == code:
            return name
    return "unspecified"


def category_label(code: int) -> str:
    for c, label in CATEGORIES.values():
        if c == code:
            return label
    return "Unspecified"


def _name_of(table: Mapping[str, int], code: int) -> str:
    for name, c in table.items():
        if c == code and name:
            return name
    return ""


def risk_code(name: str) -> int:
    return _pick(RISKS, name, "risk")


def handling_code(name: str) -> int:
    return _pick(HANDLING, name, "handling code")


def reliability_code(name: str) -> int:
    return _pick(RELIABILITY, name, "source reliability")


def accuracy_code(name: str) -> int:
    return _pick(ACCURACY, str(name), "information accuracy")


def sex_code(name: str) -> int:
    return _pick(SEXES, name, "sex")


def timestamp(dt: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(dt.astimezone(UTC))
    return ts


def ts_datetime(ts: Timestamp) -> datetime:
    return ts.ToDatetime(tzinfo=UTC)


def ts_text(ts: Timestamp) -> str:
    """ISO text of a stored time; a value no datetime can hold is shown, not raised."""
    try:
        return ts_datetime(ts).isoformat()
    except (ValueError, OverflowError, OSError):
        return f"(invalid time: {ts.seconds}s {ts.nanos}ns)"


def is_country(code: str) -> bool:
    return bool(COUNTRY_RE.fullmatch(code))


def validate(alert: alert_pb2.Alert, *, now: datetime, received: bool = False) -> None:
    """Check an alert's fields are present and within bounds; raise MalformedInput if not.

    The same bounds hold on publish and on receipt (see `exchange.alerts.bounds`), except that
    a received alert is not refused for a past review date (clocks and delivery delays differ)
    and may lack category and risk (the sender's policy withheld them).
    """
    problems: list[str] = []
    if not bounds.is_uuid7(alert.alert_id):
        problems.append("alert_id must be a UUIDv7 in canonical form")
    if p := bounds.version_problem(alert.version):
        problems.append(p)
    if not is_country(alert.origin):
        problems.append("origin must be a two-letter lower-case country code")
    if alert.category not in ALL_CATEGORIES and not (received and alert.category == 0):
        problems.append("category is missing or unknown")
    if alert.risk not in RISKS.values() and not (received and alert.risk == 0):
        problems.append("risk is missing or unknown")
    if alert.handling not in HANDLING.values():
        problems.append("handling code is missing or unknown")
    if alert.reliability not in (0, *RELIABILITY.values()):
        problems.append("source reliability is unknown")
    if alert.accuracy not in (0, *ACCURACY.values()):
        problems.append("information accuracy is unknown")
    texts = (
        (alert.summary, "summary", MAX_SUMMARY, True),
        (alert.action_requested, "action_requested", MAX_ACTION, True),
        (alert.facility_region, "facility_region", MAX_REGION, False),
        (alert.handling_note, "handling_note", MAX_HANDLING_NOTE, True),
    )
    for value, name, limit, multiline in texts:
        if p := bounds.text_problem(value, name, limit, multiline=multiline):
            problems.append(p)
    if len(alert.references) > MAX_REFERENCES:
        problems.append(f"at most {MAX_REFERENCES} references of {MAX_REFERENCE_LEN} characters")
    for ref in alert.references:
        if p := bounds.text_problem(ref, "a reference", MAX_REFERENCE_LEN):
            problems.append(p)
            break
    subj = alert.subject
    if len(subj.tokens) > MAX_TOKENS or any(
        len(t.value) > MAX_TOKEN_BYTES or not TOKEN_KIND_RE.fullmatch(t.kind) for t in subj.tokens
    ):
        problems.append(
            f"at most {MAX_TOKENS} subject tokens of {MAX_TOKEN_BYTES} bytes, each with a kind "
            "of lower-case letters, digits and dashes"
        )
    if subj.birth_year and not 1900 <= subj.birth_year <= now.year:
        problems.append("subject birth_year is out of range")
    if subj.nationality and not is_country(subj.nationality):
        problems.append("subject nationality must be a two-letter lower-case country code")
    if subj.sex not in SEXES.values():
        problems.append("subject sex is unknown")
    if alert.HasField("valid_until"):
        if p := bounds.time_problem(alert.valid_until, "valid_until", now=now):
            problems.append(p)
        elif not received and ts_datetime(alert.valid_until) <= now:
            problems.append("valid_until (retention review date) is in the past")
    if alert.HasField("issued_at") and (
        p := bounds.time_problem(
            alert.issued_at, "issued_at", now=now, ahead_seconds=bounds.MAX_CLOCK_AHEAD_SECONDS
        )
    ):
        problems.append(p)
    if problems:
        raise MalformedInput("invalid alert: " + "; ".join(problems))


def validate_withdrawal(w: alert_pb2.Withdrawal, *, now: datetime) -> None:
    """The same bounds for a tombstone: a canonical id, a version, a short plain reason."""
    problems: list[str] = []
    if not bounds.is_uuid7(w.alert_id):
        problems.append("alert_id must be a UUIDv7 in canonical form")
    if p := bounds.version_problem(w.version):
        problems.append(p)
    if not is_country(w.origin):
        problems.append("origin must be a two-letter lower-case country code")
    if p := bounds.text_problem(w.reason, "reason", MAX_WITHDRAW_REASON, multiline=True):
        problems.append(p)
    if w.HasField("issued_at") and (
        p := bounds.time_problem(
            w.issued_at, "issued_at", now=now, ahead_seconds=bounds.MAX_CLOCK_AHEAD_SECONDS
        )
    ):
        problems.append(p)
    if problems:
        raise MalformedInput("invalid withdrawal: " + "; ".join(problems))


def free_text(item: alert_pb2.Alert | alert_pb2.Withdrawal) -> list[tuple[str, str]]:
    """Every free-text field of an item as (field name, text): what the personal-data guard
    reads on publish and on receipt."""
    if isinstance(item, alert_pb2.Withdrawal):
        return [("reason", item.reason)] if item.reason else []
    out = [
        (name, getattr(item, name))
        for name in ("summary", "action_requested", "facility_region", "handling_note")
        if getattr(item, name)
    ]
    out += [(f"references[{i}]", r) for i, r in enumerate(item.references) if r]
    return out


def to_dict(alert: alert_pb2.Alert) -> dict[str, Any]:
    """A JSON-friendly view for `--json` output and display."""
    subj = alert.subject
    return {
        "alert_id": alert.alert_id,
        "version": alert.version,
        "origin": alert.origin,
        "category": category_name(alert.category),
        "risk": _name_of(RISKS, alert.risk),
        "handling": _name_of(HANDLING, alert.handling),
        "reliability": _name_of(RELIABILITY, alert.reliability),
        "accuracy": _name_of(ACCURACY, alert.accuracy),
        "action_requested": alert.action_requested,
        "valid_until": ts_text(alert.valid_until) if alert.HasField("valid_until") else None,
        "issued_at": ts_text(alert.issued_at) if alert.HasField("issued_at") else None,
        "subject": {
            "tokens": [
                {"kind": t.kind, "epoch": t.epoch, "value": t.value.hex()} for t in subj.tokens
            ],
            "birth_year": subj.birth_year or None,
            "sex": _name_of(SEXES, subj.sex) or None,
            "nationality": subj.nationality or None,
        },
        "facility_region": alert.facility_region,
        "summary": alert.summary,
        "references": list(alert.references),
        "handling_note": alert.handling_note,
    }
