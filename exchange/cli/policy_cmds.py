"""`exchange policy check|reload|explain`: the node's access policy."""

from __future__ import annotations

from pathlib import Path

import click

from exchange._proto.v1 import operator_pb2
from exchange.cli.client import Operator
from exchange.cli.common import (
    assemble,
    config_option,
    console,
    echo,
    json_option,
    load_config,
    print_json,
)
from exchange.policy import FIELDS, load_policy


@click.group()
def policy() -> None:
    """Who may receive what from this node (default deny)."""


@policy.command()
@click.argument("file", type=click.Path(path_type=Path))
@json_option
def check(file: Path, as_json: bool) -> None:
    """Validate a policy file; point at the offending line if it is invalid."""
    pol = load_policy(file)
    summary = {
        "country": pol.country,
        "digest": pol.digest,
        "groups": {g: sorted(m) for g, m in pol.groups.items()},
        "share": [
            {
                "to": r.to,
                "categories": len(r.categories),
                "max_handling": f"H{r.max_handling - 1}",
                "fields": sorted(r.fields),
                "record_requests": r.record_requests,
                "document_topics": sorted(r.document_topics),
            }
            for r in pol.share
        ],
        "accept": [
            {
                "from": r.source,
                "categories": len(r.categories),
                "max_batch": r.max_batch,
                "max_rate": r.max_rate,
                "document_topics": sorted(r.document_topics),
                "max_document_size": r.max_document_size,
                "document_budget": r.document_budget,
            }
            for r in pol.accept
        ],
    }
    if as_json:
        print_json(summary)
        return
    echo(f"{file}: valid policy for {pol.country} (sha256 {pol.digest[:16]})")
    for r in pol.share:
        withheld = len(FIELDS) - len(r.fields)
        echo(
            f"  share with {r.to}: {len(r.categories)} categories up to H{r.max_handling - 1}, "
            f"{len(r.fields)} optional fields ({withheld} withheld), record requests "
            f"{r.record_requests}, documents on {len(r.document_topics)} topics"
        )
    for a in pol.accept:
        echo(
            f"  accept from {a.source}: {len(a.categories)} categories, "
            f"batches <= {a.max_batch}, <= {a.max_rate:g} entries/s, documents on "
            f"{len(a.document_topics)} topics (<= {a.max_document_size // 2**20} MiB each, "
            f"{a.document_budget // 2**20} MiB from each peer)"
        )
    echo("  everyone else: nothing (default deny)")


@policy.command()
@config_option
@json_option
def reload(config_path: Path | None, as_json: bool) -> None:
    """Make the running node load its policy file again (refused if the file is invalid)."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        info = op.call(op.stub.ReloadPolicy, operator_pb2.ReloadPolicyRequest())
    if as_json:
        print_json({"path": info.path, "digest": info.digest, "changed": info.changed})
        return
    state = "loaded" if info.changed else "unchanged"
    echo(f"policy {state}: {info.path} (sha256 {info.digest[:16]})")


@policy.command("explain")
@config_option
@click.option("--peer", required=True, help="The peer country, e.g. kg.")
@click.option("--alert", "alert_id", required=True, help="One of this node's alert ids.")
@json_option
def explain_cmd(config_path: Path | None, peer: str, alert_id: str, as_json: bool) -> None:
    """Why each field of an alert is sent to a peer or withheld, rule by rule."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        resp = op.call(
            op.stub.ExplainPolicy,
            operator_pb2.ExplainPolicyRequest(peer=peer.lower(), alert_id=alert_id),
        )
    if as_json:
        print_json({"send": resp.send, "fields": list(resp.fields), "lines": list(resp.lines)})
        return
    verdict = ("sent", "green") if resp.send else ("withheld", "red")
    console.print(assemble(f"alert {alert_id} to {peer}: ", verdict))
    for line in resp.lines:
        console.print(f"  {line}")
