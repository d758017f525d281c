"""Nodes of a region as local processes: used by the demo, the tests and the benchmarks.

Each node is a real `exchange serve` process with its own state dir, keys and database,
listening on 127.0.0.1 with a port the OS chose (kept for restarts, so peers' pins and
addresses stay valid). Nothing here is a mock: it drives the same CLI and Operator socket a
person would.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

from exchange import config as config_mod
from exchange._proto.v1 import (
    envelope_pb2,
    operator_pb2,
    operator_pb2_grpc,
    trust_pb2,
)
from exchange.errors import Error
from exchange.localtrust import RegionTrust, make_bundle, open_policy
from exchange.node import identity, matchkey
from exchange.trust import BUNDLE_PAYLOAD_TYPE

COUNTRY_NAMES = {"kz": "Kazakhstan", "kg": "Kyrgyzstan", "tj": "Tajikistan", "uz": "Uzbekistan"}


class RegionError(Error):
    pass


def wait_for(
    predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise RegionError(f"timed out after {timeout:.0f}s waiting for {what}")


@dataclass
class LocalNode:
    country: str
    root: Path
    database_url: str = ""
    sync: dict[str, Any] = field(default_factory=dict)
    limits: dict[str, Any] = field(default_factory=dict)
    policy: str = ""  # policy file text; empty = share everything with the region
    peers_in_region: tuple[str, ...] = ()
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    address: str = ""
    fingerprint: str = ""
    documents: dict[str, Any] = field(default_factory=dict)  # the config's [documents]
    metrics: str = ""  # the config's [metrics] listen ("" = off)

    @property
    def state_dir(self) -> Path:
        return self.root / self.country

    @property
    def run_dir(self) -> Path:
        """This process's own files (node.json, operator socket): a replica has its own."""
        return self.state_dir

    def serve_args(self) -> list[str]:
        return ["serve", "--config", str(self.config_path)]

    @property
    def config_path(self) -> Path:
        return self.root / f"{self.country}.toml"

    @property
    def log_path(self) -> Path:
        return self.root / f"{self.country}.log"

    def write_config(self) -> None:
        lines = [
            f'country = "{self.country}"',
            f'name = "{COUNTRY_NAMES.get(self.country, self.country.upper())}"',
            f'listen = "127.0.0.1:{self.port}"',
            f'state_dir = "{self.state_dir}"',
        ]
        if self.database_url:
            lines.append(f"database_url = {json.dumps(self.database_url)}")
        lines.append(f'policy = "{self.country}.policy.toml"')
        key = self.root / "region.matching.key"
        if not key.exists():
            matchkey.generate(key)
        lines.append('matching_key = "region.matching.key"')
        policy_path = self.root / f"{self.country}.policy.toml"
        if not policy_path.exists():
            policy_path.write_text(self.policy or open_policy(self.country, self.peers_in_region))
        sync = {"retry_initial_seconds": 0.1, "retry_max_seconds": 1.0, **self.sync}
        lines.append("[sync]")
        lines += [f"{k} = {v!r}" for k, v in sync.items()]
        if self.limits:
            lines.append("[limits]")
            lines += [f"{k} = {v!r}" for k, v in self.limits.items()]
        if self.documents:
            lines.append("[documents]")
            lines += [f"{k} = {v!r}" for k, v in self.documents.items()]
        if self.metrics:
            lines += ["[metrics]", f'listen = "{self.metrics}"']
        self.config_path.write_text("\n".join(lines) + "\n")

    def config(self) -> config_mod.NodeConfig:
        return config_mod.load(self.config_path)

    def cli(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
        """Run `exchange ARGS --config <this node>` and return its stdout."""
        proc = subprocess.run(
            [sys.executable, "-m", "exchange", *args, "--config", str(self.config_path)],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=60,
        )
        if check and proc.returncode != 0:
            raise RegionError(
                f"`exchange {' '.join(args)}` failed for {self.country}: {proc.stderr.strip()}"
            )
        return proc.stdout if check else proc.stdout + proc.stderr

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.write_config()
        self.cli("init")

    def start(self, env: dict[str, str] | None = None, timeout: float = 30.0) -> None:
        if self.running:
            return
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "exchange", *self.serve_args()],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "GRPC_VERBOSITY": "ERROR", **(env or {})},
        )
        log.close()
        runtime = self.run_dir / "node.json"

        def ready() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise RegionError(
                    f"the {self.country} node exited with {self.proc.returncode}; "
                    f"see {self.log_path}"
                )
            try:
                data = json.loads(runtime.read_text())
            except (OSError, ValueError):
                return False
            return bool(data.get("pid") == self.proc.pid if self.proc else False)

        wait_for(ready, timeout, f"the {self.country} node to start")
        data = json.loads(runtime.read_text())
        self.address, self.fingerprint = data["address"], data["fingerprint"]
        if self.port == 0:  # keep the OS-chosen port for restarts
            self.port = int(self.address.rpartition(":")[2])
            self.kept_port()

    def kept_port(self) -> None:
        self.write_config()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM and wait: the graceful path."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc = None
        return code

    def kill(self) -> None:
        """SIGKILL: the crash path."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def wait_exit(self, timeout: float = 20.0) -> int:
        assert self.proc is not None
        code = self.proc.wait(timeout)
        self.proc = None
        return code

    # -- operator calls (in-process, over the node's Unix socket) ---------------------------

    def operator(self) -> tuple[grpc.Channel, operator_pb2_grpc.OperatorStub]:
        ch = grpc.insecure_channel(f"unix:{self.run_dir / 'operator.sock'}")
        return ch, operator_pb2_grpc.OperatorStub(ch)

    def call(self, method: str, request: Any) -> Any:
        ch, stub = self.operator()
        try:
            return getattr(stub, method)(request, timeout=30)
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.INTERNAL:  # the cause is in the node's log: show it
                tail = self.log_path.read_bytes()[-4000:].decode("utf-8", "replace")
                raise RegionError(f"{self.country} {method}: {exc.details()}\n{tail}") from exc
            raise
        finally:
            ch.close()

    def status(self) -> operator_pb2.StatusResponse:
        return self.call("Status", operator_pb2.StatusRequest())  # type: ignore[no-any-return]

    def alerts(self, origin: str = "") -> list[operator_pb2.AlertRecord]:
        resp = self.call("ListAlerts", operator_pb2.ListAlertsRequest(origin=origin, limit=10000))
        return list(resp.alerts)

    def versions(self, origin: str = "") -> dict[str, tuple[int, bool]]:
        """alert id -> (latest version, withdrawn), for comparing nodes."""
        return {r.alert.alert_id: (r.alert.version, r.withdrawn) for r in self.alerts(origin)}

    def add_peer(self, other: LocalNode, address: str = "") -> None:
        """Pin `other` as a peer, reached at its own address or at `address` (a forwarder)."""
        self.call(
            "AddPeer",
            operator_pb2.AddPeerRequest(
                country=other.country,
                address=address or other.address,
                fingerprint=other.fingerprint,
            ),
        )

    def public_keys(self) -> dict[trust_pb2.KeyPurpose.ValueType, bytes]:
        """This node's public keys by certificate purpose (read from its state dir)."""
        return identity.load(self.state_dir, self.country).public_by_purpose()

    def import_trust(self, envs: Iterable[envelope_pb2.Envelope]) -> list[str]:
        """Install trust items; the test region confirms its own anchor (it made it)."""
        items = list(envs)
        bundles = [e for e in items if e.payload_type == BUNDLE_PAYLOAD_TYPE]
        digest = ""
        if bundles:
            anchor = min(bundles, key=lambda e: trust_pb2.TrustBundle.FromString(e.payload).version)
            digest = hashlib.sha256(anchor.payload).hexdigest()
        req = operator_pb2.ImportTrustRequest(items=items, anchor_digest=digest)
        resp = self.call("ImportTrust", req)
        return [i.summary for i in resp.items]

    def keys_status(self) -> operator_pb2.KeysStatusResponse:
        return self.call("KeysStatus", operator_pb2.KeysStatusRequest())  # type: ignore[no-any-return]


