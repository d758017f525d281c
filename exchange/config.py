"""Node configuration: a TOML file -> frozen, validated dataclasses.

Relative paths are resolved against the config file's folder, so `nodes/kz.toml` works from
anywhere. `postgresql://` URLs are given the psycopg (v3) driver.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from exchange.alerts.model import is_country
from exchange.errors import ConfigError
from exchange.textfile import read_text


@dataclass(frozen=True)
class SyncConfig:
    batch_size: int = 500
    window: int = 4  # batches in flight per push stream
    retry_initial_seconds: float = 0.2
    retry_max_seconds: float = 5.0
    pull_interval_seconds: float = 30.0
    trust_interval_seconds: float = 10.0
    audit_checkpoint_seconds: float = 300.0  # sign the audit head for the peers (if it moved)
    # Worker processes that check large received batches (exchange.node.checkpool); 0 (the
    # default): none, the node's threads check everything. Off by default: on the 2-core
    # development VM they cost more CPU than they save (README, Benchmarks).
    check_processes: int = 0


@dataclass(frozen=True)
class Limits:
    max_batch_entries: int = 1000
    max_entry_bytes: int = 64 * 1024
    max_message_bytes: int = 8 * 1024 * 1024


@dataclass(frozen=True)
class DocumentsConfig:
    prefetch_bytes: int = 64 * 1024 * 1024  # received content up to this is fetched at once
    max_publish_bytes: int = 512 * 1024 * 1024  # the largest document this node publishes


@dataclass(frozen=True)
class RetentionConfig:
    review_days: int = 365  # an alert published without a review date gets one this far out
    warn_days: int = 30  # own alerts due for review this soon are shown in status and metrics
    interval_seconds: float = 600.0  # how often expired content is dropped
    purge_own: int = 0  # 1: our own expired alerts lose their content too (0: kept)
    audit_days: int = 3 * 365  # audit events older than this are pruned behind a signed cut


@dataclass(frozen=True)
class MetricsConfig:
    listen: str = ""  # host:port of the Prometheus endpoint; "" = off


@dataclass(frozen=True)
class NodeConfig:
    country: str
    listen: str
    state_dir: Path
    name: str = ""
    database_url: str = ""
    policy: Path | None = None
    matching_key: Path | None = None
    sync: SyncConfig = field(default_factory=SyncConfig)
    limits: Limits = field(default_factory=Limits)
    documents: DocumentsConfig = field(default_factory=DocumentsConfig)
    source: Path | None = None
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    replica: str = ""  # "" = the node's first (or only) process; else a replica's name

    @property
    def run_dir(self) -> Path:
        """This process's own files (lock, operator socket, node.json): the state dir, or for
        a replica its own folder under it. Keys stay in the state dir, shared by replicas."""
        return self.state_dir / "replicas" / self.replica if self.replica else self.state_dir

    @property
    def socket_path(self) -> Path:
        return self.run_dir / "operator.sock"

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.state_dir / 'node.db'}"

    def with_overrides(self, **changes: Any) -> NodeConfig:
        return replace(self, **changes)


_TOP = {
    "country",
    "name",
    "listen",
    "state_dir",
    "database_url",
    "policy",
    "matching_key",
    "sync",
    "limits",
    "documents",
    "metrics",
    "retention",
    "web",  # read by the web console (exchange.web.settings), not by the node
    "replica",
}
_REPLICA = re.compile(r"[a-z0-9][a-z0-9-]{0,15}")


def replica_problem(name: str) -> str | None:
    """Why `name` cannot name a replica (None if it can): its folder is named after it."""
    if not _REPLICA.fullmatch(name):
        return f"replica name {name[:20]!r} must be 1-16 of a-z, 0-9 and '-', like \"b\""
    return None


_ZERO_MEANS_OFF = frozenset({"check_processes"})


def _section(data: dict[str, Any], key: str, cls: type[Any], path: Path) -> Any:
    raw = data.get(key, {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [{key}] must be a table")
    known = set(cls.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise ConfigError(
            f"{path}: unknown key {key}.{sorted(unknown)[0]}",
            hint=f"[{key}] accepts: {', '.join(sorted(known))}",
        )
    for name, value in raw.items():
        default = getattr(cls(), name)
        zero_ok = name in _ZERO_MEANS_OFF and value == 0
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or (value <= 0 and not zero_ok)
        ):
            raise ConfigError(f"{path}: {key}.{name} must be a positive number")
        if isinstance(default, int) and not isinstance(value, int):
            raise ConfigError(f"{path}: {key}.{name} must be a whole number")
    return cls(**raw)


def _metrics(raw: Any, path: Path) -> MetricsConfig:
    if not isinstance(raw, dict) or set(raw) - {"listen"}:
        raise ConfigError(f'{path}: [metrics] takes one key, listen = "host:port"')
    listen = raw.get("listen", "")
    if not isinstance(listen, str) or (
        listen and address_problem(listen, allow_any_port=True) is not None
    ):
        raise ConfigError(
            f'{path}: metrics.listen must be host:port, like "127.0.0.1:9464"',
            hint="it serves /metrics without TLS: keep it on a management network",
        )
    return MetricsConfig(listen)


DB_SCHEMES = ("sqlite:///", "postgresql://", "postgres://", "postgresql+psycopg://")
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+|\[[0-9A-Fa-f:.]+\]")


def address_problem(address: str, *, allow_any_port: bool = False) -> str | None:
    """Why `address` is not host:port (None if it is); port 0 only where the OS may choose."""
    host, sep, port = address.rpartition(":")
    if not sep or not host or len(address) > 300:
        return f"{address[:60]!r} is not host:port"
    if not _HOST.fullmatch(host):
        return f"{host[:60]!r} is not a host name or IP address"
    if not port.isdigit() or not (0 if allow_any_port else 1) <= int(port) <= 65535:
        return f"{port[:10]!r} is not a port number (1-65535)"
    return None


MAX_PEER_ADDRESSES = 8
_IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)")


def split_addresses(text: str) -> list[str]:
    """A peer's address field: host:port, or several IP:port separated by commas (the
    replicas of one node, balanced by gRPC's round_robin)."""
    return [a.strip() for a in text.split(",")]


