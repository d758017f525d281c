"""`exchange init`, `exchange serve`, `exchange status`."""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.table import Table

from exchange._proto.v1 import operator_pb2
from exchange.alerts.model import ts_datetime
from exchange.cli.alarms_cmds import alarm_dict
from exchange.cli.client import Operator
from exchange.cli.common import (
    assemble,
    config_option,
    console,
    echo,
    json_option,
    load_config,
    print_json,
    styled,
)
from exchange.config import address_problem, replica_problem
from exchange.errors import ConfigError
from exchange.node import identity as identity_mod
from exchange.node.tls import format_fingerprint
from exchange.policy import load_policy
from exchange.policy.template import default_policy
from exchange.store.db import Database


@click.command()
@config_option
@json_option
def init(config_path: Path | None, as_json: bool) -> None:
    """Create a node's state dir: signing key, TLS key and certificate, database."""
    cfg = load_config(config_path)
    # The database first: a wrong or unreachable database_url must leave nothing behind, so
    # that a rerun with the URL fixed simply works.
    identity_mod.ensure_new(cfg.state_dir)
    created = not cfg.state_dir.exists()
    cfg.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # SQLite's file lives here
    try:
        db = Database(cfg.db_url)
        try:
            db.migrate()
        finally:
            db.close()
    except BaseException:
        if created:
            shutil.rmtree(cfg.state_dir, ignore_errors=True)
        raise
    ident = identity_mod.create(cfg.state_dir, cfg.country, datetime.now(UTC))
    wrote_policy = cfg.policy is not None and not cfg.policy.exists()
    if cfg.policy is not None and wrote_policy:
        cfg.policy.write_text(default_policy(cfg.country))
    if as_json:
        print_json(
            {
                "country": cfg.country,
                "state_dir": str(cfg.state_dir),
                "policy_written": str(cfg.policy) if wrote_policy else None,
                "fingerprint": ident.fingerprint,
                "key_ids": identity_mod.key_ids(ident),
            }
        )
        return
    echo(f"initialised the {cfg.country} node in {cfg.state_dir}")
    if wrote_policy:
        echo(f"wrote a deny-all policy to {cfg.policy}: edit it to share with peers")
    echo("TLS fingerprint (give it to peers' administrators out of band):")
    echo(f"  {format_fingerprint(ident.fingerprint)}")
    for purpose, kid in identity_mod.key_ids(ident).items():
        echo(f"{purpose} key id: {kid}")
    echo(f"next: exchange serve --config {cfg.source}")


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Log one JSON object per line.")
@click.option(
    "--replica",
    default=None,
    metavar="NAME",
    help="Run as replica NAME of the node (PostgreSQL only): own files in "
    "STATE_DIR/replicas/NAME, the node's keys and database shared.",
)
@click.option("--listen", default=None, metavar="HOST:PORT", help="Peer port of this process.")
def serve(config_path: Path | None, as_json: bool, replica: str | None, listen: str | None) -> None:
    """Run the node (peer port with mutual TLS; operator socket in the state dir)."""
    from exchange.node.serve import serve as run_serve

    cfg = load_config(config_path)
    if replica is not None:
        if problem := replica_problem(replica):
            raise ConfigError(problem, hint="name replicas b, c, ... (the first process has none)")
        cfg = cfg.with_overrides(replica=replica)
    if listen is not None:
        if problem := address_problem(listen, allow_any_port=True):
            raise ConfigError(f"--listen: {problem}", hint='give host:port, like "0.0.0.0:7411"')
        cfg = cfg.with_overrides(listen=listen)
    identity_mod.load(cfg.state_dir, cfg.country)  # clear errors before starting anything
    if cfg.policy is not None:
        load_policy(cfg.policy, cfg.country)
    run_serve(cfg, as_json)


def _ago(ts: datetime | None) -> str:
    if ts is None:
        return "never"
    secs = int((datetime.now(UTC) - ts).total_seconds())
    return f"{secs}s ago" if secs < 120 else f"{secs // 60}m ago"


