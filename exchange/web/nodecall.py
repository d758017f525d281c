"""The console's calls to its node: the Operator socket, with the signed-in user's token.

Sync gRPC in Starlette's thread pool (one channel, safe across threads and event loops). A
call's failure becomes a NodeError carrying the HTTP status the page answers with: the node's
refusal of a role is a 403, an expired or revoked token a 401 (the page signs the user out)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import grpc
from starlette.concurrency import run_in_threadpool

from exchange._proto.v1 import operator_pb2_grpc
from exchange.config import NodeConfig
from exchange.node.whoami import TICKET_KEY, TICKET_SECONDS, WHO_SOCKET, fetch_ticket

TOKEN_KEY = "x-exchange-token"  # exchange.node.operator_auth
TIMEOUT = 30.0
MAX_DOWNLOAD = 512 << 20

_HTTP = {
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}


class NodeError(Exception):
    """A refused or failed Operator call, as a page shows it."""

    def __init__(self, status: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.status, self.message, self.hint = status, message, hint


def _error(err: grpc.RpcError) -> NodeError:
    code = err.code()
    hint = next((v for k, v in err.trailing_metadata() or () if k == "x-exchange-hint"), "")
    details = (err.details() or code.name)[:300]
    if code == grpc.StatusCode.UNAVAILABLE:
        details = "the node is not answering; try again shortly"
    return NodeError(_HTTP.get(code, 502), details, str(hint)[:300])


class NodeClient:
    def __init__(self, config: NodeConfig) -> None:
        self.config = config
        self._channel = grpc.insecure_channel(f"unix:{config.socket_path}")
        self.stub = operator_pb2_grpc.OperatorStub(self._channel)
        self._ticket = ("", 0.0)
        self._lock = threading.Lock()

    def _meta(self, token: str) -> tuple[tuple[str, str], ...]:
        """The token, and a who-ticket naming this process's OS user (refreshed before expiry)."""
        with self._lock:
            ticket, at = self._ticket
            if not ticket or time.monotonic() - at > TICKET_SECONDS * 0.8:
                ticket = fetch_ticket(self.config.state_dir / WHO_SOCKET)
                self._ticket = (ticket, time.monotonic())
        meta = [(TICKET_KEY, ticket)] if ticket else []
        if token:
            meta.append((TOKEN_KEY, token))
        return tuple(meta)

    def call_sync(self, method: str, request: Any, token: str) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=TIMEOUT, metadata=self._meta(token))
        except grpc.RpcError as err:
            raise _error(err) from None

    async def call(self, method: str, request: Any, token: str) -> Any:
        return await run_in_threadpool(self.call_sync, method, request, token)

    def chunks_sync(self, method: str, request: Any, token: str) -> Iterator[bytes]:
        """A streamed read (ReadDocument, ReadAttachment): its chunks' bytes, bounded."""
        total = 0
        try:
            for chunk in getattr(self.stub, method)(request, metadata=self._meta(token)):
                total += len(chunk.data)
                if total > MAX_DOWNLOAD:
                    raise NodeError(413, "the file is larger than the console serves")
                yield bytes(chunk.data)
        except grpc.RpcError as err:
            raise _error(err) from None

    async def first_chunk(
        self, method: str, request: Any, token: str
    ) -> tuple[bytes, Iterator[bytes]]:
        """The first chunk (so a refusal is a page, not a broken download) and the rest."""
        it = self.chunks_sync(method, request, token)
        first = await run_in_threadpool(next, it, b"")
        return first, it

    async def upload(self, method: str, requests: Iterator[Any], token: str) -> Any:
        """A client-streaming call (PublishDocument): the requests sent in a worker thread."""

        def run() -> Any:
            try:
                return getattr(self.stub, method)(requests, metadata=self._meta(token))
            except grpc.RpcError as err:
                raise _error(err) from None

        return await run_in_threadpool(run)

    async def drain(self, method: str, request: Any, token: str, timeout: float = 300.0) -> int:
        """A server stream read to its end (FetchDocument's progress); how many replies."""

        def run() -> int:
            try:
                stream = getattr(self.stub, method)(
                    request, timeout=timeout, metadata=self._meta(token)
                )
                return sum(1 for _ in stream)
            except grpc.RpcError as err:
                raise _error(err) from None

        return await run_in_threadpool(run)

    def close(self) -> None:
        self._channel.close()
