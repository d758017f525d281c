"""Subject tokens: keyed HMACs over a normalized identity, several per person.

Why several: records of one person differ (a missing patronymic, only a birth year, a surname
changed at marriage), so each kind binds a different subset of fields and a hit on any one kind
is a candidate match for a person to review. Why keyed: without the region's key a token cannot be
recomputed from a guessed name, so an alert carries no name.

Kinds and the fields each binds (names as `normalize` keys; a token is derived only when every
field it binds is present):

=======================  ==============================================================
kind                     binds
=======================  ==============================================================
``name-dob``             surname and given name (sorted: either field order), full date
``name-year-sex``        surname and given name (sorted), birth year, sex ('m'/'f')
``name-patronymic-year`` surname and given name (sorted), father's name, birth year
``given-dob``            given name only, full date (survives a surname change)
=======================  ==============================================================

value = HMAC-SHA256(key, encoding), where the encoding is a domain tag, the kind, the epoch
(4 bytes, big-endian) and each bound field as label and value, every item prefixed by its 4-byte
length, so no two different field tuples encode alike.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from exchange.errors import KeyError_, MalformedInput
from exchange.matching.identity import Identity
from exchange.matching.normalize import name_key, patronymic_key

__all__ = [
    "GIVEN_DOB",
    "KINDS",
    "NAME_DOB",
    "NAME_PATRONYMIC_YEAR",
    "NAME_YEAR_SEX",
    "Token",
    "derive_tokens",
    "match",
]

NAME_DOB: Final = "name-dob"
NAME_YEAR_SEX: Final = "name-year-sex"
NAME_PATRONYMIC_YEAR: Final = "name-patronymic-year"
GIVEN_DOB: Final = "given-dob"
KINDS: Final = (NAME_DOB, NAME_YEAR_SEX, NAME_PATRONYMIC_YEAR, GIVEN_DOB)

DOMAIN: Final = b"exchange.matching.subject-token.v1"
TOKEN_BYTES: Final = 32
MIN_KEY_BYTES: Final = 16
MAX_EPOCH: Final = 2**32 - 1


@dataclass(frozen=True)
class Token:
    """One subject token: what it binds (kind), which key generation (epoch), and the HMAC."""

    kind: str
    epoch: int
    value: bytes

    def __post_init__(self) -> None:
        if len(self.value) != TOKEN_BYTES:
            raise MalformedInput(f"a subject token value is {TOKEN_BYTES} bytes")
        if not 0 <= self.epoch <= MAX_EPOCH:
            raise MalformedInput("a subject token epoch is an unsigned 32-bit number")


def _item(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _token(key: bytes, epoch: int, kind: str, fields: tuple[tuple[str, str], ...]) -> Token:
    message = b"".join(
        [_item(DOMAIN), _item(kind.encode()), epoch.to_bytes(4, "big")]
        + [_item(label.encode()) + _item(value.encode()) for label, value in fields]
    )
    return Token(kind, epoch, hmac.new(key, message, hashlib.sha256).digest())


def derive_tokens(identity: Identity, key: bytes, epoch: int) -> list[Token]:
    """The tokens of every kind whose fields this identity has, in `KINDS` order."""
    if len(key) < MIN_KEY_BYTES:
        raise KeyError_(f"a subject token key must be at least {MIN_KEY_BYTES} bytes")
    if not 0 <= epoch <= MAX_EPOCH:
        raise MalformedInput("a subject token epoch is an unsigned 32-bit number")
    surname, given = name_key(identity.surname), name_key(identity.given_names)
    father = patronymic_key(identity.patronymic)
    year = identity.year
    dob = identity.birth_date
    names: tuple[tuple[str, str], ...] = ()
    if surname and given:
        first, second = sorted((surname, given))
        names = (("name", first), ("name", second))

    out: list[Token] = []
    if names and dob is not None:
        out.append(_token(key, epoch, NAME_DOB, (*names, ("dob", dob.isoformat()))))
    if names and year is not None and identity.sex:
        fields = (*names, ("year", f"{year:04d}"), ("sex", identity.sex))
        out.append(_token(key, epoch, NAME_YEAR_SEX, fields))
    if names and father and year is not None:
        fields = (*names, ("father", father), ("year", f"{year:04d}"))
        out.append(_token(key, epoch, NAME_PATRONYMIC_YEAR, fields))
    if given and dob is not None:
        out.append(_token(key, epoch, GIVEN_DOB, (("given", given), ("dob", dob.isoformat()))))
    return out


def match(query_tokens: Iterable[Token], alert_tokens: Iterable[Token]) -> list[str]:
    """The kinds on which the two sets hit: same kind, same epoch, same value. [] is no-hit."""
    alert = {(t.kind, t.epoch, t.value) for t in alert_tokens}
    kinds = {t.kind for t in query_tokens if (t.kind, t.epoch, t.value) in alert}
    return sorted(kinds, key=lambda k: (KINDS.index(k) if k in KINDS else len(KINDS), k))
