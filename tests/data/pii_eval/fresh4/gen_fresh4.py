# ruff: noqa: E501  (vocabulary strings and f-strings of a data generator)
"""Write fresh4: issue 15's fifth-round guard table (tg, uz, uzc, kk, ky, ru; 200+ rows each).

Written at the start of the fifth round, before any rule changed. The vocabularies below were
written for this script from general knowledge of the region (names, case endings, month
spellings, places named after people, register formats, prison jargon); none is read from the
guard's `rules.json`. Each language has its own sentence shapes with slots; fillers vary every
row; openers and closers (shared by both labels) vary the frame. Seeded and deterministic.
Uzbek Cyrillic rows are the Uzbek Latin shapes transliterated (plus its own opener pool), so uzc
is not independent wording from uz. Run: python tests/data/pii_eval/fresh4/gen_fresh4.py
"""

from __future__ import annotations

import random
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent
PER_LABEL = 112
DOB_YEARS = range(1966, 2005)
OLD_YEARS = range(1994, 2012)  # events more than 14 years before the bench's TODAY (2026-06-01)


def pick(rng: random.Random, xs):
    return xs[rng.randrange(len(xs))]


def digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def spaced(s: str, groups: tuple[int, ...]) -> str:
    out, i = [], 0
    for g in groups:
        out.append(s[i : i + g])
        i += g
    if i < len(s):
        out.append(s[i:])
    return " ".join(out)


def birth(rng: random.Random) -> tuple[int, int, int]:
    return rng.randrange(1, 29), rng.randrange(1, 13), pick(rng, list(DOB_YEARS))


def old(rng: random.Random) -> tuple[int, int, int]:
    return rng.randrange(1, 29), rng.randrange(1, 13), pick(rng, list(OLD_YEARS))


def recent(rng: random.Random) -> tuple[int, int, int]:
    return rng.randrange(1, 29), rng.randrange(1, 13), pick(rng, [2023, 2024, 2025, 2026])


def dotted(d: int, m: int, y: int) -> str:
    return f"{d:02d}.{m:02d}.{y}"


# ----------------------------------------------------------------------------------- Russian
RU_M = [
    "Алексей",
    "Дмитрий",
    "Сергей",
    "Андрей",
    "Максим",
    "Руслан",
    "Тимур",
    "Азамат",
    "Ерлан",
    "Бахтияр",
    "Фархад",
    "Олег",
    "Игорь",
    "Виктор",
    "Нурлан",
    "Рустам",
    "Артём",
    "Евгений",
    "Вадим",
    "Станислав",
    "Ильдар",
    "Марат",
    "Даурен",
    "Шерзод",
    "Жасур",
    "Арсений",
    "Валерий",
    "Кайрат",
    "Эльдар",
    "Назар",
    "Мирон",
    "Гарри",
    "Санжар",
]
RU_F = [
    "Ольга",
    "Наталья",
    "Елена",
    "Айгуль",
    "Динара",
    "Гульнара",
    "Светлана",
    "Марина",
    "Зарина",
    "Малика",
    "Ирина",
    "Асель",
    "Жанна",
    "Татьяна",
    "Юлия",
    "Камила",
    "Дарья",
    "Лилия",
    "Нигора",
    "Алина",
]
RU_SUR = [
    "Кузнецов",
    "Смирнов",
    "Жунусов",
    "Ахметов",
    "Каримов",
    "Расулов",
    "Мамедов",
    "Абдуллаев",
    "Исмаилов",
    "Лебедев",
    "Морозов",
    "Ершов",
    "Сулейменов",
    "Волков",
    "Назаров",
    "Юсупов",
    "Гусейнов",
    "Ибрагимов",
    "Калинин",
    "Фомин",
    "Белоусов",
    "Тагиров",
    "Хасанов",
    "Есенжолов",
    "Тургунбаев",
    "Рахимбердиев",
    "Шарафутдинов",
    "Пономарёв",
    "Гринёв",
    "Кудрин",
    "Ткачук",
    "Шевченко",
    "Бондаренко",
    "Ким",
    "Пак",
    "Цой",
    "Тен",
    "Литвиненко",
    "Гордиенко",
    "Савчук",
]
RU_FOREIGN = [
    ("Клаус", "Мюллер"),
    ("Джон", "Смит"),
    ("Ахмет", "Йылмаз"),
    ("Юрген", "Шмидт"),
    ("Мехмет", "Озтюрк"),
    ("Пьер", "Дюбуа"),
    ("Томас", "Вебер"),
    ("Ли", "Вэй"),
    ("Марко", "Росси"),
    ("Якуб", "Новак"),
    ("Ханс", "Бергер"),
    ("Дэвид", "Браун"),
]
RU_MONTHS_GEN = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]


def ru_soft_hush(w: str) -> bool:
    return w[-1] in "гкхжшчщ"


def ru_decl(w: str, case: str, female: bool, surname: bool) -> str:
    """Rough Russian declension of a name (gen, dat, ins, acc, pre)."""
    if case == "nom":
        return w
    if (w.endswith(("ко", "ун")) and w.endswith("ко")) or w in ("Ли", "Вэй", "Росси", "Дюбуа"):
        return w
    if female:
        if surname:
            if w.endswith(("ова", "ева", "ёва", "ина")):
                return (
                    w[:-1] + {"gen": "ой", "dat": "ой", "ins": "ой", "acc": "у", "pre": "ой"}[case]
                )
            return w
        if w.endswith("ья") or w.endswith("ия"):
            return (
                w[:-1]
                + {
                    "gen": "и",
                    "dat": "и" if w.endswith("ия") else "е",
                    "ins": "ей",
                    "acc": "ю",
                    "pre": "и" if w.endswith("ия") else "е",
                }[case]
            )
        if w.endswith("а"):
            return (
                w[:-1]
                + {
                    "gen": "и" if ru_soft_hush(w[:-1]) else "ы",
                    "dat": "е",
                    "ins": "ой",
                    "acc": "у",
                    "pre": "е",
                }[case]
            )
        if w.endswith("ь"):
            return w[:-1] + {"gen": "и", "dat": "и", "ins": "ью", "acc": "ь", "pre": "и"}[case]
        return w
    if w.endswith(("ов", "ев", "ёв", "ин")) and surname:
        return w + {"gen": "а", "dat": "у", "ins": "ым", "acc": "а", "pre": "е"}[case]
    if w.endswith("ий"):
        return w[:-1] + {"gen": "я", "dat": "ю", "ins": "ем", "acc": "я", "pre": "и"}[case]
    if w.endswith("й"):
        return w[:-1] + {"gen": "я", "dat": "ю", "ins": "ем", "acc": "я", "pre": "е"}[case]
    if w.endswith("ь"):
        return w[:-1] + {"gen": "я", "dat": "ю", "ins": "ем", "acc": "я", "pre": "е"}[case]
    if w.endswith("и"):
        return w
    ins = "ем" if w[-1] in "жшчщц" else "ом"
    return w + {"gen": "а", "dat": "у", "ins": ins, "acc": "а", "pre": "е"}[case]


def ru_fem_surname(s: str) -> str:
    if s.endswith(("ов", "ев", "ёв", "ин")):
        return s + "а"
    return s


RU_PATR = {
    "Алексей": "Алексеев",
    "Дмитрий": "Дмитриев",
    "Сергей": "Сергеев",
    "Андрей": "Андреев",
    "Максим": "Максимов",
    "Руслан": "Русланов",
    "Тимур": "Тимуров",
    "Нурлан": "Нурланов",
    "Олег": "Олегов",
    "Игорь": "Игорев",
    "Виктор": "Викторов",
    "Марат": "Маратов",
    "Рустам": "Рустамов",
    "Кайрат": "Кайратов",
    "Валерий": "Валерьев",
    "Ерлан": "Ерланов",
}

RU_ACT_M = [
    "отказался от приёма пищи",
    "нарушил распорядок дня",
    "водворён в ШИЗО на 10 суток",
    "доставлен в медчасть с травмой руки",
    "этапирован в СИЗО-1",
    "не вышел на проверку",
    "пытался передать записку через баландёра",
    "задержан при попытке проноса телефона",
    "написал заявление об угрозах",
    "переведён в строгие условия",
    "направлен в ПКТ",
    "объявил голодовку",
    "вернулся из краткосрочного отпуска с опозданием",
]
RU_ACT_F = [
    "отказалась от приёма пищи",
    "нарушила распорядок дня",
    "доставлена в медчасть",
    "этапирована в СИЗО-2",
    "не вышла на проверку",
    "написала заявление об угрозах",
    "переведена в облегчённые условия",
    "объявила голодовку",
]
RU_PW_M = [
    "Осуждённый",
    "Осужденный",
    "Подозреваемый",
    "Обвиняемый",
    "Заключённый",
    "Гр.",
    "Спецконтингент:",
]
RU_PW_F = ["Осуждённая", "Осужденная", "Подозреваемая", "Обвиняемая", "Гражданка"]
RU_CITIES = [
    "Караганды",
    "Павлодара",
    "Тараза",
    "Шымкента",
    "Бишкека",
    "Оша",
    "Душанбе",
    "Худжанда",
    "Ташкента",
    "Самарканда",
    "Кызылорды",
    "Актобе",
    "Семея",
]
RU_STREETS = [
    "Абая",
    "Ленина",
    "Гагарина",
    "Сейфуллина",
    "Жибек жолы",
    "Токтогула",
    "Рудаки",
    "Навои",
    "Мира",
    "Садовая",
    "Школьная",
    "Комсомольская",
    "Байтурсынова",
]
RU_NICK = ["Шрам", "Бурый", "Малой", "Чёрный", "Казах", "Батя", "Седой", "Рыжий", "Самурай", "Гоша"]
RU_NAMED = [
    "район Беимбета Майлина",
    "район Магжана Жумабаева",
    "город Конаев",
    "район Турара Рыскулова",
    "район Габита Мусрепова",
    "посёлок имени Кирова",
    "Токтогульский район",
    "Панфиловский район",
    "Свердловский район г. Бишкек",
    "район Джаббора Расулова",
    "город Бободжон Гафуров",
    "Мирзо-Улугбекский район",
    "Навоийскую область",
    "город Навои",
    "район Шамиля Гайсина",
    "посёлок им. Калинина",
    "район Байзак",
    "район Казыбек би",
    "город Нур-Султан",
    "Жамбылскую область",
]
RU_NAMED_GEN = [
    "суд района Беимбета Майлина",
    "акимат района Магжана Жумабаева",
    "суд города Конаев",
    "прокуратуры района Турара Рыскулова",
    "суда Токтогульского района",
    "ОВД Свердловского района",
    "отдела района Джаббора Расулова",
    "суда района Габита Мусрепова",
    "УВД города Нурсултана",
    "полиции района Казыбек би",
]
RU_INST = [
    "больницу имени Пирогова",
    "НИИ имени Склифосовского",
    "университет имени аль-Фараби",
    "колледж имени Абая",
    "библиотеку имени Пушкина",
    "школу имени Жамбыла",
    "академию МВД имени Макана Есбулатова",
    "центр имени Ибн Сины",
    "стадион имени Спартака",
    "Дворец культуры имени Горького",
]
RU_STREET_NAMED = [
    "на проспекте Назарбаева",
    "на улице Абая",
    "на проспекте Чуй",
    "у памятника Манасу",
    "на площади Ленина",
    "на улице Шота Руставели",
    "по проспекту Рудаки",
    "в сквере Амира Темура",
]
RU_CAPS = [
    "Режим Содержания Нарушен В Отряде {n}",
    "Ночная Проверка прошла без замечаний.",
    "Общий Обыск: Запрещённых Предметов Не Выявлено.",
    "Карантинное Отделение Закрыто На Дезинфекцию.",
    "Отряд № {n}. Дежурный Помощник Начальника Колонии уведомлён.",
    "Вера В Досрочное Освобождение — Тема Беседы Психолога.",
]
RU_HEAD = [
    "СРОЧНО. КАРАНТИН В ОТРЯДЕ {n}. СВИДАНИЯ ОТМЕНЕНЫ.",
    "ВНИМАНИЕ! ЭТАП ИЗ ИК-{n} ЗАДЕРЖАН.",
    "ОПЕРАТИВНАЯ ИНФОРМАЦИЯ. ДСП.",
    "СВОДКА ЗА СУТКИ: ПРОИСШЕСТВИЙ НЕТ.",
    "МОЛНИЯ: ПОБЕГ НЕ ДОПУЩЕН, ПЕРИМЕТР УСИЛЕН.",
    "ДЛЯ СЛУЖЕБНОГО ПОЛЬЗОВАНИЯ. ОТРЯД {n}.",
]
RU_JARGON = [
    "В отряде {n} выявлен «смотрящий», изъята малява.",
    "Пресечён сбор средств в общак.",
    "При шмоне в локальном участке найдена заточка.",
    "Через «дорогу» передавались сим-карты.",
    "Блатные отказались выходить на промзону.",
    "Кум провёл беседу с активом отряда {n}.",
    "Обнаружен тайник с «запретом» в каптёрке.",
    "Попытка «раскачать» зону пресечена.",
]
RU_WORDNAMES = [
    "Надежда на УДО не оправдалась, ходатайство отклонено.",
    "Роман «Преступление и наказание» выдан из библиотеки отряда {n}.",
    "Слава богу, пострадавших нет.",
    "Лев на эмблеме учреждения перекрашен.",
    "Вера и Надежда — названия корпусов женской колонии.",
    "Мир в отряде восстановлен после беседы.",
    "Марат — позывной дежурной смены, не лицо.",
]
RU_OPEN = [
    "",
    "",
    "",
    "ИК-{n}: ",
    "Сообщение ДПНК: ",
    "УИС, отряд {n}. ",
    "Доклад: ",
    "Инфо СИЗО-{n}. ",
]
RU_CLOSE = [
    "",
    "",
    "",
    " Доложено.",
    " Меры приняты.",
    " Проверка продолжается.",
    " Прокурор уведомлён.",
]
RU_CODES = [
    "ЛА-155/12",
    "УЯ-64/1",
    "ЖУ-158/2",
    "ИК-3",
    "ЛИУ-{n}",
    "СИЗО-{n}",
    "КП-{n}",
    "ЕЦ-166/{n}",
]


