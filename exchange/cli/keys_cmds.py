"""`exchange keys`: administrators' keys. (Bundles, certificates and revocation: coming.)"""

from __future__ import annotations

import os
from pathlib import Path

import click

from exchange.alerts.model import is_country
from exchange.cli.common import json_option, print_json
from exchange.errors import MalformedInput
from exchange.node.identity import write_private
from exchange.trust import create_admin_key, fingerprint

PASSPHRASE_ENV = "EXCHANGE_ADMIN_PASSPHRASE"


@click.group()
def keys() -> None:
    """Trust keys that administrators hold."""


@keys.group()
def admin() -> None:
    """A country's offline admin key (Ed25519, passphrase-encrypted)."""


@admin.command("init")
@click.option("--country", required=True, help="The country this key speaks for, e.g. kz.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Key file to write.")
@json_option
def admin_init(country: str, out: Path, as_json: bool) -> None:
    """Create an admin key, encrypted with a passphrase (prompted, or from
    EXCHANGE_ADMIN_PASSPHRASE for automation), written 0600."""
    if not is_country(country):
        raise MalformedInput(
            f"unknown country {country!r}", hint="use a two-letter lower-case code, like kz"
        )
    if out.exists():
        raise MalformedInput(
            f"{out} already exists", hint="choose another path; keys are never overwritten"
        )
    passphrase = os.environ.get(PASSPHRASE_ENV) or click.prompt(
        "passphrase for the new admin key", hide_input=True, confirmation_prompt=True
    )
    if len(passphrase) < 12:
        raise MalformedInput(
            "the passphrase is shorter than 12 characters", hint="choose a longer one"
        )
    key, pem = create_admin_key(passphrase)
    write_private(out, pem)
    fp = fingerprint(key.public_raw)
    if as_json:
        print_json({"country": country, "file": str(out), "key_id": key.key_id, "fingerprint": fp})
        return
    click.echo(f"wrote the {country} admin key to {out} (0600, encrypted)")
    click.echo("fingerprint (read it to the other administrators over the phone):")
    click.echo(f"  {fp}")
