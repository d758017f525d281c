"""`exchange keys status`: every key a node trusts, with its state, and expiry warnings."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from exchange._proto.v1 import trust_pb2
from exchange.trust import Bundle, RevocationSet, fingerprint, node_key_id
from exchange.trust._common import now_ns, ts_ns
from exchange.trust.certificate import purpose_name


class Trusted(Protocol):
    """What the report reads of the trust state (exchange.node.truststate.TrustState)."""

    @property
    def country(self) -> str: ...

    @property
    def bundle(self) -> Bundle | None: ...

    @property
    def revocations(self) -> RevocationSet: ...

    def certificates(self) -> list[trust_pb2.NodeKeyCertificate]: ...


WARN_DAYS = (30, 7)


def keys_report(
    trust: Trusted, now: datetime, own: dict[trust_pb2.KeyPurpose.ValueType, bytes]
) -> tuple[list[dict[str, object]], list[str]]:
    """Every trusted key (admin and node) with its state, and expiry warnings."""
    n = now_ns(now)
    rows: list[dict[str, object]] = []
    warnings: list[str] = []

    def warn(what: str, until_ns: int) -> None:
        left = (until_ns - n) / 86400e9
        if 0 <= left <= WARN_DAYS[0]:
            level = "URGENT" if left <= WARN_DAYS[1] else "warning"
            warnings.append(f"{level}: {what} expires in {left:.1f} days")

    b = trust.bundle
    if b is not None:
        warn(f"trust bundle v{b.version}", b.expires_ns)
        for role, parties in (("member", b.members), ("observer", b.observers)):
            for p in parties:
                for k in p.admin_keys:
                    rows.append(
                        {
                            "country": p.country,
                            "purpose": f"admin ({role})",
                            "key_id": k.key_id,
                            "fingerprint": fingerprint(k.public_raw),
                            "valid_from": None,
                            "valid_until": b.expires_ns,
                            "state": "expired" if n >= b.expires_ns else "valid",
                        }
                    )
    certs = trust.certificates()
    for c in sorted(
        certs, key=lambda c: (c.country, c.purpose, ts_ns(c.valid_from), ts_ns(c.valid_until))
    ):
        lo, hi = ts_ns(c.valid_from), ts_ns(c.valid_until)
        kid = node_key_id(bytes(c.public_key), c.purpose)
        eff = trust.revocations.effective_for(c.country, bytes(c.public_key), c.purpose)
        if eff is not None and n >= ts_ns(eff):
            state = "revoked"
        elif n < lo:
            state = "not-yet-valid"
        elif n >= hi:
            state = "expired"
        else:
            state = "valid"
            warn(f"{c.country} {purpose_name(c.purpose)} certificate {kid[:16]}", hi)
        is_own = c.country == trust.country and own.get(c.purpose) == bytes(c.public_key)
        rows.append(
            {
                "country": c.country,
                "purpose": purpose_name(c.purpose),
                "key_id": kid,
                "fingerprint": fingerprint(bytes(c.public_key)),
                "valid_from": lo,
                "valid_until": hi,
                "state": state + (" (own, in use)" if is_own else ""),
            }
        )
    return rows, warnings
