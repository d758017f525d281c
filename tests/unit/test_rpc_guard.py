"""The last resort around every served method (exchange.node.rpc), on a real grpc.aio server.

The node's own handlers are covered over the wire in tests/integration/test_attacks.py; here a
servicer raises what a bug would raise, to prove that no exception text leaves the node."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from exchange._proto.v1 import exchange_pb2, exchange_pb2_grpc
from exchange.errors import NotFound
from exchange.node import rpc

SECRET = "Ivanov Ivan 1980-01-02"  # what an exception's text might echo from a stored row
SERVICE = exchange_pb2.DESCRIPTOR.services_by_name["Exchange"]


class Host:
    """Records audit events instead of writing them (the audit store is tested elsewhere)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any], str]] = []

    async def audit(self, event: str, detail: dict[str, Any], peer: str = "") -> None:
        self.events.append((event, detail, peer))

    def peer_of(self, context: Any) -> str:
        return "kg"


class Buggy:
    async def Trust(self, request: exchange_pb2.TrustSync, context: Any) -> exchange_pb2.TrustSync:
        raise ValueError(f"row {SECRET} could not be stored")

    async def Pull(
        self, request: exchange_pb2.PullRequest, context: Any
    ) -> AsyncIterator[exchange_pb2.EntryBatch]:
        yield exchange_pb2.EntryBatch()
        raise NotFound("no such channel", hint="check the origin")

    async def WitnessAudit(self, request: Any, context: Any) -> Any:
        raise ValueError(f"row {SECRET} could not be stored")

    async def Push(
        self, requests: AsyncIterator[exchange_pb2.EntryBatch], context: Any
    ) -> AsyncIterator[exchange_pb2.Ack]:
        async for batch in requests:
            yield exchange_pb2.Ack(head_seq=len(batch.entries))
        await context.abort(grpc.StatusCode.PERMISSION_DENIED, "not yours")

    async def FetchContent(self, request: Any, context: Any) -> AsyncIterator[Any]:
        raise ValueError(f"row {SECRET} could not be stored")
        yield  # a server stream


async def _serve_and_call() -> tuple[Host, dict[str, grpc.aio.AioRpcError], list[int]]:
    host = Host()
    server = grpc.aio.server()
    rpc.register(server, host, SERVICE, Buggy())
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    errors: dict[str, grpc.aio.AioRpcError] = {}
    acks: list[int] = []
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as ch:
            stub = exchange_pb2_grpc.ExchangeStub(ch)
            try:
                await stub.Trust(exchange_pb2.TrustSync(), timeout=5)
            except grpc.aio.AioRpcError as err:
                errors["Trust"] = err
            try:
                async for _ in stub.Pull(exchange_pb2.PullRequest(), timeout=5):
                    pass
            except grpc.aio.AioRpcError as err:
                errors["Pull"] = err
            try:
                batches = [
                    exchange_pb2.EntryBatch(entries=[exchange_pb2.EntryBatch().entries.add()])
                ]
                async for ack in stub.Push(iter(batches), timeout=5):
                    acks.append(ack.head_seq)
            except grpc.aio.AioRpcError as err:
                errors["Push"] = err
    finally:
        await server.stop(None)
    return host, errors, acks


@pytest.fixture(scope="module")
def outcome() -> tuple[Host, dict[str, grpc.aio.AioRpcError], list[int]]:
    return asyncio.run(_serve_and_call())


def test_unexpected_exception_leaks_no_text(
    outcome: tuple[Host, dict[str, grpc.aio.AioRpcError], list[int]],
) -> None:
    """A bug's exception: INTERNAL with a generic message; the audit names only its type."""
    host, errors, _ = outcome
    err = errors["Trust"]
    details = err.details() or ""
    assert err.code() == grpc.StatusCode.INTERNAL
    assert "Trust" in details and SECRET not in details and "ValueError" not in details
    event = ("rpc.error", {"method": "exchange.v1.Exchange.Trust", "error": "ValueError"}, "kg")
    assert event in host.events
    assert all(SECRET not in str(e) for e in host.events)


def test_unexpected_exception_logged_in_one_line_without_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="exchange.rpc"):
        asyncio.run(_serve_and_call())
    text = caplog.text
    assert "exchange.v1.Exchange.Trust failed: ValueError at test_rpc_guard.py:" in text
    assert SECRET not in text and "Traceback" not in text
    assert all(r.exc_info is None for r in caplog.records)


def test_error_mid_stream_gets_its_status(
    outcome: tuple[Host, dict[str, grpc.aio.AioRpcError], list[int]],
) -> None:
    host, errors, _ = outcome
    err = errors["Pull"]
    assert (err.code(), err.details()) == (grpc.StatusCode.NOT_FOUND, "no such channel")
    assert dict(err.trailing_metadata() or ())["x-exchange-hint"] == "check the origin"
    [(event, detail, peer)] = [e for e in host.events if e[1]["method"].endswith("Pull")]
    assert (event, detail["kind"], detail["status"], peer) == (
        "rpc.refused",
        "NotFound",
        "NOT_FOUND",
        "kg",
    )


def test_grpc_abort_passes_through(
    outcome: tuple[Host, dict[str, grpc.aio.AioRpcError], list[int]],
) -> None:
    host, errors, acks = outcome
    assert acks == [1]
    err = errors["Push"]
    assert (err.code(), err.details()) == (grpc.StatusCode.PERMISSION_DENIED, "not yours")
    assert not [e for e in host.events if e[1]["method"].endswith("Push")]
