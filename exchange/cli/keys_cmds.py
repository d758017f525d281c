"""`exchange keys`: administrators' keys and the region trust bundle.

Node key certificates, revocation and publishing bundles to nodes are not built yet.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import click
from google.protobuf.message import DecodeError

from exchange._proto.v1 import envelope_pb2, trust_pb2
from exchange.alerts.model import is_country, timestamp
from exchange.cli.common import echo, json_option, print_json
from exchange.envelope import SigningKey, check_public_key
from exchange.errors import MalformedInput, NotPermitted
from exchange.node.identity import write_private
from exchange.trust import (
    BUNDLE_PAYLOAD_TYPE,
    MAX_BUNDLE_BYTES,
    Bundle,
    TrustedBundles,
    create_admin_key,
    encrypt_admin_key,
    fingerprint,
    parse_bundle,
    read_admin_key_file,
)
from exchange.trust.describe import Described, describe_bundle, threshold_warning
from exchange.trust.errors import BundleExpired

PASSPHRASE_ENV = "EXCHANGE_ADMIN_PASSPHRASE"


def parse_when(text: str, what: str) -> datetime:
    """`now`, a date or a date and time (UTC unless it says otherwise)."""
    if text == "now":
        return datetime.now(UTC)
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedInput(
            f"{what} {text!r} is not a time", hint="write now, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS"
        ) from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _passphrase(key_file: Path) -> str:
    return os.environ.get(PASSPHRASE_ENV) or click.prompt(
        f"passphrase for {key_file}", hide_input=True
    )


def open_admin_key(key_file: Path) -> SigningKey:
    """Read an admin key file; the passphrase is prompted, or taken from the environment.
    An old PKCS#8 file still opens, with a note to rewrap it (its KDF is weak)."""
    opened = read_admin_key_file(key_file, _passphrase(key_file))
    if opened.legacy:
        click.echo(
            f"note: {key_file} uses the old PKCS#8 format (PBKDF2, 2,048 iterations); "
            f"re-encrypt it with `exchange keys admin rewrap {key_file}`",
            err=True,
        )
    return opened.key


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
    pub = out.with_name(out.name + ".pub")
    pub.write_text(
        f"# {country} admin public key, fingerprint {fingerprint(key.public_raw)}\n"
        f"{key.public_raw.hex()}\n"
    )
    fp = fingerprint(key.public_raw)
    if as_json:
        print_json({"country": country, "file": str(out), "key_id": key.key_id, "fingerprint": fp})
        return
    echo(f"wrote the {country} admin key to {out} (0600, encrypted); public key: {pub}")
    echo("fingerprint (read it to the other administrators over the phone):")
    echo(f"  {fp}")
    echo(f"key id: {key.key_id}")


@admin.command("rewrap")
@click.argument("key_file", type=click.Path(path_type=Path))
@json_option
def admin_rewrap(key_file: Path, as_json: bool) -> None:
    """Re-encrypt an admin key file in the current format (Argon2id), same passphrase: old
    PKCS#8 files use a weak KDF. The file is replaced in one step, still 0600."""
    passphrase = _passphrase(key_file)
    opened = read_admin_key_file(key_file, passphrase)
    if not opened.legacy:
        if as_json:
            print_json({"file": str(key_file), "key_id": opened.key.key_id, "rewrapped": False})
            return
        echo(f"{key_file} already uses the current format; nothing changed")
        return
    tmp = key_file.with_name(f".{key_file.name}.rewrap")
    tmp.unlink(missing_ok=True)
    write_private(tmp, encrypt_admin_key(opened.key, passphrase))
    os.replace(tmp, key_file)
    if as_json:
        print_json({"file": str(key_file), "key_id": opened.key.key_id, "rewrapped": True})
        return
    echo(f"re-encrypted {key_file} with Argon2id (key id {opened.key.key_id})")


# -- bundles --------------------------------------------------------------------------------


def _read_pub(path: Path) -> bytes:
    try:
        lines = [x.strip() for x in path.read_text().splitlines()]
        raw = bytes.fromhex(next(x for x in lines if x and not x.startswith("#")))
    except (OSError, StopIteration, ValueError):
        raise MalformedInput(
            f"{path} is not an admin public key file",
            hint="use the .pub file written by `exchange keys admin init`",
        ) from None
    check_public_key(raw)
    return raw