def peer_address_problem(text: str) -> str | None:
    """Why `text` is not a peer address (None if it is): one host:port, or up to 8 IP
    addresses (all IPv4 or all [IPv6]) with ports, comma-separated."""
    parts = split_addresses(text)
    if len(parts) == 1:
        return address_problem(parts[0])
    if len(parts) > MAX_PEER_ADDRESSES or len(text) > 255:
        return f"at most {MAX_PEER_ADDRESSES} addresses (255 characters) per peer"
    for part in parts:
        if problem := address_problem(part):
            return problem
    hosts = [p.rpartition(":")[0] for p in parts]
    if not (all(_IPV4.fullmatch(h) for h in hosts) or all(h.startswith("[") for h in hosts)):
        return (
            "several addresses must all be IPv4 or all [IPv6] literals (for several "
            "hosts by name, give one DNS name that resolves to each replica)"
        )
    if len(set(parts)) != len(parts):
        return "an address is listed twice"
    return None


def normalize_db_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def load(path: Path) -> NodeConfig:
    """Load and validate a node config file."""
    text = read_text(
        path,
        "config file",
        error=ConfigError,
        missing_hint="pass --config with a node file such as nodes/kz.toml",
    )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    unknown = set(data) - _TOP
    if unknown:
        raise ConfigError(
            f"{path}: unknown key {sorted(unknown)[0]!r}",
            hint=f"a node config accepts: {', '.join(sorted(_TOP))}",
        )
    country = data.get("country")
    if not isinstance(country, str) or not is_country(country):
        raise ConfigError(
            f"{path}: 'country' must be a two-letter lower-case ISO 3166-1 code, like \"kz\""
        )
    listen = data.get("listen", "127.0.0.1:0")
    if not isinstance(listen, str) or address_problem(listen, allow_any_port=True):
        raise ConfigError(f"{path}: 'listen' must be host:port, like \"127.0.0.1:7401\"")
    state = data.get("state_dir", f"state/{country}")
    if not isinstance(state, str):
        raise ConfigError(f"{path}: 'state_dir' must be a path")
    state_dir = (path.parent / state).resolve()
    db = data.get("database_url", "")
    if not isinstance(db, str):
        raise ConfigError(f"{path}: 'database_url' must be text")
    if db and not db.startswith(DB_SCHEMES):
        raise ConfigError(
            f"{path}: database_url {db.split('://')[0][:20]!r}://... is not a database this "
            "node can use",
            hint="use postgresql://user@host:5432/dbname, or leave it out for SQLite in state_dir",
        )
    policy = data.get("policy", f"{country}.policy.toml")
    if not isinstance(policy, str):
        raise ConfigError(f"{path}: 'policy' must be the path of the node's policy file")
    mkey = data.get("matching_key")
    if mkey is not None and not isinstance(mkey, str):
        raise ConfigError(f"{path}: 'matching_key' must be the path of the region's key file")
    replica = data.get("replica", "")
    if not isinstance(replica, str) or (replica and (why := replica_problem(replica))):
        raise ConfigError(f"{path}: {why if isinstance(replica, str) else 'replica must be text'}")
    return NodeConfig(
        country=country,
        replica=replica,
        matching_key=(path.parent / mkey).resolve() if mkey else None,
        policy=(path.parent / policy).resolve(),
        listen=listen,
        state_dir=state_dir,
        name=str(data.get("name", country.upper())),
        database_url=normalize_db_url(db),
        sync=_section(data, "sync", SyncConfig, path),
        limits=_section(data, "limits", Limits, path),
        documents=_section(data, "documents", DocumentsConfig, path),
        metrics=_metrics(data.get("metrics", {}), path),
        retention=_section(data, "retention", RetentionConfig, path),
        source=path.resolve(),
    )
