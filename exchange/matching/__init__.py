"""Subject matching: names in any Central Asian spelling -> keyed subject tokens -> hit / no-hit.

Why: alerts never carry names (Prüm-style). A node derives tokens from its own record of a
person with the region's key and compares them locally with an alert's tokens; equal tokens of
one kind and epoch are a hit for a person to review, never an automatic identification.

    identity = Identity("Ахмедов", "Хуршед", birth_date=date(1990, 5, 1), sex="m")
    tokens = derive_tokens(identity, key, epoch)
    match(tokens, alert_tokens)  # -> ["name-dob", "name-year-sex", ...] or []
    strength(kinds)              # -> "hit", "lead" (weak kinds only) or ""
"""

from exchange.matching.evaluate import Pair, evaluate, hits
from exchange.matching.identity import SEXES, Identity
from exchange.matching.normalize import name_key, patronymic_key, skeleton
from exchange.matching.tokens import (
    GIVEN_DOB,
    KINDS,
    MAX_TOKENS,
    NAME_DOB,
    NAME_PATRONYMIC_YEAR,
    NAME_YEAR_SEX,
    STEM_DOB,
    STRONG_KINDS,
    TYPO_DOB,
    Token,
    derive_tokens,
    match,
    match_kinds,
    strength,
)

__all__ = [
    "GIVEN_DOB",
    "KINDS",
    "MAX_TOKENS",
    "NAME_DOB",
    "NAME_PATRONYMIC_YEAR",
    "NAME_YEAR_SEX",
    "SEXES",
    "STEM_DOB",
    "STRONG_KINDS",
    "TYPO_DOB",
    "Identity",
    "Pair",
    "Token",
    "derive_tokens",
    "evaluate",
    "hits",
    "match",
    "match_kinds",
    "name_key",
    "patronymic_key",
    "skeleton",
    "strength",
]