class LocalRegion:
    """A set of local nodes that all pin each other."""

    def __init__(
        self,
        root: Path,
        countries: Iterable[str],
        database_url: Callable[[str], str] | None = None,
        sync: dict[str, Any] | None = None,
        limits: dict[str, Any] | None = None,
        policies: dict[str, str] | None = None,
        documents: dict[str, Any] | None = None,
        metrics: str = "",
    ) -> None:
        self.root = root
        countries = tuple(countries)
        self.trust: RegionTrust | None = None
        self.sign_seconds: dict[str, float] = {}
        self.nodes = {
            c: LocalNode(
                c,
                root,
                database_url(c) if database_url else "",
                dict(sync or {}),
                dict(limits or {}),
                (policies or {}).get(c, ""),
                countries,
                documents=dict(documents or {}),
                metrics=metrics,
            )
            for c in countries
        }

    def __getitem__(self, country: str) -> LocalNode:
        return self.nodes[country]

    def start(self, pair: bool = True) -> None:
        for n in self.nodes.values():
            n.init()
        self.trust = RegionTrust.create(self.nodes.values(), self.sign_seconds)
        for n in self.nodes.values():
            n.start()
        items = self.trust.all_items()
        for n in self.nodes.values():
            n.import_trust(items)
        if pair:
            for a in self.nodes.values():
                for b in self.nodes.values():
                    if a is not b:
                        a.add_peer(b)

    def stop(self) -> None:
        for n in self.nodes.values():
            n.stop()

    def wait_converged(self, origin: str, timeout: float = 30.0) -> dict[str, tuple[int, bool]]:
        """Wait until every node holds the same alert versions from origin as origin does."""
        want = self.nodes[origin].versions(origin)

        def same() -> bool:
            return all(
                n.versions(origin) == want
                for c, n in self.nodes.items()
                if c != origin and n.running
            )

        wait_for(same, timeout, f"every node to hold {origin}'s {len(want)} alert(s)", 0.1)
        return want


# The wire helpers live in exchange.localwire; these names stay importable from here.
from exchange.localwire import (  # noqa: E402
    channel_from,
    forge_alert,
    make_alert,
    next_entry,
    peer_channel,
)

__all__ = [
    "COUNTRY_NAMES",
    "LocalNode",
    "LocalRegion",
    "RegionError",
    "RegionTrust",
    "channel_from",
    "forge_alert",
    "make_alert",
    "make_bundle",
    "next_entry",
    "open_policy",
    "peer_channel",
    "wait_for",
]
