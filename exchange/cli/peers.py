"""`exchange peers list|add|remove|set-address`."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from exchange._proto.v1 import operator_pb2
from exchange.cli.client import Operator
from exchange.cli.common import (
    config_option,
    console,
    echo,
    json_option,
    load_config,
    print_json,
)
from exchange.config import peer_address_problem
from exchange.node.tls import format_fingerprint


@click.group()
def peers() -> None:
    """The countries this node exchanges with, pinned by their certified TLS keys."""


@peers.command("list")
@config_option
@json_option
def list_peers(config_path: Path | None, as_json: bool) -> None:
    """List pinned peers."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        resp = op.call(op.stub.ListPeers, operator_pb2.ListPeersRequest())
    if as_json:
        print_json(
            [
                {
                    "country": p.country,
                    "address": p.address,
                    "fingerprint": p.fingerprint,
                    "sign_key_id": p.sign_key_id,
                }
                for p in resp.peers
            ]
        )
        return
    table = Table("peer", "address", "TLS fingerprint", "signing key id")
    for p in resp.peers:
        table.add_row(p.country, p.address, format_fingerprint(p.fingerprint), p.sign_key_id[:16])
    console.print(table)


@peers.command("add")
@config_option
@click.argument("country")
@click.option("--address", required=True, help="host:port of the peer's node.")
@click.option(
    "--fingerprint",
    default="",
    help="Optional: SHA-256 of the peer's TLS public key, checked besides its certificate.",
)
@json_option
def add_peer(
    config_path: Path | None, country: str, address: str, fingerprint: str, as_json: bool
) -> None:
    """Add a peer: the node connects and accepts it only if its TLS key carries a valid
    certificate from that country's admin key in the region trust bundle."""
    if problem := peer_address_problem(address):
        raise click.BadParameter(problem, param_hint="--address (host:port, e.g. kg.example:7402)")
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        info = op.call(
            op.stub.AddPeer,
            operator_pb2.AddPeerRequest(
                country=country.lower(), address=address, fingerprint=fingerprint
            ),
        )
    if as_json:
        print_json(_info(info))
        return
    echo(
        f"added {info.country} at {info.address}; TLS key certified "
        f"({info.fingerprint[:16]}), signing keys {info.sign_key_id[:16] or 'none yet'}"
    )


def _info(p: operator_pb2.PeerInfo) -> dict[str, str]:
    return {
        "country": p.country,
        "address": p.address,
        "fingerprint": p.fingerprint,
        "sign_key_id": p.sign_key_id,
    }


@peers.command("remove")
@config_option
@click.argument("country")
@json_option
def remove_peer(config_path: Path | None, country: str, as_json: bool) -> None:
    """Stop exchanging with a country (audited). Its channels stay: adding it again resumes
    where they stopped."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        info = op.call(op.stub.RemovePeer, operator_pb2.RemovePeerRequest(country=country.lower()))
    if as_json:
        print_json(_info(info))
    else:
        echo(f"removed {info.country} (was at {info.address})")


@peers.command("set-address")
@config_option
@click.argument("country")
@click.argument("address")
@json_option
def set_address(config_path: Path | None, country: str, address: str, as_json: bool) -> None:
    """Move a peer to a new host:port (audited); the node there must present a TLS key
    certified for that country."""
    if problem := peer_address_problem(address):
        raise click.BadParameter(problem, param_hint="ADDRESS (host:port, e.g. kg.example:7402)")
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        info = op.call(
            op.stub.SetPeerAddress,
            operator_pb2.SetPeerAddressRequest(country=country.lower(), address=address),
        )
    if as_json:
        print_json(_info(info))
    else:
        echo(f"{info.country} is now at {info.address}")