def ru_slots(rng: random.Random) -> dict[str, str]:
    female = rng.random() < 0.25
    given = pick(rng, RU_F if female else RU_M)
    sur = pick(rng, RU_SUR)
    if female:
        sur = ru_fem_surname(sur)
    father = pick(rng, list(RU_PATR))
    stem = RU_PATR[father]
    patr = stem + ("на" if female else "ич")
    patr = patr.replace("евна", "евна").replace("овна", "овна")
    if female:
        patr = stem[:-2] + ("овна" if stem.endswith("ов") else "евна")
    else:
        patr = stem[:-2] + ("ович" if stem.endswith("ов") else "евич")
    d, m, y = birth(rng)
    od, om, oy = old(rng)
    rd, rm, ry = recent(rng)
    fg, fs = pick(rng, RU_FOREIGN)
    n = str(rng.randrange(1, 17))
    case = pick(rng, ["gen", "dat", "ins", "pre"])
    prep = {"gen": "у", "dat": "к", "ins": "с", "pre": "о"}[case]
    iin = f"{y % 100:02d}{m:02d}{d:02d}{3 if y < 2000 else 5}{digits(rng, 5)}"
    return {
        "PW": pick(rng, RU_PW_F if female else RU_PW_M),
        "ACT": pick(rng, RU_ACT_F if female else RU_ACT_M),
        "FULL": f"{given} {sur}",
        "SFULL": f"{sur} {given}",
        "GIVEN": given,
        "SUR": sur,
        "INIT": f"{sur} {given[0]}.{father[0]}.",
        "INIT2": f"{given[0]}. {sur}",
        "PATR": f"{sur} {given} {patr}",
        "PATR2": f"{given} {patr}",
        "CASEFULL": f"{prep} {ru_decl(given, case, female, False)} {ru_decl(sur, case, female, True)}",
        "GEN": f"{ru_decl(given, 'gen', female, False)} {ru_decl(sur, 'gen', female, True)}",
        "DAT": f"{ru_decl(given, 'dat', female, False)} {ru_decl(sur, 'dat', female, True)}",
        "INS": ru_decl(sur, "ins", female, True),
        "GDAT": ru_decl(given, "dat", female, False),
        "GGEN": ru_decl(given, "gen", female, False),
        "GINS": ru_decl(given, "ins", female, False),
        "LOWER": f"{given} {sur}".lower(),
        "LOWGEN": f"{ru_decl(given, 'gen', female, False)} {ru_decl(sur, 'gen', female, True)}".lower(),
        "LOWSUR": ru_decl(sur, case, female, True).lower(),
        "PREP": prep,
        "FOREIGN": f"{fg} {fs}",
        "FDAT": f"{ru_decl(fg, 'dat', False, False)} {ru_decl(fs, 'dat', False, True)}",
        "FGEN": f"{ru_decl(fg, 'gen', False, False)} {ru_decl(fs, 'gen', False, True)}",
        "DOBM": f"{d} {RU_MONTHS_GEN[m - 1]} {y}",
        "DOBN": dotted(d, m, y),
        "Y": str(y),
        "OLDM": f"{od} {RU_MONTHS_GEN[om - 1]} {oy}",
        "OLDN": dotted(od, om, oy),
        "RECN": dotted(rd, rm, ry),
        "RECM": f"{rd} {RU_MONTHS_GEN[rm - 1]} {ry}",
        "PHONE": pick(
            rng,
            [
                f"+7 7{digits(rng, 2)} {digits(rng, 3)} {digits(rng, 2)} {digits(rng, 2)}",
                f"8 (70{rng.randrange(10)}) {digits(rng, 3)}-{digits(rng, 2)}-{digits(rng, 2)}",
                f"+996 {pick(rng, ['555', '700', '772', '505'])} {digits(rng, 3)} {digits(rng, 3)}",
                f"+992 {pick(rng, ['93', '92', '90', '918'])} {digits(rng, 3)} {digits(rng, 4)}",
                f"8-9{digits(rng, 2)}-{digits(rng, 3)}-{digits(rng, 2)}-{digits(rng, 2)}",
            ],
        ),
        "PASS": pick(
            rng,
            [
                f"N{digits(rng, 8)}",
                f"{digits(rng, 2)} {digits(rng, 2)} {digits(rng, 6)}",
                f"ID{digits(rng, 7)}",
                f"AN {digits(rng, 7)}",
            ],
        ),
        "IIN": iin,
        "IINSP": spaced(iin, (3, 3, 3)),
        "SNILS": f"{digits(rng, 3)}-{digits(rng, 3)}-{digits(rng, 3)} {digits(rng, 2)}",
        "CITY": pick(rng, RU_CITIES),
        "STREET": pick(rng, RU_STREETS),
        "H": str(rng.randrange(1, 180)),
        "FL": str(rng.randrange(1, 120)),
        "PLATE": pick(
            rng,
            [
                f"{digits(rng, 3)} {pick(rng, ['ABC', 'KZA', 'EHM', 'BOT'])} {pick(rng, ['02', '01', '09', '17'])}",
                f"А{digits(rng, 3)}ВС {pick(rng, ['77', '174', '55'])}",
                f"01KG{digits(rng, 3)}ABK",
                f"{digits(rng, 4)} ТТ 01",
            ],
        ),
        "HANDLE": f"@{pick(rng, ['timur', 'sanya', 'batya', 'erlan', 'king', 'malik', 'dima'])}_{digits(rng, 2)}",
        "NICK": pick(rng, RU_NICK),
        "NAMED": pick(rng, RU_NAMED),
        "NAMEDGEN": pick(rng, RU_NAMED_GEN),
        "INST": pick(rng, RU_INST),
        "STNAMED": pick(rng, RU_STREET_NAMED),
        "N": n,
        "N2": str(rng.randrange(100, 9999)),
        "CODE": pick(rng, RU_CODES).replace("{n}", n),
        "CASENO": pick(
            rng,
            [
                f"1-{rng.randrange(10, 999)}/{ry}",
                f"2-{rng.randrange(100, 9999)}/{ry % 100}",
                f"{rng.randrange(10, 99)}-{rng.randrange(1, 12):02d}/{rng.randrange(100, 9999)}",
            ],
        ),
        "ERDR": f"{ry % 100:02d}{digits(rng, 4)}{rng.randrange(1, 4)}{digits(rng, 8)}",
        "REG": pick(
            rng,
            [
                f"{digits(rng, 2)}-{digits(rng, 2)}/{digits(rng, 4)}",
                f"{digits(rng, 3)}-{digits(rng, 3)}-{digits(rng, 2)}-{digits(rng, 2)}",
                f"{digits(rng, 4)} {digits(rng, 3)} {digits(rng, 3)}",
                f"{ry}{digits(rng, 6)}",
            ],
        ),
        "CAPS": pick(rng, RU_CAPS).replace("{n}", n),
        "HEAD": pick(rng, RU_HEAD).replace("{n}", n),
        "JARGON": pick(rng, RU_JARGON).replace("{n}", n),
        "WORDNAME": pick(rng, RU_WORDNAMES).replace("{n}", n),
    }


RU_PII = [
    ("name", "{PW} {FULL} {ACT}."),
    ("name", "{SFULL} ({Y} г.р.) {ACT}."),
    ("name", "По оперативным данным, {FULL} поддерживает связь с волей через родственников."),
    ("name", "В ходе обыска у {GEN} изъят мобильный телефон."),
    ("name-initials", "{INIT} {ACT}."),
    ("name-initials", "Рапорт составлен на {INIT2}, нарушение режима."),
    ("name-lower", "со слов дежурного {LOWER} {ACT}"),
    ("name-lower", "у {LOWGEN} изъяты запрещённые предметы"),
    ("name-lower", "информация получена {PREP} {LOWSUR}, проверяется"),
    ("name-case", "Передача адресована {DAT}, отправитель не установлен."),
    ("name-case", "Длительное свидание с {INS} разрешено начальником."),
    ("name-case", "Поступила жалоба {CASEFULL} в прокуратуру."),
    ("given-alone", "{PW} по имени {GIVEN} {ACT}."),
    ("given-alone", "Записку передали {GDAT} из отряда {N}."),
    ("given-alone", "Телефон принадлежит {GGEN}, сожителю по камере."),
    ("given-alone", "Конфликт с {GINS} в столовой, оба в ШИЗО."),
    ("patronymic", "{PW} {PATR} {ACT}."),
    ("patronymic", "{PATR2}, отряд {N}, {ACT}."),
    ("foreign-name", "Гражданин Германии {FOREIGN} помещён в карантин."),
    ("foreign-name", "Консул запросил сведения о передаче {FDAT}."),
    ("foreign-name", "Адвокат {FGEN} ходатайствует о переводе."),
    ("dob-month", "Осуждённый, {DOBM} года рождения, {ACT}."),
    ("dob-month", "Родился {DOBM} г. в г. {CITY}, ранее судим."),
    ("dob-month", "Дата рождения: {DOBM}, отряд {N}."),
    ("dob-numeric", "Д.р. {DOBN}, уроженец г. {CITY}, {ACT}."),
    ("dob-numeric", "Обвиняемый {DOBN} г.р. этапирован в суд."),
    ("phone", "Изъята сим-карта, номер {PHONE}."),
    ("phone", "Родственники звонили с номера {PHONE}, просили о свидании."),
    ("doc-number", "При поступлении изъят паспорт {PASS}."),
    ("doc-number", "ИИН {IIN}, ранее не судим."),
    ("id-spaced", "Сверка по ИИН {IINSP} выполнена."),
    ("id-spaced", "СНИЛС {SNILS} передан в соцзащиту."),
    ("address", "Проживал по адресу: г. {CITY}, ул. {STREET}, д. {H}, кв. {FL}."),
    ("address", "Мать проживает: ул. {STREET} {H}-{FL}, адрес подтверждён."),
    ("plate", "Встречу ожидали на автомашине {PLATE} у КПП."),
    ("plate", "Передачу привезли на авто г/н {PLATE}."),
    ("handle", "Переписка в Telegram с аккаунтом {HANDLE}."),
    ("handle", "Через Instagram {HANDLE} координировались поставки."),
    ("alias", "Осуждённый по кличке «{NICK}» собирает средства в общак."),
    ("alias", "Известен в отряде как «{NICK}», склонен к побегу."),
]
RU_CLEAN = [
    ("event-date-old", "Приговор вынесен {OLDM} г., срок 15 лет, отряд {N}."),
    ("event-date-old", "Учреждение введено в эксплуатацию {OLDN}."),
    ("event-date-old", "Взят под стражу {OLDM} года, с тех пор в учреждении."),
    ("event-date", "{RECN} проведён общий обыск в отряде {N}."),
    ("event-date", "Этап прибыл {RECM} г., замечаний нет."),
    ("place-named", "Этап направлен в {NAMED}."),
    ("place-named", "Запрос {NAMEDGEN} исполнен."),
    ("place-named", "Постановление {NAMEDGEN} поступило {RECN}."),
    ("institution-named", "Больной переведён в {INST}."),
    ("institution-named", "Конвой ожидает {STNAMED}, пробка."),
    ("case-number", "Материалы по делу № {CASENO} направлены в суд."),
    ("case-number", "ЕРДР № {ERDR}, досудебное расследование продолжается."),
    ("register-number", "Исх. № {REG} от {RECN}, вх. № {N2}."),
    ("register-number", "Журнал учёта рег. № {REG}, запись внесена."),
    ("caps-word", "{CAPS}"),
    ("heading", "{HEAD}"),
    ("jargon", "{JARGON}"),
    ("given-as-word", "{WORDNAME}"),
    ("plain", "Осуждённые отряда {N} отказались от приёма пищи, причина выясняется."),
    ("plain", "Переведён из {CODE} в ИК-{N}, документы получены."),
    ("plain", "Прибыли 14 осуждённых, 2 направлены в медчасть."),
    ("plain", "Проверка ФСИН и прокуратуры по {CODE} завершена, нарушений нет."),
]

# ------------------------------------------------------------------------ Turkic case endings
KK_FRONT, KK_BACK = set("әеіөүи"), set("аоұыу")
KK_VOICELESS = set("пткқсшфхцчщбвгд")  # б, в, г, д at a word's end are devoiced in Kazakh
KK_NASAL, KK_SON = set("мнң"), set("лрйуз" + "ж")


def kk_front(w: str) -> bool:
    for ch in reversed(w.lower()):
        if ch in KK_FRONT:
            return True
        if ch in KK_BACK:
            return False
    return False


def kk_case(w: str, case: str) -> str:
    """Kazakh case suffix with vowel harmony and the word's last sound (dat gen acc abl ins loc)."""
    low = w.lower()
    if low.endswith(("ұлы", "қызы")):  # possessive: ұлына, ұлының, ұлын, ұлынан
        return (
            w
            + {"dat": "на", "gen": "ның", "acc": "н", "abl": "нан", "ins": "мен", "loc": "нда"}[
                case
            ]
        )
    last = low[-1]
    kind = (
        "v"
        if last in "аәеоөұүыіиюя"
        else ("n" if last in KK_NASAL else ("s" if last in KK_SON else "x"))
    )
    back = {
        "dat": {"v": "ға", "n": "ға", "s": "ға", "x": "қа"},
        "gen": {"v": "ның", "n": "ның", "s": "дың", "x": "тың"},
        "acc": {"v": "ны", "n": "ды", "s": "ды", "x": "ты"},
        "abl": {"v": "дан", "n": "нан", "s": "дан", "x": "тан"},
        "ins": {"v": "мен", "n": "бен", "s": "мен", "x": "пен"},
        "loc": {"v": "да", "n": "да", "s": "да", "x": "та"},
    }
    front = {
        "dat": {"v": "ге", "n": "ге", "s": "ге", "x": "ке"},
        "gen": {"v": "нің", "n": "нің", "s": "дің", "x": "тің"},
        "acc": {"v": "ні", "n": "ді", "s": "ді", "x": "ті"},
        "abl": {"v": "ден", "n": "нен", "s": "ден", "x": "тен"},
        "ins": {"v": "мен", "n": "бен", "s": "мен", "x": "пен"},
        "loc": {"v": "де", "n": "де", "s": "де", "x": "те"},
    }
    return w + (front if kk_front(w) else back)[case][kind]


