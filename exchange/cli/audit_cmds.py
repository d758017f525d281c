"""`exchange audit verify|list`: check and read the node's hash-chained audit log.

Reads the database directly, so it works whether or not the node is running. `verify
--with-peers` also asks the running node to fetch the signed heads its peers hold of this log
(exchange.node.auditheads) and checks each against the chain: the chain alone can be recomputed
by anyone who can write the database, the peers' signed heads cannot.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from exchange._proto.v1 import operator_pb2
from exchange.app import audit as app_audit
from exchange.app.audit import own_signing_keys
from exchange.app.keyed import id_prefix
from exchange.audit_checkpoint import AuditCheckpoint
from exchange.audit_witness import PeerHeads, WitnessReport
from exchange.cli.client import Operator
from exchange.cli.common import (
    config_option,
    console,
    echo,
    json_option,
    load_config,
    print_json,
)
from exchange.errors import Error
from exchange.store.db import Database


@click.group()
def audit() -> None:
    """The audit log: every publish, receipt, refusal and peer change, hash-chained."""


EXIT_PEERS_UNCHECKED = 3  # the chain and every reachable peer agree, but a peer was not asked


@audit.command()
@config_option
@click.option(
    "--with-peers",
    is_flag=True,
    help="Also check the chain against the signed heads the peers hold (the node must run).",
)
@json_option
def verify(config_path: Path | None, with_peers: bool, as_json: bool) -> None:
    """Check the whole audit chain and its head; fail if anything was edited or removed.

    With --with-peers, exit status 3 means no mismatch but some peer could not be asked."""
    cfg = load_config(config_path)
    # Peers first: every head they hold must then be within the chain read after.
    witnessed = _ask_peers(cfg) if with_peers else None
    db = Database(cfg.db_url)
    try:
        checked = app_audit.verify(db, witnessed, own_signing_keys(cfg.state_dir, cfg.country))
    finally:
        db.close()
    report = checked.witnesses
    if report is None:
        if as_json:
            print_json({"intact": True, "events": checked.events, "head": checked.head.hex()})
        else:
            echo(f"audit log intact: {checked.events} events, head {checked.head.hex()[:16]}")
        return
    failure = report.failure()
    if as_json:
        print_json(_report_json(report, checked.head, failure))
    else:
        _print_report(report, checked.head, failure is None)
    if failure is not None:
        raise failure
    if report.offline:
        echo(f"warning: not checked against {', '.join(report.offline)} (offline)", err=True)
        sys.exit(EXIT_PEERS_UNCHECKED)


def _ask_peers(cfg: Any) -> list[PeerHeads]:
    op = Operator(cfg)
    resp = op.call(op.stub.AuditWitnesses, operator_pb2.AuditWitnessesRequest())
    out = []
    for p in resp.peers:
        heads = [
            AuditCheckpoint(
                cfg.country, h.seq, bytes(h.hash), h.signed_at.ToNanoseconds(), h.key_id, b""
            )
            for h in p.heads
        ]
        out.append(
            PeerHeads(p.peer, p.reachable, heads, p.error, p.unverified, p.unverified_reason)
        )
    return out


def _report_json(report: WitnessReport, head: bytes, failure: Error | None) -> dict[str, Any]:
    return {
        "intact": failure is None,
        "events": report.events,
        "head": head.hex(),
        "first_mismatch": report.first_mismatch,
        "error": failure.message if failure else None,
        "offline": report.offline,
        "peers": [
            {
                "peer": p.peer,
                "reachable": p.reachable,
                "error": p.error,
                "checked": p.checked,
                "newest": p.newest,
                "mismatches": p.mismatches[:100],
                "unverified": p.unverified,
            }
            for p in report.peers
        ],
    }


def _print_report(report: WitnessReport, head: bytes, ok: bool) -> None:
    table = Table("peer", "signed heads held", "newest", "result")
    for p in report.peers:
        if not p.reachable:
            result = f"not checked: {p.error}"
        elif p.mismatches:
            result = f"MISMATCH at {len(p.mismatches)} head(s), first event {p.mismatches[0]}"
        else:
            result = "match" if p.checked else "holds no head of this node yet"
        if p.unverified:
            result += f"; {p.unverified} head(s) not signed by this node's keys (ignored)"
        table.add_row(p.peer, str(p.checked), str(p.newest or "-"), result)
    console.print(table)
    if ok:
        witnessed = sum(1 for p in report.peers if p.checked)
        echo(
            f"audit log intact: {report.events} events, head {head.hex()[:16]}; matches the "
            f"signed heads of {witnessed} peer(s)"
        )


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
@click.option(
    "--request",
    "request_id",
    default=None,
    help="Only events about this record request (id or its first 8+ characters): the "
    "request, its receipt, the decision, the response and every opening, on this side.",
)
@json_option
def list_events(
    config_path: Path | None,
    last: int,
    event: str | None,
    alert_id: str | None,
    request_id: str | None,
    as_json: bool,
) -> None:
    """Show the newest audit events (ids, versions, countries, reasons; never subject data)."""
    cfg = load_config(config_path)
    prefix = id_prefix(alert_id) if alert_id is not None else None
    rprefix = id_prefix(request_id) if request_id is not None else None
    db = Database(cfg.db_url)
    try:
        events = app_audit.events(db, event, prefix, last, rprefix)
    finally:
        db.close()
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
