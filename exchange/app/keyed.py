"""What the alert use cases share about requests: idempotency keys, id prefixes, and why an
alert went to no peer."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

from google.protobuf.message import Message

from exchange.errors import AlreadyExists, MalformedInput, NotFound
from exchange.store.idempotency import Keyed

_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
_PREFIX = re.compile(r"[0-9a-f-]{8,36}")
MIN_PREFIX = 8


def keyed(operation: str, key: str, request: Message) -> Keyed | None:
    """The request's key and digest (over the request with the key cleared), or None."""
    if not key:
        return None
    if not _KEY.fullmatch(key):
        raise MalformedInput(
            "an idempotency key is 8 to 64 letters, digits, '-' or '_'",
            hint="let the `exchange` command make one (it does, once per invocation)",
        )
    copy = type(request)()
    copy.CopyFrom(request)
    copy.ClearField("idempotency_key")
    digest = hashlib.sha256(
        operation.encode() + b"\0" + copy.SerializeToString(deterministic=True)
    ).hexdigest()
    return Keyed(key, operation, digest)


def refuse_reuse(k: Keyed, operation: str, digest: str) -> None:
    """The same key for another request is refused: it would return an unrelated result."""
    if operation != k.operation or digest != k.digest:
        raise AlreadyExists(
            f"idempotency key {k.key[:16]} was already used for a different request ({operation})",
            hint="use a new key for a new request (the `exchange` command makes one per run)",
        )


def id_prefix(alert_id: str) -> str:
    """A full id or a prefix of at least MIN_PREFIX characters, lower case."""
    value = alert_id.strip().lower()
    if not _PREFIX.fullmatch(value):
        raise MalformedInput(
            f"{alert_id[:40]!r} is not an alert id",
            hint=f"give the id, or its first {MIN_PREFIX} characters or more, "
            "as `exchange alerts list` shows it",
        )
    return value


def pick(alert_id: str, found: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """The one (origin, id) a prefix names; several are an error that lists them."""
    if not found:
        raise NotFound(
            f"no alert {alert_id[:40]!r} on this node",
            hint="see `exchange alerts list` for the alerts this node holds",
        )
    if len(found) > 1:
        shown = ", ".join(f"{o}/{a}" for o, a in found[:10])
        more = " and more" if len(found) > 10 else ""
        raise MalformedInput(
            f"{alert_id!r} names {len(found) if len(found) <= 10 else 'over 10'} alerts: "
            f"{shown}{more}",
            hint="give more characters of the id (or --origin when the same id is held twice)",
        )
    return found[0]


def no_recipients_reason(peers: int, withheld: Mapping[str, str]) -> str:
    """Why a version was queued for no peer, in words a person can act on."""
    if peers == 0:
        return "no peers are configured (add one with `exchange peers add`)"
    reasons = "; ".join(f"{c}: {r}" for c, r in sorted(withheld.items()))
    return (
        f"the policy shares it with none of the {peers} peer(s) ({reasons}); "
        "see `exchange policy explain`"
    )[:300]
