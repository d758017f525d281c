"""`exchange keys node|revoke|import|status|resolve` and `keys bundle publish`: node key
certificates, revocations, and installing trust items on a running node."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from google.protobuf.message import DecodeError
from google.protobuf.timestamp_pb2 import Timestamp

from exchange._proto.v1 import envelope_pb2, operator_pb2, trust_pb2
from exchange.alerts.model import is_country, ts_datetime
from exchange.cli.anchor import anchor_of, anchor_options, confirm_anchor
from exchange.cli.client import Operator
from exchange.cli.common import (
    assemble,
    config_option,
    console,
    echo,
    json_option,
    load_config,
    print_json,
    shown,
)
from exchange.cli.keys_cmds import bundle, keys, open_admin_key, parse_when
from exchange.errors import MalformedInput
from exchange.node import identity
from exchange.trust import (
    BUNDLE_PAYLOAD_TYPE,
    PURPOSES,
    issue_node_certificates,
    node_key_id,
)
from exchange.trust.checkpoint import load_checkpoint
from exchange.trust.files import read_items, write_items

admin_key_option = click.option(
    "--key",
    "key_file",
    type=click.Path(path_type=Path),
    required=True,
    help="Your country's admin key file.",
)


def _new_file(path: Path) -> None:
    if path.exists():
        raise MalformedInput(f"{path} already exists", hint="choose another path")


@keys.group()
def node() -> None:
    """A node's keys: what the administrator certifies, and rotation."""


@node.command("public")
@config_option
@click.option("--out", type=click.Path(path_type=Path), help="Write to this file too.")
@json_option
def node_public(config_path: Path | None, out: Path | None, as_json: bool) -> None:
    """Print the node's public keys (JSON, with or without --json) for its administrator to
    certify."""
    cfg = load_config(config_path)
    data = identity.public_keys(cfg.state_dir, cfg.country)
    text = json.dumps(data, indent=2)
    if out is not None:
        _new_file(out)
        out.write_text(text + "\n")
    if as_json:
        print_json(data)
        return
    echo(text)


@node.command("rotate")
@config_option
@click.option("--purpose", type=click.Choice(["sign", "seal", "tls"]), required=True)
@json_option
def node_rotate(config_path: Path | None, purpose: str, as_json: bool) -> None:
    """Create the next key beside the current one; the node switches to it once its
    certificate is imported and in effect (no restart)."""
    cfg = load_config(config_path)
    public = identity.rotate(cfg.state_dir, cfg.country, purpose, datetime.now(UTC))
    kid = node_key_id(public, PURPOSES[purpose])
    if as_json:
        print_json({"purpose": purpose, "key_id": kid})
        return
    echo(f"created the next {purpose} key, key id {kid}, in {cfg.state_dir}")
    echo(
        "next: `exchange keys node public` for the administrator, who runs "
        f"`exchange keys node issue --next --purpose {purpose}`; then `exchange keys import`"
    )


