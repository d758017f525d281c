"""Roles on the Operator socket: once a node has users, every call presents an API token
(metadata `x-exchange-token`) whose user's role allows the method (exchange.records.roles);
the user and role join the OS user in every audit event the call causes."""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from exchange import actor
from exchange.app import users
from exchange.errors import Error, NotPermitted, Unauthenticated
from exchange.node.status import abort
from exchange.records.roles import NO_TOKEN, allowed

if TYPE_CHECKING:
    from exchange.node.runtime import Node

TOKEN_KEY = "x-exchange-token"
T = TypeVar("T")


async def check(node: Node, method: str, metadata: Any) -> None:
    """Raise unless the caller may call `method`; name them on the acting user."""
    if method in NO_TOKEN:
        return
    token = next((v for k, v in metadata or () if k == TOKEN_KEY), "")
    token = token if isinstance(token, str) else ""
    now = node.clock.now()
    open_, name, role, why = await node.run_db(users.authorise, node, token, now, method)
    if open_:
        return
    who = actor.current()
    if not name:
        await node.audit("user.refused", {"method": method, "reason": why})
        raise Unauthenticated(
            f"this node has users: {why}",
            hint="set EXCHANGE_TOKEN_FILE to a file holding your token (from `exchange users "
            "token NAME`, given by an administrator)",
        )
    if who is not None:
        who.update(name=name, role=role)
    if not allowed(method, role):
        await node.audit("user.refused", {"method": method, "role": role, "user": name})
        raise NotPermitted(
            f"the {role} role may not {_human(method)}", hint="ask a user whose role may"
        )


def _human(method: str) -> str:
    """ListPeers -> list peers."""
    return re.sub(r"(?<!^)([A-Z])", r" \1", method).lower()


def guarded(
    node: Node, method: str, fn: Callable[[Any, Any], Awaitable[T]]
) -> Callable[[Any, Any], Awaitable[T]]:
    """`fn` run only for a caller its role allows."""
    if inspect.isasyncgenfunction(fn):

        async def stream(request: Any, context: Any) -> AsyncIterator[Any]:
            try:
                await check(node, method, context.invocation_metadata())
            except Error as err:
                await abort(context, err)
            async for reply in fn(request, context):
                yield reply

        return stream  # type: ignore[return-value]

    async def call(request: Any, context: Any) -> T:
        try:
            await check(node, method, context.invocation_metadata())
        except Error as err:
            await abort(context, err)
        return await fn(request, context)

    return call


def token_of(metadata: Any) -> str:
    token = next((v for k, v in metadata or () if k == TOKEN_KEY), "")
    return token if isinstance(token, str) else ""
