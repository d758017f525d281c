"""Threshold verification of a DSSE envelope carrying several signatures.

`exchange.envelope.verify` wants exactly one signature; a trust bundle carries one per admin key
that approved it. Here every signature is checked over PAE(payload_type, payload) of the exact
payload bytes, signatures by unknown keys are ignored, and each trusted key counts once however
many times it appears.
"""

from __future__ import annotations

from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature

from exchange._proto.v1 import envelope_pb2
from exchange.envelope import VerifyKey, pae

# More signatures than this on one envelope is refused outright (bounds the work per envelope).
MAX_SIGNATURES = 256


def valid_signers(env: envelope_pb2.Envelope, trusted: Mapping[str, VerifyKey]) -> frozenset[str]:
    """Key ids of `trusted` keys with at least one valid signature on `env`.

    The caller checks the payload type and the envelope size. Unknown key ids, malformed and
    invalid signatures are ignored (they simply do not count). Raises ValueError only if the
    envelope carries more than MAX_SIGNATURES signatures.
    """
    if len(env.signatures) > MAX_SIGNATURES:
        raise ValueError(f"{len(env.signatures)} signatures on one envelope (max {MAX_SIGNATURES})")
    message = pae(env.payload_type, env.payload)
    counted: set[str] = set()
    for sig in env.signatures:
        if sig.key_id in counted:
            continue
        vk = trusted.get(sig.key_id)
        if vk is None or vk.key_id != sig.key_id or len(sig.sig) != 64:
            continue
        try:
            vk.key.verify(sig.sig, message)
        except InvalidSignature:
            continue
        counted.add(sig.key_id)
    return frozenset(counted)
