"""The gRPC status each error is sent with, by name.

The core's errors know no transport; this table, in the shell, gives each its status. It holds
names, not `grpc.StatusCode`, so that what records a refusal (the inbox's audit detail) needs
no grpc. A subclass not listed takes its nearest listed base's status; an unlisted `Error` is
INTERNAL."""

from __future__ import annotations

from collections.abc import Mapping

from exchange import errors as e
from exchange.audit_witness import WitnessRefused
from exchange.trust import errors as t

STATUS: Mapping[type[e.Error], str] = {
    e.Error: "INTERNAL",
    e.ConfigError: "FAILED_PRECONDITION",
    e.KeyError_: "INVALID_ARGUMENT",
    e.SignatureError: "INVALID_ARGUMENT",
    e.MalformedInput: "INVALID_ARGUMENT",
    e.TooLarge: "RESOURCE_EXHAUSTED",
    e.OutOfRange: "OUT_OF_RANGE",
    e.NotPermitted: "PERMISSION_DENIED",
    e.Unauthenticated: "UNAUTHENTICATED",
    e.ChannelRefused: "FAILED_PRECONDITION",
    e.VersionRefused: "FAILED_PRECONDITION",
    e.NotFound: "NOT_FOUND",
    e.AlreadyExists: "ALREADY_EXISTS",
    e.PeerError: "UNAVAILABLE",
    WitnessRefused: "FAILED_PRECONDITION",
    t.TrustError: "PERMISSION_DENIED",
    t.MalformedBundle: "INVALID_ARGUMENT",
    t.WeakKey: "INVALID_ARGUMENT",
    t.AdminKeyReused: "INVALID_ARGUMENT",
    t.BundleTooLarge: "RESOURCE_EXHAUSTED",
    t.ChainTooLong: "RESOURCE_EXHAUSTED",
    t.ThresholdNotMet: "PERMISSION_DENIED",
    t.RollbackRefused: "PERMISSION_DENIED",
    t.VersionConflict: "PERMISSION_DENIED",
    t.VersionSkipped: "FAILED_PRECONDITION",
    t.BundleExpired: "PERMISSION_DENIED",
    t.TrustFrozen: "FAILED_PRECONDITION",
    t.MalformedCertificate: "INVALID_ARGUMENT",
    t.CertificateSignatureInvalid: "PERMISSION_DENIED",
    t.CertificateWrongCountry: "PERMISSION_DENIED",
    t.CertificateNotYetValid: "PERMISSION_DENIED",
    t.CertificateExpired: "PERMISSION_DENIED",
    t.KeyNotCertified: "PERMISSION_DENIED",
    t.AdminKeyFileError: "INVALID_ARGUMENT",
    t.WrongPassphrase: "INVALID_ARGUMENT",
    t.MalformedRevocation: "INVALID_ARGUMENT",
    t.RevocationSignatureInvalid: "PERMISSION_DENIED",
    t.RevocationWrongCountry: "PERMISSION_DENIED",
    t.KeyRevoked: "PERMISSION_DENIED",
    t.MalformedKeyLogEntry: "INVALID_ARGUMENT",
    t.KeyLogGap: "FAILED_PRECONDITION",
    t.KeyLogBroken: "FAILED_PRECONDITION",
    t.SplitView: "PERMISSION_DENIED",
    t.MalformedCheckpoint: "INVALID_ARGUMENT",
    t.CheckpointSignatureInvalid: "PERMISSION_DENIED",
    t.CheckpointWrongCountry: "PERMISSION_DENIED",
    t.KeyLogFrozen: "FAILED_PRECONDITION",
    t.NoTrustAnchor: "FAILED_PRECONDITION",
    t.AnchorNotConfirmed: "FAILED_PRECONDITION",
}


def status_name(err: e.Error) -> str:
    """The status an error is sent with: its own class's, else its nearest listed base's;
    several refusals told as one are sent with the first one's."""
    while isinstance(err, e.Refusals):
        err = err.first
    for cls in type(err).__mro__:
        if (name := STATUS.get(cls)) is not None:
            return name
    return "INTERNAL"