KY_HARM = {
    "а": "ы",
    "ы": "ы",
    "о": "у",
    "у": "у",
    "е": "и",
    "и": "и",
    "э": "и",
    "ө": "ү",
    "ү": "ү",
    "ё": "у",
    "я": "ы",
    "ю": "у",
}
KY_LOW = {
    "а": "а",
    "ы": "а",
    "о": "о",
    "у": "о",
    "е": "е",
    "и": "е",
    "э": "е",
    "ө": "ө",
    "ү": "ө",
    "ё": "о",
    "я": "а",
    "ю": "о",
}


def ky_case(w: str, case: str) -> str:
    """Kyrgyz case suffix with four-way vowel harmony (dat gen acc abl loc)."""
    lastv = next((ch for ch in reversed(w.lower()) if ch in KY_HARM), "а")
    hi, lo = KY_HARM[lastv], KY_LOW[lastv]
    last = w[-1].lower()
    vow = last in KY_HARM
    voiceless = last in "пткксшфхцчщ"
    if case == "dat":
        return w + ("к" if voiceless else "г") + lo
    if case == "gen":
        return w + ("н" if vow else ("т" if voiceless else "д")) + hi + "н"
    if case == "acc":
        return w + ("н" if vow else ("т" if voiceless else "д")) + hi
    if case == "abl":
        return w + ("т" if voiceless else "д") + lo + "н"
    return w + ("т" if voiceless else "д") + lo  # loc


def uz_case(w: str, case: str) -> str:
    """Uzbek case suffix (no harmony): -ga/-ka/-qa, -ning, -ni, -dan, -da, -niki."""
    last = w[-1].lower()
    if case == "dat":
        return w + ("ka" if last == "k" else "qa" if last == "q" else "ga")
    return w + {"gen": "ning", "acc": "ni", "abl": "dan", "loc": "da", "poss": "niki"}[case]


def case_forms(s: dict[str, str], fn, cases, given: str, sur: str, foreign: str) -> None:
    """Add every case form of the full name, surname, given name and a foreign surname."""
    fg, fs = foreign.split(" ", 1)
    for c in cases:
        s[f"FULL_{c}"] = f"{given} {fn(sur, c)}"
        s[f"SUR_{c}"] = fn(sur, c)
        s[f"GIVEN_{c}"] = fn(given, c)
        s[f"LOW_{c}"] = s[f"FULL_{c}"].lower()
        s[f"LOWSUR_{c}"] = s[f"SUR_{c}"].lower()
        s[f"LOWGIVEN_{c}"] = s[f"GIVEN_{c}"].lower()
        s[f"F_{c}"] = f"{fg} {fn(fs, c)}"


# ------------------------------------------------------------------------------------ Kazakh
KK_M = [
    "Ерлан",
    "Нұрлан",
    "Бауыржан",
    "Жандос",
    "Мақсат",
    "Дәурен",
    "Асқар",
    "Ғалым",
    "Қуаныш",
    "Ерболат",
    "Талғат",
    "Медет",
    "Арман",
    "Серік",
    "Олжас",
    "Ержан",
    "Дархан",
    "Айдос",
    "Бекзат",
    "Нұрсұлтан",
    "Санжар",
    "Абылай",
    "Ақжол",
    "Елдос",
    "Әділет",
    "Жасұлан",
    "Тілек",
    "Ернар",
    "Мейірхан",
    "Шыңғыс",
]
KK_F = [
    "Айгерім",
    "Сәуле",
    "Гүлнар",
    "Динара",
    "Әсел",
    "Жансая",
    "Ақбота",
    "Мадина",
    "Ләззат",
    "Назерке",
    "Аружан",
    "Меруерт",
    "Балжан",
    "Ұлжан",
    "Гүлмира",
    "Жібек",
]
KK_SUR = [
    "Жұмабаев",
    "Серікбаев",
    "Омаров",
    "Тоқтаров",
    "Исабеков",
    "Сейітов",
    "Нұрпейісов",
    "Әбілқасымов",
    "Құдайбергенов",
    "Мұқанов",
    "Бекмұратов",
    "Жақсылықов",
    "Оспанов",
    "Қасымов",
    "Әлімжанов",
    "Байжанов",
    "Ыбыраев",
    "Төлеуов",
    "Сыздықов",
    "Жолдасбеков",
    "Есенжолов",
    "Тұрсынбаев",
    "Қалиев",
    "Бәйменов",
]
KK_NEWSUR = ["Нұрланұлы", "Ерболұлы", "Серікұлы", "Асқарұлы", "Бекұлы", "Тілеуұлы", "Маратұлы"]
KK_FATHER = [
    "Серік",
    "Марат",
    "Болат",
    "Қайрат",
    "Ерлан",
    "Ғани",
    "Жомарт",
    "Талғат",
    "Амангелді",
    "Сапар",
]
KK_MONTHS = [
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
]
KK_MONTHS_PLAIN = [
    "кантар",
    "акпан",
    "наурыз",
    "сауир",
    "мамыр",
    "маусым",
    "шилде",
    "тамыз",
    "кыркуйек",
    "казан",
    "караша",
    "желтоксан",
]  # typed on a Russian keyboard
KK_ACT = [
    "тамақтан бас тартты",
    "күн тәртібін бұзды",
    "ШИЗО-ға 10 тәулікке орналастырылды",
    "медбөлімге жеткізілді",
    "тергеу изоляторына этаппен жіберілді",
    "тексеруге шықпады",
    "телефон алып кіруге әрекеттенді",
    "қауіп төніп тұрғаны туралы өтініш жазды",
    "қатаң жағдайға ауыстырылды",
    "аштық жариялады",
    "жұмысқа шығудан бас тартты",
]
KK_PW = ["Сотталған", "Сотталушы", "Күдікті", "Айыпталушы", "Азамат", "Сотталған әйел"]
KK_CITIES = [
    "Қарағанды",
    "Павлодар",
    "Тараз",
    "Шымкент",
    "Өскемен",
    "Қызылорда",
    "Ақтөбе",
    "Семей",
    "Көкшетау",
    "Орал",
]
KK_STREETS = [
    "Абай даңғылы",
    "Төле би көшесі",
    "Сейфуллин көшесі",
    "Жібек жолы көшесі",
    "Бейбітшілік көшесі",
    "Қабанбай батыр даңғылы",
    "Мәңгілік Ел даңғылы",
]
KK_NAMED = [
    "Бейімбет Майлин ауданы",
    "Мағжан Жұмабаев ауданы",
    "Тұрар Рысқұлов ауданы",
    "Ғабит Мүсірепов атындағы аудан",
    "Қонаев қаласы",
    "Байзақ ауданы",
    "Қазыбек би ауданы",
    "Төле би ауданы",
    "Әйтеке би ауданы",
    "Райымбек ауданы",
    "Қарасай ауданы",
    "Жамбыл облысы",
    "Шал ақын ауданы",
    "Сырым ауданы",
    "Абай облысы",
]
KK_NAMED_GEN = [
    "Бейімбет Майлин ауданының соты",
    "Мағжан Жұмабаев ауданының әкімдігі",
    "Қонаев қаласының полиция бөлімі",
    "Байзақ ауданының прокуратурасы",
    "Тұрар Рысқұлов ауданының соты",
    "Жамбыл облысының ҚАЖ департаменті",
    "Қазыбек би ауданының соты",
    "Нұрсұлтан қаласының бұрынғы тергеу изоляторы",
]
KK_INST = [
    "Әл-Фараби атындағы ҚазҰУ",
    "Шоқан Уәлиханов атындағы университет",
    "Сәкен Сейфуллин атындағы агротехникалық университет",
    "Абай атындағы мектеп-лицей",
    "Ахмет Байтұрсынұлы атындағы университет",
    "Асфендияров атындағы медицина университеті",
    "Мәкан Есбулатов атындағы Алматы академиясы",
]
KK_CAPS = [
    "Тәртіп Бұзушылық Тіркелді, Отряд {n}",
    "Түнгі Тексеру Ескертусіз Өтті.",
    "Жалпы Тінту: Тыйым Салынған Зат Табылмады.",
    "Карантин Бөлімі Жабық.",
]
KK_HEAD = [
    "ШҰҒЫЛ ХАБАРЛАМА. {n}-ОТРЯДТА КАРАНТИН.",
    "НАЗАР АУДАРЫҢЫЗ! ЭТАП КЕШІКТІ.",
    "ҚЫЗМЕТТІК ПАЙДАЛАНУ ҮШІН.",
    "ТӘУЛІКТІК ЖИЫНТЫҚ: ОҚИҒА ЖОҚ.",
    "ҚАШУҒА ЖОЛ БЕРІЛМЕДІ.",
]
KK_JARGON = [
    "{n}-отрядта «смотрящий» анықталды, малява алынды.",
    "Общакқа ақша жинау тоқтатылды.",
    "Шмон кезінде жергілікті аймақтан заточка табылды.",
    "«Дорога» арқылы сим-карталар берілген.",
    "Каптеркадан «запрет» салынған жасырын орын табылды.",
]
KK_WORDNAMES = [
    "Мақсат — этапты қауіпсіз өткізу.",
    "Бақыт пен бостандық туралы әңгіме өтті.",
    "Мейрам күндері кездесу кестесі өзгереді.",
    "Жеңіс күніне орай концерт өтті.",
    "Ерлік туралы кітап кітапханаға түсті.",
    "Сәуле түсетін камералар жөнделді.",
    "Мереке қарсаңында тінту күшейтілді.",
]
KK_OPEN = ["", "", "", "ҚАЖ мекемесі {code}: ", "Кезекші хабарлайды: ", "{n}-отряд. ", "Ақпарат: "]
KK_CLOSE = [
    "",
    "",
    "",
    " Баяндалды.",
    " Шара қолданылды.",
    " Тексеру жүріп жатыр.",
    " Прокурорға хабарланды.",
]
KK_CODES = ["ЕЦ-166/{n}", "ЛА-155/12", "АК-159/{n}", "УК-161/{n}", "ОВ-156/{n}"]


