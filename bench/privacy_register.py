"""Synthetic national registers for the matcher benchmark (bench/privacy.py).

Why synthetic: real registers cannot leave a service. People are drawn from region-typical
name stems with Zipf-like frequencies (rank^-s), so common names collide as they do in a real
register; surnames are built as the region builds them (father's name + -ов/-ев, -баев,
-бекова...). One register is kept in Cyrillic, the other is written in Latin with a spelling
system drawn per person (passport, GOST-like, national Latin). Shared people may carry one hard
variant each (a surname-form change, ё as e, Kazakh Latin 2017, a one-letter typo).
Everything is drawn from one seeded `random.Random`, so a run is deterministic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

# Male given names per country; surnames are built on them, as in the region.
MALE = {
    "kz": "Нурлан Ерлан Ержан Айбек Данияр Марат Асқар Руслан Тимур Алибек Арман Серік Талғат "
    "Қайрат Қанат Болат Ербол Асылбек Алмас Азамат Бақыт Нұрсұлтан Бауыржан Мұхтар Жандос "
    "Ерболат Дәурен Ғалым Мейрам Санжар Ахмет Омар Сұлтан Жұмабек Кенже Төлеу Оспан Ораз "
    "Есен Ибрай Мұқаш Нұрғали Сәдық Түлеген Өтеген Қали Байжан Жақсыбек Ермек Әмір Әбен "
    "Бектұр Смағұл Тоқтар Исабек Сейіт Дәулет Әбді Құлмағамбет Елдос Нұржан Айдос Бекзат",
    "kg": "Азамат Талант Алмазбек Бакыт Нурбек Эрмек Кубанычбек Чынгыз Тилек Улан Эмил Айбек "
    "Бектур Жыргалбек Мирлан Нурлан Руслан Темирлан Үсөн Адилет Асан Садыр Токтогул Мамыт "
    "Жээнбек Осмон Абдыкадыр Баки Иса Сатыбалды Турдубай Кадыр Эсен Жапар Алымкул Өмүрбек "
    "Бейшенали Дүйшө Кубат Ороз Сыдык Таштан Үсөн Чыныбай Шаршен Мурзали Абдылда Иманали "
    "Калык Момун Эркин Медер Бекболот Нурсултан Таалай Жоомарт Курманбек Советбек Дастан",
    "tj": "Фирдавс Умед Хуршед Шерзод Ҷамшед Фаррух Фируз Бахтиёр Дилшод Рустам Парвиз Фаридун "
    "Саидҷон Ғуломҷон Хусрав Сӯҳроб Манучеҳр Исмоил Баҳодур Ёқуб Комрон Аброр Раҳмон Шариф "
    "Сафар Карим Назар Саид Ҳасан Ҳайдар Ғафур Зариф Усмон Давлат Мирзо Қодир Раҷаб Алӣ "
    "Юсуф Ашур Бобо Ғулом Икром Маҳмадалӣ Наби Одина Қурбон Собир Тошмат Фозил Абдулло "
    "Ҳамид Ҷалол Латиф Муҳаммад Нозим Раҳим Сино Темур Убайд Хол Шоҳин Эраҷ Ёдгор Зафар",
}
FEMALE = {
    "kz": "Айгерім Гүлнара Динара Әлия Мадина Жанар Сәуле Айнұр Әсел Жұлдыз Ақмарал Назерке "
    "Аружан Дана Гүлмира Салтанат",
    "kg": "Айжан Жылдыз Гүлнара Айпери Нуриза Бегимай Чолпон Динара Асель Назгүл Айзада "
    "Мээрим Элнура Жибек Гүлзат",
    "tj": "Дилноза Нигина Манижа Фарангис Мадина Зарина Гулноза Шаҳло Ёқутой Малика Меҳрубон "
    "Парвина Садбарг Тахмина Фотима",
}
ENDINGS = {  # canonical (Cyrillic register) surname endings, with weights
    "kz": (("ов", 6), ("баев", 2), ("бекова", 0), ("ұлы", 1)),
    "kg": (("ов", 6), ("баев", 2), (" уулу", 1)),
    "tj": (("ов", 6), ("зода", 2), ("ӣ", 1)),
}

_LATIN: dict[str, tuple[str, ...]] = {
    "а": ("a",),
    "б": ("b",),
    "в": ("v",),
    "г": ("g",),
    "д": ("d",),
    "е": ("e", "e", "ye"),
    "ё": ("yo", "yo", "e"),
    "ж": ("zh", "j"),
    "з": ("z",),
    "и": ("i",),
    "й": ("y", "i", "j"),
    "к": ("k",),
    "л": ("l",),
    "м": ("m",),
    "н": ("n",),
    "о": ("o",),
    "п": ("p",),
    "р": ("r",),
    "с": ("s",),
    "т": ("t",),
    "у": ("u",),
    "ф": ("f",),
    "х": ("kh", "h", "x"),
    "ц": ("ts",),
    "ч": ("ch",),
    "ш": ("sh",),
    "щ": ("shch",),
    "ъ": ("",),
    "ы": ("y", "i"),
    "ь": ("", "'"),
    "э": ("e",),
    "ю": ("yu", "iu"),
    "я": ("ya", "ia"),
    "ә": ("a", "ä"),
    "ғ": ("g", "gh", "g'"),
    "қ": ("k", "q"),
    "ң": ("n", "ng"),
    "ө": ("o", "ö"),
    "ұ": ("u",),
    "ү": ("u", "ü"),
    "һ": ("h",),
    "і": ("i",),
    "ҳ": ("h", "kh"),
    "ҷ": ("j", "dzh"),
    "ӯ": ("u", "ū"),
    "ӣ": ("i", "ī"),
}
_KZ2017 = {
    "ш": "s'",
    "ч": "c'",
    "ә": "a'",
    "ө": "o'",
    "ү": "u'",
    "ғ": "g'",
    "ң": "n'",
    "ж": "j",
    "қ": "q",
    "х": "h",
    "й": "i'",
    "ы": "y",
    "і": "i",
    "у": "ý",
}
HARD = (
    "surname-zoda",
    "surname-i",
    "ending-dropped",
    "uly-kyzy",
    "uulu-kyzy",
    "yo-as-e",
    "kz-latin-2017",
    "typo",
)


@dataclass(frozen=True)
class Person:
    surname: str
    given: str
    patronymic: str
    dob: date | None
    year: int
    sex: str


def _zipf(rng: random.Random, items: list[str], s: float) -> str:
    weights = [1 / (k + 1) ** s for k in range(len(items))]
    return rng.choices(items, weights)[0]


# Second elements of compound names (Нурбек, Алижан, Саидҷон, Эркинбай...).
COMPOUND = {"kz": "бек жан бай хан", "kg": "бек бай жан кул", "tj": "ҷон бек хон мурод"}
GIVEN_S, SURNAME_S = 0.7, 0.7  # Zipf exponents: top given name ~6%, top surname ~4%


class Population:
    """Draws people of one country: names by Zipf-like rank, dates uniform over 1955-2007."""

    def __init__(self, country: str, rng: random.Random) -> None:
        self.rng = rng
        self.country = country
        base = MALE[country].split()
        compounds = [b + c for b in base for c in COMPOUND[country].split() if rng.random() < 0.8]
        self.male = sorted(set(base + compounds))
        self.female = FEMALE[country].split()
        rng.shuffle(self.male)  # which names are common is itself drawn
        rng.shuffle(self.female)
        self.stems = list(self.male)
        rng.shuffle(self.stems)

    def surname(self, sex: str) -> str:
        stem = _zipf(self.rng, self.stems, SURNAME_S)
        endings = ENDINGS[self.country]
        ending = self.rng.choices([e for e, _ in endings], [w for _, w in endings])[0]
        if ending in ("ұлы",) and sex == "f":
            ending = "қызы"
        if ending == " уулу" and sex == "f":
            ending = " кызы"
        if ending in ("ов", "баев") and stem[-1] in "аеиоуыэюяӣӯ":
            ending = "ев"
        if ending.endswith(("ов", "ев")) and sex == "f":
            ending += "а"
        return stem + ending

    def person(self) -> Person:
        rng = self.rng
        sex = "m" if rng.random() < 0.9 else "f"
        given = _zipf(rng, self.male if sex == "m" else self.female, GIVEN_S)
        father = _zipf(rng, self.male, GIVEN_S)
        patronymic = father + ("ович" if sex == "m" else "овна") if rng.random() < 0.6 else ""
        day = date(1955, 1, 1) + timedelta(days=rng.randrange(52 * 365))
        dob = day if rng.random() > 0.03 else None  # a few records only hold the year
        return Person(self.surname(sex), given, patronymic, dob, day.year, sex)


def latin(text: str, rng: random.Random) -> str:
    """Cyrillic to Latin with one spelling system drawn for the whole call."""
    pick = {c: rng.choice(v) for c, v in _LATIN.items()}
    out = []
    for ch in text:
        low = ch.lower()
        rep = pick.get(low, ch)
        out.append(rep.capitalize() if ch != low and rep else rep)
    return "".join(out)


def kz2017(text: str, rng: random.Random) -> str:
    """Kazakh Latin of 2017 (apostrophe digraphs), the rest as `latin`."""
    out = []
    for ch in text:
        low = ch.lower()
        rep = _KZ2017.get(low)
        if rep is None:
            out.append(latin(ch, rng))
        else:
            out.append(rep.capitalize() if ch != low else rep)
    return "".join(out)


def typo(text: str, rng: random.Random) -> str:
    """One-letter substitution, deletion, insertion or transposition inside the word."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    op = rng.randrange(4)
    letter = rng.choice("aeioukmnrstlbdz")
    if op == 0:
        return text[:i] + letter + text[i + 1 :]
    if op == 1:
        return text[:i] + text[i + 1 :]
    if op == 2:
        return text[:i] + letter + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def _cut(surname: str) -> str:
    for end in ("ова", "ева", "ов", "ев", "зода", "ӣ", " уулу", " кызы", "ұлы", "қызы"):
        if surname.endswith(end):
            return surname[: -len(end)]
    return surname


