"""`exchange serve`: run one node until SIGTERM/SIGINT, then stop gracefully."""

from __future__ import annotations

import asyncio
import logging
import signal

from exchange.config import NodeConfig
from exchange.node import identity as identity_mod
from exchange.node.runtime import Node
from exchange.store.db import Database


def configure_logging(country: str, level: int = logging.INFO) -> None:
    logging.basicConfig(
        level=level,
        format=f"%(asctime)s {country} %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("grpc").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


async def run(config: NodeConfig) -> None:
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


def serve(config: NodeConfig) -> None:
    configure_logging(config.country)
    asyncio.run(run(config))