def kk_slots(rng: random.Random) -> dict[str, str]:
    female = rng.random() < 0.25
    given = pick(rng, KK_F if female else KK_M)
    if rng.random() < 0.2 and not female:
        sur = pick(rng, KK_NEWSUR)
    else:
        sur = pick(rng, KK_SUR) + ("а" if female else "")
    father = pick(rng, KK_FATHER)
    patr = father + ("қызы" if female else "ұлы")
    d, m, y = birth(rng)
    od, om, oy = old(rng)
    rd, rm, ry = recent(rng)
    n = str(rng.randrange(1, 17))
    case = pick(rng, ["dat", "gen", "acc", "abl", "ins", "loc"])
    month = pick(rng, KK_MONTHS) if rng.random() < 0.7 else KK_MONTHS_PLAIN[m - 1]
    month = KK_MONTHS[m - 1] if month in KK_MONTHS else month
    fg, fs = pick(
        rng,
        [
            ("Клаус", "Мюллер"),
            ("Джон", "Смит"),
            ("Ахмет", "Йылмаз"),
            ("Мехмет", "Озтюрк"),
            ("Ли", "Вэй"),
            ("Пьер", "Дюбуа"),
            ("Юрген", "Шмидт"),
            ("Дэвид", "Браун"),
        ],
    )
    iin = (
        f"{y % 100:02d}{m:02d}{d:02d}{4 if female else 3}{digits(rng, 5)}"
        if y < 2000
        else f"{y % 100:02d}{m:02d}{d:02d}{6 if female else 5}{digits(rng, 5)}"
    )
    code = pick(rng, KK_CODES).replace("{n}", n)
    out: dict[str, str] = {
        "PW": pick(rng, KK_PW),
        "ACT": pick(rng, KK_ACT),
        "FULL": f"{given} {sur}",
        "SFULL": f"{sur} {given}",
        "GIVEN": given,
        "SUR": sur,
        "PATR": f"{given} {patr} {sur}" if not sur.endswith("ұлы") else f"{given} {patr}",
        "PATRRU": f"{sur} {given} {father}ович" if not female else f"{sur} {given} {father}овна",
        "CASEFULL": f"{given} {kk_case(sur, case)}",
        "CASESUR": kk_case(sur, case),
        "GCASE": kk_case(given, case),
        "GGEN": kk_case(given, "gen"),
        "GDAT": kk_case(given, "dat"),
        "LOWER": f"{given} {sur}".lower(),
        "LOWCASE": kk_case(sur, case).lower(),
        "LOWGCASE": f"{given} {kk_case(sur, case)}".lower(),
        "INIT": f"{sur} {given[0]}.{father[0]}.",
        "FOREIGN": f"{fg} {fs}",
        "FCASE": f"{fg} {kk_case(fs, case)}",
        "DOBM": f"{y} жылғы {d} {month}",
        "DOBM2": f"{d} {month} {y} ж.",
        "DOBN": dotted(d, m, y),
        "Y": str(y),
        "OLDM": f"{oy} жылғы {od} {kk_case(KK_MONTHS[om - 1], 'loc')}",
        "OLDN": dotted(od, om, oy),
        "OLDY": str(oy),
        "RECN": dotted(rd, rm, ry),
        "RECM": f"{ry} жылғы {rd} {kk_case(KK_MONTHS[rm - 1], 'loc')}",
        "PHONE": pick(
            rng,
            [
                f"+7 7{digits(rng, 2)} {digits(rng, 3)} {digits(rng, 2)} {digits(rng, 2)}",
                f"8 70{rng.randrange(10)} {digits(rng, 3)} {digits(rng, 4)}",
                f"87{digits(rng, 9)}",
                f"8(777){digits(rng, 3)}-{digits(rng, 2)}-{digits(rng, 2)}",
            ],
        ),
        "PASS": pick(rng, [f"N{digits(rng, 8)}", f"№{digits(rng, 9)}"]),
        "IIN": iin,
        "IINSP": pick(rng, [spaced(iin, (6, 6)), spaced(iin, (3, 3, 3, 3))]),
        "CITY": pick(rng, KK_CITIES),
        "STREET": pick(rng, KK_STREETS),
        "H": str(rng.randrange(1, 180)),
        "FL": str(rng.randrange(1, 120)),
        "PLATE": pick(
            rng,
            [
                f"{digits(rng, 3)} {pick(rng, ['ABC', 'KZA', 'ADM', 'BOT', 'HRA'])} {pick(rng, ['02', '01', '09', '17', '05'])}",
                f"{digits(rng, 3)}{pick(rng, ['AAA', 'KBA'])}{pick(rng, ['10', '13'])}",
            ],
        ),
        "HANDLE": f"@{pick(rng, ['erlan', 'aga', 'bauka', 'dos', 'kz_boss', 'nurik'])}{digits(rng, 2)}",
        "NICK": pick(rng, ["Шрам", "Қасқыр", "Бурый", "Көкжал", "Бала", "Шал", "Қара"]),
        "NAMED": pick(rng, KK_NAMED),
        "NAMEDGEN": pick(rng, KK_NAMED_GEN),
        "INST": pick(rng, KK_INST),
        "N": n,
        "N2": str(rng.randrange(100, 9999)),
        "CODE": code,
        "CASENO": pick(
            rng,
            [
                f"1-{rng.randrange(10, 999)}/{ry}",
                f"{rng.randrange(1000, 9999)}-{ry % 100}-00-1/{rng.randrange(10, 999)}",
            ],
        ),
        "ERDR": f"{ry % 100:02d}{digits(rng, 4)}{rng.randrange(1, 4)}{digits(rng, 8)}",
        "REG": pick(
            rng,
            [
                f"{digits(rng, 2)}-{digits(rng, 2)}/{digits(rng, 4)}",
                f"3Т-{digits(rng, 4)}",
                f"{digits(rng, 4)} {digits(rng, 3)} {digits(rng, 3)}",
            ],
        ),
        "CAPS": pick(rng, KK_CAPS).replace("{n}", n),
        "HEAD": pick(rng, KK_HEAD).replace("{n}", n),
        "JARGON": pick(rng, KK_JARGON).replace("{n}", n),
        "WORDNAME": pick(rng, KK_WORDNAMES),
        "code": code,
    }
    case_forms(out, kk_case, ("dat", "gen", "acc", "abl", "ins", "loc"), given, sur, f"{fg} {fs}")
    return out


KK_PII = [
    ("name", "{PW} {FULL} {ACT}."),
    ("name", "{SFULL} ({Y} ж.т.) {ACT}."),
    ("name", "Жедел мәлімет бойынша {FULL} туыстары арқылы сыртпен байланыста."),
    ("name-initials", "{INIT} {ACT}."),
    ("name-lower", "кезекшінің айтуынша {LOWER} {ACT}"),
    ("name-lower", "тінту кезінде {LOWSUR_gen} төсегінен телефон табылды"),
    ("name-lower", "ақпаратты {LOW_abl} алдық, тексерілуде"),
    ("name-lower", "{LOWGIVEN_gen} туысы кезекшіге хат қалдырды"),
    ("name-case", "Сәлемдеме {FULL_dat} жіберілген, жіберуші белгісіз."),
    ("name-case", "Ұзақ мерзімді кездесу {SUR_ins} өткізуге рұқсат етілді."),
    ("name-case", "Шағым {FULL_dat} қатысты прокуратураға түсті."),
    ("name-case", "Тінту кезінде {SUR_gen} төсегінен телефон табылды."),
    ("name-case", "Күзетшілер {SUR_acc} медбөлімге апарды."),
    ("name-case", "{FULL_loc} тыйым салынған зат табылды."),
    ("given-alone", "{PW} {GIVEN} есімді {ACT}."),
    ("given-alone", "Хатты {GIVEN_dat} {N}-отрядтан берген."),
    ("given-alone", "{GIVEN_gen} телефоны тәркіленді."),
    ("given-alone", "{GIVEN_ins} асханада жанжал болды."),
    ("given-alone", "{GIVEN_abl} ақша талап еткен."),
    ("patronymic", "{PW} {PATR} {ACT}."),
    ("patronymic", "{PATRRU}, {N}-отряд, {ACT}."),
    ("foreign-name", "Германия азаматы {FOREIGN} карантинге орналастырылды."),
    ("foreign-name", "Консул {F_dat} қатысты мәлімет сұрады."),
    ("dob-month", "Сотталған {DOBM} туған, {ACT}."),
    ("dob-month", "Туған күні: {DOBM2}, {N}-отряд."),
    ("dob-month", "{DOBM2} т., {CITY} қаласының тумасы, бұрын сотталған."),
    ("dob-numeric", "Т.к. {DOBN}, {CITY} қ., {ACT}."),
    ("dob-numeric", "Айыпталушы {DOBN} ж.т. сотқа этаппен жеткізілді."),
    ("phone", "Сим-карта алынды, нөмірі {PHONE}."),
    ("phone", "Туыстары {PHONE} нөмірінен қоңырау шалды."),
    ("doc-number", "Келген кезде жеке куәлік {PASS} алынды."),
    ("doc-number", "ЖСН {IIN}, бұрын сотталмаған."),
    ("id-spaced", "ЖСН {IINSP} бойынша салыстыру жүргізілді."),
    ("id-spaced", "ИИН: {IINSP}, дерекқорда бар."),
    ("address", "Мекенжайы: {CITY} қ., {STREET}, {H}-үй, {FL}-пәтер."),
    ("address", "Анасы {STREET} {H}, {FL}-пәтерде тұрады."),
    ("plate", "Кездесуді {PLATE} көлігімен күтті."),
    ("plate", "Сәлемдемені мем. нөмірі {PLATE} көлікпен әкелді."),
    ("handle", "Telegram-да {HANDLE} аккаунтымен хат алмасқан."),
    ("alias", "«{NICK}» деген лақап атпен белгілі сотталған общакқа ақша жинайды."),
    ("alias", "Отрядта «{NICK}» деп аталады, қашуға бейім."),
]
KK_CLEAN = [
    ("event-date-old", "Үкім {OLDM} шығарылды, мерзімі 15 жыл."),
    ("event-date-old", "Мекеме {OLDN} пайдалануға берілді."),
    ("event-date-old", "{OLDY} жылғы {N} наурызда қамауға алынған, содан бері мекемеде."),
    ("event-date", "{RECN} {N}-отрядта жалпы тінту жүргізілді."),
    ("event-date", "Этап {RECM} келді, ескерту жоқ."),
    ("place-named", "Этап {NAMED} бағытына жіберілді."),
    ("place-named", "{NAMEDGEN} сұрауы орындалды."),
    ("place-named", "{NAMED} бойынша мәлімет {RECN} жіберілді."),
    ("institution-named", "Сотталған {INST} клиникасына ауыстырылды."),
    ("institution-named", "{INST} студенттері мекемеде тәжірибеден өтті."),
    ("case-number", "№ {CASENO} іс материалдары сотқа жіберілді."),
    ("case-number", "СТДТ № {ERDR}, сотқа дейінгі тергеу жалғасуда."),
    ("register-number", "Шығ. № {REG}, {RECN}, кір. № {N2}."),
    ("register-number", "Тіркеу журналы № {REG}, жазба енгізілді."),
    ("caps-word", "{CAPS}"),
    ("heading", "{HEAD}"),
    ("jargon", "{JARGON}"),
    ("given-as-word", "{WORDNAME}"),
    ("plain", "{N}-отрядтың сотталғандары тамақтан бас тартты, себебі анықталуда."),
    ("plain", "{CODE} мекемесінен АК-159/{N} мекемесіне ауыстырылды."),
    ("plain", "14 сотталған келді, 2-уі медбөлімге жіберілді."),
    ("plain", "Прокуратура {CODE} мекемесін тексерді, бұзушылық жоқ."),
]


# ----------------------------------------------------------------------------------- Kyrgyz
KY_M = [
    "Бакыт",
    "Нурлан",
    "Айбек",
    "Эрмек",
    "Азамат",
    "Чыңгыз",
    "Нурбек",
    "Улан",
    "Талант",
    "Бектур",
    "Жаныбек",
    "Эламан",
    "Айдар",
    "Мирлан",
    "Самат",
    "Кубат",
    "Темир",
    "Жоомарт",
    "Мээрбек",
    "Элдияр",
    "Адилет",
    "Нурсултан",
    "Асылбек",
    "Канат",
    "Өмүрбек",
    "Үсөн",
]
KY_F = [
    "Гүлзат",
    "Айзада",
    "Жылдыз",
    "Мээрим",
    "Айпери",
    "Нургүл",
    "Чолпон",
    "Бурул",
    "Жибек",
    "Айжан",
    "Назгүл",
    "Бегимай",
    "Элнура",
    "Сезим",
]
KY_SUR = [
    "Асанов",
    "Токтогулов",
    "Мамбетов",
    "Усенбеков",
    "Абдыкалыков",
    "Жапаров",
    "Сыдыков",
    "Турдубаев",
    "Осмонов",
    "Кадыров",
    "Бекматов",
    "Эсенгулов",
    "Сатыбалдиев",
    "Алымкулов",
    "Кочкоров",
    "Ташиев",
    "Орозбеков",
    "Шамшиев",
    "Дүйшөнбиев",
    "Мырзакматов",
    "Өмүралиев",
    "Токтосунов",
    "Жумабеков",
]
KY_FATHER = [
    "Нурлан",
    "Бакыт",
    "Асан",
    "Токтосун",
    "Мамат",
    "Эсен",
    "Өмүр",
    "Сапар",
    "Жолдош",
    "Кубан",
]
KY_MONTHS = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]
KY_MONTHS_OLD = [
    "үчтүн айы",
    "бирдин айы",
    "жалган куран",
    "чын куран",
    "бугу",
    "кулжа",
    "теке",
    "баш оона",
    "аяк оона",
    "тогуздун айы",
    "жетинин айы",
    "бештин айы",
]
KY_ACT = [
    "тамактан баш тартты",
    "күн тартибин бузду",
    "ШИЗОго 10 суткага камалды",
    "медбөлүмгө жеткирилди",
    "тергөө абагына этап менен жөнөтүлдү",
    "текшерүүгө чыккан жок",
    "телефон киргизүүгө аракет кылды",
    "коркутуу жөнүндө арыз жазды",
    "ачкачылык жарыялады",
    "катуу шартка которулду",
    "жумушка чыгуудан баш тартты",
]
KY_PW = ["Соттолгон", "Шектүү", "Айыпталуучу", "Жаран", "Камактагы", "Соттолгон аял"]
KY_CITIES = ["Бишкек", "Ош", "Жалал-Абад", "Каракол", "Нарын", "Талас", "Баткен", "Токмок"]
KY_STREETS = [
    "Ахунбаев көчөсү",
    "Чүй проспекти",
    "Манас проспекти",
    "Жибек Жолу проспекти",
    "Ленин көчөсү",
    "Масалиев көчөсү",
    "Курманжан Датка көчөсү",
]
KY_NAMED = [
    "Токтогул району",
    "Панфилов району",
    "Жайыл району",
    "Бишкектин Ленин району",
    "Свердлов району",
    "Ноокат району",
    "Ала-Бука району",
    "Кемин району",
    "Аксы району",
    "Чүй облусу",
    "Талас облусу",
    "Кара-Суу району",
    "Базар-Коргон району",
]
KY_NAMED_GEN = [
    "Токтогул районунун соту",
    "Панфилов районунун ИИБи",
    "Свердлов райондук соту",
    "Жайыл районунун прокуратурасы",
    "Ленин райондук ички иштер бөлүмү",
    "Токтогул шаарынын милициясы",
    "Бишкектин Октябрь районунун соту",
]
KY_INST = [
    "Ж. Баласагын атындагы КУУ",
    "И. Арабаев атындагы университет",
    "Манас атындагы аэропорт",
    "И. К. Ахунбаев атындагы медициналык академия",
    "Ч. Айтматов атындагы китепкана",
    "Б. Осмонов атындагы Жалал-Абад университети",
]
KY_CAPS = [
    "Тартип Бузуу Катталды, Отряд {n}",
    "Түнкү Текшерүү Эскертүүсүз Өттү.",
    "Жалпы Тинтүү: Тыюу Салынган Буюм Табылган Жок.",
    "Карантин Бөлүмү Жабык.",
]
KY_HEAD = [
    "ШАШЫЛЫШ БИЛДИРҮҮ. {n}-ОТРЯДДА КАРАНТИН.",
    "КӨҢҮЛ БУРУҢУЗДАР! ЭТАП КЕЧИКТИ.",
    "КЫЗМАТТЫК ПАЙДАЛАНУУ ҮЧҮН.",
    "СУТКАЛЫК КЫСКАЧА: ОКУЯ ЖОК.",
    "КАЧУУГА ЖОЛ БЕРИЛГЕН ЖОК.",
]
KY_JARGON = [
    "{n}-отрядда «смотрящий» аныкталды, малява алынды.",
    "Общакка акча чогултуу токтотулду.",
    "Шмон учурунда локалдык аймактан заточка табылды.",
    "«Дорога» аркылуу сим-карталар берилген.",
    "Каптеркадан «запрет» катылган жашыруун жай табылды.",
]
KY_WORDNAMES = [
    "Максат — этапты коопсуз өткөрүү.",
    "Жеңиш күнүнө карата концерт өттү.",
    "Бакыт жана эркиндик тууралуу маек болду.",
    "Талант сынагы клубда өттү.",
    "Урмат-сый жөнүндө лекция окулду.",
    "Эркин сүйлөшүү убактысы кыскартылды.",
]
KY_OPEN = ["", "", "", "ЖАМК мекемеси {code}: ", "Кезекчи билдирет: ", "{n}-отряд. ", "Маалымат: "]
KY_CLOSE = [
    "",
    "",
    "",
    " Билдирилди.",
    " Чара көрүлдү.",
    " Текшерүү жүрүүдө.",
    " Прокурорго кабарланды.",
]
KY_CODES = ["№ 47 мекеме", "№ 1 түзөтүү колониясы", "№ 8 мекеме", "№ 31 мекеме", "№ {n} СИЗО"]