@node.command("issue")
@admin_key_option
@click.option(
    "--public",
    "public_file",
    type=click.Path(path_type=Path),
    required=True,
    help="The node's public keys (from `exchange keys node public`).",
)
@click.option(
    "--purpose",
    "purposes",
    multiple=True,
    type=click.Choice(sorted(PURPOSES)),
    help="Which keys (default: sign, seal and tls).",
)
@click.option("--next", "use_next", is_flag=True, help="Certify the node's next (rotated) keys.")
@click.option("--valid-from", default="now", show_default=True)
@click.option("--valid-days", type=click.IntRange(1, 3650), default=365, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), required=True)
@json_option
def node_issue(
    key_file: Path,
    public_file: Path,
    purposes: tuple[str, ...],
    use_next: bool,
    valid_from: str,
    valid_days: int,
    out: Path,
    as_json: bool,
) -> None:
    """Certify a node's public keys with your admin key (writes public certificates)."""
    try:
        pub = json.loads(public_file.read_text())
        country = str(pub["country"])
        source = pub["next"] if use_next else pub
    except (OSError, ValueError, KeyError, TypeError):
        raise MalformedInput(
            f"{public_file} is not a node public key file",
            hint="write it with `exchange keys node public --config NODE.toml --out FILE`",
        ) from None
    if not is_country(country):
        raise MalformedInput(f"{public_file} names no valid country")
    if not 1 <= valid_days <= 3650:
        raise MalformedInput("--valid-days must be between 1 and 3650")
    wanted = purposes or (("sign", "tls") if use_next else ("sign", "seal", "tls"))
    field_of = {"sign": "sign", "seal": "seal", "tls": "tls_spki" if not use_next else "tls"}
    keys_: dict[trust_pb2.KeyPurpose.ValueType, bytes] = {}
    for p in wanted:
        value = source.get(field_of[p]) if isinstance(source, dict) else None
        if not value:
            raise MalformedInput(
                f"{public_file} has no {'next ' if use_next else ''}{p} key",
                hint="run `exchange keys node rotate` on the node first" if use_next else "",
            )
        try:
            keys_[PURPOSES[p]] = bytes.fromhex(str(value))
        except ValueError:
            raise MalformedInput(
                f"{public_file}: the {p} key is not hex",
                hint="write the file with `exchange keys node public`; never edit it by hand",
            ) from None
    _new_file(out)
    admin = open_admin_key(key_file)
    start = parse_when(valid_from, "--valid-from")
    certs = issue_node_certificates(
        admin,
        country,
        keys_,
        start,
        start + timedelta(days=valid_days),
    )
    write_items(out, certs)
    if as_json:
        print_json(
            {
                "country": country,
                "file": str(out),
                "purposes": list(wanted),
                "valid_from": start.isoformat(),
                "valid_until": (start + timedelta(days=valid_days)).isoformat(),
            }
        )
        return
    echo(
        f"wrote {len(certs)} certificate(s) for {country} ({', '.join(wanted)}) to {out}, valid "
        f"{start:%Y-%m-%d %H:%M} + {valid_days} days"
    )
    echo("next: `exchange keys import FILE --config NODE.toml` on any node of the region")
    if use_next:
        echo(
            "the old key stays valid until its own certificate ends; to end the overlap sooner, "
            "revoke it with `exchange keys revoke --effective WHEN`"
        )


def _import(
    config_path: Path | None,
    files: tuple[Path, ...],
    as_json: bool,
    yes: bool = False,
    expect_digest: str | None = None,
) -> None:
    cfg = load_config(config_path)
    items: list[envelope_pb2.Envelope] = []
    for f in files:
        items.extend(read_items(f))
    anchor = anchor_of(items)
    with Operator(cfg) as op:
        digest = ""
        if anchor is not None:
            held = op.call(op.stub.KeysStatus, operator_pb2.KeysStatusRequest())
            if not held.bundle_version:  # the first bundle: confirmed before anything is sent
                digest = confirm_anchor(anchor, yes, expect_digest)
        request = operator_pb2.ImportTrustRequest(items=items, anchor_digest=digest)
        resp = op.call(op.stub.ImportTrust, request)
    if as_json:
        print_json([{"kind": i.kind, "item": i.summary, "new": i.new} for i in resp.items])
        return
    for i in resp.items:
        echo(f"{'installed' if i.new else 'already held'}: {shown(i.kind)} {shown(i.summary)}")


@keys.command("import")
@config_option
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@anchor_options
@json_option
def import_cmd(
    config_path: Path | None,
    files: tuple[Path, ...],
    yes: bool,
    expect_digest: str | None,
    as_json: bool,
) -> None:
    """Install bundle versions, certificates and revocations on the running node; it checks
    each one and passes them on to its peers. A first bundle (the node's trust anchor) is
    shown and must be confirmed."""
    _import(config_path, files, as_json, yes, expect_digest)