def _parties(specs: tuple[str, ...]) -> list[trust_pb2.Party]:
    out = []
    for spec in specs:
        country, _, files = spec.partition("=")
        if not is_country(country) or not files:
            raise MalformedInput(
                f"bad party {spec!r}",
                hint="write COUNTRY=FILE.pub[,FILE2.pub], e.g. kz=kz.admin.key.pub",
            )
        keys_ = [_read_pub(Path(f)) for f in files.split(",")]
        out.append(trust_pb2.Party(country=country, admin_keys=keys_))
    return out


def _read_env(path: Path) -> envelope_pb2.Envelope:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MalformedInput(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_BUNDLE_BYTES:
        raise MalformedInput(f"{path} is larger than a bundle may be ({MAX_BUNDLE_BYTES} bytes)")
    try:
        env = envelope_pb2.Envelope.FromString(data)
    except DecodeError:
        raise MalformedInput(f"{path} is not a signed bundle file") from None
    if env.payload_type != BUNDLE_PAYLOAD_TYPE:
        raise MalformedInput(f"{path} is not a trust bundle")
    return env


@keys.group()
def bundle() -> None:
    """The region trust bundle: members, observers, admin keys, threshold (TUF-style chain)."""


@bundle.command()
@click.option(
    "--version",
    "version",
    type=click.IntRange(1, 2**31 - 1),
    required=True,
    help="Bundle version (1, then +1).",
)
@click.option("--expires", required=True, help="Expiry date, YYYY-MM-DD.")
@click.option(
    "--threshold", type=click.IntRange(1, 1000), required=True, help="Admin signatures needed."
)
@click.option("--member", "members", multiple=True, help="COUNTRY=ADMIN.pub[,ADMIN2.pub]")
@click.option("--observer", "observers", multiple=True, help="COUNTRY=ADMIN.pub")
@click.option("--out", type=click.Path(path_type=Path), required=True)
@json_option
def propose(
    version: int,
    expires: str,
    threshold: int,
    members: tuple[str, ...],
    observers: tuple[str, ...],
    out: Path,
    as_json: bool,
) -> None:
    """Write an unsigned bundle version for the administrators to sign."""
    when = parse_when(expires, "--expires")
    tb = trust_pb2.TrustBundle(
        version=version,
        threshold=threshold,
        members=_parties(members),
        observers=_parties(observers),
    )
    tb.expires.CopyFrom(timestamp(when))
    payload = tb.SerializeToString(deterministic=True)
    parse_bundle(payload)  # structure checks: thresholds, duplicate keys, small-order keys
    if out.exists():
        raise MalformedInput(f"{out} already exists", hint="choose another path")
    out.write_bytes(
        envelope_pb2.Envelope(payload_type=BUNDLE_PAYLOAD_TYPE, payload=payload).SerializeToString()
    )
    warning = threshold_warning(parse_bundle(payload))
    if as_json:
        print_json(
            {"version": version, "file": str(out), "digest": _digest(payload), "warning": warning}
        )
        return
    echo(f"wrote unsigned bundle v{version} to {out}; digest {_digest(payload)}")
    if warning:
        echo(f"warning: {warning}; use 2 or more unless this is a test region", err=True)
    echo("next: each administrator runs `exchange keys bundle sign FILE --key ADMIN.key`")


def _digest(payload: bytes) -> str:
    """The full digest: what administrators compare by phone and scripts pass to
    --expect-digest (a cut one would be easier to collide)."""
    return hashlib.sha256(payload).hexdigest()


def _check_signer(key_id: str, parsed: Bundle, previous: Bundle | None) -> None:
    """Refuse a signature that no threshold counts: only member admin keys of this version, or
    of the version before it, vote on it."""
    voters = set(parsed.member_admin_keys())
    if previous is not None:
        voters |= set(previous.member_admin_keys())
    if key_id in voters:
        return
    where = f"bundle v{parsed.version}" + (f" or v{previous.version}" if previous else "")
    observer = key_id in parsed.all_admin_keys()
    raise NotPermitted(
        f"this key is not an admin of {where}: key id {key_id}"
        + (" is an observer's admin key, which does not vote" if observer else ""),
        hint="sign with your member admin key; an admin of the previous version who is "
        "leaving passes --previous bundle.vN-1"
        if previous is None
        else "sign with a member admin key listed in one of these versions",
    )


@bundle.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--key", "key_file", type=click.Path(path_type=Path), required=True)
@click.option(
    "--previous",
    "previous_file",
    type=click.Path(path_type=Path),
    help="The version before FILE, if you sign as one of its admins (e.g. a country leaving).",
)
@json_option
def sign(file: Path, key_file: Path, previous_file: Path | None, as_json: bool) -> None:
    """Add your admin signature to a bundle file (check its digest with the others first).
    Refused for a key that does not vote on this version: nothing is written."""
    env = _read_env(file)
    parsed = parse_bundle(env.payload)
    previous = parse_bundle(_read_env(previous_file).payload) if previous_file else None
    if previous is not None and previous.version != parsed.version - 1:
        raise MalformedInput(
            f"--previous is bundle v{previous.version}, not v{parsed.version - 1}",
            hint="pass the version just before the one you sign",
        )
    admin_key = open_admin_key(key_file)
    _check_signer(admin_key.key_id, parsed, previous)
    if any(sig.key_id == admin_key.key_id for sig in env.signatures):
        raise MalformedInput("this key has already signed the bundle")
    env.signatures.extend(admin_key.sign(env.payload_type, env.payload).signatures)
    file.write_bytes(env.SerializeToString())
    if as_json:
        print_json(
            {
                "version": parsed.version,
                "digest": _digest(env.payload),
                "signatures": len(env.signatures),
                "key_id": admin_key.key_id,
            }
        )
        return
    echo(
        f"signed bundle v{parsed.version} (digest {_digest(env.payload)}); "
        f"{len(env.signatures)} signature(s)"
    )


@bundle.command("verify")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--previous",
    "previous",
    type=click.Path(path_type=Path),
    multiple=True,
    help="The trusted chain so far, oldest first (none: FILE is the first bundle).",
)
@json_option
def verify_cmd(file: Path, previous: tuple[Path, ...], as_json: bool) -> None:
    """Check a bundle: its own threshold (first bundle) or the rotation rules from the chain."""
    now = datetime.now(UTC)
    env = _read_env(file)
    if previous:
        trusted = TrustedBundles(_read_env(previous[0]))
        trusted.walk([_read_env(p) for p in previous[1:]], None)  # earlier ones may expire
        current = trusted.update(env, now)
    else:
        current = TrustedBundles(env).current
    if current.is_expired(now):
        raise BundleExpired(
            f"bundle v{current.version} expired at {current.expires_text}: its signatures "
            "are complete, but no node takes it",
            hint="administrators: propose and sign a new version with a later --expires",
        )
    warning = threshold_warning(current)
    if as_json:
        print_json(
            {
                "valid": True,
                "version": current.version,
                "digest": current.digest,
                "warnings": [warning] if warning else [],
            }
        )
        return
    echo(f"bundle v{current.version} is valid (digest {current.digest})")
    if warning:
        echo(f"warning: {warning}", err=True)


@bundle.command("show")
@click.argument("file", type=click.Path(path_type=Path))
@json_option
def show_cmd(file: Path, as_json: bool) -> None:
    """Print a bundle's members, observers, keys and who has signed it."""
    data = describe_bundle(_read_env(file))
    if as_json:
        print_json(data)
        return
    show_bundle(data)


def show_bundle(data: Described) -> None:
    echo(f"bundle v{data['version']}, expires {data['expires']}, threshold {data['threshold']}")
    echo(f"digest {data['digest']}")
    for role in ("members", "observers"):
        parties = data[role]
        assert isinstance(parties, dict)
        for country, ks in parties.items():
            for k in ks:
                echo(f"  {role[:-1]:8} {country}  key id {k['key_id']}")
                echo(f"                fingerprint {k['fingerprint']}")
    signed = data["signed_by"]
    assert isinstance(signed, list)
    echo(f"signed by: {', '.join(signed) or 'nobody yet'}")
    for w in data["warnings"]:  # type: ignore[attr-defined]
        echo(f"warning: {w}", err=True)
