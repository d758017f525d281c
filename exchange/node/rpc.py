"""Serving our gRPC services behind one guard, and the transport settings of every connection.

grpc parses a request with the generated `FromString` before our handler runs, so a bad
message would never reach our code: a unary call fails inside grpc (UNKNOWN, the parser's
text, a traceback in the log, no audit), a stream's iterator raises in the middle of ours.
`register` serves a service from its descriptor instead: requests arrive as raw bytes, are
parsed here, and undecodable ones are refused as MalformedInput (INVALID_ARGUMENT) and audited
by method and kind, never by content. Every method runs inside a last resort: an `Error` gets
its own status, grpc's own abort passes through, anything else becomes INTERNAL with a generic
message, an audit event naming only the exception type, and one log line without the
exception's text (it may echo stored rows).
"""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, NoReturn, Protocol

import grpc
from google.protobuf import message, message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

from exchange.errors import Error, MalformedInput
from exchange.node.status import abort
from exchange.sync import inbox

log = logging.getLogger("exchange.rpc")

# Keepalive on both ends: a peer whose host lost power leaves a half-open connection that
# TCP alone notices only after many minutes; a ping unanswered for KEEPALIVE_TIMEOUT_MS
# closes it and ends its streams.
# A silent connection is closed 3-7 s after it went silent (a ping is answered by the peer's
# HTTP/2 layer whatever its load, so a slow receiver is not mistaken for a dead one).
KEEPALIVE_TIME_MS = 4_000
KEEPALIVE_TIMEOUT_MS = 3_000
_KEEPALIVE: list[tuple[str, int]] = [
    ("grpc.keepalive_time_ms", KEEPALIVE_TIME_MS),
    ("grpc.keepalive_timeout_ms", KEEPALIVE_TIMEOUT_MS),
    # grpc 1.85 times an unanswered ping out after this (60 s by default); the keepalive
    # timeout alone did not end a silent connection (measured, tests/integration/netfault.py).
    ("grpc.http2.ping_timeout_ms", KEEPALIVE_TIMEOUT_MS),
    ("grpc.keepalive_permit_without_calls", 1),
]