def ky_slots(rng: random.Random) -> dict[str, str]:
    female = rng.random() < 0.25
    given = pick(rng, KY_F if female else KY_M)
    sur = pick(rng, KY_SUR) + ("а" if female else "")
    father = pick(rng, KY_FATHER)
    d, m, y = birth(rng)
    od, om, oy = old(rng)
    rd, rm, ry = recent(rng)
    n = str(rng.randrange(1, 17))
    case = pick(rng, ["dat", "gen", "acc", "abl", "loc"])
    month = KY_MONTHS[m - 1] if rng.random() < 0.75 else KY_MONTHS_OLD[m - 1]
    mstem = month.rstrip("ь")
    fg, fs = pick(
        rng,
        [
            ("Клаус", "Мюллер"),
            ("Джон", "Смит"),
            ("Ахмет", "Йылмаз"),
            ("Мехмет", "Озтюрк"),
            ("Ли", "Вэй"),
            ("Томас", "Вебер"),
            ("Марко", "Росси"),
        ],
    )
    pin = f"{2 if female else 1}{d:02d}{m:02d}{y}{digits(rng, 5)}"
    code = pick(rng, KY_CODES).replace("{n}", n)
    out: dict[str, str] = {
        "PW": pick(rng, KY_PW),
        "ACT": pick(rng, KY_ACT),
        "FULL": f"{given} {sur}",
        "SFULL": f"{sur} {given}",
        "GIVEN": given,
        "PATR": f"{given} {father} {'кызы' if female else 'уулу'}",
        "PATR2": f"{sur} {given} {father}{'овна' if female else 'ович'}",
        "CASEFULL": f"{given} {ky_case(sur, case)}",
        "CASESUR": ky_case(sur, case),
        "GCASE": ky_case(given, case),
        "GGEN": ky_case(given, "gen"),
        "GDAT": ky_case(given, "dat"),
        "LOWER": f"{given} {sur}".lower(),
        "LOWCASE": ky_case(sur, case).lower(),
        "LOWGCASE": f"{given} {ky_case(sur, case)}".lower(),
        "INIT": f"{sur} {given[0]}.{father[0]}.",
        "FOREIGN": f"{fg} {fs}",
        "FCASE": f"{fg} {ky_case(fs, case)}",
        "DOBM": f"{y}-жылы {d}-{ky_case(mstem, 'loc')}"
        if month in KY_MONTHS
        else f"{y}-жылы {month + 'нын' if month.endswith('айы') else month + ' айынын'} {d}-күнү",
        "DOBM2": f"{d}-{month} {y}-ж.",
        "DOBN": dotted(d, m, y),
        "Y": str(y),
        "OLDM": f"{oy}-жылы {od}-{ky_case(KY_MONTHS[om - 1].rstrip('ь'), 'loc')}",
        "OLDN": dotted(od, om, oy),
        "OLDY": str(oy),
        "RECN": dotted(rd, rm, ry),
        "RECM": f"{ry}-жылы {rd}-{ky_case(KY_MONTHS[rm - 1].rstrip('ь'), 'loc')}",
        "PHONE": pick(
            rng,
            [
                f"+996 {pick(rng, ['555', '700', '772', '505', '997'])} {digits(rng, 2)} {digits(rng, 2)} {digits(rng, 2)}",
                f"0{pick(rng, ['555', '700', '772', '779'])} {digits(rng, 3)} {digits(rng, 3)}",
                f"0{pick(rng, ['550', '705'])}-{digits(rng, 2)}-{digits(rng, 2)}-{digits(rng, 2)}",
            ],
        ),
        "PASS": pick(rng, [f"ID{digits(rng, 7)}", f"AN {digits(rng, 7)}", f"AC{digits(rng, 7)}"]),
        "PIN": pin,
        "PINSP": pick(rng, [spaced(pin, (1, 4, 4)), spaced(pin, (5, 4))]),
        "CITY": pick(rng, KY_CITIES),
        "STREET": pick(rng, KY_STREETS),
        "H": str(rng.randrange(1, 180)),
        "FL": str(rng.randrange(1, 120)),
        "PLATE": pick(
            rng,
            [
                f"01KG{digits(rng, 3)}{pick(rng, ['ABK', 'AAC', 'BMX'])}",
                f"0{rng.randrange(1, 9)} {digits(rng, 3)} {pick(rng, ['ABC', 'AKL', 'BBB'])}",
                f"B {digits(rng, 4)} {pick(rng, ['AB', 'CE'])}",
            ],
        ),
        "HANDLE": f"@{pick(rng, ['bakyt', 'nurik', 'kg_boss', 'aibek', 'osh_bala'])}{digits(rng, 2)}",
        "NICK": pick(rng, ["Кара", "Бала", "Шрам", "Карышкыр", "Чал", "Боз"]),
        "NAMED": pick(rng, KY_NAMED),
        "NAMEDGEN": pick(rng, KY_NAMED_GEN),
        "INST": pick(rng, KY_INST),
        "N": n,
        "N2": str(rng.randrange(100, 9999)),
        "CODE": code,
        "CASENO": pick(
            rng,
            [
                f"УД-{rng.randrange(100, 9999)}/{ry % 100}",
                f"{rng.randrange(1, 9)}-{rng.randrange(100, 999)}/{ry}",
            ],
        ),
        "ERPP": f"{rng.randrange(1, 9):02d}-{ry}-{digits(rng, 6)}",
        "REG": pick(
            rng,
            [
                f"{digits(rng, 2)}-{digits(rng, 2)}/{digits(rng, 4)}",
                f"{digits(rng, 3)}-{digits(rng, 3)}-{digits(rng, 3)}",
                f"{ry}{digits(rng, 5)}",
            ],
        ),
        "CAPS": pick(rng, KY_CAPS).replace("{n}", n),
        "HEAD": pick(rng, KY_HEAD).replace("{n}", n),
        "JARGON": pick(rng, KY_JARGON).replace("{n}", n),
        "WORDNAME": pick(rng, KY_WORDNAMES),
        "code": code,
    }
    case_forms(out, ky_case, ("dat", "gen", "acc", "abl", "loc"), given, sur, f"{fg} {fs}")
    return out


KY_PII = [
    ("name", "{PW} {FULL} {ACT}."),
    ("name", "{SFULL} ({Y}-ж.т.) {ACT}."),
    ("name", "Ыкчам маалымат боюнча {FULL} туугандары аркылуу сырт менен байланышта."),
    ("name-initials", "{INIT} {ACT}."),
    ("name-lower", "кезекчинин айтымында {LOWER} {ACT}"),
    ("name-lower", "тинтүүдө {LOWSUR_gen} керебетинен телефон табылды"),
    ("name-lower", "маалыматты {LOW_abl} алдык, текшерилүүдө"),
    ("name-lower", "{LOWGIVEN_gen} тууганы кезекчиге кат калтырды"),
    ("name-case", "Посылка {FULL_dat} жөнөтүлгөн, жөнөтүүчү белгисиз."),
    ("name-case", "{SUR_dat} узак мөөнөттүү жолугушууга уруксат берилди."),
    ("name-case", "Арыз {FULL_dat} байланыштуу прокуратурага түштү."),
    ("name-case", "Тинтүүдө {SUR_gen} керебетинен телефон табылды."),
    ("name-case", "Күзөтчүлөр {SUR_acc} медбөлүмгө алып барышты."),
    ("name-case", "{FULL_loc} тыюу салынган буюм табылды."),
    ("given-alone", "{GIVEN} деген {PW:lower} {ACT}."),
    ("given-alone", "Катты {GIVEN_dat} {N}-отряддан беришкен."),
    ("given-alone", "{GIVEN_gen} телефону алынды."),
    ("given-alone", "{GIVEN_abl} акча талап кылышкан."),
    ("given-alone", "Чатак {GIVEN_dat} байланыштуу ашканада болду."),
    ("patronymic", "{PW} {PATR} {ACT}."),
    ("patronymic", "{PATR2}, {N}-отряд, {ACT}."),
    ("foreign-name", "Германиянын жараны {FOREIGN} карантинге жайгаштырылды."),
    ("foreign-name", "Консул {F_dat} байланыштуу маалымат сурады."),
    ("dob-month", "Соттолгон {DOBM} туулган, {ACT}."),
    ("dob-month", "Туулган күнү: {DOBM2}, {N}-отряд."),
    ("dob-month", "{DOBM} {CITY} шаарында туулган, мурда соттолгон."),
    ("dob-numeric", "Т.к. {DOBN}, {CITY} ш., {ACT}."),
    ("dob-numeric", "Айыпталуучу {DOBN} туулган, сотко этап менен жеткирилди."),
    ("phone", "Сим-карта алынды, номери {PHONE}."),
    ("phone", "Туугандары {PHONE} номеринен чалышты."),
    ("doc-number", "Келгенде паспорту {PASS} алынды."),
    ("doc-number", "ПИН {PIN}, мурда соттолгон эмес."),
    ("id-spaced", "ЖЖН {PINSP} боюнча салыштыруу жүргүзүлдү."),
    ("address", "Дареги: {CITY} ш., {STREET}, {H}-үй, {FL}-батир."),
    ("address", "Апасы {STREET} {H}/{FL} дарегинде жашайт."),
    ("plate", "Жолугушууну {PLATE} унаасы менен күтүшкөн."),
    ("plate", "Посылканы мамлекеттик номери {PLATE} унаа алып келди."),
    ("handle", "Telegram'да {HANDLE} аккаунту менен кат алышкан."),
    ("alias", "«{NICK}» деген лакап аты менен белгилүү соттолгон общакка акча чогултат."),
    ("alias", "Отрядда аны «{NICK}» дешет, качууга ыктуу."),
]
KY_CLEAN = [
    ("event-date-old", "Өкүм {OLDM} чыгарылган, мөөнөтү 15 жыл."),
    ("event-date-old", "Мекеме {OLDN} пайдаланууга берилген."),
    ("event-date-old", "{OLDM} камакка алынган, ошондон бери мекемеде."),
    ("event-date", "{RECN} {N}-отрядда жалпы тинтүү жүргүзүлдү."),
    ("event-date", "Этап {RECM} келди, эскертүү жок."),
    ("place-named", "Этап {NAMED} тарапка жөнөтүлдү."),
    ("place-named", "{NAMEDGEN} суроо-талабы аткарылды."),
    ("place-named", "{NAMED} боюнча маалымат {RECN} жөнөтүлдү."),
    ("institution-named", "Соттолгон {INST} клиникасына которулду."),
    ("institution-named", "{INST} студенттери мекемеде практикадан өтүштү."),
    ("case-number", "№ {CASENO} иштин материалдары сотко жөнөтүлдү."),
    ("case-number", "ЭРПП № {ERPP}, сотко чейинки өндүрүш уланууда."),
    ("register-number", "Чыг. № {REG}, {RECN}, кир. № {N2}."),
    ("register-number", "Каттоо журналы № {REG}, жазуу киргизилди."),
    ("caps-word", "{CAPS}"),
    ("heading", "{HEAD}"),
    ("jargon", "{JARGON}"),
    ("given-as-word", "{WORDNAME}"),
    ("plain", "{N}-отряддын соттолгондору тамактан баш тартышты, себеби аныкталууда."),
    ("plain", "{CODE} мекемесинен № 27 мекемеге которулду."),
    ("plain", "14 соттолгон келди, экөө медбөлүмгө жөнөтүлдү."),
    ("plain", "Прокуратура {CODE} текшерди, мыйзам бузуу жок."),
]


