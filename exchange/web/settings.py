"""The console's settings: the `[web]` table of the node's config file, and --listen.

A console listening anywhere but loopback must have a TLS certificate and key: its cookies
carry sessions, and the forms carry names typed for a check."""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exchange.errors import ConfigError

DEFAULT_LISTEN = "127.0.0.1:8080"
_KEYS = {"listen", "tls_cert", "tls_key", "idle_minutes", "absolute_hours"}


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    tls_cert: Path | None = None
    tls_key: Path | None = None
    idle_minutes: int = 30
    absolute_hours: int = 12

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"--listen {text[:60]!r} is not HOST:PORT", hint="e.g. 127.0.0.1:8080")
    return host.strip("[]"), int(port)


def load(config_path: Path, listen: str | None) -> WebSettings:
    """The [web] table (all optional), with --listen over its `listen`."""
    data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    raw: Any = data.get("web", {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{config_path}: [web] must be a table")
    if unknown := set(raw) - _KEYS:
        raise ConfigError(
            f"{config_path}: unknown key web.{sorted(unknown)[0]}",
            hint=f"[web] accepts: {', '.join(sorted(_KEYS))}",
        )
    host, port = parse_listen(listen or str(raw.get("listen", DEFAULT_LISTEN)))
    paths: dict[str, Path | None] = {}
    for key in ("tls_cert", "tls_key"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{config_path}: web.{key} must be a path")
        paths[key] = (config_path.parent / value).resolve() if value else None
    if (paths["tls_cert"] is None) != (paths["tls_key"] is None):
        raise ConfigError(f"{config_path}: give both web.tls_cert and web.tls_key, or neither")
    numbers = {}
    for key, low, high in (("idle_minutes", 1, 24 * 60), ("absolute_hours", 1, 24)):
        value = raw.get(key, getattr(WebSettings(), key))
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ConfigError(f"{config_path}: web.{key} must be a whole number {low}-{high}")
        numbers[key] = value
    out = WebSettings(host, port, paths["tls_cert"], paths["tls_key"], **numbers)
    if not is_loopback(host) and not out.tls:
        raise ConfigError(
            f"the console would listen on {host} without TLS",
            hint="listen on 127.0.0.1, or set web.tls_cert and web.tls_key in the node's config",
        )
    return out
