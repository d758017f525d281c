"""`exchange backup` and `exchange restore`: an online copy of a SQLite node's database, and
putting one back on a stopped node after checking it (exchange.app.backup says how).

Both work on the database file directly, without the node: a backup while it runs, a restore
while it is stopped. Neither touches the private keys in the state dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from exchange.app import backup as app_backup
from exchange.cli.common import config_option, console, echo, json_option, load_config, print_json

WITNESS_NOTE = (
    "peers hold signed heads of the audit log from before the restore: they refuse newer "
    "heads below those, and audit verify --with-peers reports the later events as rewritten"
)
SHOW_PROGRESS_PAGES = 256  # a bar only for databases over 16 MiB (64 KiB pages)


@click.command()
@config_option
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The backup file to write (a new file: nothing is overwritten).",
)
@json_option
def backup(config_path: Path | None, out: Path, as_json: bool) -> None:
    """Copy a SQLite node's database while it runs (0600); keys are not included.

    For a PostgreSQL node it refuses and prints the pg_dump command to use."""
    cfg = load_config(config_path)
    with Progress(
        TextColumn("backup"),
        BarColumn(),
        TaskProgressColumn(),
        console=console,
        disable=as_json,
        transient=True,
    ) as bar:
        task: Any = None

        def progress(done: int, total: int) -> None:
            nonlocal task
            if total < SHOW_PROGRESS_PAGES:
                return
            if task is None:
                task = bar.add_task("backup", total=total)
            bar.update(task, completed=done, total=total)

        taken = app_backup.backup(cfg, out, progress)
    if as_json:
        print_json(
            {
                "file": str(taken.path),
                "sha256": taken.sha256,
                "bytes": taken.size,
                "audit_seq": taken.audit_seq,
                "audit_event": taken.audit_event,
            }
        )
        return
    echo(
        f"backup written to {taken.path} ({taken.size} bytes, 0600), sha256 {taken.sha256}; "
        f"it holds the audit log up to event {taken.audit_seq} (audited as event "
        f"{taken.audit_event}, node.backup)"
    )
    echo(f"keys are not in it: back up {cfg.state_dir}/*.key separately, offline (0600)")


@click.command()
@config_option
@click.option(
    "--from",
    "source",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="A file written by exchange backup.",
)
@json_option
def restore(config_path: Path | None, source: Path, as_json: bool) -> None:
    """Check a backup and make it the node's database (the node must be stopped).

    The current database is kept beside as node.db.before-restore-<stamp>."""
    cfg = load_config(config_path)
    done = app_backup.restore(cfg, source)
    if as_json:
        print_json(
            {
                "restored": str(done.source),
                "sha256": done.sha256,
                "kept": str(done.kept) if done.kept else None,
                "revision": done.revision,
                "audit_events": done.audit_events,
                "audit_note": WITNESS_NOTE,
                "channels": [
                    {
                        "peer": c.peer,
                        "direction": c.direction,
                        "head_seq": c.head_seq,
                        "acked_seq": c.acked_seq,
                        "after_restart": c.action,
                    }
                    for c in done.channels
                ],
            }
        )
        return
    kept = f"; the old database is kept as {done.kept}" if done.kept else ""
    echo(
        f"restored {done.source} (sha256 {done.sha256[:16]}): audit chain intact "
        f"({done.audit_events} events), channel heads consistent{kept}"
    )
    for c in done.channels:
        arrow = "->" if c.direction == "outgoing" else "<-"
        echo(f"  {arrow} {c.peer} (head {c.head_seq}): {c.action}")
    echo(
        f"peers hold signed heads of this node's audit log from before the restore: they "
        f"refuse its heads until it passes those (audit.witness_refused), and audit verify "
        f"--with-peers reports the events after {done.audit_events} as rewritten (this restore, "
        "audited as node.restored)"
    )
    echo("start the node (exchange serve): delivery resumes as above")