# ------------------------------------------------------------------------------------ Tajik
TG_M = [
    "Фарҳод",
    "Ҷамшед",
    "Далер",
    "Бахтиёр",
    "Шерзод",
    "Манучеҳр",
    "Суҳроб",
    "Рустам",
    "Парвиз",
    "Фирдавс",
    "Исмоил",
    "Комрон",
    "Шаҳром",
    "Умар",
    "Хуршед",
    "Зафар",
    "Алишер",
    "Бобур",
    "Аброр",
    "Ёқуб",
    "Нозим",
    "Қурбон",
    "Сиёвуш",
    "Меҳроб",
    "Абдуғаффор",
    "Саидҷон",
    "Файзулло",
]
TG_F = [
    "Фирӯза",
    "Зарина",
    "Нигина",
    "Мадина",
    "Шаҳноза",
    "Гулноза",
    "Таҳмина",
    "Мавҷуда",
    "Дилором",
    "Парвина",
    "Сабрина",
    "Нилуфар",
    "Моҳира",
    "Гулбаҳор",
]
TG_SUR = [
    "Раҳимзода",
    "Шарифзода",
    "Назарзода",
    "Қурбонзода",
    "Саидзода",
    "Ҳакимзода",
    "Мирзозода",
    "Азимзода",
    "Раҳмонӣ",
    "Шарифӣ",
    "Азизӣ",
    "Қодирӣ",
    "Ҳусейнӣ",
    "Сафарпур",
    "Алипур",
    "Назаров",
    "Саидов",
    "Шарипов",
    "Каримов",
    "Холов",
    "Маҳмадов",
    "Давлатов",
    "Исмоилов",
    "Раҷабов",
    "Одинаев",
    "Ҷӯраев",
    "Султонов",
    "Бобоҷонов",
]
TG_FATHER = [
    "Саид",
    "Раҳим",
    "Назар",
    "Қурбон",
    "Ҳаким",
    "Давлат",
    "Сафар",
    "Шариф",
    "Маҳмад",
    "Султон",
]
TG_MONTHS = [
    "январ",
    "феврал",
    "март",
    "апрел",
    "май",
    "июн",
    "июл",
    "август",
    "сентябр",
    "октябр",
    "ноябр",
    "декабр",
]
TG_ACT = [
    "аз хӯрок даст кашид",
    "тартиботи рӯзро вайрон кард",
    "ба ҳуҷраи ҷаримавӣ барои 10 шабонарӯз ҷойгир карда шуд",
    "ба қисми тиббӣ бурда шуд",
    "ба тафтишотхона интиқол дода шуд",
    "ба санҷиш набаромад",
    "кӯшиш кард, ки телефон дарорад",
    "дар бораи таҳдид ариза навишт",
    "гуруснанишинӣ эълон кард",
    "ба шароити сахт гузаронида шуд",
    "аз баромадан ба кор саркашӣ кард",
]
TG_PW = ["Маҳкум", "Гумонбаршуда", "Айбдоршаванда", "Шаҳрванд", "Маҳбус", "Маҳкумшуда"]
TG_CITIES = [
    "Душанбе",
    "Хуҷанд",
    "Бохтар",
    "Кӯлоб",
    "Истаравшан",
    "Панҷакент",
    "Турсунзода",
    "Ваҳдат",
]
TG_STREETS = [
    "кӯчаи Айнӣ",
    "кӯчаи Рӯдакӣ",
    "кӯчаи Шотемур",
    "хиёбони Исмоили Сомонӣ",
    "кӯчаи Бухоро",
    "кӯчаи Мирзо Турсунзода",
    "кӯчаи Лоҳутӣ",
]
TG_NAMED = [
    "ноҳияи Рӯдакӣ",
    "ноҳияи Ҷаббор Расулов",
    "шаҳри Бобоҷон Ғафуров",
    "ноҳияи Абдураҳмони Ҷомӣ",
    "ноҳияи Носири Хусрав",
    "ноҳияи Мир Саид Алии Ҳамадонӣ",
    "ноҳияи Темурмалик",
    "ноҳияи Фирдавсӣ",
    "ноҳияи Исмоили Сомонӣ",
    "ноҳияи Шоҳмансур",
    "ноҳияи Ҷалолиддини Балхӣ",
    "ноҳияи Шамсиддин Шоҳин",
    "ноҳияи Муминобод",
    "ноҳияи Спитамен",
    "шаҳри Турсунзода",
]
TG_NAMED_GEN = [
    "суди ноҳияи Рӯдакӣ",
    "прокуратураи ноҳияи Ҷаббор Расулов",
    "ШВКД шаҳри Бобоҷон Ғафуров",
    "суди ноҳияи Фирдавсӣ",
    "мақомоти ноҳияи Абдураҳмони Ҷомӣ",
    "суди шаҳри Турсунзода",
    "раёсати ноҳияи Исмоили Сомонӣ",
]
TG_INST = [
    "Донишгоҳи тиббии ба номи Абӯалӣ ибни Сино",
    "Донишгоҳи давлатии ба номи Бобоҷон Ғафуров",
    "Китобхонаи миллӣ ба номи Фирдавсӣ",
    "беморхонаи ба номи Карим Аҳмедов",
    "Мактаби №12 ба номи Айнӣ",
    "Донишгоҳи омӯзгорӣ ба номи Садриддин Айнӣ",
]
TG_CAPS = [
    "Вайронкунии Тартибот Дар Отряди {n}",
    "Санҷиши Шабона Бе Эрод Гузашт.",
    "Кофтукови Умумӣ: Ашёи Манъшуда Ёфт Нашуд.",
    "Шӯъбаи Карантин Баста Аст.",
]
TG_HEAD = [
    "ФАВРӢ! КАРАНТИН ДАР ОТРЯДИ {n}.",
    "ДИҚҚАТ! ЭТАП ДЕР МОНД.",
    "БАРОИ ИСТИФОДАИ ХИЗМАТӢ.",
    "ХУЛОСАИ ШАБОНАРӮЗ: ҲОДИСА НЕСТ.",
    "ГУРЕЗ ПЕШГИРӢ КАРДА ШУД.",
]
TG_JARGON = [
    "Дар отряди {n} «смотрящий» ошкор шуд, малява гирифта шуд.",
    "Ҷамъоварии пул ба общак қатъ карда шуд.",
    "Ҳангоми шмон дар минтақаи маҳаллӣ заточка ёфт шуд.",
    "Тавассути «дорога» сим-картаҳо дода шудаанд.",
    "Дар каптёрка ҷои пинҳонӣ бо «запрет» ёфт шуд.",
]
TG_WORDNAMES = [
    "Умед ба озодии пеш аз мӯҳлат нест.",
    "Баҳор мавсими корҳои кишоварзии маҳкумон аст.",
    "Нур дар камераҳо кам аст, чароғҳо иваз карда шуданд.",
    "Шодӣ ва ғам мавзӯи суҳбати равоншинос буд.",
    "Ситора дар либоси посбонон нишони рутба аст.",
    "Бахт ва ояндаи оилаҳо муҳокима шуд.",
]
TG_OPEN = ["", "", "", "МИҶ {code}: ", "Навбатдор хабар медиҳад: ", "Отряди {n}. ", "Маълумот: "]
TG_CLOSE = [
    "",
    "",
    "",
    " Гузориш дода шуд.",
    " Чора андешида шуд.",
    " Санҷиш идома дорад.",
    " Ба прокурор хабар дода шуд.",
]
TG_CODES = ["муассисаи ЯС 3/{n}", "муассисаи ЯС 3/1", "муассисаи ЯТ 3/{n}", "ТФ-1", "колонияи №{n}"]


def tg_izofa(w: str) -> str:
    return w + ("и" if w[-1] not in "аоуеиӣӯяю" else ("и" if w.endswith("ӣ") else "йи"))


def tg_slots(rng: random.Random) -> dict[str, str]:
    female = rng.random() < 0.25
    given = pick(rng, TG_F if female else TG_M)
    sur = pick(rng, TG_SUR)
    if female and sur.endswith(("ов", "ев")):
        sur += "а"
    father = pick(rng, TG_FATHER)
    d, m, y = birth(rng)
    od, om, oy = old(rng)
    rd, rm, ry = recent(rng)
    n = str(rng.randrange(1, 17))
    month = TG_MONTHS[m - 1]
    mform = month + "и" if rng.random() < 0.75 else month  # officers also drop the izofa
    case_form = pick(rng, [f"ба {sur}", f"аз {sur}", f"{sur}ро", f"бо {sur}", f"{tg_izofa(sur)}"])
    fg, fs = pick(
        rng,
        [
            ("Клаус", "Мюллер"),
            ("Ҷон", "Смит"),
            ("Аҳмет", "Йылмаз"),
            ("Меҳмет", "Озтюрк"),
            ("Ли", "Вэй"),
            ("Юрген", "Шмидт"),
        ],
    )
    code = pick(rng, TG_CODES).replace("{n}", n)
    inn = f"{digits(rng, 9)}"
    return {
        "PW": pick(rng, TG_PW),
        "ACT": pick(rng, TG_ACT),
        "FULL": f"{given} {sur}",
        "SFULL": f"{sur} {given}",
        "GIVEN": given,
        "PATR": f"{sur} {given} {father}{'овна' if female else 'ович'}",
        "PATR2": f"{given} {tg_izofa(father)} {sur}"
        if False
        else f"{given} {father}{'овна' if female else 'ович'}",
        "CASESUR": case_form,
        "GRO": f"{given}ро",
        "GBA": f"ба {given}",
        "GAZ": f"аз {given}",
        "LOWER": f"{sur} {given}".lower(),
        "LOWCASE": case_form.lower(),
        "LOWFULL": f"{given} {sur}ро".lower(),
        "INIT": f"{sur} {given[0]}.{father[0]}.",
        "FOREIGN": f"{fg} {fs}",
        "FCASE": f"ба {fg} {fs}",
        "DOBM": f"{d} {mform} {y}",
        "DOBM2": f"{d} {mform} соли {y}",
        "DOBN": dotted(d, m, y),
        "Y": str(y),
        "OLDM": f"{od} {TG_MONTHS[om - 1]}и {oy}",
        "OLDN": dotted(od, om, oy),
        "OLDY": str(oy),
        "RECN": dotted(rd, rm, ry),
        "RECM": f"{rd} {TG_MONTHS[rm - 1]}и {ry}",
        "PHONE": pick(
            rng,
            [
                f"+992 {pick(rng, ['93', '92', '90', '98', '55'])} {digits(rng, 3)} {digits(rng, 2)} {digits(rng, 2)}",
                f"({pick(rng, ['93', '92', '918'])}) {digits(rng, 3)}-{digits(rng, 2)}-{digits(rng, 2)}",
                f"{pick(rng, ['93', '92', '90'])}{digits(rng, 7)}",
                f"00992{digits(rng, 9)}",
            ],
        ),
        "PASS": pick(rng, [f"A{digits(rng, 8)}", f"{digits(rng, 9)}", f"А {digits(rng, 7)}"]),
        "INN": inn,
        "INNSP": spaced(inn, (3, 3, 3)),
        "CITY": pick(rng, TG_CITIES),
        "STREET": pick(rng, TG_STREETS),
        "H": str(rng.randrange(1, 180)),
        "FL": str(rng.randrange(1, 120)),
        "PLATE": pick(
            rng,
            [
                f"{digits(rng, 4)} {pick(rng, ['AA', 'AB', 'BC', 'TJ'])} {pick(rng, ['01', '02', '03', '04'])}",
                f"{digits(rng, 4)}{pick(rng, ['AA', 'KM'])}0{rng.randrange(1, 5)}",
            ],
        ),
        "HANDLE": f"@{pick(rng, ['farhod', 'tojik', 'boss_tj', 'jama', 'sher'])}{digits(rng, 2)}",
        "NICK": pick(rng, ["Калон", "Сиёҳ", "Гург", "Шер", "Пир", "Кӯр"]),
        "NAMED": pick(rng, TG_NAMED),
        "NAMEDGEN": pick(rng, TG_NAMED_GEN),
        "INST": pick(rng, TG_INST),
        "N": n,
        "N2": str(rng.randrange(100, 9999)),
        "CODE": code,
        "CASENO": pick(
            rng, [f"1-{rng.randrange(10, 999)}/{ry}", f"{rng.randrange(100, 9999)}/{ry % 100}"]
        ),
        "REG": pick(
            rng,
            [
                f"{digits(rng, 2)}-{digits(rng, 2)}/{digits(rng, 4)}",
                f"{digits(rng, 3)}-{digits(rng, 3)}-{digits(rng, 3)}",
                f"{ry}{digits(rng, 5)}",
            ],
        ),
        "CAPS": pick(rng, TG_CAPS).replace("{n}", n),
        "HEAD": pick(rng, TG_HEAD).replace("{n}", n),
        "JARGON": pick(rng, TG_JARGON).replace("{n}", n),
        "WORDNAME": pick(rng, TG_WORDNAMES),
        "code": code,
    }


