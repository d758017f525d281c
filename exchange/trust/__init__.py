"""The pure trust core: admin keys, the region trust bundle, node key certificates,
revocation and rotation, and the per-country key log.

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
    read_admin_key_file,
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
    PURPOSES,
    certified_key,
    issue,
    issue_node_certificates,
    node_key_id,
    verify_certificate,
)
from exchange.trust.keylog import (
    KIND_BUNDLE,
    KIND_CERTIFICATE,
    KIND_REVOCATION,
    HeadStatus,
    KeyLog,
    KeyLogs,
    LogEntry,
    compare_heads,
    item_digest,
    parse_entry,
)
from exchange.trust.multisig import valid_signers
from exchange.trust.revocation import (
    RevocationSet,
    check_item_signer,
    issue_revocation,
    rotation_check,
    verify_revocation,
)

__all__ = [
    "BUNDLE_PAYLOAD_TYPE",
    "CERTIFICATE_PAYLOAD_TYPE",
    "KIND_BUNDLE",
    "KIND_CERTIFICATE",
    "KIND_REVOCATION",
    "MAX_BUNDLE_BYTES",
    "MAX_CHAIN",
    "PURPOSES",
    "REVOCATION_PAYLOAD_TYPE",
    "Bundle",
    "HeadStatus",
    "KeyLog",
    "KeyLogs",
    "LogEntry",
    "Party",
    "RevocationSet",
    "TrustedBundles",
    "certified_key",
    "check_item_signer",
    "compare_heads",
    "create_admin_key",
    "encrypt_admin_key",
    "fingerprint",
    "issue",
    "issue_node_certificates",
    "issue_revocation",
    "item_digest",
    "load_admin_key",
    "node_key_id",
    "parse_bundle",
    "parse_entry",
    "read_admin_key",
    "read_admin_key_file",
    "rotation_check",
    "valid_signers",
    "verify_certificate",
    "verify_revocation",
]
