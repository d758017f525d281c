"""Bounds on record requests and responses, the same on sending and on receipt."""

from __future__ import annotations

import re
from datetime import datetime

from exchange import bounds
from exchange._proto.v1 import alert_pb2, record_pb2
from exchange.alerts.model import is_country
from exchange.records import attach
from exchange.records.roles import name_problem

MAX_PURPOSE = 1000
MAX_LEGAL_BASIS = 500
MAX_REASON = 1000
MAX_RESTRICTIONS = 10
MAX_RESTRICTION = 200
MAX_FIELDS = 64
MAX_FIELD_NAME = 64
# Both sides keep the restrictions and the field names answered as one line each in a column
# of this many characters (exchange.store.models.RecordCaseRow).
MAX_RESTRICTIONS_TEXT = 1000
MAX_FIELD_NAMES_TEXT = 2000
MAX_FIELD_VALUE = 4000
MAX_ATTACHMENTS = attach.MAX_ATTACHMENTS
MAX_ATTACHMENT_BYTES = attach.MAX_TOTAL  # plaintext of all attachments of one response
MAX_SEALED = 60 * 1024
_KIND_RE = re.compile(r"[a-z][a-z0-9-]{0,31}")
_FIELD_RE = re.compile(r"[a-z][a-z0-9._-]{0,63}")
DECISIONS = {
    record_pb2.RECORD_DECISION_APPROVED: "approved",
    record_pb2.RECORD_DECISION_DENIED: "denied",
    record_pb2.RECORD_DECISION_REFUSED: "refused",
}


def _text(value: str, name: str, limit: int, required: bool) -> str | None:
    if required and not value.strip():
        return f"{name} is required"
    return bounds.text_problem(value, name, limit, multiline=True)


def request_problem(r: record_pb2.RecordRequest, now: datetime) -> str | None:
    """Why a record request is malformed, or None."""
    if not bounds.is_uuid7(r.request_id):
        return "request_id is not a canonical UUIDv7"
    for name in ("requester", "owner", "alert_origin"):
        if not is_country(getattr(r, name)):
            return f"{name} is not a country code"
    if r.requester == r.owner:
        return "a country cannot request a record from itself"
    if r.alert_origin != r.owner:
        return "a request is about one of the owner's own alerts"
    if not bounds.is_uuid7(r.alert_id):
        return "alert_id is not a canonical UUIDv7"
    if r.hit_kind and not _KIND_RE.fullmatch(r.hit_kind):
        return "hit_kind is not a token kind"
    for p in (
        _text(r.purpose, "purpose", MAX_PURPOSE, True),
        _text(r.legal_basis, "legal basis", MAX_LEGAL_BASIS, True),
    ):
        if p:
            return p
    if r.officer and name_problem(r.officer):
        return "officer is not a user name"
    if not r.HasField("requested_at"):
        return "requested_at is missing"
    return bounds.time_problem(r.requested_at, "requested_at", now=now, ahead_seconds=86400)


def response_problem(r: record_pb2.RecordResponse, now: datetime) -> str | None:
    """Why a record response is malformed, or None."""
    if not bounds.is_uuid7(r.response_id):
        return "response_id is not a canonical UUIDv7"
    if not bounds.is_uuid7(r.request_id):
        return "request_id is not a canonical UUIDv7"
    if not is_country(r.owner) or not is_country(r.requester) or r.owner == r.requester:
        return "owner and requester must be two country codes"
    if r.decision not in DECISIONS:
        return "decision is not approved, denied or refused"
    approved = r.decision == record_pb2.RECORD_DECISION_APPROVED
    if r.handling not in alert_pb2.Handling.values() or (approved and r.handling == 0):
        return "a response carries a handling code (H0..H3)"
    if p := _text(r.reason, "reason", MAX_REASON, not approved):
        return p
    if len(r.restrictions) > MAX_RESTRICTIONS:
        return f"at most {MAX_RESTRICTIONS} restrictions"
    for x in r.restrictions:
        if p := bounds.text_problem(x, "a restriction", MAX_RESTRICTION):
            return p
    if len("\n".join(r.restrictions)) > MAX_RESTRICTIONS_TEXT:
        return f"the restrictions are longer than {MAX_RESTRICTIONS_TEXT} characters in all"
    if approved:
        if not r.sealed or len(r.sealed) > MAX_SEALED:
            return f"an approved response carries a sealed record of 1 to {MAX_SEALED} bytes"
        if not re.fullmatch(r"[0-9a-f]{64}", r.seal_key_id):
            return "seal_key_id is not a key id"
        if not re.fullmatch(r"[0-9a-f]{64}", r.sign_key_id):
            return "sign_key_id is not a key id"
        if len(r.attachments) > MAX_ATTACHMENTS:
            return f"at most {MAX_ATTACHMENTS} attachments"
        for c in r.attachments:
            if p := attach.content_problem(c):
                return p
        if sum(c.size for c in r.attachments) > MAX_ATTACHMENT_BYTES + 64 * attach.TAG:
            return "the attachments are larger than a response may carry"
    elif r.sealed or r.attachments:
        return "only an approved response carries a sealed record and attachments"
    if r.decided_by and r.decided_by != "policy" and name_problem(r.decided_by):
        return "decided_by is not a user name"
    if not r.HasField("decided_at"):
        return "decided_at is missing"
    return bounds.time_problem(r.decided_at, "decided_at", now=now, ahead_seconds=86400)


def sealed_problem(rec: record_pb2.SealedRecord) -> str | None:
    """Why an opened (or about to be sealed) record is out of bounds, or None."""
    if len(rec.fields) > MAX_FIELDS:
        return f"at most {MAX_FIELDS} fields"
    if len("\n".join(f.name for f in rec.fields)) > MAX_FIELD_NAMES_TEXT:
        return f"the field names are longer than {MAX_FIELD_NAMES_TEXT} characters in all"
    for f in rec.fields:
        if not _FIELD_RE.fullmatch(f.name):
            return "a field name is 1-64 lower-case letters, digits, '.', '_' or '-'"
        if p := bounds.text_problem(f.value, f"field {f.name}", MAX_FIELD_VALUE, multiline=True):
            return p
    if len(rec.attachments) > MAX_ATTACHMENTS:
        return f"at most {MAX_ATTACHMENTS} attachments"
    total = 0
    for a in rec.attachments:
        total += a.size
        if p := bounds.text_problem(a.name, "an attachment name", 200):
            return p
        if "/" in a.name or "\\" in a.name or a.name in ("", ".", ".."):
            return "an attachment name is a plain file name"
        if p := bounds.text_problem(a.media_type, "an attachment's media type", 100):
            return p
        if a.data or len(a.key) != 32 or len(a.sha256) != 32:
            return "a sealed attachment carries its key and hash, never its content"
    if total > MAX_ATTACHMENT_BYTES:
        return f"attachments are at most {MAX_ATTACHMENT_BYTES // 1024**2} MiB in all"
    return None