TG_PII = [
    ("name", "{PW} {FULL} {ACT}."),
    ("name", "{SFULL} (соли таваллуд {Y}) {ACT}."),
    ("name", "Тибқи маълумоти оперативӣ {FULL} тавассути хешовандон бо берун робита дорад."),
    ("name-initials", "{INIT} {ACT}."),
    ("name-lower", "ба гуфтаи навбатдор {LOWER} {ACT}"),
    ("name-lower", "ҳангоми кофтуков телефон {LOWCASE} ёфт шуд"),
    ("name-lower", "маълумотро аз {LOWER} гирифтем, санҷида мешавад"),
    ("name-case", "Бастаи хӯрокворӣ {CASESUR} фиристода шуд, фиристанда номаълум."),
    ("name-case", "Мулоқоти дарозмуддат бо {SFULL} иҷозат дода шуд."),
    ("name-case", "Шикоят дар бораи {FULL} ба прокуратура ворид шуд."),
    ("given-alone", "{PW} бо номи {GIVEN} {ACT}."),
    ("given-alone", "Номаро {GBA} аз отряди {N} доданд."),
    ("given-alone", "Телефон аз они {GIVEN} будааст."),
    ("given-alone", "Ҷанҷол бо {GIVEN} дар ошхона рух дод."),
    ("patronymic", "{PW} {PATR} {ACT}."),
    ("patronymic", "{PATR2}, отряди {N}, {ACT}."),
    ("foreign-name", "Шаҳрванди Олмон {FOREIGN} ба карантин ҷойгир карда шуд."),
    ("foreign-name", "Консул дар бораи бастаи {FOREIGN} маълумот пурсид."),
    ("dob-month", "Маҳкум {DOBM} таваллуд шудааст, {ACT}."),
    ("dob-month", "Санаи таваллуд: {DOBM2}, отряди {N}."),
    ("dob-month", "Зодаи {DOBM}, сокини шаҳри {CITY}, қаблан маҳкум шуда буд."),
    ("dob-numeric", "С.т. {DOBN}, ш. {CITY}, {ACT}."),
    ("dob-numeric", "Айбдоршаванда, таваллуди {DOBN}, ба суд интиқол дода шуд."),
    ("phone", "Сим-корт гирифта шуд, рақамаш {PHONE}."),
    ("phone", "Хешовандон аз рақами {PHONE} занг заданд."),
    ("doc-number", "Ҳангоми қабул шиноснома {PASS} гирифта шуд."),
    ("doc-number", "РМА {INN}, қаблан маҳкум нашудааст."),
    ("id-spaced", "Аз рӯи РМА {INNSP} муқоиса гузаронида шуд."),
    ("address", "Суроға: ш. {CITY}, {STREET} {H}, хонаи {FL}."),
    ("address", "Модараш дар {STREET}, бинои {H}, хонаи {FL} зиндагӣ мекунад."),
    ("plate", "Мулоқотро бо мошини {PLATE} интизор буданд."),
    ("plate", "Бастаро мошини рақамаш {PLATE} овард."),
    ("handle", "Дар Telegram бо аккаунти {HANDLE} мукотиба дошт."),
    ("alias", "Маҳкум бо лақаби «{NICK}» маълум аст ва ба общак пул ҷамъ мекунад."),
    ("alias", "Дар отряд ӯро «{NICK}» меноманд, майл ба гурез дорад."),
]
TG_CLEAN = [
    ("event-date-old", "Ҳукм {OLDM} содир шудааст, мӯҳлат 15 сол."),
    ("event-date-old", "Муассиса {OLDN} ба истифода дода шудааст."),
    ("event-date-old", "{OLDM} ҳабс шудааст, аз он вақт дар муассиса."),
    ("event-date", "{RECN} дар отряди {N} кофтукови умумӣ гузаронида шуд."),
    ("event-date", "Этап {RECM} расид, эрод нест."),
    ("place-named", "Этап ба {NAMED} фиристода шуд."),
    ("place-named", "Дархости {NAMEDGEN} иҷро шуд."),
    ("place-named", "Маълумот оид ба {NAMED} {RECN} фиристода шуд."),
    ("institution-named", "Маҳкум ба клиникаи {INST} гузаронида шуд."),
    ("institution-named", "Донишҷӯёни {INST} дар муассиса таҷриба гузаронданд."),
    ("case-number", "Маводи парвандаи № {CASENO} ба суд фиристода шуд."),
    ("case-number", "Парвандаи ҷиноятии № {REG} дар тафтиш аст."),
    ("register-number", "Сод. № {REG}, {RECN}, вор. № {N2}."),
    ("register-number", "Дафтари бақайдгирӣ № {REG}, сабт ворид карда шуд."),
    ("caps-word", "{CAPS}"),
    ("heading", "{HEAD}"),
    ("jargon", "{JARGON}"),
    ("given-as-word", "{WORDNAME}"),
    ("plain", "Маҳкумони отряди {N} аз хӯрок даст кашиданд, сабаб муайян карда мешавад."),
    ("plain", "Аз {CODE} ба муассисаи ЯС 3/2 интиқол дода шуд."),
    ("plain", "14 маҳкум расид, ду нафар ба қисми тиббӣ фиристода шуданд."),
    ("plain", "Прокуратура {CODE}-ро санҷид, вайронкунӣ нест."),
]


# ----------------------------------------------------------------------------------- Uzbek
UZ_M = [
    "Jasur",
    "Sardor",
    "Bekzod",
    "Otabek",
    "Dilshod",
    "Sherzod",
    "Aziz",
    "Jahongir",
    "Nodir",
    "Ulug'bek",
    "Oybek",
    "Baxtiyor",
    "Islom",
    "Doniyor",
    "Anvar",
    "Shuhrat",
    "Farrux",
    "Javlon",
    "Sanjar",
    "Behruz",
    "Rustam",
    "Akmal",
    "Ravshan",
    "Zafar",
    "Abror",
    "Mirjalol",
    "Shoxrux",
]
UZ_F = [
    "Dilnoza",
    "Gulnora",
    "Malika",
    "Nilufar",
    "Shahzoda",
    "Zuhra",
    "Mohira",
    "Sevara",
    "Feruza",
    "Madina",
    "Kamola",
    "Nodira",
    "Gulchehra",
    "Dildora",
]
UZ_SUR = [
    "Karimov",
    "Toshmatov",
    "Yusupov",
    "Rahimov",
    "Qodirov",
    "Ergashev",
    "Xolmatov",
    "Nazarov",
    "Abdullayev",
    "Mirzayev",
    "Sobirov",
    "Usmonov",
    "To'xtayev",
    "Jo'rayev",
    "Hasanov",
    "Ismoilov",
    "Norqobilov",
    "Eshonqulov",
    "Boboyev",
    "Tursunov",
    "Qurbonov",
    "Saidaliyev",
    "Xudoyberdiyev",
    "Murodov",
    "G'aniyev",
]
UZ_FATHER = [
    "Anvar",
    "Rustam",
    "Karim",
    "Tohir",
    "Shavkat",
    "Botir",
    "Ilhom",
    "Nodir",
    "Olim",
    "Sobir",
]
UZ_MONTHS = [
    "yanvar",
    "fevral",
    "mart",
    "aprel",
    "may",
    "iyun",
    "iyul",
    "avgust",
    "sentabr",
    "oktabr",
    "noyabr",
    "dekabr",
]
UZ_MONTHS_VAR = {
    2: "fevral'",
    9: "sentyabr",
    10: "oktyabr",
    1: "yanvar'",
    12: "dekabr'",
    6: "iyun'",
    8: "avgust",
}
UZ_ACT = [
    "ovqatdan bosh tortdi",
    "kun tartibini buzdi",
    "ShIZOga 10 sutkaga joylashtirildi",
    "tibbiy qismga olib borildi",
    "tergov hibsxonasiga etap bilan jo'natildi",
    "tekshiruvga chiqmadi",
    "telefon olib kirishga urindi",
    "tahdid haqida ariza yozdi",
    "ochlik e'lon qildi",
    "qattiq sharoitga o'tkazildi",
    "ishga chiqishdan bosh tortdi",
]
UZ_PW = ["Mahkum", "Gumonlanuvchi", "Ayblanuvchi", "Fuqaro", "Mahbus", "Mahkuma"]
UZ_CITIES = [
    "Toshkent",
    "Samarqand",
    "Buxoro",
    "Andijon",
    "Namangan",
    "Farg'ona",
    "Qarshi",
    "Nukus",
    "Termiz",
]
UZ_STREETS = [
    "Bunyodkor ko'chasi",
    "Navoiy ko'chasi",
    "Amir Temur shoh ko'chasi",
    "Mustaqillik ko'chasi",
    "Bobur ko'chasi",
    "Shota Rustaveli ko'chasi",
    "Mirobod ko'chasi",
]
UZ_NAMED = [
    "Mirzo Ulug'bek tumani",
    "Navoiy viloyati",
    "Navoiy shahri",
    "Sharof Rashidov tumani",
    "Zangiota tumani",
    "Bobur tumani",
    "Alisher Navoiy tumani",
    "Yunusobod tumani",
    "Mirobod tumani",
    "Uchtepa tumani",
    "Bektemir tumani",
    "Oltinko'l tumani",
    "Jalolquduq tumani",
    "Baxmal tumani",
]
UZ_NAMED_GEN = [
    "Mirzo Ulug'bek tumani sudi",
    "Sharof Rashidov tumani prokuraturasi",
    "Navoiy viloyati IIB",
    "Zangiota tuman sudi",
    "Yunusobod tumani IIO",
    "Mirzo Ulug'bek tumanining sudi",
    "Navoiy shahar sudining",
]
UZ_INST = [
    "Alisher Navoiy nomidagi kutubxona",
    "Mirzo Ulug'bek nomidagi O'zMU",
    "Islom Karimov nomidagi Toshkent davlat texnika universiteti",
    "Abu Ali ibn Sino nomidagi kollej",
    "Abdulla Qodiriy nomidagi madaniyat markazi",
    "Bobur nomidagi park",
    "Amir Temur xiyoboni",
]
UZ_CAPS = [
    "Tartib Buzilishi Qayd Etildi, {n}-Otryad",
    "Tungi Tekshiruv Izohsiz O'tdi.",
    "Umumiy Tintuv: Taqiqlangan Buyum Topilmadi.",
    "Karantin Bo'limi Yopiq.",
]
UZ_HEAD = [
    "SHOSHILINCH XABAR. {n}-OTRYADDA KARANTIN.",
    "DIQQAT! ETAP KECHIKDI.",
    "XIZMAT DOIRASIDA FOYDALANISH UCHUN.",
    "SUTKALIK XULOSA: HODISA YO'Q.",
    "QOCHISHGA YO'L QO'YILMADI.",
]
UZ_JARGON = [
    "{n}-otryadda «smotryashiy» aniqlandi, malyava olindi.",
    "Obshakka pul yig'ish to'xtatildi.",
    "Shmon paytida lokal hududdan zatochka topildi.",
    "«Doroga» orqali sim-kartalar berilgan.",
    "Kaptyorkada «zapret» yashirilgan joy topildi.",
]
UZ_WORDNAMES = [
    "Umid qilamizki, etap o'z vaqtida yetib keladi.",
    "Bahor mavsumida mahkumlar dalaga chiqadi.",
    "Yulduz belgisi qo'riqchilar formasida.",
    "Ozod qilinganlar ro'yxati tasdiqlandi.",
    "Baxt va oila mavzusida suhbat o'tkazildi.",
    "Shodlik bekati yonida konvoy kutmoqda.",
    "Nur tushadigan kameralar ta'mirlandi.",
]
UZ_OPEN = [
    "",
    "",
    "",
    "JIEB muassasasi {code}: ",
    "Navbatchi xabar beradi: ",
    "{n}-otryad. ",
    "Ma'lumot: ",
]
UZ_CLOSE = [
    "",
    "",
    "",
    " Bildirildi.",
    " Chora ko'rildi.",
    " Tekshiruv davom etmoqda.",
    " Prokurorga xabar berildi.",
]
UZ_CODES = ["UYa-64/{n}", "UYa-64/1", "KIN-{n}", "{n}-son JIEM", "{n}-son koloniya"]


def uz_slots(rng: random.Random) -> dict[str, str]:
    female = rng.random() < 0.25
    given = pick(rng, UZ_F if female else UZ_M)
    sur = pick(rng, UZ_SUR) + ("a" if female else "")
    father = pick(rng, UZ_FATHER)
    d, m, y = birth(rng)
    od, om, oy = old(rng)
    rd, rm, ry = recent(rng)
    n = str(rng.randrange(1, 17))
    case = pick(rng, ["dat", "gen", "acc", "abl", "loc", "poss"])
    month = UZ_MONTHS_VAR.get(m, UZ_MONTHS[m - 1]) if rng.random() < 0.35 else UZ_MONTHS[m - 1]
    fg, fs = pick(
        rng,
        [
            ("Klaus", "Müller"),
            ("John", "Smith"),
            ("Ahmet", "Yılmaz"),
            ("Mehmet", "Öztürk"),
            ("Li", "Wei"),
            ("Jürgen", "Schmidt"),
            ("Pierre", "Dubois"),
        ],
    )
    pinfl = f"{(4 if female else 3) if y < 2000 else (6 if female else 5)}{d:02d}{m:02d}{y % 100:02d}{digits(rng, 7)}"
    code = pick(rng, UZ_CODES).replace("{n}", n)
    out: dict[str, str] = {
        "PW": pick(rng, UZ_PW),
        "ACT": pick(rng, UZ_ACT),
        "FULL": f"{given} {sur}",
        "SFULL": f"{sur} {given}",
        "GIVEN": given,
        "PATR": f"{sur} {given} {father} {'qizi' if female else 'o‘g‘li'}",
        "PATR2": f"{given} {father}{'ovna' if female else 'ovich'}",
        "CASEFULL": f"{given} {uz_case(sur, case)}",
        "CASESUR": uz_case(sur, case),
        "GCASE": uz_case(given, case),
        "GGEN": uz_case(given, "gen"),
        "GDAT": uz_case(given, "dat"),
        "LOWER": f"{given} {sur}".lower(),
        "LOWCASE": uz_case(sur, case).lower(),
        "LOWGCASE": f"{given} {uz_case(sur, case)}".lower(),
        "INIT": f"{sur} {given[0]}.{father[0]}.",
        "FOREIGN": f"{fg} {fs}",
        "FCASE": f"{fg} {uz_case(fs, case)}",
        "DOBM": pick(
            rng, [f"{y}-yil {d}-{month}da", f"{y} yil {d} {month}da", f"{d}-{month} {y}-yilda"]
        ),
        "DOBM2": f"{d} {month} {y} y.",
        "DOBN": dotted(d, m, y),
        "Y": str(y),
        "OLDM": f"{oy}-yil {od}-{UZ_MONTHS[om - 1]}da",
        "OLDN": dotted(od, om, oy),
        "OLDY": str(oy),
        "RECN": dotted(rd, rm, ry),
        "RECM": f"{ry}-yil {rd}-{UZ_MONTHS[rm - 1]}da",
        "PHONE": pick(
            rng,
            [
                f"+998 {pick(rng, ['90', '91', '93', '94', '97', '99', '33'])} {digits(rng, 3)} {digits(rng, 2)} {digits(rng, 2)}",
                f"({pick(rng, ['90', '93', '97'])}) {digits(rng, 3)}-{digits(rng, 2)}-{digits(rng, 2)}",
                f"{pick(rng, ['90', '91', '99'])} {digits(rng, 3)} {digits(rng, 4)}",
            ],
        ),
        "PASS": pick(rng, [f"AA{digits(rng, 7)}", f"AB {digits(rng, 7)}", f"AD{digits(rng, 7)}"]),
        "PINFL": pinfl,
        "PINFLSP": pick(rng, [spaced(pinfl, (1, 6, 7)), spaced(pinfl, (4, 4, 4))]),
        "CITY": pick(rng, UZ_CITIES),
        "STREET": pick(rng, UZ_STREETS),
        "H": str(rng.randrange(1, 180)),
        "FL": str(rng.randrange(1, 120)),
        "PLATE": pick(
            rng,
            [
                f"{pick(rng, ['01', '10', '30', '40', '60'])} {pick(rng, 'ABDSX')} {digits(rng, 3)} {pick(rng, ['BC', 'AA', 'XY'])}",
                f"{pick(rng, ['01', '25'])} {digits(rng, 3)} {pick(rng, ['ABA', 'QAA'])}",
            ],
        ),
        "HANDLE": f"@{pick(rng, ['jasur', 'toshkent_boss', 'aka', 'bek', 'sher_uz'])}{digits(rng, 2)}",
        "NICK": pick(rng, ["Qora", "Bolta", "Chol", "Bo'ri", "Kal", "Shram"]),
        "NAMED": pick(rng, UZ_NAMED),
        "NAMEDGEN": pick(rng, UZ_NAMED_GEN),
        "INST": pick(rng, UZ_INST),
        "N": n,
        "N2": str(rng.randrange(100, 9999)),
        "CODE": code,
        "CASENO": pick(
            rng, [f"1-{rng.randrange(10, 999)}/{ry}", f"{rng.randrange(100, 9999)}-{ry % 100}"]
        ),
        "REG": pick(
            rng,
            [
                f"{digits(rng, 2)}-{digits(rng, 2)}/{digits(rng, 4)}",
                f"{digits(rng, 3)}-{digits(rng, 3)}-{digits(rng, 3)}",
                f"{ry}{digits(rng, 5)}",
            ],
        ),
        "CAPS": pick(rng, UZ_CAPS).replace("{n}", n),
        "HEAD": pick(rng, UZ_HEAD).replace("{n}", n),
        "JARGON": pick(rng, UZ_JARGON).replace("{n}", n),
        "WORDNAME": pick(rng, UZ_WORDNAMES),
        "code": code,
    }
    case_forms(out, uz_case, ("dat", "gen", "acc", "abl", "loc", "poss"), given, sur, f"{fg} {fs}")
    return out