def status_dict(resp: operator_pb2.StatusResponse) -> dict[str, object]:
    return {
        "country": resp.country,
        "address": resp.address,
        "fingerprint": resp.fingerprint,
        "sign_key_id": resp.sign_key_id,
        "serving": resp.serving,
        "alerts_own": resp.alerts_own,
        "alerts_received": resp.alerts_received,
        "alarms": list(resp.alarms),
        "alarm_states": [alarm_dict(a) for a in resp.alarm_states],
        "unacknowledged_alarms": sum(not a.acknowledged for a in resp.alarm_states),
        "users_configured": resp.users_configured,
        "records": {
            "pending": resp.records_pending,
            "overdue": resp.records_overdue,
            "due_soon": resp.records_due_soon,
        },
        "seal_post_quantum": resp.seal_post_quantum,
        "alerts_review_due": resp.alerts_review_due,
        "replica": resp.replica,
        "leases": list(resp.leases),
        "peers": [
            {
                "country": p.country,
                "address": p.address,
                "connected": p.connected,
                "last_contact": ts_datetime(p.last_contact).isoformat()
                if p.HasField("last_contact")
                else None,
                "outbox_depth": p.outbox_depth,
                "lag_entries": p.outbox_depth,
                "sent_head": p.sent_head,
                "acked_seq": p.acked_seq,
                "received_head": p.received_head,
                "last_error": p.last_error,
                "stalled": p.stalled,
            }
            for p in resp.peers
        ],
    }


CHECK_FAILED = 2  # `status --check`: an alarm nobody acknowledged


@click.command()
@config_option
@json_option
@click.option(
    "--check",
    is_flag=True,
    help=f"Exit {CHECK_FAILED} when there is an alarm not acknowledged (for monitoring).",
)
def status(config_path: Path | None, as_json: bool, check: bool) -> None:
    """Show the node and, per peer: connected, last contact, outbox depth, lag."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        resp = op.call(op.stub.Status, operator_pb2.StatusRequest())
    failing = check and any(not a.acknowledged for a in resp.alarm_states)
    if as_json:
        print_json(status_dict(resp))
        if failing:
            sys.exit(CHECK_FAILED)
        return
    _show_status(resp)
    if failing:
        sys.exit(CHECK_FAILED)


def _show_status(resp: operator_pb2.StatusResponse) -> None:
    console.print(
        assemble(
            (resp.country, "bold"),
            f" node on {resp.address} ({resp.serving}); "
            f"{resp.alerts_own} own alerts, {resp.alerts_received} received",
        )
    )
    console.print(f"TLS fingerprint {format_fingerprint(resp.fingerprint)}")
    if resp.replica or resp.leases:
        console.print(
            (f"replica {resp.replica}; " if resp.replica else "")
            + f"leases held here: {', '.join(resp.leases) or 'none (another replica has them)'}"
        )
    if not resp.users_configured:
        console.print(
            "no users configured: anyone who can reach the node's socket acts as its operator "
            "(add one: exchange users add NAME --role administrator)",
            style="yellow",
        )
    if not resp.seal_post_quantum:
        console.print(
            "sealing key is X25519 only: records cannot be sealed to this node; rotate it "
            "(exchange keys node rotate --purpose seal)",
            style="yellow",
        )
    if resp.alerts_review_due:
        console.print(
            f"{resp.alerts_review_due} of our alerts reach their review date soon or have: "
            "extend them (exchange alerts extend ID --valid-until DATE) or let them expire",
            style="yellow",
        )
    if resp.records_pending or resp.records_overdue or resp.records_due_soon:
        console.print(
            assemble(
                ("records", "bold"),
                f": {resp.records_pending} waiting for an approver, "
                f"{resp.records_due_soon} due within 24 h, ",
                (f"{resp.records_overdue} overdue", "red" if resp.records_overdue else ""),
                " (exchange records list)",
            )
        )
    table = Table("peer", "link", "last contact", "behind", "received", "address")
    for p in resp.peers:
        last = ts_datetime(p.last_contact) if p.HasField("last_contact") else None
        table.add_row(
            p.country,
            (styled("stalled", "yellow") if p.stalled else styled("up", "green"))
            if p.connected
            else styled("down", "red"),
            _ago(last),
            f"{p.outbox_depth} entries",
            f"seq {p.received_head}",
            p.address,
        )
    console.print(table)
    for p in resp.peers:
        if not p.connected and p.last_error:
            console.print(assemble((p.country, "red"), ": ", p.last_error[:200]))
        if p.stalled:
            console.print(assemble((p.country, "yellow"), ": ", p.stalled[:200]))
    console.print("behind: our entries the peer has not acknowledged (outbox depth)", style="dim")
    for a in resp.alarm_states:
        if a.acknowledged:
            console.print(assemble(("acknowledged", "yellow"), f" [{a.id}] ", a.text))
        else:
            console.print(assemble(("ALARM", "bold red"), f" [{a.id}] ", a.text))
    if any(not a.acknowledged for a in resp.alarm_states):
        console.print("acknowledge one with: exchange alarms ack ID --reason TEXT", style="dim")
    if resp.alarms:
        console.print("details: exchange keys status; the audit log has every refusal", style="dim")
