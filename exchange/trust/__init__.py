"""The pure trust core: admin keys, the region trust bundle, node key certificates.

No I/O and no clock reads: `now` is always passed in (timezone-aware). The one exception is
`read_admin_key`, which reads an admin key file.
"""

from __future__ import annotations

from exchange.trust._common import (
    BUNDLE_PAYLOAD_TYPE,
    CERTIFICATE_PAYLOAD_TYPE,
    REVOCATION_PAYLOAD_TYPE,
)
from exchange.trust.adminkey import (
    create_admin_key,
    encrypt_admin_key,
    fingerprint,
    load_admin_key,
    read_admin_key,
)
from exchange.trust.bundle import (
    MAX_BUNDLE_BYTES,
    MAX_CHAIN,
    Bundle,
    Party,
    TrustedBundles,
    parse_bundle,
)
from exchange.trust.certificate import (
    certified_key,
    issue,
    node_key_id,
    verify_certificate,
)
from exchange.trust.multisig import valid_signers

__all__ = [
    "BUNDLE_PAYLOAD_TYPE",
    "CERTIFICATE_PAYLOAD_TYPE",
    "MAX_BUNDLE_BYTES",
    "MAX_CHAIN",
    "REVOCATION_PAYLOAD_TYPE",
    "Bundle",
    "Party",
    "TrustedBundles",
    "certified_key",
    "create_admin_key",
    "encrypt_admin_key",
    "fingerprint",
    "issue",
    "load_admin_key",
    "node_key_id",
    "parse_bundle",
    "read_admin_key",
    "valid_signers",
    "verify_certificate",
]
