"""In-process regions: each node is a `grpc.aio` server on 127.0.0.1:0 with real mutual TLS,
running in the test's own event loop (pytest-asyncio), built from the same state dirs, keys,
trust bundle, certificates, peers and policies as `exchange.localregion` builds for processes.

What differs from a region of `exchange serve` processes is only what the process is: no
Python start-up per node or per CLI call, no SIGTERM, no EXCHANGE_FAULT crash points. Tests
where the process is the point (crash after commit or ack, shutdown, the one-process lock,
link faults through the TCP forwarder, the demo, the CLI end to end) keep real processes.

- `InprocNode` keeps LocalNode's files (config, policy, state dir) and runs
  `Node(config, identity, Database(url))` with `await node.start()` / `await node.stop()`.
- Operator calls go over the node's own Unix socket with a `grpc.aio` channel.
- The CLI runs in-process (`exchange.cli.main.main` under click's CliRunner isolation) in a
  worker thread, so the loop keeps serving the node it talks to.
- Waits poll a condition briefly and give up after a generous bound; never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO, Any, TypeVar

import grpc
import grpc.aio
import pytest
from click.testing import CliRunner

from exchange._proto.v1 import (
    envelope_pb2,
    exchange_pb2,
    exchange_pb2_grpc,
    operator_pb2,
    operator_pb2_grpc,
    trust_pb2,
)
from exchange.errors import Error
from exchange.localregion import LocalNode, LocalRegion, RegionError, RegionTrust
from exchange.localwire import peer_credentials
from exchange.node import identity, statelock
from exchange.node.runtime import Node
from exchange.store.db import Database
from exchange.trust import BUNDLE_PAYLOAD_TYPE
from tests.integration.wire import audit_of as audit_of  # re-exported for the tests
from tests.integration.wire import counts

T = TypeVar("T")
Predicate = Callable[[], bool | Awaitable[bool]]


async def wait_until(
    predicate: Predicate, timeout: float, what: str, interval: float = 0.05
) -> None:
    """Poll `predicate` (sync or async) until true; RegionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return
        if time.monotonic() >= deadline:
            raise RegionError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(interval)


