"""Talking to the local node over its Unix socket, with errors a person can act on."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import grpc

from exchange._proto.v1 import operator_pb2_grpc
from exchange.config import NodeConfig
from exchange.errors import Error
from exchange.node.status import HINT_KEY, NODE_KEY
from exchange.node.whoami import TICKET_KEY, WHO_SOCKET, fetch_ticket

T = TypeVar("T")
# A keyed write is retried after a timeout or a connection lost mid-call, for as long as a
# supervisor (systemd) takes to restart a node that crashed.
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
_TRANSIENT = (grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNAVAILABLE)


def open_channel(target: str) -> grpc.Channel:
    """The channel to the node's Operator socket; a seam, where tests put a scripted
    grpc_testing channel."""
    return grpc.insecure_channel(target)


TOKEN_ENV, TOKEN_FILE_ENV = "EXCHANGE_TOKEN", "EXCHANGE_TOKEN_FILE"
TOKEN_KEY = "x-exchange-token"  # exchange.node.operator_auth


def api_token() -> str:
    """The user's API token, from EXCHANGE_TOKEN_FILE (a file only its owner may read) or
    EXCHANGE_TOKEN; never from a flag, which other local users could read in the process list."""
    path = os.environ.get(TOKEN_FILE_ENV, "")
    if path:
        p = Path(path)
        try:
            mode = p.stat().st_mode
            text = p.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            raise Error(
                f"cannot read the token file {path[:200]!r} named by {TOKEN_FILE_ENV}",
                hint="check the path, or unset the variable",
            ) from None
        if mode & 0o077:
            raise Error(
                f"the token file {path[:200]} is readable by other users",
                hint=f"chmod 600 {path[:200]}",
            )
        return text[:200]
    return os.environ.get(TOKEN_ENV, "").strip()[:200]


class NodeNotRunning(Error):
    pass


class RemoteError(Error):
    pass


class Operator:
    def __init__(self, config: NodeConfig, timeout: float = 30.0) -> None:
        self.config = config
        self.timeout = timeout
        sock: Path = config.socket_path
        if not sock.exists():
            raise NodeNotRunning(
                f"the {config.country} node is not running (no socket at {sock})",
                hint=f"start it with: exchange serve --config {config.source or 'FILE'}",
            )
        ticket = fetch_ticket(config.run_dir / WHO_SOCKET)
        meta = [(TICKET_KEY, ticket)] if ticket else []
        if token := api_token():
            meta.append((TOKEN_KEY, token))
        self._metadata = tuple(meta)
        self._channel = open_channel(f"unix:{sock}")
        self.stub = operator_pb2_grpc.OperatorStub(self._channel)

    def call(self, method: Callable[..., T], request: object) -> T:
        try:
            return method(request, timeout=self.timeout, metadata=self._metadata)
        except grpc.RpcError as err:
            raise self._error(err) from None

    def call_keyed(self, method: Callable[..., T], request: object) -> T:
        """A write carrying an idempotency key: a timeout or a connection lost mid-call may
        hide a commit (the node may have crashed after it), so it is retried with the same
        key while the node comes back, and the node answers with the first result instead of
        doing it twice. A call that never reached the node is not retried."""
        sent = False
        for delay in (*RETRY_DELAYS, None):
            try:
                return method(request, timeout=self.timeout, metadata=self._metadata)
            except grpc.RpcError as err:
                node_said = NODE_KEY in dict(err.trailing_metadata() or ())
                never_reached = _never_reached(err)
                if node_said or err.code() not in _TRANSIENT or (never_reached and not sent):
                    raise self._error(err) from None
                sent = True
                if delay is None:
                    raise RemoteError(
                        f"the {self.config.country} node stopped answering during the call "
                        f"and did not come back within {sum(RETRY_DELAYS):g} s; it may have "
                        "done it",
                        hint="once it runs again, check with `exchange alerts list` before "
                        "doing it again",
                    ) from None
                time.sleep(delay)
        raise AssertionError("unreachable")

    def stream(
        self, method: Callable[..., Any], request: object, timeout: float | None = None
    ) -> Iterator[Any]:
        """A streaming call (either way), its errors as one-line errors; no deadline unless
        given (transfers take as long as their size needs)."""
        try:
            yield from method(request, timeout=timeout, metadata=self._metadata)
        except grpc.RpcError as err:
            raise self._error(err) from None

    def unary_from_stream(self, method: Callable[..., T], requests: Iterator[Any]) -> T:
        try:
            return method(requests, metadata=self._metadata)
        except grpc.RpcError as err:
            raise self._error(err) from None

    def _error(self, err: grpc.RpcError) -> Error:
        """The error a person reads for a failed call."""
        code = err.code()
        details = err.details() or ""
        trailers = dict(err.trailing_metadata() or ())
        if code == grpc.StatusCode.UNAVAILABLE and NODE_KEY not in trailers:
            # Nothing listens on the socket: the node stopped, or crashed and left it.
            return NodeNotRunning(
                f"the {self.config.country} node is not running (nothing answers on "
                f"{self.config.socket_path.name})",
                hint=f"start it with: exchange serve --config {self.config.source or 'FILE'}",
            )
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return RemoteError(
                f"the {self.config.country} node did not answer within {self.timeout:g} s",
                hint="it may be busy; see `exchange status`, then retry",
            )
        hint = ""
        for key, value in err.trailing_metadata() or ():
            if key == HINT_KEY:
                hint = value
        return RemoteError(details or code.name, hint=hint)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> Operator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _never_reached(err: grpc.RpcError) -> bool:
    """The call failed before it reached the node: nothing listens on the socket."""
    return err.code() == grpc.StatusCode.UNAVAILABLE and (err.details() or "").startswith(
        "failed to connect to all addresses"
    )
