"""Confirming a node's first trust bundle (its anchor) before it is installed.

Once installed an anchor is permanent (a wrong one is fixed only by wiping the state dir), so
the CLI shows what would be trusted (digest, admins' key ids and fingerprints) and asks, or
takes `--yes` / `--expect-digest` for scripts. The node enforces it too: the confirmed digest
travels in the ImportTrust request, and a node without an anchor installs nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from exchange._proto.v1 import envelope_pb2
from exchange.cli.common import echo
from exchange.errors import MalformedInput
from exchange.trust import BUNDLE_PAYLOAD_TYPE, Bundle, fingerprint, parse_bundle
from exchange.trust.describe import threshold_warning
from exchange.trust.errors import AnchorNotConfirmed

F = TypeVar("F", bound=Callable[..., Any])

# Digests of the example bundles shipped in examples/reference-keys/: never a real anchor.
EXAMPLE_DIGESTS = frozenset(
    {"6486b5d8d965c0a3f84c40d794c8440f3a78554bd94c185170eeba2df64eff3b"},
)


def anchor_options(f: F) -> F:
    f = click.option(
        "--expect-digest",
        "expect_digest",
        default=None,
        help="For scripts: the first bundle's full sha256 digest, as agreed by phone; "
        "any other bundle is refused and nothing is installed.",
    )(f)
    return click.option(
        "--yes",
        "yes",
        is_flag=True,
        help="Install a first bundle (trust anchor) without asking (not the example bundle).",
    )(f)


def describe(b: Bundle) -> list[str]:
    """What a person checks before trusting a bundle."""
    lines = [
        f"bundle v{b.version}, expires {b.expires_text}, threshold {b.threshold}",
        f"digest {b.digest}",
    ]
    for role, parties in (("member", b.members), ("observer", b.observers)):
        for p in parties:
            for k in p.admin_keys:
                lines.append(f"  {role:8} {p.country}  key id {k.key_id}")
                lines.append(f"                fingerprint {fingerprint(k.public_raw)}")
    return lines


def anchor_of(items: list[envelope_pb2.Envelope]) -> Bundle | None:
    """The bundle that would become the anchor: the lowest version among `items`."""
    bundles = [e for e in items if e.payload_type == BUNDLE_PAYLOAD_TYPE]
    if not bundles:
        return None
    return min((parse_bundle(e.payload) for e in bundles), key=lambda b: b.version)


def confirm_anchor(anchor: Bundle, yes: bool, expect_digest: str | None) -> str:
    """The digest the administrator confirmed for `anchor`, or raise and install nothing."""
    for line in describe(anchor):
        echo(line, err=True)
    example = anchor.digest in EXAMPLE_DIGESTS
    if example:
        echo(
            "WARNING: this is the EXAMPLE bundle from examples/reference-keys/; its admin keys "
            "are not yours. Never install it as a real node's trust anchor.",
            err=True,
        )
    warning = threshold_warning(anchor)
    if warning:
        echo(f"warning: {warning}", err=True)
    if expect_digest is not None:
        given = expect_digest.strip().lower()
        if len(given) != 64 or any(c not in "0123456789abcdef" for c in given):
            raise MalformedInput(
                "--expect-digest needs the full 64-hex-digit digest",
                hint="copy it from `exchange keys bundle show FILE`",
            )
        if given != anchor.digest:
            raise AnchorNotConfirmed(
                f"bundle v{anchor.version} has digest {anchor.digest}, not the expected "
                f"{given}; nothing was installed",
                hint="this is not the bundle the administrators agreed on; get the right file",
            )
        return anchor.digest
    if yes and example:
        raise AnchorNotConfirmed(
            "refusing to install the example bundle with --yes",
            hint="for a throwaway test region, pass --expect-digest with its digest",
        )
    if yes:
        return anchor.digest
    question = (
        "This node has no trust anchor yet. Trust this bundle permanently? Only if the digest "
        "and fingerprints match what the administrators agreed by phone"
    )
    if not click.confirm(question, default=False, err=True):
        raise AnchorNotConfirmed(
            "the trust anchor was not confirmed; nothing was installed",
            hint="compare the digest with the other administrators, or pass --expect-digest",
        )
    return anchor.digest
