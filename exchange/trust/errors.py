"""One small exception per trust failure, all under exchange.errors.Error.

The gRPC status in brackets is given by the shell (`exchange.node.status.code_of`).

Error
└── TrustError
    ├── MalformedBundle           unparsable or breaks a structural rule   (INVALID_ARGUMENT)
    ├── WeakKey                   wrong size, small-order, non-canonical   (INVALID_ARGUMENT)
    ├── AdminKeyReused            one admin key listed twice in a bundle   (INVALID_ARGUMENT)
    ├── BundleTooLarge            envelope over the size cap               (RESOURCE_EXHAUSTED)
    ├── ChainTooLong              accepted chain at its length cap         (RESOURCE_EXHAUSTED)
    ├── ThresholdNotMet           too few distinct valid admin signatures  (PERMISSION_DENIED)
    ├── RollbackRefused           older than the trusted version           (PERMISSION_DENIED)
    ├── VersionConflict           same version, other content (split view) (PERMISSION_DENIED)
    ├── VersionSkipped            more than one version up: walk the chain (FAILED_PRECONDITION)
    ├── BundleExpired             expired at the time of checking          (PERMISSION_DENIED)
    ├── TrustFrozen               current bundle expired: trust no change  (FAILED_PRECONDITION)
    ├── MalformedCertificate      unparsable or bad fields                 (INVALID_ARGUMENT)
    ├── CertificateSignatureInvalid  not signed by an admin key of bundle  (PERMISSION_DENIED)
    ├── CertificateWrongCountry   signed by another country's admin key    (PERMISSION_DENIED)
    ├── CertificateNotYetValid    now < valid_from                         (PERMISSION_DENIED)
    ├── CertificateExpired        now >= valid_until                       (PERMISSION_DENIED)
    ├── KeyNotCertified           a node key with no valid certificate     (PERMISSION_DENIED)
    ├── AdminKeyFileError         key file not encrypted / not Ed25519     (INVALID_ARGUMENT)
    ├── WrongPassphrase           key file does not open with passphrase   (INVALID_ARGUMENT)
    ├── MalformedRevocation       unparsable or bad fields                 (INVALID_ARGUMENT)
    ├── RevocationSignatureInvalid  not signed by an admin key of bundle   (PERMISSION_DENIED)
    ├── RevocationWrongCountry    signed by another country's admin key    (PERMISSION_DENIED)
    ├── KeyRevoked                signed, or arriving, at/after revocation (PERMISSION_DENIED)
    ├── MalformedKeyLogEntry      unparsable, non-canonical or bad fields  (INVALID_ARGUMENT)
    ├── KeyLogGap                 seq beyond head + 1: fetch the missing   (FAILED_PRECONDITION)
    ├── KeyLogBroken              prev_hash does not chain to the head     (FAILED_PRECONDITION)
    ├── SplitView                 two entries for one (country, seq)       (PERMISSION_DENIED)
    ├── MalformedCheckpoint       unparsable, non-canonical or bad fields  (INVALID_ARGUMENT)
    ├── CheckpointSignatureInvalid  not signed by a certified signing key  (PERMISSION_DENIED)
    ├── CheckpointWrongCountry    signed by another country's node key     (PERMISSION_DENIED)
    ├── KeyLogFrozen              country frozen after a split view        (FAILED_PRECONDITION)
    ├── NodeKeyReused             one node key certified for two countries (PERMISSION_DENIED)
    ├── NoTrustAnchor             no bundle yet; peers cannot set the first (FAILED_PRECONDITION)
    └── AnchorNotConfirmed        first bundle without its confirmed digest (FAILED_PRECONDITION)
"""

from __future__ import annotations

from exchange.errors import Error


class TrustError(Error):
    """Base of every refusal by the trust core."""


class MalformedBundle(TrustError):
    pass


class WeakKey(TrustError):
    pass


class AdminKeyReused(TrustError):
    pass


class BundleTooLarge(TrustError):
    pass


class ChainTooLong(TrustError):
    pass


class ThresholdNotMet(TrustError):
    def __init__(self, message: str, *, got: int, needed: int, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.got = got
        self.needed = needed


class RollbackRefused(TrustError):
    pass


class VersionConflict(TrustError):
    pass


class VersionSkipped(TrustError):
    pass


class BundleExpired(TrustError):
    pass


class TrustFrozen(TrustError):
    pass


class MalformedCertificate(TrustError):
    pass


class CertificateSignatureInvalid(TrustError):
    pass


class CertificateWrongCountry(TrustError):
    pass


class CertificateNotYetValid(TrustError):
    pass


class CertificateExpired(TrustError):
    pass


class KeyNotCertified(TrustError):
    pass


class AdminKeyFileError(TrustError):
    pass


class WrongPassphrase(TrustError):
    pass


class MalformedRevocation(TrustError):
    pass


class RevocationSignatureInvalid(TrustError):
    pass


class RevocationWrongCountry(TrustError):
    pass


class KeyRevoked(TrustError):
    pass


class MalformedKeyLogEntry(TrustError):
    pass


class KeyLogGap(TrustError):
    """The entry is beyond head + 1: not an alarm, the receiver is behind and fetches more."""

    def __init__(self, message: str, *, head_seq: int, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.head_seq = head_seq


class KeyLogBroken(TrustError):
    pass


class SplitView(TrustError):
    """Two different entries for one (country, seq): the country is frozen until resolved.

    `evidence` holds the signed checkpoints (envelope bytes) that prove it, when there are."""

    def __init__(
        self,
        message: str,
        *,
        country: str,
        seq: int,
        hashes: tuple[bytes, bytes],
        evidence: tuple[bytes, ...] = (),
        hint: str = "",
    ) -> None:
        super().__init__(message, hint=hint)
        self.country = country
        self.seq = seq
        self.hashes = hashes
        self.evidence = evidence


class MalformedCheckpoint(TrustError):
    pass


class CheckpointSignatureInvalid(TrustError):
    pass


class CheckpointWrongCountry(TrustError):
    pass


class KeyLogFrozen(TrustError):
    pass


class NodeKeyReused(TrustError):
    """One node public key certified for two countries: a key speaks for one country."""


class NoTrustAnchor(TrustError):
    pass


class AnchorNotConfirmed(TrustError):
    """The first bundle (the trust anchor) is installed only with the digest a person checked."""
