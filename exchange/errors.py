"""One error tree for the whole package.

Every error carries the gRPC status it maps to and a public message that is safe to send to a
peer or print to a user (no subject data, no secrets) and says what to do.

    Error
    ├── ConfigError           bad node config file                      (FAILED_PRECONDITION)
    ├── KeyError_             a key file or public key is unusable       (INVALID_ARGUMENT)
    ├── SignatureError        an envelope does not verify                (INVALID_ARGUMENT)
    ├── MalformedInput        cannot be parsed, fields out of bounds     (INVALID_ARGUMENT)
    ├── TooLarge              message or batch over its bound            (RESOURCE_EXHAUSTED)
    ├── OutOfRange            a number beyond what the node can hold     (OUT_OF_RANGE)
    ├── NotPermitted          caller speaks for another country          (PERMISSION_DENIED)
    ├── ChannelRefused        gap or fork on a channel                   (FAILED_PRECONDITION)
    ├── VersionRefused        an alert version that is not newer         (FAILED_PRECONDITION)
    ├── NotFound              unknown alert, peer or country             (NOT_FOUND)
    ├── AlreadyExists         peer already added                         (ALREADY_EXISTS)
    └── PeerError             peer unreachable or fingerprint mismatch   (UNAVAILABLE)
"""

from __future__ import annotations

import grpc


class Error(Exception):
    """Base of every error this package raises on purpose."""

    code: grpc.StatusCode = grpc.StatusCode.INTERNAL

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self) -> str:
        """One or two lines for a person: what went wrong, then what to do."""
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class ConfigError(Error):
    code = grpc.StatusCode.FAILED_PRECONDITION


class KeyError_(Error):
    code = grpc.StatusCode.INVALID_ARGUMENT


class SignatureError(Error):
    code = grpc.StatusCode.INVALID_ARGUMENT


class MalformedInput(Error):
    code = grpc.StatusCode.INVALID_ARGUMENT


class TooLarge(Error):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class OutOfRange(Error):
    code = grpc.StatusCode.OUT_OF_RANGE


class NotPermitted(Error):
    code = grpc.StatusCode.PERMISSION_DENIED


class ChannelRefused(Error):
    code = grpc.StatusCode.FAILED_PRECONDITION

    def __init__(self, message: str, *, head_seq: int, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.head_seq = head_seq


class VersionRefused(Error):
    code = grpc.StatusCode.FAILED_PRECONDITION


class NotFound(Error):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(Error):
    code = grpc.StatusCode.ALREADY_EXISTS


class PeerError(Error):
    code = grpc.StatusCode.UNAVAILABLE