@bundle.command("publish")
@config_option
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@anchor_options
@json_option
def publish(
    config_path: Path | None,
    files: tuple[Path, ...],
    yes: bool,
    expect_digest: str | None,
    as_json: bool,
) -> None:
    """Give signed bundle versions to the running node; the node checks the rotation rules and
    passes them on to its peers. On a node with no bundle yet, the first one becomes its
    permanent trust anchor: its digest and admin keys are shown and must be confirmed
    (a prompt, or --expect-digest DIGEST in scripts)."""
    for f in files:
        if any(e.payload_type != BUNDLE_PAYLOAD_TYPE for e in read_items(f)):
            raise MalformedInput(f"{f} is not a bundle", hint="use `exchange keys import` for it")
    _import(config_path, files, as_json, yes, expect_digest)


def _checkpoint_text(env: envelope_pb2.Envelope) -> str:
    try:
        return load_checkpoint(env.SerializeToString(deterministic=True)).summary()
    except (DecodeError, IndexError, ValueError):
        return "an unreadable checkpoint"


def _checkpoint_json(env: envelope_pb2.Envelope) -> dict[str, str]:
    """A checkpoint of the evidence: readable, and the signed envelope itself (base64) so
    administrators can compare it with other countries' and verify the signature."""
    body = env.SerializeToString(deterministic=True)
    return {"summary": _checkpoint_text(env), "envelope": base64.b64encode(body).decode()}


def _ts(ts: Timestamp) -> str:
    return ts_datetime(ts).strftime("%Y-%m-%d %H:%M") if ts.seconds else "-"


@keys.command("status")
@config_option
@json_option
def status(config_path: Path | None, as_json: bool) -> None:
    """Every key the node trusts, with validity and state; expiry warnings and alarms."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        r = op.call(op.stub.KeysStatus, operator_pb2.KeysStatusRequest())
    if as_json:
        print_json(
            {
                "bundle": {
                    "version": r.bundle_version,
                    "digest": r.bundle_digest,
                    "expires": _ts(r.bundle_expires),
                },
                "keys": [
                    {
                        "country": k.country,
                        "purpose": k.purpose,
                        "key_id": k.key_id,
                        "fingerprint": k.fingerprint,
                        "valid_from": _ts(k.valid_from),
                        "valid_until": _ts(k.valid_until),
                        "state": k.state,
                    }
                    for k in r.keys
                ],
                "warnings": list(r.warnings),
                "alarms": list(r.alarms),
                "key_log_heads": {h.country: h.seq for h in r.key_log_heads},
                "frozen": [
                    {
                        "country": f.country,
                        "seq": f.seq,
                        "detail": f.detail,
                        "evidence": [_checkpoint_json(e) for e in f.evidence],
                    }
                    for f in r.frozen
                ],
            }
        )
        return
    if r.bundle_version:
        console.print(
            f"trust bundle v{r.bundle_version}, expires {_ts(r.bundle_expires)}, "
            f"digest {r.bundle_digest}"
        )
    # One key per two lines, so the whole id shows at any width (8+ digits of it are accepted).
    for k in r.keys:
        echo(
            f"{k.country:3} {k.purpose:8} {k.state:12} {_ts(k.valid_from)} .. {_ts(k.valid_until)}"
        )
        echo(f"    key id {k.key_id}")
    heads = ", ".join(f"{h.country}#{h.seq}" for h in r.key_log_heads)
    console.print(f"key logs: {heads or 'empty'}")
    for w in r.warnings:
        console.print(w, style="yellow")
    for a in r.alarms:
        console.print(assemble(("ALARM", "bold red"), " ", a))
    for f in r.frozen:
        for e in f.evidence:
            console.print(f"  evidence against {f.country}: {_checkpoint_text(e)}")


@keys.command("resolve")
@config_option
@click.argument("country")
@click.option("--reason", required=True, help="What the administrators found (audited).")
@json_option
def resolve(config_path: Path | None, country: str, reason: str, as_json: bool) -> None:
    """Lift the freeze a split view put on a country's key changes, after investigating."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        r = op.call(
            op.stub.ResolveKeyLog,
            operator_pb2.ResolveKeyLogRequest(country=country.lower(), reason=reason),
        )
    if as_json:
        print_json({"country": r.country, "discarded_entries": r.discarded_entries})
        return
    echo(
        f"key changes from {r.country} are trusted again; {r.discarded_entries} key log "
        "entries discarded, to be fetched again from its node"
    )
