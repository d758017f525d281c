"""`exchange keys show` and `exchange keys revoke`: the offline commands that read and write
trust files. A revocation names a key only if a certificate names it too, so a typo cannot
spread a permanent alarm to every node."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import click

from exchange._proto.v1 import trust_pb2
from exchange.alerts.model import is_country
from exchange.cli.common import echo, json_option, print_json
from exchange.cli.keys_cmds import keys, open_admin_key, parse_when, show_bundle
from exchange.errors import MalformedInput
from exchange.trust import CERTIFICATE_PAYLOAD_TYPE, issue_revocation, node_key_id
from exchange.trust.describe import Described, describe, parse_certificate
from exchange.trust.files import read_items, write_items
from exchange.trust.keyids import resolve_key_id


def _show_item(d: Described) -> None:
    if d["kind"] == "bundle":
        show_bundle(d)
        return
    signed = ", ".join(str(k) for k in d["signed_by"]) or "nobody"  # type: ignore[attr-defined]
    if d["kind"] == "certificate":
        echo(f"certificate  {d['country']} {d['purpose']} key id {d['key_id']}")
        echo(f"  valid {d['valid_from']} .. {d['valid_until']}; signed by admin key {signed}")
    else:
        echo(f"revocation   {d['country']} key id {d['key_id']} from {d['effective']}")
        echo(f"  reason {d['reason']!r}; signed by admin key {signed}")


@keys.command("show")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
def show(files: tuple[Path, ...], as_json: bool) -> None:
    """Print what a bundle, certificates or revocation file holds, with full key ids
    (nothing is trusted or installed)."""
    items = [describe(env) for f in files for env in read_items(f)]
    if as_json:
        print_json(items)
        return
    for d in items:
        _show_item(d)


def _certified_ids(files: tuple[Path, ...], country: str) -> dict[str, str]:
    """Key id -> purpose for every key of `country` that the certificate files name."""
    out: dict[str, str] = {}
    for f in files:
        for env in read_items(f):
            if env.payload_type == CERTIFICATE_PAYLOAD_TYPE:
                cert = parse_certificate(env)
                if cert.country == country:
                    out[node_key_id(cert.public_key, cert.purpose)] = trust_pb2.KeyPurpose.Name(
                        cert.purpose
                    )
    return out


def _revoked_id(key_id: str, country: str, certs: tuple[Path, ...], unlisted: bool) -> str:
    if unlisted:
        full = key_id.strip().lower()
        if len(full) != 64:
            raise MalformedInput(
                "--unlisted needs the full key id (64 lower-case hex characters)",
                hint="a prefix is accepted only with --certs, which names the key",
            )
        return full
    if not certs:
        raise MalformedInput(
            "give the certificate file(s) that name the key: --certs FILE",
            hint="a revocation cannot be withdrawn, so the key id is checked against the "
            "certificates you issued (or pass --unlisted with the full id)",
        )
    known = _certified_ids(certs, country)
    if not known:
        raise MalformedInput(f"the --certs files hold no certificate for {country!r}")
    return resolve_key_id(key_id, known, f"{country} certified key")


@keys.command("revoke")
@click.option(
    "--key",
    "key_file",
    type=click.Path(path_type=Path),
    required=True,
    help="Your country's admin key file.",
)
@click.option("--country", required=True, help="Your country (a country revokes its own keys).")
@click.option(
    "--key-id",
    "key_id",
    required=True,
    help="Key id of the node key (see `exchange keys status`); 8 or more hex digits.",
)
@click.option(
    "--certs",
    "certs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Certificate files that name the key (e.g. kz.certs); the key id must match one.",
)
@click.option(
    "--unlisted",
    is_flag=True,
    help="Revoke a key id that no --certs file names (the full 64 hex digits).",
)
@click.option(
    "--effective",
    default="now",
    show_default=True,
    help="From when the key is void; back-date it to when a compromise began.",
)
@click.option("--reason", default="", help="Why (kept in the audit log of every node).")
@click.option("--out", type=click.Path(path_type=Path), required=True)
@json_option
def revoke(
    key_file: Path,
    country: str,
    key_id: str,
    certs: tuple[Path, ...],
    unlisted: bool,
    effective: str,
    reason: str,
    out: Path,
    as_json: bool,
) -> None:
    """Sign a revocation of one of your country's node keys (it cannot be withdrawn)."""
    if not is_country(country):
        raise MalformedInput(f"unknown country {country!r}", hint="use a code like kz")
    full = _revoked_id(key_id, country, certs, unlisted)
    rev = trust_pb2.KeyRevocation(country=country, key_id=full, reason=reason)
    rev.effective.FromDatetime(parse_when(effective, "--effective"))
    if out.exists():
        raise MalformedInput(f"{out} already exists", hint="choose another path")
    env = issue_revocation(open_admin_key(key_file), rev)
    write_items(out, [env])
    if as_json:
        print_json(
            {
                "country": country,
                "key_id": full,
                "effective": rev.effective.ToDatetime(tzinfo=UTC).isoformat(),
                "file": str(out),
            }
        )
        return
    echo(f"wrote the revocation of {country} key {full} to {out}")
    echo("next: `exchange keys import FILE --config NODE.toml`; it reaches every node")
