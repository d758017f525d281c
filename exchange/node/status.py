"""Turning package errors into gRPC statuses (and back, on the client side)."""

from __future__ import annotations

from typing import Any, NoReturn

import grpc

from exchange import errors as e
from exchange.node.statuscodes import status_name

HINT_KEY = "x-exchange-hint"
HEAD_KEY = "x-exchange-head-seq"
NODE_KEY = "x-exchange-node"  # on every error the node itself sends (not the transport's)


def code_of(err: e.Error) -> grpc.StatusCode:
    """The gRPC status an error is sent with (see `statuscodes`)."""
    return grpc.StatusCode[status_name(err)]


async def abort(context: Any, err: e.Error) -> NoReturn:
    """Abort the RPC with the error's status, its message, and its hint as trailing metadata."""
    metadata: list[tuple[str, str]] = [(NODE_KEY, "1")]
    if err.hint:
        metadata.append((HINT_KEY, err.hint))
    if isinstance(err, e.ChannelRefused):
        metadata.append((HEAD_KEY, str(err.head_seq)))
    await context.abort(code_of(err), err.message, trailing_metadata=tuple(metadata))
    raise AssertionError("context.abort returned")  # it always raises


def trailing(err: grpc.aio.AioRpcError, key: str) -> str | None:
    for k, v in err.trailing_metadata() or ():
        if k == key:
            return v if isinstance(v, str) else v.decode()
    return None
