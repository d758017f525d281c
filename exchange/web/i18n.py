"""Languages of the console: gettext catalogs (exchange/web/locale/LANG/LC_MESSAGES/messages.po)
compiled in memory at start-up with Babel, so no compiled .mo file is kept in the repository;
dates and numbers formatted per language with Babel.

Russian and English are complete (a test checks every message has a Russian translation);
Kazakh, Kyrgyz, Tajik and Uzbek have catalog skeletons: their untranslated messages show in
English until translators fill them. The language of a request is set once per request in a
context variable, which the templates' gettext reads."""

from __future__ import annotations

import contextvars
import gettext as _gettext
import io
from datetime import datetime
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "ru", "kk", "ky", "tg", "uz")
DEFAULT = "en"
CURRENT: contextvars.ContextVar[str] = contextvars.ContextVar("lang", default=DEFAULT)


def _compile(lang: str) -> _gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


_CATALOGS: dict[str, _gettext.NullTranslations] = {}


def load() -> None:
    for lang in LANGUAGES:
        _CATALOGS[lang] = _compile(lang)


def pick(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT


def gettext(message: str) -> str:
    if not _CATALOGS:
        load()
    return _CATALOGS.get(CURRENT.get(), _gettext.NullTranslations()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if not _CATALOGS:
        load()
    return _CATALOGS.get(CURRENT.get(), _gettext.NullTranslations()).ngettext(singular, plural, n)


def when(dt: datetime | None) -> str:
    if dt is None:
        return ""
    return format_datetime(dt, format="medium", tzinfo=None, locale=CURRENT.get())


def number(n: int | float) -> str:
    return format_decimal(n, locale=CURRENT.get())


def language_name(lang: str) -> str:
    return str(Locale.parse(lang).get_display_name(lang) or lang).capitalize()