UZ_PII = [
    ("name", "{PW} {FULL} {ACT}."),
    ("name", "{SFULL} ({Y} y.t.) {ACT}."),
    ("name", "Tezkor ma'lumotga ko'ra {FULL} qarindoshlari orqali tashqari bilan aloqada."),
    ("name-initials", "{INIT} {ACT}."),
    ("name-lower", "navbatchining aytishicha {LOWER} {ACT}"),
    ("name-lower", "tintuvda {LOWSUR_gen} karavotidan telefon topildi"),
    ("name-lower", "ma'lumotni {LOW_abl} oldik, tekshirilmoqda"),
    ("name-lower", "telefon {LOWSUR_poss} ekani aniqlandi"),
    ("name-case", "Posilka {FULL_dat} yuborilgan, yuboruvchi noma'lum."),
    ("name-case", "Uzoq muddatli uchrashuvga {SUR_dat} ruxsat etildi."),
    ("name-case", "Shikoyat {FULL_dat} oid holda prokuraturaga tushdi."),
    ("name-case", "Tintuvda {SUR_gen} karavotidan telefon topildi."),
    ("name-case", "Qo'riqchilar {SUR_acc} tibbiy qismga olib borishdi."),
    ("name-case", "{FULL_loc} taqiqlangan buyum topildi."),
    ("name-case", "Telefon {SUR_poss} ekani aniqlandi."),
    ("given-alone", "{GIVEN} ismli {PW:lower} {ACT}."),
    ("given-alone", "Xatni {GIVEN_dat} {N}-otryaddan berishgan."),
    ("given-alone", "{GIVEN_gen} telefoni olib qo'yildi."),
    ("given-alone", "{GIVEN_abl} pul talab qilishgan."),
    ("given-alone", "Janjal {GIVEN_dat} bog'liq holda oshxonada bo'ldi."),
    ("patronymic", "{PW} {PATR} {ACT}."),
    ("patronymic", "{PATR2}, {N}-otryad, {ACT}."),
    ("foreign-name", "Germaniya fuqarosi {FOREIGN} karantinga joylashtirildi."),
    ("foreign-name", "Konsul {F_dat} oid ma'lumot so'radi."),
    ("dob-month", "Mahkum {DOBM} tug'ilgan, {ACT}."),
    ("dob-month", "Tug'ilgan sanasi: {DOBM2}, {N}-otryad."),
    ("dob-month", "{DOBM} {CITY} shahrida tug'ilgan, ilgari sudlangan."),
    ("dob-numeric", "T.s. {DOBN}, {CITY} sh., {ACT}."),
    ("dob-numeric", "Ayblanuvchi {DOBN} tug'ilgan, sudga etap bilan keltirildi."),
    ("phone", "Sim-karta olindi, raqami {PHONE}."),
    ("phone", "Qarindoshlari {PHONE} raqamidan qo'ng'iroq qilishdi."),
    ("doc-number", "Kelganda pasporti {PASS} olindi."),
    ("doc-number", "JShShIR {PINFL}, ilgari sudlanmagan."),
    ("id-spaced", "PINFL {PINFLSP} bo'yicha solishtirildi."),
    ("address", "Manzili: {CITY} sh., {STREET}, {H}-uy, {FL}-xonadon."),
    ("address", "Onasi {STREET} {H}/{FL} manzilida yashaydi."),
    ("plate", "Uchrashuvni {PLATE} avtomashinasida kutishgan."),
    ("plate", "Posilkani davlat raqami {PLATE} mashina olib keldi."),
    ("handle", "Telegramda {HANDLE} akkaunti bilan yozishgan."),
    ("alias", "«{NICK}» laqabli mahkum obshakka pul yig'adi."),
    ("alias", "Otryadda uni «{NICK}» deyishadi, qochishga moyil."),
]
UZ_CLEAN = [
    ("event-date-old", "Hukm {OLDM} chiqarilgan, muddati 15 yil."),
    ("event-date-old", "Muassasa {OLDN} foydalanishga topshirilgan."),
    ("event-date-old", "{OLDM} qamoqqa olingan, shundan beri muassasada."),
    ("event-date", "{RECN} {N}-otryadda umumiy tintuv o'tkazildi."),
    ("event-date", "Etap {RECM} keldi, e'tiroz yo'q."),
    ("place-named", "Etap {NAMED} tomon jo'natildi."),
    ("place-named", "{NAMEDGEN} so'rovi bajarildi."),
    ("place-named", "{NAMED} bo'yicha ma'lumot {RECN} yuborildi."),
    ("institution-named", "Mahkum {INST} klinikasiga o'tkazildi."),
    ("institution-named", "{INST} talabalari muassasada amaliyot o'tashdi."),
    ("case-number", "{CASENO}-sonli jinoyat ishi materiallari sudga yuborildi."),
    ("case-number", "Jinoyat ishi № {REG} tergovda."),
    ("register-number", "Chiq. № {REG}, {RECN}, kir. № {N2}."),
    ("register-number", "Ro'yxatga olish jurnali № {REG}, yozuv kiritildi."),
    ("caps-word", "{CAPS}"),
    ("heading", "{HEAD}"),
    ("jargon", "{JARGON}"),
    ("given-as-word", "{WORDNAME}"),
    ("plain", "{N}-otryad mahkumlari ovqatdan bosh tortishdi, sababi aniqlanmoqda."),
    ("plain", "{CODE} muassasasidan UYa-64/21 ga o'tkazildi."),
    ("plain", "14 mahkum keldi, ikkitasi tibbiy qismga yuborildi."),
    ("plain", "Prokuratura {CODE} ni tekshirdi, qonunbuzilish yo'q."),
]

# Uzbek Latin to Cyrillic (the 1995 alphabet's correspondences, applied to the whole row).
UZ_CYR_PAIRS = [
    ("o‘", "ў"),
    ("o'", "ў"),
    ("O'", "Ў"),
    ("O‘", "Ў"),
    ("g‘", "ғ"),
    ("g'", "ғ"),
    ("G'", "Ғ"),
    ("sh", "ш"),
    ("Sh", "Ш"),
    ("SH", "Ш"),
    ("ch", "ч"),
    ("Ch", "Ч"),
    ("CH", "Ч"),
    ("yo", "ё"),
    ("Yo", "Ё"),
    ("YO", "Ё"),
    ("yu", "ю"),
    ("Yu", "Ю"),
    ("YU", "Ю"),
    ("ya", "я"),
    ("Ya", "Я"),
    ("YA", "Я"),
    ("ye", "е"),
    ("Ye", "Е"),
    ("ts", "ц"),
    ("ö", "о"),
    ("ü", "ю"),
    ("ı", "и"),
    ("Ö", "О"),
    ("Ü", "Ю"),
]
UZ_CYR_ONE = dict(
    zip(
        "abdefghijklmnopqrstuvxyzABDEFGHIJKLMNOPQRSTUVXYZ'’",
        "абдэфгҳижклмнопқрстувхйзАБДЭФГҲИЖКЛМНОПҚРСТУВХЙЗъъ",
        strict=True,
    )
)
LATIN_KEEP = re.compile(
    r"@\w+|Telegram|\b[A-Z]{1,3} ?\d[\dA-Z ]*\b|\b\d{2} [A-Z] \d{3} [A-Z]{2}\b|\b\d{2} \d{3} [A-Z]{3}\b"
)


UZ_CYR_FOREIGN = {
    "Klaus": "Клаус",
    "Müller": "Мюллер",
    "John": "Жон",
    "Smith": "Смит",
    "Ahmet": "Аҳмет",
    "Yılmaz": "Йилмаз",
    "Mehmet": "Меҳмет",
    "Öztürk": "Озтурк",
    "Li": "Ли",
    "Wei": "Вэй",
    "Jürgen": "Юрген",
    "Schmidt": "Шмидт",
    "Pierre": "Пьер",
    "Dubois": "Дюбуа",
}


def uz_to_cyr(text: str) -> str:
    """Uzbek Latin row to Cyrillic, keeping handles, plates and document series in Latin."""
    keep: list[str] = []
    for lat, cyr in UZ_CYR_FOREIGN.items():  # foreign names as Uzbek Cyrillic writes them
        text = re.sub(rf"\b{lat}(?=[a-z]*\b)", cyr, text)

    def hold(m: re.Match[str]) -> str:
        keep.append(m.group(0))
        return f"\x00{len(keep) - 1}\x00"

    text = LATIN_KEEP.sub(hold, text)
    text = re.sub(r"(?<=[lrnv])['’](?![a-z])", "ь", text)  # loanwords: fevral', dekabr'
    for a, b in UZ_CYR_PAIRS:
        text = text.replace(a, b)
    out = []
    for i, ch in enumerate(text):
        c = UZ_CYR_ONE.get(ch, ch)
        if ch in "eE" and (i == 0 or not text[i - 1].isalpha()):
            c = "э" if ch == "e" else "Э"
        elif ch in "eE":
            c = "е" if ch == "e" else "Е"
        out.append(c)
    text = "".join(out).replace("ShIZO", "ШИЗО").replace("ШИЗО", "ШИЗО")
    return re.sub(r"\x00(\d+)\x00", lambda m: keep[int(m.group(1))], text)


# ------------------------------------------------------------------------------------ output
LANGS = {
    "ru": (ru_slots, RU_PII, RU_CLEAN, RU_OPEN, RU_CLOSE),
    "kk": (kk_slots, KK_PII, KK_CLEAN, KK_OPEN, KK_CLOSE),
    "ky": (ky_slots, KY_PII, KY_CLEAN, KY_OPEN, KY_CLOSE),
    "tg": (tg_slots, TG_PII, TG_CLEAN, TG_OPEN, TG_CLOSE),
    "uz": (uz_slots, UZ_PII, UZ_CLEAN, UZ_OPEN, UZ_CLOSE),
}
SLOT = re.compile(r"\{(\w+)(?::(lower))?\}")


def fill(template: str, slots: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        v = slots.get(m.group(1), slots.get(m.group(1).upper(), m.group(0)))
        return v.lower() if m.group(2) else v

    return SLOT.sub(one, template)


def make(lang: str) -> list[tuple[str, str, str]]:
    slots_of, pii, clean, opens, closes = LANGS["uz" if lang == "uzc" else lang]
    rng = random.Random(f"fresh4-{lang}")
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for label, shapes in (("pii", pii), ("clean", clean)):
        i = tries = 0
        while sum(r[0] == label for r in rows) < PER_LABEL and tries < 20 * PER_LABEL:
            tries += 1
            cls, shape = shapes[i % len(shapes)]
            s = slots_of(rng)
            s["n"] = s["N"]
            body = fill(shape, s)
            text = (
                fill(pick(rng, opens), s) + body[0].upper() + body[1:]
                if rng.random() < 0.4
                else body
            )
            text = text + fill(pick(rng, closes), s) if text.endswith(".") else text
            if lang == "uzc":
                text = uz_to_cyr(text)
            if text in seen:
                continue
            seen.add(text)
            rows.append((label, cls, text))
            i += 1
    return rows


def main() -> None:
    for lang in ("ru", "kk", "ky", "tg", "uz", "uzc"):
        rows = make(lang)
        head = (
            f"# Guard evaluation table fresh4, {lang}: generated by tests/data/pii_eval/fresh4/"
            "gen_fresh4.py (seeded) at the start of issue 15's fifth round, BEFORE any rule of that "
            "round changed; halves f4-tune / f4-held by a hash of the text (bench/privacy_guard.py); "
            "only f4-tune rows may be read while tuning."
        )
        lines = [head, "split\tlabel\tclass\ttext", *(f"fresh4\t{a}\t{b}\t{c}" for a, b, c in rows)]
        (OUT / f"{lang}.tsv").write_text("\n".join(lines) + "\n", "utf-8")
        print(lang, len(rows))


if __name__ == "__main__":
    main()