def hard_variant(p: Person, kind: str, country: str, rng: random.Random) -> Person | None:
    """The same person written with one hard variant (Cyrillic before transliteration), or
    None when the variant does not apply to this person."""
    stem = _cut(p.surname)
    new = {
        "surname-zoda": stem + "зода",
        "surname-i": stem + "ӣ",
        "ending-dropped": stem,
        "uly-kyzy": stem + ("ұлы" if p.sex == "m" else "қызы"),
        "uulu-kyzy": stem + (" уулу" if p.sex == "m" else " кызы"),
    }.get(kind)
    if new is not None:
        if new == p.surname or (kind == "uly-kyzy") != (country == "kz"):
            return None
        if (kind == "uulu-kyzy") != (country == "kg"):
            return None
        if kind.startswith("surname") and country != "tj":
            return None
        return Person(new, p.given, p.patronymic, p.dob, p.year, p.sex)
    if kind == "yo-as-e":
        if "ё" not in (p.surname + p.given).lower():
            return None
        return p
    return p


def write_latin(p: Person, kind: str, rng: random.Random) -> Person:
    """Person `p` as the Latin register holds them (the hard variant applied where it is one
    of spelling: ё as e, Kazakh 2017, a typo)."""
    if kind == "kz-latin-2017":
        sur, giv = kz2017(p.surname, rng), kz2017(p.given, rng)
    else:
        sur, giv = latin(p.surname, rng), latin(p.given, rng)
        if kind == "yo-as-e":
            sur = latin(p.surname.replace("ё", "е"), rng)
            giv = latin(p.given.replace("ё", "е").replace("Ё", "Е"), rng)
    if kind == "typo":
        if rng.random() < 0.5:
            sur = typo(sur, rng)
        else:
            giv = typo(giv, rng)
    pat = latin(p.patronymic, rng) if p.patronymic else ""
    return Person(sur, giv, pat, p.dob, p.year, p.sex)
