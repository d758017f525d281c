"""Fold a Central Asian name, in any script or spelling, to one Latin *skeleton*.

Why: a subject token is an HMAC, so two services only get a hit if they feed it the very same
string. Kazakhstan, Kyrgyzstan and Tajikistan write one person's name in Cyrillic, in passport
Latin (ICAO 9303), in GOST or older Russian-style Latin, in Uzbek or Kazakh Latin. The skeleton
is a phonetic key that is the same for all of these and, as far as a key can, different for
different names.

Rules, applied in this order (a skeleton is in lower case, with a few upper-case letters for the
sounds that Latin writes with two letters):

1. Unicode NFKC and case folding; a few letters whose generic transliteration loses a sound are
   mapped first: ё -> yo, ң/ñ -> n, ҷ -> dzh, ş/š -> sh, ç/č -> ch, ž -> zh, ŝ -> shch, ə -> a.
   Uzbek o' (ў) is u, as ў and Russian-style spellings write it (O'tkir = Ўткир = Уткир);
   other apostrophes (' ʼ ʻ ’ `), ъ and ь vanish (Uzbek g' is g, Ma'ruf = Maruf).
2. Every other script goes to ASCII with the ``anyascii`` library (ә->a, ғ->gh, қ->q, ө->o,
   ұ ү ӯ->u, һ ҳ->h, і ӣ->i, х->kh, ц->ts, ж->zh, ю->yu ...). Anything not a letter
   (spaces, hyphens, digits) is a separator: the parts are folded one by one and concatenated,
   so "Nur-Sultan", "Nur Sultan" and "Nursultan" are one name.
3. Sound classes (longest spelling first): shch sch sh -> S; dzh zh dj -> J; tch ch -> C;
   gh -> g; kh x h -> H; ts tz cz -> c; q ck -> k; w -> v; ng -> n; ou -> u.
   A bare j is J (Jamshid, Janar) before a vowel and the glide i elsewhere (GOST Sergej, Kajrat),
   also between a vowel and a surname's -ov/-ev (GOST Omarbajov = Омарбайов); d before J is part
   of it (Saidjon = Саиджон = Саидҷон); k before H is part of it (Serikkhan, Serikhan, Серікхан:
   Latin cannot tell кх from х).
4. Vowels: y -> i (so й, ы, і, и, y and the glide are one letter; Каримов/Карымов and
   Zhuldyz/Zhuldiz are meant to meet). A glide or i before e is dropped (Yerlan = Erlan, Aliyev =
   Aliev, Nazarbayev = Nazarbaev, and the Russian-style ye after a consonant, Byekzat = Бекзат;
   this also makes -иев one with -ев, Дмитриев = Дмитрев, both sides alike); a glide + o after a
   consonant is ё after a consonant, written e (Fyodor = Fedor, Pyotr = Petr). J before u is
   the glide, so Jusuf = Yusuf and Jumabek = Zhumabek; this also merges Kazakh Жусуп with Юсуп
   (one name) and Жулдыз with Юлдуз, but not Жанна with Яна.
5. Runs of one letter collapse (Muhammad = Muhamad, Daniiar = Daniyar).

On top of the skeleton, `name_key` canonicalizes surname suffix variants (-ova/-eva -> -ov/-ev,
-zade/-zada -> -zoda, -uly/-ulu/-ogly/-ugli -> uli, -kyzy/-qizi/-gyzy -> kizi, -beg -> -bek) but
never strips them: "Ivan Petrov" and "Petr Ivanov" must stay apart once name parts are sorted.
`patronymic_key` strips the patronymic suffix (-ovich/-evich/-ovna/-evna/-ich, -uly/-kyzy/-ogly,
...) and any final i or e, leaving the father's name (Abishevich = Abishuly = abiS,
Sergeevich = Sergei uly = serg).

Deliberately NOT folded, so variant spellings of one name miss (the known misses in
tests/unit/test_matching.py): o/a (Rahmon/Rahman), e/i (Khurshed/Khurshid), p/f (Yusup/Yusuf),
g/h (Ibragim/Ibrohim), b/p, s/z; Uzbek o' written bare o (passport MRZ OTKIR); a Latin x meant as
"ks" (x is Central Asian kh); ISO 9 diacritics other than š č ž ŝ; Polish spellings (sz, and
cz, which is read as GOST ц, not Polish ч).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from anyascii import anyascii

from exchange.errors import MalformedInput

__all__ = ["MAX_FIELD_CHARS", "name_key", "patronymic_key", "skeleton"]

MAX_FIELD_CHARS: Final = 200
"""Longest name field accepted: bounds the work per identity."""

# Letters whose generic ASCII form loses a distinction we need (or keeps one we must drop).
_PREMAP: Final = str.maketrans(
    {
        "ё": "yo",
        "ң": "n",
        "ñ": "n",
        "ҷ": "dzh",
        "ş": "sh",
        "š": "sh",
        "ç": "ch",
        "č": "ch",
        "ž": "zh",
        "ŝ": "shch",
        "ə": "a",
        "'": None,
        "ʼ": None,
        "ʻ": None,
        "’": None,
        "‘": None,
        "`": None,
        "´": None,
        "ъ": None,
        "ь": None,
    }
)

# (pattern, replacement) applied in order on one ASCII lower-case part.
_CLASSES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"shch|sch|sh", "S"),
        (r"dzh|zh|dj", "J"),
        (r"tch|ch", "C"),
        (r"gh", "g"),
        (r"kh|x|h", "H"),
        (r"ts|tz|cz", "c"),
        (r"q|ck", "k"),
        (r"w", "v"),
        (r"ng", "n"),
        (r"ou", "u"),
        (r"(?<=[aeou])j(?=[oe]v)", "i"),
        (r"j(?=[aeiouy])", "J"),
        (r"j", "i"),
        (r"dJ", "J"),
        (r"y", "i"),
        (r"kH", "H"),
        (r"(.)\1+", r"\1"),
        (r"i(?=e)", ""),
        (r"(?<=[^aeiou])io", "e"),
        (r"Ju", "iu"),
        (r"(.)\1+", r"\1"),
    )
)

_UZBEK_O: Final = re.compile("o['ʼʻ’‘`´]")

_NON_LETTERS: Final = re.compile(r"[^a-z]+")

_SURNAME_VARIANTS: Final[tuple[tuple[str, str], ...]] = (
    ("ova", "ov"),
    ("eva", "ev"),
    ("zade", "zoda"),
    ("zada", "zoda"),
    ("ugli", "uli"),
    ("ogli", "uli"),
    ("oglu", "uli"),
    ("ulu", "uli"),
    ("gizi", "kizi"),
    ("kiz", "kizi"),
    ("beg", "bek"),
)

_PATRONYMIC_SUFFIXES: Final[tuple[str, ...]] = (
    "oviCna",
    "eviCna",
    "iCna",
    "oviC",
    "eviC",
    "ovic",
    "evic",
    "ovna",
    "evna",
    "iC",
    "ugli",
    "ogli",
    "oglu",
    "uli",
    "ulu",
    "kizi",
    "gizi",
    "kiz",
)

_MIN_STEM: Final = 2

# anyascii reads its table for a 256-code-point block from package data on first use. Load the
# blocks the region's scripts use (Latin, Latin-1/Extended, modifier letters, Cyrillic, Latin
# Extended Additional, punctuation) now, so that folding these names does no file reads.
anyascii("".join(chr(block << 8 | 0x80) for block in (0x00, 0x01, 0x02, 0x04, 0x05, 0x1E, 0x20)))


def _fold_part(part: str) -> str:
    for pattern, replacement in _CLASSES:
        part = pattern.sub(replacement, part)
    return part


def skeleton(text: str) -> str:
    """The phonetic key of one name field ("" if it has no letters); rules in the module doc."""
    if len(text) > MAX_FIELD_CHARS:
        raise MalformedInput(f"a name field is longer than {MAX_FIELD_CHARS} characters")
    lowered = unicodedata.normalize("NFKC", text).casefold()
    lowered = _UZBEK_O.sub("u", lowered).translate(_PREMAP)
    ascii_text = anyascii(lowered).lower()
    folded = "".join(_fold_part(p) for p in _NON_LETTERS.split(ascii_text) if p)
    return re.sub(r"(.)\1+", r"\1", folded)


def name_key(text: str) -> str:
    """Skeleton of a surname or given name with its suffix variants made one (never stripped)."""
    key = skeleton(text)
    for variant, canonical in _SURNAME_VARIANTS:
        if key.endswith(variant) and len(key) - len(variant) >= _MIN_STEM:
            return key[: -len(variant)] + canonical
    return key


def patronymic_key(text: str) -> str:
    """The father's name inside a patronymic, whichever suffix or script it was written with."""
    key = skeleton(text)
    for suffix in _PATRONYMIC_SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= _MIN_STEM:
            key = key[: -len(suffix)]
            break
    stem = key.rstrip("ei")
    return stem if len(stem) >= _MIN_STEM else key
