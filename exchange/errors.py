"""One error tree for the whole package.

Every error carries a public message that is safe to send to a peer or print to a user (no
subject data, no secrets) and says what to do. The core knows no transport: the gRPC status
shown in brackets is given by the shell (`exchange.node.status.code_of`), and a test keeps
this tree and that table in step.

    Error
    ├── ConfigError           bad node config file                      (FAILED_PRECONDITION)
    ├── KeyError_             a key file or public key is unusable       (INVALID_ARGUMENT)
    ├── SignatureError        an envelope does not verify                (INVALID_ARGUMENT)
    ├── MalformedInput        cannot be parsed, fields out of bounds     (INVALID_ARGUMENT)
    ├── TooLarge              message or batch over its bound            (RESOURCE_EXHAUSTED)
    ├── OutOfRange            a number beyond what the node can hold     (OUT_OF_RANGE)
    ├── NotPermitted          caller speaks for another country          (PERMISSION_DENIED)
    │   └── Unauthenticated   no valid API token on a node with users    (UNAUTHENTICATED)
    ├── ChannelRefused        gap or fork on a channel                   (FAILED_PRECONDITION)
    ├── VersionRefused        an alert version that is not newer         (FAILED_PRECONDITION)
    ├── NotFound              unknown alert, peer or country             (NOT_FOUND)
    ├── AlreadyExists         peer already added                         (ALREADY_EXISTS)
    ├── PeerError             peer unreachable or fingerprint mismatch   (UNAVAILABLE)
    └── Refusals              several refusals told as one         (the first one's status)
"""

from __future__ import annotations


class Error(Exception):
    """Base of every error this package raises on purpose."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self) -> str:
        """One or two lines for a person: what went wrong, then what to do."""
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class ConfigError(Error):
    pass


class KeyError_(Error):
    pass


class SignatureError(Error):
    pass


class MalformedInput(Error):
    pass


class TooLarge(Error):
    pass


class OutOfRange(Error):
    pass


class NotPermitted(Error):
    pass


class Unauthenticated(NotPermitted):
    pass


class ChannelRefused(Error):
    def __init__(self, message: str, *, head_seq: int, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.head_seq = head_seq


class VersionRefused(Error):
    pass


class NotFound(Error):
    pass


class AlreadyExists(Error):
    pass


class PeerError(Error):
    pass


class Refusals(Error):
    """Several refusals told as one message (a trust import): the first stands for them all."""

    def __init__(self, message: str, *, first: Error, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.first = first
