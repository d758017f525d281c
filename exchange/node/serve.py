"""`exchange serve`: run one node until SIGTERM/SIGINT, then stop gracefully."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from datetime import UTC, datetime

from exchange.bounds import escape_controls
from exchange.config import NodeConfig
from exchange.errors import ConfigError
from exchange.node import identity as identity_mod
from exchange.node import memory, statelock
from exchange.node.runtime import Node
from exchange.store.db import Database


class SafeFormatter(logging.Formatter):
    """Messages may quote a peer's text (a refusal reason, a revocation's reason): control
    and bidi characters are escaped so no message can forge or hide log lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_controls(record.message)
        return super().formatMessage(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for a log shipper (`serve --json`); json.dumps escapes
    control characters, and bidi and other format characters are escaped as in text logs."""

    def __init__(self, country: str) -> None:
        super().__init__()
        self.country = country

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "country": self.country,
            "level": record.levelname,
            "logger": record.name,
            "message": escape_controls(record.getMessage()),
        }
        if record.exc_info:
            data["error"] = escape_controls(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False)


def configure_logging(country: str, level: int = logging.INFO, as_json: bool = False) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter(country)
        if as_json
        else SafeFormatter(f"%(asctime)s {country} %(levelname)s %(name)s: %(message)s")
    )
    logging.basicConfig(level=level, handlers=[handler])
    logging.getLogger("grpc").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


async def run(config: NodeConfig) -> None:
    memory.keep_large_buffers_on_mmap()
    if config.replica and config.db_url.startswith("sqlite"):
        raise ConfigError(
            f"replica {config.replica!r} needs PostgreSQL: SQLite serves one process",
            hint="set database_url to a PostgreSQL database shared by the replicas",
        )
    config.run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = statelock.hold(config.run_dir)  # before anything else touches the state dir
    try:
        db_lock = statelock.hold_sqlite(config.db_url, config.state_dir)
    except statelock.AlreadyRunning:
        lock.close()
        raise
    try:
        await _run(config)
    finally:
        if db_lock is not None:
            db_lock.close()
        lock.close()


async def _run(config: NodeConfig) -> None:
    ident = identity_mod.load(config.state_dir, config.country)
    node = Node(config, ident, Database(config.db_url))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await node.start()
    try:
        await stop.wait()
    finally:
        logging.getLogger("exchange.node").info("stopping (graceful)")
        await node.stop()


def serve(config: NodeConfig, as_json: bool = False) -> None:
    configure_logging(config.country, as_json=as_json)
    asyncio.run(run(config))
