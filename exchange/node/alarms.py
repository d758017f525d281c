"""What `exchange status` shouts about, as text built from plain values (no node needed)."""

from __future__ import annotations

from collections.abc import Mapping


def refusal_alarms(revoked_refusals: Mapping[str, int], sign_key_certified: bool) -> list[str]:
    """Batches refused for a revoked key, and our own signing key without a certificate
    (`sign_key_certified` is True when no bundle is installed yet: nothing to say then)."""
    out = [
        f"refused {n} batch(es) from {country} signed by a revoked key"
        for country, n in sorted(revoked_refusals.items())
    ]
    if not sign_key_certified:
        out.append("this node's signing key has no valid certificate: peers refuse what it sends")
    return out


def receipt_alarms(quarantined: int, id_conflicts: Mapping[str, int]) -> list[str]:
    """Received content held back or refused."""
    out = []
    if quarantined:
        out.append(
            f"{quarantined} received item(s) held in quarantine (free text that looks like "
            "personal data, or a newer schema): review with `exchange quarantine list`"
        )
    for country, n in sorted(id_conflicts.items()):
        out.append(
            f"refused {n} alert(s) from {country} whose id another country's alert already "
            "has (see `exchange audit list --event alert.id_conflict`)"
        )
    return out
