"""Trust administration use cases: import trust items, the keys status report, and resolving
a split view.

An import installs what verifies and refuses the rest; a refusal is raised as one error with
the first refusal's status (what was installed alongside stays installed, and is said)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cryptography import x509

from exchange._proto.v1 import envelope_pb2
from exchange.errors import MalformedInput, NotFound, Refusals, TooLarge
from exchange.store import repo

if TYPE_CHECKING:
    from exchange.node.runtime import Node

MAX_IMPORT = 1000
TLS_WARN_DAYS = 30
TLS_URGENT_DAYS = 7


@dataclass(frozen=True)
class Imported:
    kind: str
    summary: str
    new: bool


@dataclass(frozen=True)
class KeyState:
    country: str
    purpose: str
    key_id: str
    fingerprint: str
    state: str
    valid_from_ns: int | None
    valid_until_ns: int | None


@dataclass(frozen=True)
class BundleState:
    version: int
    digest: str
    expires_ns: int


@dataclass(frozen=True)
class LogHead:
    country: str
    seq: int
    hash: bytes


@dataclass(frozen=True)
class Frozen:
    country: str
    seq: int
    detail: str
    evidence: tuple[bytes, ...]  # signed checkpoint envelopes that prove the split view


@dataclass(frozen=True)
class KeysStatus:
    bundle: BundleState | None
    keys: tuple[KeyState, ...]
    warnings: tuple[str, ...]
    alarms: tuple[str, ...]
    key_log_heads: tuple[LogHead, ...]
    frozen: tuple[Frozen, ...]


async def import_trust(
    node: Node, items: Sequence[envelope_pb2.Envelope], anchor_digest: str
) -> list[Imported]:
    if len(items) > MAX_IMPORT:
        raise TooLarge(f"at most {MAX_IMPORT} trust items per import")
    out = await node.import_trust(list(items), anchor_digest)
    if out.refused:
        kind, err = out.refused[0]
        more = f" ({len(out.refused) - 1} more refused)" if len(out.refused) > 1 else ""
        kept = sum(new for _, _, new in out.accepted)
        if kept:
            more += f"; {kept} other item(s) were installed"
        raise Refusals(f"{kind} refused: {err.message}{more}", first=err, hint=err.hint)
    return [Imported(k, summary, new) for k, summary, new in out.accepted]


def keys_status(node: Node, now: datetime) -> KeysStatus:
    """Every trusted key with its state, expiry warnings (this node's own TLS certificate
    included), trust alarms, key log heads and frozen countries."""
    rows, warnings = node.trust.keys_report(now, node.identity.public_by_purpose())
    not_after = x509.load_pem_x509_certificate(node.identity.tls_cert_pem).not_valid_after_utc
    left = (not_after - now).total_seconds() / 86400
    if left <= TLS_WARN_DAYS:
        level = "URGENT" if left <= TLS_URGENT_DAYS else "warning"
        warnings.append(
            f"{level}: this node's TLS certificate (X.509) expires in {left:.1f} days; "
            "rotate the TLS key (exchange keys node rotate --purpose tls)"
        )
    b = node.trust.bundle
    return KeysStatus(
        bundle=BundleState(b.version, b.digest, b.expires_ns) if b is not None else None,
        keys=tuple(
            KeyState(
                country=str(r["country"]),
                purpose=str(r["purpose"]),
                key_id=str(r["key_id"]),
                fingerprint=str(r["fingerprint"]),
                state=str(r["state"]),
                valid_from_ns=r["valid_from"] if isinstance(r["valid_from"], int) else None,
                valid_until_ns=r["valid_until"] if isinstance(r["valid_until"], int) else None,
            )
            for r in rows
        ),
        warnings=tuple(warnings),
        alarms=tuple(node.trust_alarms()),
        key_log_heads=tuple(
            LogHead(country, head.seq, head.hash) for country, head in node.trust.heads().items()
        ),
        frozen=tuple(
            Frozen(country, fr.seq, fr.detail, tuple(fr.evidence))
            for country, fr in sorted(node.trust.frozen().items())
        ),
    )


async def resolve(node: Node, country: str, reason: str, now: datetime) -> int:
    """Lift a split-view freeze on a country's key log, for a stated reason (audited); the
    number of that country's entries discarded, to be learned again from its node."""
    if country not in node.trust.frozen():
        raise NotFound(
            f"key changes from {country!r} are not frozen",
            hint="see the alarms in `exchange keys status`",
        )
    if not reason.strip():
        raise MalformedInput("say why the split view is resolved (--reason)")

    def run() -> int:
        with node.db.write() as s:
            n = node.trust.resolve(s, country)
            repo.append_audit(
                s,
                now,
                "trust.resolved",
                {"country": country, "reason": reason[:500], "discarded": n},
            )
            return n

    discarded = await node.run_db(run)
    await node.after_trust_change()
    return discarded
