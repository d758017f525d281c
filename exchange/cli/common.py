"""Shared CLI pieces: the --config option, JSON output and rich tables."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from exchange import config as config_mod
from exchange.config import NodeConfig
from exchange.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])
console = Console()
err_console = Console(stderr=True)


def config_option(fn: F) -> F:
    return click.option(
        "--config",
        "-c",
        "config_path",
        type=click.Path(path_type=Path),
        envvar="EXCHANGE_CONFIG",
        help="Node config file (or set EXCHANGE_CONFIG), e.g. nodes/kz.toml.",
    )(fn)


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
        fn
    )


def load_config(path: Path | None) -> NodeConfig:
    if path is None:
        raise ConfigError(
            "no node config given",
            hint="pass --config nodes/kz.toml (or set EXCHANGE_CONFIG)",
        )
    cfg = config_mod.load(path)
    override = os.environ.get("EXCHANGE_DATABASE_URL")
    if override:
        cfg = cfg.with_overrides(database_url=config_mod.normalize_db_url(override))
    return cfg


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
