"""People on a node: five roles, and what each may do through the Operator service.

A node with no users is open to its OS-level operator (whoever can reach the owner-only
socket), as before users existed; once one user exists, every call needs a token of a user
whose role allows the method. An auditor reads the audit log and nothing else; separation of
duties inside the records workflow (nobody approves their own request) is checked by the
use case, not here.
"""

from __future__ import annotations

import re

ROLES = ("administrator", "publisher", "officer", "approver", "auditor")
NAME_RE = re.compile(r"[a-z][a-z0-9._-]{1,63}")
TOKEN_PREFIX = "exu_"
DEFAULT_TOKEN_DAYS = 30
MAX_TOKEN_DAYS = 366

_EVERYONE = frozenset(ROLES) - {"auditor"}
_READ = frozenset({"administrator", "publisher", "officer", "approver"})

# Operator method -> roles allowed. A method not listed is administrator-only.
ALLOWED: dict[str, frozenset[str]] = {
    "Status": frozenset(ROLES),
    "PublishAlert": frozenset({"publisher"}),
    "AmendAlert": frozenset({"publisher"}),
    "WithdrawAlert": frozenset({"publisher"}),
    "ListAlerts": _READ,
    "GetAlert": _READ,
    "MatchTokens": frozenset({"officer"}),
    "ExplainPolicy": frozenset({"administrator", "publisher"}),
    "PublishDocument": frozenset({"publisher"}),
    "WithdrawDocument": frozenset({"publisher"}),
    "ListDocuments": _EVERYONE,
    "GetDocument": _EVERYONE,
    "SearchDocuments": _EVERYONE,
    "FetchDocument": _EVERYONE,
    "ReadDocument": _EVERYONE,
    "RequestRecord": frozenset({"officer"}),
    "ListRecords": frozenset({"officer", "approver"}),
    "ApproveRecord": frozenset({"approver"}),
    "DenyRecord": frozenset({"approver"}),
    "OpenRecord": frozenset({"officer"}),
    "ForwardRecord": frozenset({"officer"}),
    "ReadAttachment": frozenset({"officer"}),
    "AuditList": frozenset({"auditor", "administrator"}),
    "AuditVerify": frozenset({"auditor", "administrator"}),
    "AuditWitnesses": frozenset({"auditor", "administrator"}),
    "WhoAmI": frozenset(ROLES),
    "SignOut": frozenset(ROLES),
}

# Methods a caller may call without a token: the sign-in itself (checked by its own use case).
NO_TOKEN = frozenset({"SignIn"})


def allowed(method: str, role: str) -> bool:
    return role in ALLOWED.get(method, frozenset({"administrator"}))


def name_problem(name: str) -> str:
    if not NAME_RE.fullmatch(name):
        return (
            "a user name is 2-64 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter"
        )
    return ""


def role_problem(role: str) -> str:
    return "" if role in ROLES else f"unknown role {role[:32]!r}; use one of {', '.join(ROLES)}"


MIN_PASSWORD = 12
MAX_PASSWORD = 256


def password_problem(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        return f"a password has at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"a password has at most {MAX_PASSWORD} characters"
    if not password.strip():
        return "a password cannot be only spaces"
    return ""
