"""The identity a service matches on, as typed into its own records.

Why a separate value: it is the one place that holds names and a date of birth, so it never
leaves the node; only tokens derived from it travel. Validation messages never quote the fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from exchange.errors import MalformedInput
from exchange.matching.normalize import MAX_FIELD_CHARS

__all__ = ["SEXES", "Identity"]

SEXES: Final = frozenset({"m", "f", ""})
_MIN_YEAR: Final = 1900
_MAX_YEAR: Final = 2100


@dataclass(frozen=True)
class Identity:
    """One person as recorded: names in any script, a full birth date or only a year, and sex.

    ``birth_date`` is the full date when known; ``birth_year`` alone when only the year is
    (if both are given they must agree). ``sex`` is 'm', 'f' or '' for unknown.
    """

    surname: str
    given_names: str
    patronymic: str = ""
    birth_date: date | None = None
    birth_year: int | None = None
    sex: str = ""

    def __post_init__(self) -> None:
        for field in (self.surname, self.given_names, self.patronymic):
            if len(field) > MAX_FIELD_CHARS:
                raise MalformedInput(f"a name field is longer than {MAX_FIELD_CHARS} characters")
        if self.sex not in SEXES:
            raise MalformedInput("sex must be 'm', 'f' or '' (unknown)")
        if self.birth_year is not None and not _MIN_YEAR <= self.birth_year <= _MAX_YEAR:
            raise MalformedInput(f"birth year must be between {_MIN_YEAR} and {_MAX_YEAR}")
        if (
            self.birth_date is not None
            and self.birth_year is not None
            and self.birth_date.year != self.birth_year
        ):
            raise MalformedInput("birth_year disagrees with birth_date")

    @property
    def year(self) -> int | None:
        """The birth year, from the full date when there is one."""
        return self.birth_date.year if self.birth_date is not None else self.birth_year
