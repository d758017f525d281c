"""`exchange audit verify|list`: check and read the node's hash-chained audit log.

Reads the database directly, so it works whether or not the node is running.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from exchange.app.keyed import id_prefix
from exchange.audit import verify_chain
from exchange.audit_alert import about
from exchange.cli.common import (
    config_option,
    console,
    echo,
    json_option,
    load_config,
    print_json,
)
from exchange.store import repo
from exchange.store.db import Database


@click.group()
def audit() -> None:
    """The audit log: every publish, receipt, refusal and peer change, hash-chained."""


@audit.command()
@config_option
@json_option
def verify(config_path: Path | None, as_json: bool) -> None:
    """Check the whole audit chain and its head; fail if anything was edited or removed."""
    cfg = load_config(config_path)
    db = Database(cfg.db_url)
    try:
        with db.read() as s:
            head = repo.audit_head(s)
            count = verify_chain(repo.audit_events(s), head)
    finally:
        db.close()
    if as_json:
        print_json({"intact": True, "events": count, "head": head[1].hex()})
    else:
        echo(f"audit log intact: {count} events, head {head[1].hex()[:16]}")


@audit.command("list")
@config_option
@click.option(
    "--last",
    type=click.IntRange(1, 100_000),
    default=20,
    show_default=True,
    help="How many of the newest events.",
)
@click.option("--event", default=None, help="Only this kind, e.g. channel.refused.")
@click.option(
    "--alert",
    "alert_id",
    default=None,
    help="Only events about this alert (id or its first 8+ characters): its publish, "
    "amendments, per-peer delivery, receipt, every read and every match hit.",
)
@json_option
def list_events(
    config_path: Path | None, last: int, event: str | None, alert_id: str | None, as_json: bool
) -> None:
    """Show the newest audit events (ids, versions, countries, reasons; never subject data)."""
    cfg = load_config(config_path)
    prefix = id_prefix(alert_id) if alert_id is not None else None
    db = Database(cfg.db_url)
    try:
        with db.read() as s:
            events = repo.audit_events(s, event)
    finally:
        db.close()
    if prefix is not None:
        events = [e for e in events if about(e.detail, prefix)]
    events = events[-last:]
    if as_json:
        print_json(
            [
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "event": e.event,
                    "peer": e.peer,
                    "detail": json.loads(e.detail),
                }
                for e in events
            ]
        )
        return
    table = Table("seq", "at (UTC)", "event", "peer", "detail")
    for e in events:
        table.add_row(
            str(e.seq), e.at.isoformat(timespec="seconds"), e.event, e.peer, e.detail[:120]
        )
    console.print(table)
