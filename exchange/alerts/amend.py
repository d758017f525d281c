"""Amendments: the node's own current version plus the fields a person changed.

The base always comes from the publishing node's own store (never from the client, nor from an
alert another country holds under the same id), and only the named fields change: ids, origin,
version and issue time are the node's to set.
"""

from __future__ import annotations

from collections.abc import Iterable

from exchange._proto.v1 import alert_pb2
from exchange.errors import MalformedInput

TOP_FIELDS = (
    "category",
    "risk",
    "handling",
    "handling_note",
    "reliability",
    "accuracy",
    "action_requested",
    "valid_until",
    "facility_region",
    "summary",
    "references",
    "subject",
)
SUBJECT_FIELDS = ("tokens", "birth_year", "sex", "nationality")
AMENDABLE = frozenset(TOP_FIELDS) | {f"subject.{f}" for f in SUBJECT_FIELDS}


def changed_fields(changes: alert_pb2.Alert) -> list[str]:
    """The fields set in `changes` (for a client that did not list them)."""
    out = [f.name for f, _ in changes.ListFields() if f.name in TOP_FIELDS and f.name != "subject"]
    if changes.HasField("subject"):
        out += [f"subject.{f.name}" for f, _ in changes.subject.ListFields()]
    return out


def apply_changes(
    base: alert_pb2.Alert, changes: alert_pb2.Alert, fields: Iterable[str]
) -> alert_pb2.Alert:
    """A copy of `base` with each named field taken from `changes` (cleared if unset there)."""
    names = list(fields)
    if len(names) > len(AMENDABLE) * 2:
        raise MalformedInput("too many fields named in one amendment")
    unknown = sorted(set(names) - AMENDABLE)
    if unknown:
        raise MalformedInput(
            f"{unknown[0][:40]!r} cannot be amended",
            hint=f"amendable fields: {', '.join(sorted(AMENDABLE))}",
        )
    out = alert_pb2.Alert()
    out.CopyFrom(base)
    for name in names:
        if name == "subject":
            out.subject.CopyFrom(changes.subject)
        elif name == "subject.tokens":
            del out.subject.tokens[:]
            out.subject.tokens.extend(changes.subject.tokens)
        elif name.startswith("subject."):
            sub = name.split(".", 1)[1]
            setattr(out.subject, sub, getattr(changes.subject, sub))
        elif name == "references":
            del out.references[:]
            out.references.extend(changes.references)
        elif name == "valid_until":
            if changes.HasField("valid_until"):
                out.valid_until.CopyFrom(changes.valid_until)
            else:
                out.ClearField("valid_until")
        else:
            setattr(out, name, getattr(changes, name))
    return out
