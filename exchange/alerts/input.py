"""Build an Alert from what a person wrote: CLI flags or a TOML/JSON file.

Errors name the offending key and say what is expected, so a malformed alert file gets a
one-line diagnosis instead of a traceback.
"""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from exchange._proto.v1 import alert_pb2
from exchange.alerts import model
from exchange.errors import MalformedInput
from exchange.textfile import read_text

MAX_ALERT_FILE = 64 * 1024  # an alert is at most a few kilobytes of text

FIELDS = {
    "category",
    "risk",
    "handling",
    "handling_note",
    "reliability",
    "accuracy",
    "action_requested",
    "valid_until",
    "subject",
    "facility_region",
    "summary",
    "references",
}
SUBJECT_FIELDS = {"tokens", "birth_year", "sex", "nationality"}


def load_file(path: Path) -> dict[str, Any]:
    """Read an alert file (.toml or .json) into a mapping, with a clear error if unreadable."""
    text = read_text(path, "alert file", limit=MAX_ALERT_FILE)
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MalformedInput(
            f"alert file {path} is not valid {path.suffix.lstrip('.').upper() or 'TOML'}: {exc}",
            hint="fix the syntax at the position shown and try again",
        ) from None
    if not isinstance(data, dict):
        raise MalformedInput(f"alert file {path} must hold one table/object of alert fields")
    return data


def _str(data: dict[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise MalformedInput(f"alert field {key!r} must be text, got {type(value).__name__}")
    return value


def _date(value: Any, key: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise MalformedInput(
                f"alert field {key!r} is not a date: {value!r}", hint="write it as YYYY-MM-DD"
            ) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise MalformedInput(f"alert field {key!r} must be a date (YYYY-MM-DD)")


def _subject(value: Any) -> alert_pb2.Subject:
    if not isinstance(value, dict):
        raise MalformedInput("alert field 'subject' must be a table of tokens, birth_year, sex")
    unknown = set(value) - SUBJECT_FIELDS
    if unknown:
        raise MalformedInput(
            f"unknown subject field {sorted(unknown)[0]!r}",
            hint="a subject has only tokens, birth_year, sex and nationality: no names or "
            "document numbers",
        )
    subj = alert_pb2.Subject()
    for tok in value.get("tokens", []):
        if not isinstance(tok, str):
            raise MalformedInput("subject tokens must be hex strings")
        kind, _, hexval = tok.rpartition(":")
        try:
            raw = bytes.fromhex(hexval)
        except ValueError:
            raise MalformedInput(f"subject token {tok[:20]!r}... is not hex") from None
        subj.tokens.append(alert_pb2.SubjectToken(kind=kind or "opaque", value=raw))
    if "birth_year" in value:
        if not isinstance(value["birth_year"], int) or not 1900 <= value["birth_year"] <= 2100:
            raise MalformedInput("subject birth_year must be a year, like 1987")
        subj.birth_year = value["birth_year"]
    if "sex" in value:
        subj.sex = model.sex_code(str(value["sex"]))  # type: ignore[assignment]
    if "nationality" in value:
        subj.nationality = str(value["nationality"]).lower()
    return subj


def alert_from_mapping(data: dict[str, Any]) -> alert_pb2.Alert:
    """Turn a mapping of alert fields into an Alert (ids, origin and version are set later)."""
    unknown = set(data) - FIELDS
    if unknown:
        raise MalformedInput(
            f"unknown alert field {sorted(unknown)[0]!r}",
            hint=f"known fields: {', '.join(sorted(FIELDS))}",
        )
    alert = alert_pb2.Alert()
    if "category" in data:
        alert.category = model.category_code(_str(data, "category"))  # type: ignore[assignment]
    if "risk" in data:
        alert.risk = model.risk_code(_str(data, "risk"))  # type: ignore[assignment]
    if "handling" in data:
        alert.handling = model.handling_code(_str(data, "handling"))  # type: ignore[assignment]
    if "reliability" in data:
        alert.reliability = model.reliability_code(_str(data, "reliability"))  # type: ignore[assignment]
    if "accuracy" in data:
        alert.accuracy = model.accuracy_code(str(data["accuracy"]))  # type: ignore[assignment]
    for key in ("action_requested", "facility_region", "summary", "handling_note"):
        if key in data:
            setattr(alert, key, _str(data, key))
    if "valid_until" in data:
        alert.valid_until.CopyFrom(model.timestamp(_date(data["valid_until"], "valid_until")))
    if "references" in data:
        refs = data["references"]
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            raise MalformedInput("alert field 'references' must be a list of text")
        alert.references.extend(refs)
    if "subject" in data:
        alert.subject.CopyFrom(_subject(data["subject"]))
    return alert