def server_options(max_message: int) -> list[tuple[str, int]]:
    """Options of the peer-facing server: message bounds, keepalive, idle connections closed."""
    return [
        ("grpc.max_receive_message_length", max_message),
        ("grpc.max_send_message_length", max_message),
        *_KEEPALIVE,
        # Accept our peers' pings (every KEEPALIVE_TIME_MS) without answering GOAWAY.
        ("grpc.http2.min_ping_interval_without_data_ms", KEEPALIVE_TIME_MS // 2),
        ("grpc.http2.max_ping_strikes", 0),
        ("grpc.max_connection_idle_ms", 5 * 60_000),
        # gRPC shares a port with any process that asks (SO_REUSEPORT) by default: a second
        # node on the same `listen` would silently take half the connections.
        ("grpc.so_reuseport", 0),
    ]


def check_bindable(listen: str) -> None:
    """Raise a one-line Error if `listen` (host:port) cannot be bound: another process has it.

    gRPC binds with SO_REUSEADDR, so do the same: a port left in TIME_WAIT is still usable."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    if not port.isdigit() or int(port) == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host or "0.0.0.0", int(port)))
        except OSError as exc:
            raise Error(
                f"cannot listen on {listen}: {exc.strerror or exc}",
                hint="is another node already using that port? change 'listen' in the config",
            ) from None


def channel_options(max_message: int) -> list[tuple[str, int]]:
    """Options of a client channel to a peer (the TLS name override is added by the caller)."""
    return [
        ("grpc.max_receive_message_length", max_message),
        ("grpc.max_send_message_length", max_message),
        ("grpc.initial_reconnect_backoff_ms", 200),
        ("grpc.min_reconnect_backoff_ms", 200),
        ("grpc.max_reconnect_backoff_ms", 2000),
        *_KEEPALIVE,
        ("grpc.http2.max_pings_without_data", 0),  # keep pinging an idle connection
    ]


class Host(Protocol):
    """What the guard needs of the node."""

    async def audit(self, event: str, detail: dict[str, Any], peer: str = "") -> None: ...

    def peer_of(self, context: Any) -> str: ...


class Guard:
    """Parses requests and runs handlers for one service of one node (see the module doc)."""

    def __init__(
        self, host: Host, service: ServiceDescriptor, raw: frozenset[str] = frozenset()
    ) -> None:
        self.host = host
        self.service = service
        self.raw = raw  # methods whose handler takes the bytes and parses them itself

    async def _audit(self, event: str, detail: dict[str, Any], context: Any) -> None:
        try:
            peer = self.host.peer_of(context)
            await self.host.audit(event, detail, peer)
        except Exception as exc:  # the audit store failing must not hide the first error
            log.error("could not audit %s: %s", event, type(exc).__name__)

    async def parse(self, method: MethodDescriptor, raw: bytes, context: Any) -> message.Message:
        cls = message_factory.GetMessageClass(method.input_type)
        try:
            return cls.FromString(raw)
        except Exception:  # DecodeError, or anything else the parser raises on hostile bytes
            err = MalformedInput(
                f"the {method.name} request is not a valid {method.input_type.full_name} message",
                hint="the request was not read; check the sender's protocol version",
            )
            await self._refuse(method, err, context)

    async def _refuse(self, method: MethodDescriptor, err: Error, context: Any) -> NoReturn:
        log.warning("refused %s: %s", method.full_name, err.message)
        detail = {"method": method.full_name, **inbox.refusal_detail(err)}
        await self._audit("rpc.refused", detail, context)
        await abort(context, err)

    async def last_resort(self, method: MethodDescriptor, exc: Exception, context: Any) -> NoReturn:
        """Turn an exception that escaped a handler into a status; re-raise grpc's abort."""
        if isinstance(exc, grpc.aio.AbortError):
            raise exc
        if isinstance(exc, Error):
            await self._refuse(method, exc, context)
        where = _where(exc)
        log.error("%s failed: %s at %s", method.full_name, type(exc).__name__, where)
        detail = {"method": method.full_name, "error": type(exc).__name__}
        await self._audit("rpc.error", detail, context)
        await context.abort(
            grpc.StatusCode.INTERNAL,
            f"the node could not complete {method.name}; the error is in its log",
        )
        raise AssertionError("context.abort returned")  # it always raises

    def handler(self, method: MethodDescriptor, behavior: Callable[..., Any]) -> Any:
        out = message_factory.GetMessageClass(method.output_type).SerializeToString
        if method.client_streaming and method.server_streaming:
            return grpc.stream_stream_rpc_method_handler(
                self._stream_stream(method, behavior), response_serializer=out
            )
        if method.client_streaming:
            return grpc.stream_unary_rpc_method_handler(
                self._stream_unary(method, behavior), response_serializer=out
            )
        if method.server_streaming:
            return grpc.unary_stream_rpc_method_handler(
                self._unary_stream(method, behavior), response_serializer=out
            )
        return grpc.unary_unary_rpc_method_handler(
            self._unary_unary(method, behavior), response_serializer=out
        )

    def _parsed(
        self, method: MethodDescriptor, requests: AsyncIterator[bytes], context: Any
    ) -> AsyncIterator[message.Message]:
        async def gen() -> AsyncIterator[message.Message]:
            async for raw in requests:
                yield await self.parse(method, raw, context)

        return gen()

    def _unary_unary(
        self, method: MethodDescriptor, behavior: Callable[..., Awaitable[Any]]
    ) -> Callable[[bytes, Any], Awaitable[Any]]:
        async def run(raw: bytes, context: Any) -> Any:
            request = raw if method.name in self.raw else await self.parse(method, raw, context)
            try:
                return await behavior(request, context)
            except Exception as exc:
                await self.last_resort(method, exc, context)

        return run

    def _stream_unary(
        self, method: MethodDescriptor, behavior: Callable[..., Awaitable[Any]]
    ) -> Callable[[AsyncIterator[bytes], Any], Awaitable[Any]]:
        async def run(requests: AsyncIterator[bytes], context: Any) -> Any:
            try:
                return await behavior(self._parsed(method, requests, context), context)
            except Exception as exc:
                await self.last_resort(method, exc, context)

        return run

    def _unary_stream(
        self, method: MethodDescriptor, behavior: Callable[..., AsyncIterator[Any]]
    ) -> Callable[[bytes, Any], AsyncIterator[Any]]:
        async def run(raw: bytes, context: Any) -> AsyncIterator[Any]:
            request = await self.parse(method, raw, context)
            try:
                async for reply in behavior(request, context):
                    yield reply
            except Exception as exc:
                await self.last_resort(method, exc, context)

        return run

    def _stream_stream(
        self, method: MethodDescriptor, behavior: Callable[..., AsyncIterator[Any]]
    ) -> Callable[[AsyncIterator[bytes], Any], AsyncIterator[Any]]:
        async def run(requests: AsyncIterator[bytes], context: Any) -> AsyncIterator[Any]:
            try:
                async for reply in behavior(self._parsed(method, requests, context), context):
                    yield reply
            except Exception as exc:
                await self.last_resort(method, exc, context)

        return run


def register(
    server: grpc.aio.Server,
    host: Host,
    service: ServiceDescriptor,
    servicer: object,
    raw: frozenset[str] = frozenset(),
) -> None:
    """Serve every method of `service` from `servicer`, each behind the guard; the unary
    methods named in `raw` get the request bytes (to refuse a caller before parsing them)."""
    guard = Guard(host, service, raw)
    handlers = {m.name: guard.handler(m, getattr(servicer, m.name)) for m in service.methods}
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(service.full_name, handlers),)
    )
    server.add_registered_method_handlers(service.full_name, handlers)


def _where(exc: BaseException) -> str:
    """file:line of the innermost frame: enough to find the bug, no values from the frame."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"
