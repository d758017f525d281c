"""Opening an item signed by one country admin key (certificates, revocations).

The steps are the same for every such item: refuse under a frozen bundle, cap the size, verify
the single signature against the bundle's admin keys, parse the payload, check the fields, and
require the signer's country to be the item's own country. Each kind supplies its own errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from google.protobuf.message import DecodeError, Message

from exchange._proto.v1 import envelope_pb2
from exchange.envelope import UNKNOWN_FIELDS_TEXT, SigningKey, unknown_fields_in, verify
from exchange.errors import Error, SignatureError
from exchange.trust.bundle import Bundle


class _CountryMessage(Protocol):
    country: str

    def ParseFromString(self, data: bytes) -> int: ...

    def SerializeToString(self, *, deterministic: bool = ...) -> bytes: ...


M = TypeVar("M", bound=_CountryMessage)


@dataclass(frozen=True)
class AdminSignedKind(Generic[M]):
    noun: str  # e.g. "node key certificate"
    payload_type: str
    max_bytes: int
    new: Callable[[], M]
    check_fields: Callable[[M], None]
    malformed: type[Error]
    bad_signature: type[Error]
    wrong_country: type[Error]
    wrong_country_text: Callable[[M, str], str]

    def issue(self, admin: SigningKey, item: M) -> envelope_pb2.Envelope:
        """Sign `item` with a country's admin key (its fields are checked first)."""
        self.check_fields(item)
        return admin.sign(self.payload_type, item.SerializeToString(deterministic=True))


def open_admin_signed(
    env: envelope_pb2.Envelope,
    bundle: Bundle,
    now: datetime | None,
    kind: AdminSignedKind[M],
) -> M:
    """Open and check one admin-signed item; `now` None re-checks an item already held
    (no freeze check: what was trusted before the bundle expired stays trusted)."""
    if now is not None:
        bundle.check_not_frozen(now)
    size = env.ByteSize()
    if size > kind.max_bytes:
        raise kind.malformed(
            f"{kind.noun} envelope of {size} bytes is over the {kind.max_bytes}-byte cap"
        )
    try:
        signer = verify(env, bundle.all_admin_keys(), kind.payload_type)
    except SignatureError as exc:
        raise kind.bad_signature(
            f"{kind.noun} refused: {exc.message}",
            hint=f"it must be signed by an admin key listed in trust bundle v{bundle.version}",
        ) from None
    item = kind.new()
    try:
        item.ParseFromString(env.payload)
    except DecodeError:
        raise kind.malformed(f"the {kind.noun} payload cannot be parsed") from None
    # A new item may carry nothing unseen, in its payload or its unsigned wrapper (a relaying
    # member could add a field to a genuine item): it would be kept and relayed as is.
    payload = item if isinstance(item, Message) else None
    if now is not None and (where := unknown_fields_in(env, payload)) is not None:
        raise kind.malformed(f"{kind.noun} refused: {where} {UNKNOWN_FIELDS_TEXT}")
    kind.check_fields(item)
    if item.country != signer.country:
        raise kind.wrong_country(kind.wrong_country_text(item, signer.country))
    return item