async def eventually(
    read: Callable[[], Awaitable[T]],
    check: Callable[[T], bool],
    timeout: float,
    what: str,
    interval: float = 0.05,
) -> T:
    """Await `read()` until `check` holds for its value, which is returned; RegionError after
    `timeout` seconds (e.g. `await eventually(kg.status, lambda s: s.quarantined, 30, ...)`)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await read()
        if check(value):
            return value
        if time.monotonic() >= deadline:
            raise RegionError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(interval)


# -- the CLI, in-process ---------------------------------------------------------------------

_CLI_LOCK = threading.Lock()  # CliRunner swaps sys.stdout/argv/environ: one command at a time


def run_cli_sync(
    args: Iterable[str], env: dict[str, str] | None = None, input: str | None = None
) -> Any:
    """Run `exchange ARGS` in this process as `python -m exchange` would (the same main() with
    its error handling); returns a CompletedProcess (returncode, stdout, stderr)."""
    from exchange.cli.main import main

    argv = ["exchange", *args]
    runner = CliRunner()
    with _CLI_LOCK, runner.isolation(input=input, env=env) as (out, err, _):
        old_argv, sys.argv = sys.argv, argv
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.argv = old_argv
            sys.stdout.flush()
            sys.stderr.flush()
        stdout = out.getvalue().decode("utf-8", "replace")
        stderr = err.getvalue().decode("utf-8", "replace")
    return subprocess.CompletedProcess(argv, code, stdout, stderr)


async def run_cli(
    args: Iterable[str], env: dict[str, str] | None = None, input: str | None = None
) -> Any:
    return await asyncio.to_thread(run_cli_sync, list(args), env, input)


# -- nodes -----------------------------------------------------------------------------------


def init_in_process(node: LocalNode) -> None:
    """LocalNode.init with `exchange init` run in this process (the same command)."""
    node.root.mkdir(parents=True, exist_ok=True)
    node.write_config()
    result = run_cli_sync(["init", "--config", str(node.config_path)])
    if result.returncode != 0:
        raise RegionError(f"`exchange init` failed for {node.country}: {result.stderr}")


@dataclass
class ProcessNode(LocalNode):
    """A node that is a real `exchange serve` process, initialised in this process: `exchange
    init` is the same command either way, and only the node's own process is the point of the
    tests that use these (crash, SIGTERM, the one-process lock, link faults)."""

    def init(self) -> None:
        init_in_process(self)


def with_process_nodes(region: LocalRegion) -> LocalRegion:
    """The region with its LocalNodes as ProcessNodes (same fields)."""
    region.nodes = {
        c: ProcessNode(**{f.name: getattr(n, f.name) for f in fields(n)})
        for c, n in region.nodes.items()
    }
    return region


@dataclass
class InprocNode(LocalNode):
    """A node of an in-process region. Same files as LocalNode; async operator calls."""

    node: Node | None = None
    _lock: IO[str] | None = None
    _op: grpc.aio.Channel | None = None

    @property
    def log_path(self) -> Path:
        """Every node of the process logs to one file (loggers are per module, not per node),
        so a check for 'no traceback in the log' covers all of them."""
        return self.root / "nodes.log"

    @property
    def running(self) -> bool:
        return self.node is not None

    def init(self) -> None:
        init_in_process(self)

    async def start(self, env: dict[str, str] | None = None, timeout: float = 30.0) -> None:  # type: ignore[override]
        if self.running:
            return
        cfg = self.config()
        lock = statelock.hold(cfg.state_dir)
        try:
            node = Node(cfg, identity.load(cfg.state_dir, cfg.country), Database(cfg.db_url))
            await asyncio.wait_for(node.start(), timeout)
        except Error as exc:  # what `exchange serve` prints before it exits with 1
            lock.close()
            with self.log_path.open("a") as log:
                log.write(f"error: {exc.message}\n")
            raise RegionError(
                f"the {self.country} node exited with 1: {exc.message}; see {self.log_path}"
            ) from exc
        except BaseException:
            lock.close()
            raise
        self.node, self._lock = node, lock
        self.address, self.fingerprint = node.address, node.identity.fingerprint
        if self.port == 0:  # keep the OS-chosen port for restarts, as LocalNode does
            self.port = int(self.address.rpartition(":")[2])
            self.write_config()

    async def stop(self, timeout: float = 20.0) -> int:  # type: ignore[override]
        if self._op is not None:
            await self._op.close()
            self._op = None
        if self.node is not None:
            node, self.node = self.node, None
            try:
                await asyncio.wait_for(node.stop(), timeout)
            finally:
                if self._lock is not None:
                    self._lock.close()
                    self._lock = None
        return 0

    def kill(self) -> None:
        raise NotImplementedError("an in-process node cannot crash: use a LocalRegion")

    # -- operator calls over the node's Unix socket --------------------------------------

    def op_channel(self) -> grpc.aio.Channel:
        if self._op is None:
            self._op = grpc.aio.insecure_channel(f"unix:{self.state_dir / 'operator.sock'}")
        return self._op

    async def call(self, method: str, request: Any, metadata: Any = None) -> Any:  # type: ignore[override]
        stub = operator_pb2_grpc.OperatorStub(self.op_channel())
        try:
            return await getattr(stub, method)(request, timeout=30, metadata=metadata)
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.INTERNAL:  # the cause is in the log: show it
                tail = self.log_path.read_bytes()[-4000:].decode("utf-8", "replace")
                raise RegionError(f"{self.country} {method}: {exc.details()}\n{tail}") from exc
            raise

    async def status(self) -> operator_pb2.StatusResponse:  # type: ignore[override]
        return await self.call("Status", operator_pb2.StatusRequest())  # type: ignore[no-any-return]

    async def alerts(self, origin: str = "") -> list[operator_pb2.AlertRecord]:  # type: ignore[override]
        req = operator_pb2.ListAlertsRequest(origin=origin, limit=10000)
        return list((await self.call("ListAlerts", req)).alerts)

    async def versions(self, origin: str = "") -> dict[str, tuple[int, bool]]:  # type: ignore[override]
        return {r.alert.alert_id: (r.alert.version, r.withdrawn) for r in await self.alerts(origin)}

    async def add_peer(self, other: LocalNode, address: str = "") -> None:  # type: ignore[override]
        req = operator_pb2.AddPeerRequest(
            country=other.country, address=address or other.address, fingerprint=other.fingerprint
        )
        await self.call("AddPeer", req)

    async def import_trust(self, envs: Iterable[envelope_pb2.Envelope]) -> list[str]:  # type: ignore[override]
        items = list(envs)
        bundles = [e for e in items if e.payload_type == BUNDLE_PAYLOAD_TYPE]
        digest = ""
        if bundles:
            anchor = min(bundles, key=lambda e: trust_pb2.TrustBundle.FromString(e.payload).version)
            digest = hashlib.sha256(anchor.payload).hexdigest()
        req = operator_pb2.ImportTrustRequest(items=items, anchor_digest=digest)
        return [i.summary for i in (await self.call("ImportTrust", req)).items]

    async def keys_status(self) -> operator_pb2.KeysStatusResponse:  # type: ignore[override]
        return await self.call("KeysStatus", operator_pb2.KeysStatusRequest())  # type: ignore[no-any-return]

    # -- the CLI ------------------------------------------------------------------------

    async def run(self, *args: str, env: dict[str, str] | None = None) -> Any:
        """`exchange ARGS --config <this node>` in-process: a CompletedProcess."""
        return await run_cli([*args, "--config", str(self.config_path)], env)

    async def run_input(self, *args: str, input: str, env: dict[str, str] | None = None) -> Any:
        """As run, with `input` on standard input (secrets never go on the command line)."""
        return await run_cli([*args, "--config", str(self.config_path)], env, input)

    async def process_cli(self, *args: str, env: dict[str, str] | None = None) -> Any:
        """`python -m exchange ARGS --config <this node>` as a real process (for what depends
        on the process: its terminal width, its environment); a CompletedProcess."""
        argv = [sys.executable, "-m", "exchange", *args, "--config", str(self.config_path)]
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        return subprocess.CompletedProcess(argv, proc.returncode, out.decode(), err.decode())

    async def cli(  # type: ignore[override]
        self, *args: str, check: bool = True, env: dict[str, str] | None = None
    ) -> str:
        """As LocalNode.cli: stdout, or stdout + stderr when check is False."""
        proc = await self.run(*args, env=env)
        if check and proc.returncode != 0:
            raise RegionError(
                f"`exchange {' '.join(args)}` failed for {self.country}: {proc.stderr.strip()}"
            )
        return str(proc.stdout if check else proc.stdout + proc.stderr)


class InprocRegion(LocalRegion):
    """LocalRegion's layout and trust, with InprocNode nodes in the current event loop."""

    nodes: dict[str, InprocNode]  # type: ignore[assignment]

    def __init__(self, root: Path, countries: Iterable[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(root, countries, *args, **kwargs)
        plain: dict[str, LocalNode] = dict(self.nodes)
        self.nodes = {
            c: InprocNode(
                n.country,
                n.root,
                n.database_url,
                n.sync,
                n.limits,
                n.policy,
                n.peers_in_region,
                documents=n.documents,
                metrics=n.metrics,
            )
            for c, n in plain.items()
        }
        self._log: logging.Handler | None = None

    def __getitem__(self, country: str) -> InprocNode:
        return self.nodes[country]

    def _start_log(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(self.root / "nodes.log")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger().addHandler(handler)
        logging.getLogger("exchange").setLevel(logging.INFO)
        self._log = handler

    async def start(self, pair: bool = True) -> None:  # type: ignore[override]
        self._start_log()
        for n in self.nodes.values():
            n.init()
        self.trust = RegionTrust.create(self.nodes.values(), self.sign_seconds)
        for n in self.nodes.values():
            await n.start()
        items = self.trust.all_items()
        for n in self.nodes.values():
            await n.import_trust(items)
        if pair:
            for a in self.nodes.values():
                for b in self.nodes.values():
                    if a is not b:
                        await a.add_peer(b)

    async def stop(self) -> None:  # type: ignore[override]
        try:
            errors = []
            for n in self.nodes.values():  # every node, even when one fails to stop
                try:
                    await n.stop()
                except Exception as exc:
                    errors.append(exc)
            if errors:
                raise errors[0]
        finally:
            if self._log is not None:
                logging.getLogger().removeHandler(self._log)
                self._log.close()
                self._log = None

    async def wait_converged(  # type: ignore[override]
        self, origin: str, timeout: float = 30.0
    ) -> dict[str, tuple[int, bool]]:
        want = await self.nodes[origin].versions(origin)

        async def same() -> bool:
            for c, n in self.nodes.items():
                if c != origin and n.running and await n.versions(origin) != want:
                    return False
            return True

        await wait_until(same, timeout, f"every node to hold {origin}'s {len(want)} alert(s)", 0.1)
        return want


# -- raw peer clients (async), as tests/integration/wire.py for processes ---------------------


def aio_peer_channel(target: LocalNode, key_pem: bytes, cert_pem: bytes) -> grpc.aio.Channel:
    """A grpc.aio client channel to target presenting the given TLS identity."""
    creds, options = peer_credentials(target, key_pem, cert_pem)
    return grpc.aio.secure_channel(target.address, creds, options=options)


def aio_channel_from(sender: LocalNode, target: LocalNode) -> grpc.aio.Channel:
    return aio_peer_channel(
        target,
        (sender.state_dir / "tls.key").read_bytes(),
        (sender.state_dir / "tls.crt").read_bytes(),
    )


async def push(channel: grpc.aio.Channel, *batches: exchange_pb2.EntryBatch) -> list[Any]:
    call = exchange_pb2_grpc.ExchangeStub(channel).Push(iter(batches), timeout=20)
    return [ack async for ack in call]


async def pull(channel: grpc.aio.Channel, req: exchange_pb2.PullRequest) -> list[Any]:
    call = exchange_pb2_grpc.ExchangeStub(channel).Pull(req, timeout=10)
    return [b async for b in call]


async def refused_push(
    sender: LocalNode, target: InprocNode, batch: exchange_pb2.EntryBatch
) -> grpc.aio.AioRpcError:
    """Push `batch` as sender; it must be refused, audited once, and store nothing."""
    before = counts(target)
    async with aio_channel_from(sender, target) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await push(ch, batch)
    after = counts(target)
    assert after["entries"] == before["entries"], "a refused entry was stored"
    assert after["versions"] == before["versions"], "a refused alert version was stored"
    assert after["refusals"] == before["refusals"] + 1, "the refusal was not audited"
    assert target.running and (await target.status()).serving == "SERVING"
    return info.value


async def raw_call(channel: grpc.aio.Channel, path: str, shape: str, body: bytes) -> object:
    """Call `path` with `body` as the request's bytes, unparsed. shape: unary,
    server_stream or bidi."""

    def same(b: bytes) -> bytes:
        return b

    if shape == "bidi":
        bidi = channel.stream_stream(path, request_serializer=same, response_deserializer=same)
        return [m async for m in bidi(iter([body]), timeout=10)]
    if shape == "server_stream":
        stream = channel.unary_stream(path, request_serializer=same, response_deserializer=same)
        return [m async for m in stream(body, timeout=10)]
    unary = channel.unary_unary(path, request_serializer=same, response_deserializer=same)
    return await unary(body, timeout=10)


async def region_of(
    root: Path,
    countries: Iterable[str],
    database_url: Callable[[str], str] | None = None,
    **kwargs: Any,
) -> AsyncIterator[InprocRegion]:
    """Start a region, yield it, stop it (for fixtures)."""
    region = InprocRegion(root, countries, database_url, **kwargs)
    try:
        await region.start()
        yield region
    finally:
        await region.stop()
