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
``stem-dob``             loose keys of surname stem and given name (sorted), full date
``typo-dob``             the same with one letter deleted from either key (one token per
                         deletion, plus the undeleted pair): one-letter typos
=======================  ==============================================================

Strength (`strength`): a hit on ``name-dob`` or ``name-patronymic-year`` is a *hit*; a hit only
on ``name-year-sex``, ``given-dob``, ``stem-dob`` or ``typo-dob`` is a *lead*: common names
collide on them more often than once in 10,000 checks (bench/privacy.py measures each kind;
``stem-dob`` also joins different people whose surnames differ only in form, Сериков and
Серікұлы born on one day). A coarse year token
(``name-year-sex``, ``name-patronymic-year``) does not count when both sides hold a finer token
that disagrees (`match_kinds`): it is for records that only have a year.

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
from exchange.matching.loose import deletions, loose_key
from exchange.matching.normalize import name_key, patronymic_key

__all__ = [
    "GIVEN_DOB",
    "KINDS",
    "NAME_DOB",
    "NAME_PATRONYMIC_YEAR",
    "NAME_YEAR_SEX",
    "STEM_DOB",
    "STRONG_KINDS",
    "TYPO_DOB",
    "Token",
    "derive_tokens",
    "match",
    "match_kinds",
    "strength",
]

NAME_DOB: Final = "name-dob"
NAME_YEAR_SEX: Final = "name-year-sex"
NAME_PATRONYMIC_YEAR: Final = "name-patronymic-year"
GIVEN_DOB: Final = "given-dob"
STEM_DOB: Final = "stem-dob"
TYPO_DOB: Final = "typo-dob"
KINDS: Final = (NAME_DOB, NAME_YEAR_SEX, NAME_PATRONYMIC_YEAR, GIVEN_DOB, STEM_DOB, TYPO_DOB)
STRONG_KINDS: Final = frozenset({NAME_DOB, NAME_PATRONYMIC_YEAR})
"""Kinds whose hit is presented as a hit; any other kind alone is a lead."""
MAX_TOKENS: Final = 16
"""At most this many tokens per identity (the alert and query bound)."""
# A coarse kind does not count when both sides hold one of its finer kinds and that one misses.
_FINER: Final = {
    NAME_YEAR_SEX: (NAME_DOB, NAME_PATRONYMIC_YEAR),
    NAME_PATRONYMIC_YEAR: (NAME_DOB,),
}

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
    loose_s = loose_key(identity.surname, surname=True)
    loose_g = loose_key(identity.given_names, surname=False)
    if loose_s and loose_g and dob is not None:
        a, b = sorted((loose_s, loose_g))
        day = ("dob", dob.isoformat())
        out.append(_token(key, epoch, STEM_DOB, (("stem", a), ("stem", b), day)))
        budget = MAX_TOKENS - len(out) - 1
        near = [(a, b)] + [(v, b) for v in deletions(a, budget // 2 + budget % 2)]
        near += [(a, v) for v in deletions(b, MAX_TOKENS - len(out) - len(near))]
        for x, y in near:
            out.append(_token(key, epoch, TYPO_DOB, (("near", x), ("near", y), day)))
    return out


def match(query_tokens: Iterable[Token], alert_tokens: Iterable[Token]) -> list[str]:
    """The kinds on which the two sets hit (see `match_kinds`). [] is no-hit."""
    return match_kinds(
        [(t.kind, t.epoch, t.value) for t in query_tokens],
        [(t.kind, t.epoch, t.value) for t in alert_tokens],
    )


def match_kinds(
    query: Iterable[tuple[str, int, bytes]], alert: Iterable[tuple[str, int, bytes]]
) -> list[str]:
    """Kinds that hit (same kind, epoch and value), less a coarse kind whose finer kind both
    sides hold, in that epoch, without a hit: two people of one common name, sex and year
    whose full dates differ are not a hit. Works on raw (kind, epoch, value) triples, as stored."""
    q, a = set(query), set(alert)
    hit = {(k, e) for k, e, _ in q & a}
    held_q = {(k, e) for k, e, _ in q}
    held_a = {(k, e) for k, e, _ in a}
    kinds = {
        k
        for k, e in hit
        if not any(
            (f, e) in held_q and (f, e) in held_a and (f, e) not in hit for f in _FINER.get(k, ())
        )
    }
    return sorted(kinds, key=lambda k: (KINDS.index(k) if k in KINDS else len(KINDS), k))


def strength(kinds: Iterable[str]) -> str:
    """'hit' when any strong kind hit, 'lead' when only weak ones did, '' for none."""
    found = set(kinds)
    if found & STRONG_KINDS:
        return "hit"
    return "lead" if found else ""
