"""Talking to the local node over its Unix socket, with errors a person can act on."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import grpc

from exchange._proto.v1 import operator_pb2_grpc
from exchange.config import NodeConfig
from exchange.errors import Error
from exchange.node.status import HINT_KEY, NODE_KEY
from exchange.node.whoami import TICKET_KEY, WHO_SOCKET, fetch_ticket

T = TypeVar("T")
RETRY_DELAYS = (0.5, 1.0, 2.0)  # a keyed write retried after a timeout or a lost connection
_TRANSIENT = (grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNAVAILABLE)


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
        ticket = fetch_ticket(config.state_dir / WHO_SOCKET)
        self._metadata = ((TICKET_KEY, ticket),) if ticket else ()
        self._channel = grpc.insecure_channel(f"unix:{sock}")
        self.stub = operator_pb2_grpc.OperatorStub(self._channel)

    def call(self, method: Callable[..., T], request: object) -> T:
        try:
            return method(request, timeout=self.timeout, metadata=self._metadata)
        except grpc.RpcError as err:
            raise self._error(err) from None

    def call_keyed(self, method: Callable[..., T], request: object) -> T:
        """A write carrying an idempotency key: a timeout or a lost connection may hide a
        commit, so it is retried with the same key, and the node answers with the first
        result instead of doing it twice."""
        for delay in (*RETRY_DELAYS, None):
            try:
                return method(request, timeout=self.timeout, metadata=self._metadata)
            except grpc.RpcError as err:
                node_said = NODE_KEY in dict(err.trailing_metadata() or ())
                if delay is None or err.code() not in _TRANSIENT or node_said:
                    raise self._error(err) from None
                time.sleep(delay)
        raise AssertionError("unreachable")

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
