"""Who is acting: the OS user behind an operator request, for every audit event it causes.

Set by the Operator service around each request (from a kernel-checked credential, see
exchange.node.whoami) and read by the audit writer; a context variable, so it follows the
request into the database threads (`Node.run_db` runs each call in a copy of the context) and
never leaks into background tasks (those start in an empty context)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

ACTOR: ContextVar[dict[str, Any] | None] = ContextVar("exchange_actor", default=None)


def current() -> dict[str, Any] | None:
    return ACTOR.get()
