# ruff: noqa: E501  (vocabulary strings and f-strings of a data generator)
"""Write fresh5: issue 15's sixth-round guard table (ru, kk, ky, tg, uz, uzc; 160 rows each).

Written at the start of the sixth round, BEFORE any rule of that round changed, and never tuned
on. Its name pool is new: rarer regional given names, surnames built with the usual suffixes on
stems the earlier tables did not use, surnames without a suffix, and foreign names. `main()`
checks every given name against rules.json's given-name lists and stops if one is listed, so the
figures measure names on no list. Sentence shapes are new too (not fresh4's). Half of each table
has personal data, half is hard clean text (Title Case headings, places named after people, old
event dates, register numbers, words that end like surnames). Seeded and deterministic. Uzbek
Cyrillic rows are the Uzbek Latin rows transliterated. Run: python tests/data/pii_eval/fresh5/gen_fresh5.py
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent
RULES = OUT.parents[3] / "exchange" / "data" / "pii" / "rules.json"
PER_LABEL = 80


def pick(rng: random.Random, xs):
    return xs[rng.randrange(len(xs))]


def digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


# --------------------------------------------------------------------------------- Russian
RU_M = [
    "Всеволод",
    "Святослав",
    "Ефим",
    "Прохор",
    "Тихон",
    "Савелий",
    "Гордей",
    "Елисей",
    "Захар",
    "Платон",
    "Аркадий",
    "Родион",
    "Нестор",
    "Демьян",
    "Ростислав",
    "Филипп",
    "Остап",
    "Лаврентий",
]
RU_F = [
    "Василиса",
    "Злата",
    "Ульяна",
    "Мирослава",
    "Есения",
    "Таисия",
    "Агата",
    "Вероника",
    "Стефания",
    "Снежана",
    "Эвелина",
    "Римма",
    "Фаина",
    "Лидия",
]
RU_SUR = [
    "Пустовалов",
    "Зимогоров",
    "Кособоков",
    "Скоробогатов",
    "Чуприков",
    "Мещеряков",
    "Огнев",
    "Пестерев",
    "Сухомлинов",
    "Балабанов",
    "Коршунов",
    "Ремизов",
    "Голубцов",
    "Хлыстов",
    "Перепелкин",
    "Бородулин",
    "Шелепин",
    "Тарабрин",
    "Варзугин",
    "Заболоцкий",
    "Вишневецкий",
    "Луговской",
]
RU_PLAIN_SUR = [
    "Ткачук",
    "Мельничук",
    "Гринь",
    "Бондарь",
    "Шевчук",
    "Кравец",
    "Лысенко",
    "Гайдамак",
]
RU_FOREIGN = [
    "Хорхе Мендоса",
    "Раджеш Кумар",
    "Томаш Новак",
    "Лука Бьянки",
    "Олувасеун Адеойе",
    "Мигель Сантос",
]
RU_NICK = ["Клещ", "Жиган", "Валет", "Грач", "Сыч", "Пан", "Боцман", "Шмель"]
RU_CITIES = ["Тараз", "Костанай", "Ош", "Худжанд", "Наманган", "Павлодар", "Кокшетау"]
RU_STREETS = ["Садовая", "Заречная", "Полевая", "Торговая", "Вокзальная"]


def ru_sur(s: str, case: str, fem: bool) -> str:
    """Russian surname in a case (nom, gen, dat, ins, prep), -ов/-ев/-ин and -ский/-ской."""
    if s.endswith(("ский", "цкий", "ской")):
        stem = s[:-2]
        if fem:
            return stem + {"nom": "ая", "gen": "ой", "dat": "ой", "ins": "ой", "prep": "ой"}[case]
        return stem + {"nom": s[-2:], "gen": "ого", "dat": "ому", "ins": "им", "prep": "ом"}[case]
    if s.endswith(("ов", "ев", "ин", "ын")):
        if fem:
            return s + {"nom": "а", "gen": "ой", "dat": "ой", "ins": "ой", "prep": "ой"}[case]
        return s + {"nom": "", "gen": "а", "dat": "у", "ins": "ым", "prep": "е"}[case]
    if fem or s.endswith("енко"):
        return s  # -ук, -ь, -енко: a woman's (and -енко) surname does not decline
    if s.endswith("ь"):
        return s[:-1] + {"nom": "ь", "gen": "я", "dat": "ю", "ins": "ем", "prep": "е"}[case]
    return s + {"nom": "", "gen": "а", "dat": "у", "ins": "ом", "prep": "е"}[case]


def ru_given(g: str, case: str) -> str:
    if g.endswith("й"):
        return g[:-1] + {"nom": "й", "gen": "я", "dat": "ю", "ins": "ем", "prep": "е"}[case]
    if g.endswith("я"):
        return g[:-1] + {"nom": "я", "gen": "и", "dat": "е", "ins": "ей", "prep": "е"}[case]
    if g.endswith("а"):
        soft = g[-2] in "кгхжшчщ"
        return (
            g[:-1]
            + {"nom": "а", "gen": "и" if soft else "ы", "dat": "е", "ins": "ой", "prep": "е"}[case]
        )
    if g.endswith("ь"):
        return g[:-1] + {"nom": "ь", "gen": "я", "dat": "ю", "ins": "ем", "prep": "е"}[case]
    return g + {"nom": "", "gen": "а", "dat": "у", "ins": "ом", "prep": "е"}[case]


def ru_slots(rng: random.Random) -> dict[str, str]:
    fem = rng.random() < 0.35
    g = pick(rng, RU_F if fem else RU_M)
    s = pick(rng, RU_SUR) if rng.random() < 0.8 else pick(rng, RU_PLAIN_SUR)
    out = {
        "PW": pick(
            rng,
            ["осуждённая", "подозреваемая", "гражданка"]
            if fem
            else ["осуждённый", "подследственный", "гражданин", "этапируемый"],
        )
    }
    for c in ("nom", "gen", "dat", "ins", "prep"):
        out[f"S_{c}"] = ru_sur(s, c, fem)
        out[f"G_{c}"] = ru_given(g, c)
    out["NICK"] = pick(rng, RU_NICK)
    out["FOREIGN"] = pick(rng, RU_FOREIGN)
    out["CITY"] = pick(rng, RU_CITIES)
    out["STREET"] = pick(rng, RU_STREETS)
    return out


RU_PII = [
    ("name-lower", "по рапорту инспектора: {G_nom:l} {S_nom:l} не выходит на проверку"),
    ("name-lower", "вызван на беседу {S_nom:l} {G_nom:l}, отряд {N}"),
    ("name-lower", "передачу для {G_gen:l} {S_gen:l} вернули отправителю"),
    ("name-lower", "конфликт между {S_ins:l} и дежурным, составлен акт"),
    ("name-lower", "поговорили с {S_ins:l}, жалоб нет"),
    ("name-case", "Личное дело {S_gen} {G_gen} запрошено судом."),
    ("name-case", "Свидание {G_dat} {S_dat} перенесено на пятницу."),
    ("name-case", "Опрошены сокамерники {S_gen}, сведения подтвердились."),
    ("name-case", "В камере {N} вместе с {S_ins} {G_ins} содержатся ещё двое."),
    ("name-case", "Сведения о {S_prep} направлены в спецчасть."),
    ("given-sur", "{G_nom} {S_nom} из отряда {N} жалуется на зрение."),
    ("given-sur", "Дежурный доложил: {S_nom} {G_nom} находится в санчасти."),
    ("person-word", "{PW:c} {S_nom} повторно нарушил распорядок."),
    ("person-word", "Со слов {PW_gen} {S_gen}, деньги передала сестра."),
    ("alias", "Лидер группировки, кличка «{NICK}», переведён на строгие условия."),
    ("alias", "Он же «{NICK}», пытался передать записку через баню."),
    ("alias", "В отряде его зовут {NICK}, со слов осуждённых."),
    ("foreign-name", "Иностранец {FOREIGN} просит переводчика."),
    ("foreign-name", "Письмо от {FOREIGN} передано цензору."),
    ("address", "Адрес матери: {CITY}, {STREET} {H}, кв. {FL}."),
    ("phone", "Звонил брат с телефона 8 701 {P3} {P2} {P2b}."),
    ("dob", "Родился {D} {MON} {Y} года в г. {CITY}."),
]
RU_PW_GEN = {
    "осуждённый": "осуждённого",
    "подследственный": "подследственного",
    "гражданин": "гражданина",
    "этапируемый": "этапируемого",
    "осуждённая": "осуждённой",
    "подозреваемая": "подозреваемой",
    "гражданка": "гражданки",
}
RU_MON = [
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
RU_CLEAN = [
    ("heading", "Отчёт О Проверке Карантинного Отделения"),
    ("heading", "План Мероприятий По Профилактике Побегов"),
    ("heading", "Сводка За Сутки По Учреждению"),
    ("heading", "Журнал Приёма Передач Отряда {N}"),
    ("caps-word", "ВНИМАНИЕ: ОБХОД ПЕРИМЕТРА ПЕРЕНЕСЁН НА 22:00."),
    ("surname-like-word", "проведено {N} обысков, изъято семь телефонов"),
    ("surname-like-word", "на основании рапортов дежурных смена усилена"),
    ("surname-like-word", "в магазине закончился бензин для котельной"),
    ("surname-like-word", "Ремонт корпусов и блоков завершён к сроку."),
    ("surname-like-word", "Выдано 40 комплектов постельного белья, из них {N} новых."),
    ("place-named", "Этап отправлен в колонию посёлка имени Гагарина."),
    ("place-named", "Запрос поступил из больницы им. Пирогова."),
    ("place-named", "Конвой выехал по проспекту Абая в сторону вокзала."),
    ("alias-like", "Известен как наиболее сложный участок периметра."),
    ("alias-like", "Отряд {N}, так называемый «карантин», заполнен."),
    ("case-number", "Материалы дела № {CASE} возвращены следователю."),
    ("event-date-old", "Корпус построен {D} {MON} 1987 года."),
    ("plain", "Прибыл этап из {N} человек, все прошли медосмотр."),
    ("plain", "Проверка прокуратуры завершена, нарушений не выявлено."),
    ("plain", "Надзор усилен на время ремонта столовой."),
]

# ---------------------------------------------------------------------------------- Kazakh
KK_M = [
    "Қайсар",
    "Нұрасыл",
    "Ерсайын",
    "Бағдат",
    "Төлеген",
    "Сағындық",
    "Мағжан",
    "Ақылбек",
    "Ілияс",
    "Тоқтар",
    "Бекарыс",
    "Есбол",
    "Өтеген",
    "Сұлтанбек",
    "Қалдыбай",
]
KK_F = [
    "Ақниет",
    "Аяулым",
    "Балауса",
    "Дариға",
    "Інжу",
    "Күнсұлу",
    "Сымбат",
    "Фариза",
    "Шұғыла",
    "Ұлпан",
    "Қарақат",
]
KK_SUR = [
    "Тоқсанбаев",
    "Құдайбергенов",
    "Сейтқасымов",
    "Жаңабергенов",
    "Шалабаев",
    "Тілеубердиев",
    "Мұқашев",
    "Исабеков",
    "Сұлтанғазин",
    "Әбдіқадыров",
    "Байқоңыров",
]
KK_FOREIGN = ["Хорхе Мендоса", "Раджеш Кумар", "Томаш Новак"]
KK_NICK = ["Қасқыр", "Бүркіт", "Шайтан", "Тарлан", "Көкжал"]
KK_FRONT = set("әеіөүи")


def kk_case(w: str, case: str) -> str:
    """Kazakh case ending by vowel harmony and the word's last sound."""
    vow = [c for c in w.lower() if c in "аоұыуәеіөүи"]
    front = bool(vow) and vow[-1] in KK_FRONT
    last = w[-1].lower()
    if last in "аоұыуәеіөүиэя":
        kind = "v"
    elif last in "мнң":
        kind = "n"
    elif last in "лрйзж":
        kind = "z"
    else:
        kind = "t"
    a, y = ("е", "і") if front else ("а", "ы")
    if case == "dat":
        return kk_dat(w)
    if case == "gen":
        return w + {"v": "н", "n": "н", "z": "д", "t": "т"}[kind] + y + ("ң")
    if case == "acc":
        return w + {"v": "н", "n": "д", "z": "д", "t": "т"}[kind] + y
    if case == "abl":
        return w + {"v": "д", "n": "н", "z": "д", "t": "т"}[kind] + a + "н"
    if case == "ins":
        return w + {"v": "мен", "n": "бен", "z": "мен", "t": "пен"}[kind]
    if case == "loc":
        return w + ("т" if kind == "t" else "д") + a
    return w


def kk_dat(w: str) -> str:
    vow = [c for c in w.lower() if c in "аоұыуәеіөүи"]
    front = bool(vow) and vow[-1] in KK_FRONT
    last = w[-1].lower()
    voiceless = last in "пткқсшфхцчщбвгд"
    return w + (("ке" if front else "қа") if voiceless else ("ге" if front else "ға"))


def kk_slots(rng: random.Random) -> dict[str, str]:
    fem = rng.random() < 0.35
    g = pick(rng, KK_F if fem else KK_M)
    s = pick(rng, KK_SUR) + ("а" if fem else "")
    r = rng.random()
    if r < 0.25:
        father = pick(rng, KK_M)
        s = father + ("қызы" if fem else "ұлы")
    out = {"G": g, "S": s, "PW": pick(rng, ["сотталған", "күдікті", "тұтқын", "айыпталушы"])}
    for c in ("gen", "acc", "abl", "ins", "loc"):
        out[f"S_{c}"] = kk_case(s, c)
        out[f"G_{c}"] = kk_case(g, c)
    out["S_dat"], out["G_dat"] = kk_dat(s), kk_dat(g)
    out["FOREIGN"] = pick(rng, KK_FOREIGN)
    out["NICK"] = pick(rng, KK_NICK)
    return out


KK_PII = [
    ("name-lower", "кезекші хабарлады: {G:l} {S:l} тексеруге шықпады"),
    ("name-lower", "{S:l} {G:l} {N}-отрядтан медбөлімге ауыстырылды"),
    ("name-lower", "сәлемдеме {S_dat:l} берілмеді, қайтарылды"),
    ("name-lower", "{S_gen:l} туыстары шағым жазды"),
    ("name-case", "Тергеуші {S_dat} қосымша сұрақ қойды."),
    ("name-case", "{S_gen} жеке ісі сотқа жіберілді."),
    ("name-case", "Камерада {S_ins} бірге тағы екі адам отыр."),
    ("name-case", "Хатты {S_acc} іздеп келген әйел қалдырды."),
    ("name-case", "Ақпарат {S_abl} алынды, тексерілуде."),
    ("given-sur", "{G} {S} асхана кезегінде төбелес шығарды."),
    ("given-sur", "Бүгін {S} {G} адвокатпен кездесті."),
    ("person-word", "{PW:c} {S} тәртіп бұзды, акт жасалды."),
    ("given-case", "{G_dat} хат келді, цензурадан өтті."),
    ("alias", "Оны отрядта «{NICK}» деп атайды."),
    ("alias", "Лақап аты {NICK}, бұрын екі рет сотталған."),
    ("alias", "«{NICK}» деген атпен белгілі сотталған карантинге жіберілді."),
    ("foreign-name", "Шетел азаматы {FOREIGN} аудармашы сұрады."),
    ("foreign-name", "{FOREIGN} деген шетелдікке консул келді."),
    ("address", "Анасы {CITY} қаласы, Жамбыл көшесі {H}, {FL}-пәтерде тұрады."),
    ("phone", "Інісі 8 702 {P3} {P2} {P2b} нөмірінен хабарласты."),
    ("dob", "{Y} жылы {D} наурызда туған, бұрын сотталмаған."),
]
KK_CITIES = ["Тараз", "Қостанай", "Павлодар", "Көкшетау", "Атырау"]
KK_CLEAN = [
    ("heading", "Карантин Бөлімін Тексеру Қорытындысы"),
    ("heading", "Күзет Қызметінің Тәуліктік Есебі"),
    ("heading", "Сәлемдеме Қабылдау Журналы"),
    ("heading", "Қашудың Алдын Алу Жоспары {N}"),
    ("caps-word", "НАЗАР АУДАРЫҢЫЗ: ПЕРИМЕТР ТЕКСЕРУІ 22:00-ГЕ АУЫСТЫРЫЛДЫ."),
    ("place-named", "Этап Абай атындағы көшемен вокзалға жөнелтілді."),
    ("place-named", "Сұрау Қаныш Сәтбаев атындағы ауруханадан келді."),
    ("place-named", "Науқас Байқоңыр ауданының емханасына жеткізілді."),
    ("surname-like-word", "Ауа райы суық, {N} сотталғанға жылы киім берілді."),
    ("surname-like-word", "Кезекшілер ауысымы алмасты, ескерту жоқ."),
    ("alias-like", "Бұл учаске отрядта «қараңғы бұрыш» деп аталады."),
    ("alias-like", "Лақап аттар тізімі жедел бөлімге тапсырылды."),
    ("case-number", "№ {CASE} іс материалдары тергеушіге қайтарылды."),
    ("event-date-old", "Корпус 1987 жылы {D} наурызда салынған."),
    ("plain", "{N} адамнан тұратын этап келді, бәрі медициналық тексеруден өтті."),
    ("plain", "Прокуратура тексеруі аяқталды, бұзушылық анықталмады."),
    ("plain", "Асхана жөндеуі кезінде қадағалау күшейтілді."),
    ("given-as-word", "Бақыт емес, тәртіп маңызды, деді бастық."),
]

# --------------------------------------------------------------------------------- Kyrgyz
KY_M = [
    "Нурсейит",
    "Элмурат",
    "Эсенгул",
    "Мукаш",
    "Суйунбек",
    "Түгөлбай",
    "Бекназар",
    "Жапар",
    "Жыргалбек",
    "Тынчтык",
    "Чубак",
    "Көкөн",
    "Азирет",
    "Кылычбек",
]
KY_F = [
    "Айсулуу",
    "Бүбүсара",
    "Нурзада",
    "Каныкей",
    "Гулиза",
    "Айтолкун",
    "Чынаргүл",
    "Акмөөр",
    "Айзирек",
]
KY_SUR = [
    "Сатыбалдиев",
    "Бейшеналиев",
    "Касымалиев",
    "Жээнбеков",
    "Осмоналиев",
    "Турдакунов",
    "Абдыкадыров",
    "Бообеков",
    "Мамбеталиев",
    "Кулчороев",
]
KY_NICK = ["Бөрү", "Шумкар", "Кара", "Жолборс"]
KY_FOREIGN = ["Хорхе Мендоса", "Раджеш Кумар", "Томаш Новак"]


def ky_case(w: str, case: str) -> str:
    vow = [c for c in w.lower() if c in "аоуыеиөүэ"]
    last_v = vow[-1] if vow else "а"
    a = {"а": "а", "ы": "а", "о": "о", "у": "о", "е": "е", "и": "е", "э": "е", "ө": "ө", "ү": "ө"}[
        last_v
    ]
    y = {"а": "ы", "ы": "ы", "о": "у", "у": "у", "е": "и", "и": "и", "э": "и", "ө": "ү", "ү": "ү"}[
        last_v
    ]
    last = w[-1].lower()
    kind = "v" if last in "аоуыеиөүэ" else "n" if last in "мнң" else "z" if last in "лрйзж" else "t"
    if case == "dat":
        return w + ("к" if kind == "t" else "г") + a
    if case == "gen":
        return w + {"v": "н", "n": "д", "z": "д", "t": "т"}[kind] + y + "н"
    if case == "acc":
        return w + {"v": "н", "n": "д", "z": "д", "t": "т"}[kind] + y
    if case == "abl":
        return w + {"v": "д", "n": "д", "z": "д", "t": "т"}[kind] + a + "н"
    if case == "loc":
        return w + ("т" if kind == "t" else "д") + a
    return w


def ky_slots(rng: random.Random) -> dict[str, str]:
    fem = rng.random() < 0.35
    g = pick(rng, KY_F if fem else KY_M)
    s = pick(rng, KY_SUR) + ("а" if fem else "")
    father = pick(rng, KY_M)
    out = {
        "G": g,
        "S": s,
        "F": father,
        "P": "кызы" if fem else "уулу",
        "PW": pick(rng, ["соттолгон", "шектүү", "камактагы", "айыпталуучу"]),
    }
    for c in ("dat", "gen", "acc", "abl", "loc"):
        out[f"S_{c}"] = ky_case(s, c)
        out[f"G_{c}"] = ky_case(g, c)
    out["NICK"] = pick(rng, KY_NICK)
    out["FOREIGN"] = pick(rng, KY_FOREIGN)
    return out


KY_PII = [
    ("name-lower", "кезекчинин айтымында {G:l} {S:l} текшерүүгө чыккан жок"),
    ("name-lower", "{S:l} {G:l} {N}-отряддан медбөлүмгө которулду"),
    ("name-lower", "белек {S_dat:l} берилген жок, кайтарылды"),
    ("name-lower", "{G:l} {F:l} {P} тамак алуудан баш тартты"),
    ("name-case", "Тергөөчү {S_dat} кошумча суроо берди."),
    ("name-case", "{S_gen} жеке иши сотко жөнөтүлдү."),
    ("name-case", "Катты {S_acc} издеп келген аял калтырды."),
    ("name-case", "Маалымат {S_abl} алынды, текшерилүүдө."),
    ("given-sur", "{G} {S} ашканада уруш чыгарды."),
    ("given-sur", "Бүгүн {S} {G} адвокат менен жолукту."),
    ("patronymic", "{G} {F} {P} карантинге жайгаштырылды."),
    ("person-word", "{PW:c} {S} тартип бузду, акт түзүлдү."),
    ("given-case", "{G_dat} кат келди, цензурадан өттү."),
    ("alias", "Аны отрядда «{NICK}» деп аташат."),
    ("alias", "Лакап аты {NICK}, мурда эки жолу соттолгон."),
    ("foreign-name", "Чет өлкөлүк {FOREIGN} котормочу сурады."),
    ("address", "Апасы Ош шаары, Курманжан Датка көчөсү {H}, {FL}-батирде турат."),
    ("phone", "Иниси 0 555 {P3} {P3b} номеринен чалды."),
    ("dob", "{Y}-жылы {D}-мартта туулган, мурда соттолгон эмес."),
]
KY_CLEAN = [
    ("heading", "Карантин Бөлүмүн Текшерүүнүн Жыйынтыгы"),
    ("heading", "Күзөт Кызматынын Суткалык Отчету"),
    ("heading", "Белек Кабыл Алуу Журналы"),
    ("heading", "Качууну Алдын Алуу Планы {N}"),
    ("caps-word", "КӨҢҮЛ БУРГУЛА: ПЕРИМЕТР ТЕКШЕРҮҮСҮ 22:00ГӨ ЖЫЛДЫРЫЛДЫ."),
    ("place-named", "Этап Чүй проспекти аркылуу вокзалга жөнөтүлдү."),
    ("place-named", "Суроо Ысык-Көл облустук ооруканасынан келди."),
    ("place-named", "Оорулуу Токтогул районунун ооруканасына жеткирилди."),
    ("alias-like", "Бул участок отрядда «караңгы бурч» деп аталат."),
    ("alias-like", "Лакап аттардын тизмеси ыкчам бөлүмгө тапшырылды."),
    ("case-number", "№ {CASE} иштин материалдары тергөөчүгө кайтарылды."),
    ("event-date-old", "Корпус 1987-жылы {D}-мартта курулган."),
    ("plain", "{N} кишиден турган этап келди, баары медициналык текшерүүдөн өттү."),
    ("plain", "Прокуратуранын текшерүүсү бүттү, бузуулар табылган жок."),
    ("plain", "Ашкана оңдолуп жатканда көзөмөл күчөтүлдү."),
    ("given-as-word", "Тынчтык сакталды, окуя катталган жок."),
    ("given-as-word", "Сезим менен эмес, эреже менен иштейбиз, деди башчы."),
]

# --------------------------------------------------------------------------------- Tajik
TG_M = [
    "Саидмурод",
    "Мирзоҳамдам",
    "Ҳасанбой",
    "Нурулло",
    "Қурбоналӣ",
    "Бахтовар",
    "Фирӯз",
    "Хисрав",
    "Суҳайл",
    "Меҳровар",
    "Ҳабибулло",
    "Исфандиёр",
    "Шералӣ",
]
TG_F = [
    "Гулрухсор",
    "Гулшан",
    "Меҳринисо",
    "Шаҳло",
    "Мунира",
    "Рухшона",
    "Ҷамила",
    "Ширинмоҳ",
    "Сабоҳат",
]
TG_SUR = [
    "Исфандиёрзода",
    "Навруззода",
    "Ашӯрзода",
    "Шамсиддинзода",
    "Саидпур",
    "Раҳмонпур",
    "Қурбонӣ",
    "Мирзоӣ",
    "Бахтиёрӣ",
    "Қаландаров",
    "Ғоибназаров",
    "Сангинов",
    "Файзуллоев",
]
TG_NICK = ["Гург", "Шоҳин", "Палан", "Сиёҳ"]
TG_FOREIGN = ["Хорхе Мендоса", "Раҷеш Кумар", "Томаш Новак"]


def tg_slots(rng: random.Random) -> dict[str, str]:
    fem = rng.random() < 0.35
    g = pick(rng, TG_F if fem else TG_M)
    s = pick(rng, TG_SUR)
    if fem and s.endswith(("ов", "ев")):
        s += "а"
    pw = pick(rng, ["маҳбус", "маҳкум", "гумонбаршуда", "айбдоршаванда"])
    return {"G": g, "S": s, "PW": pw, "NICK": pick(rng, TG_NICK), "FOREIGN": pick(rng, TG_FOREIGN)}


TG_PII = [
    ("name-lower", "навбатдор хабар дод: {G:l} {S:l} ба санҷиш набаромад"),
    ("name-lower", "{S:l} {G:l} аз отряди {N} ба қисми тиббӣ гузаронида шуд"),
    ("name-lower", "бастаро ба {S:l} надоданд, баргардонида шуд"),
    ("name-lower", "бо {S:l} суҳбат гузаронида шуд"),
    ("name-case", "Муфаттиш аз {S} саволҳои иловагӣ пурсид."),
    ("name-case", "Парвандаи шахсии {S} ба суд фиристода шуд."),
    ("name-case", "Мактубро {S}ро ҷустуҷӯкунон зане гузошт."),
    ("name-case", "Дар камера бо {S} боз ду нафар нигоҳ дошта мешаванд."),
    ("given-sur", "{G} {S} дар ошхона ҷанҷол бархезонд."),
    ("given-sur", "Имрӯз {S} {G} бо адвокат вохӯрд."),
    ("person-word", "{PW:c} {S} тартибро вайрон кард, санад тартиб дода шуд."),
    ("given-alone", "Ба {G} мактуб омад, аз сензура гузашт."),
    ("alias", "Ӯро дар отряд «{NICK}» меноманд."),
    ("alias", "Лақабаш {NICK}, қаблан ду маротиба маҳкум шудааст."),
    ("alias", "Бо лақаби «{NICK}» маълум аст, ба карантин фиристода шуд."),
    ("foreign-name", "Шаҳрванди хориҷӣ {FOREIGN} тарҷумон талаб кард."),
    ("address", "Модараш дар шаҳри Хуҷанд, кӯчаи Ленин {H}, хонаи {FL} зиндагӣ мекунад."),
    ("phone", "Бародараш аз рақами 92 {P3} {P2} {P2b} занг зад."),
    ("dob", "{D} марти {Y} таваллуд шудааст, қаблан судшуда нест."),
]
TG_CLEAN = [
    ("heading", "Натиҷаҳои Санҷиши Шуъбаи Карантин"),
    ("heading", "Ҳисоботи Шабонарӯзии Хизмати Посбонӣ"),
    ("heading", "Дафтари Қабули Бастаҳо"),
    ("heading", "Нақшаи Пешгирии Фирор {N}"),
    ("caps-word", "ДИҚҚАТ: САНҶИШИ ПЕРИМЕТР БА СОАТИ 22:00 КЎЧОНИДА ШУД."),
    ("place-named", "Этап аз хиёбони Рӯдакӣ ба вокзал фиристода шуд."),
    ("place-named", "Дархост аз беморхонаи ба номи Абӯалӣ ибни Сино омад."),
    ("place-named", "Бемор ба беморхонаи ноҳияи Шоҳмансур расонида шуд."),
    ("alias-like", "Ин қитъа дар отряд «кунҷи торик» номида мешавад."),
    ("alias-like", "Рӯйхати лақабҳо ба шуъбаи оперативӣ супорида шуд."),
    ("case-number", "Маводи парвандаи № {CASE} ба муфаттиш баргардонида шуд."),
    ("event-date-old", "Бино {D} марти соли 1987 сохта шудааст."),
    ("plain", "Этапи {N} нафара омад, ҳама аз муоинаи тиббӣ гузаштанд."),
    ("plain", "Санҷиши прокуратура анҷом ёфт, қонуншиканӣ ошкор нашуд."),
    ("plain", "Ҳангоми таъмири ошхона назорат пурзӯр карда шуд."),
    ("given-as-word", "Осоиштагӣ ва тартибот нигоҳ дошта шуд."),
    ("given-as-word", "Нур кам аст, гуфт навбатдор дар бораи ҳолати ҳуҷра."),
]

# ---------------------------------------------------------------------------------- Uzbek
UZ_M = [
    "Hamdam",
    "Ixtiyor",
    "Nuriddin",
    "Mirzohid",
    "Shavkat",
    "Zafarjon",
    "Muzaffar",
    "Sarvar",
    "Baxodir",
    "Elyor",
    "Temurmalik",
    "Shermat",
    "Zokirjon",
    "Abdurashid",
]
UZ_F = [
    "Mohinur",
    "Zilola",
    "Gulbadan",
    "Hilola",
    "Xurshida",
    "Munisa",
    "Sayyora",
    "Maftuna",
    "Shohista",
    "Oydin",
]
UZ_SUR = [
    "Qo'chqorov",
    "Bo'ronov",
    "Xolmatov",
    "Ziyodullayev",
    "Mamajonov",
    "Egamberdiyev",
    "To'xtasinov",
    "Sotvoldiyev",
    "Rahmatullayev",
    "Oripov",
    "Ergashboyev",
    "Qurbonaliyev",
]
UZ_NICK = ["Bo'ri", "Lochin", "Qora", "Sher"]
UZ_FOREIGN = ["Jorge Mendoza", "Rajesh Kumar", "Tomas Novak"]


def uz_slots(rng: random.Random) -> dict[str, str]:
    fem = rng.random() < 0.35
    g = pick(rng, UZ_F if fem else UZ_M)
    s = pick(rng, UZ_SUR) + ("a" if fem else "")
    father = pick(rng, UZ_M)
    out = {
        "G": g,
        "S": s,
        "F": father,
        "P": "qizi" if fem else "o'g'li",
        "PW": pick(rng, ["mahkum", "gumonlanuvchi", "ayblanuvchi", "mahbus"]),
    }
    for c, suf in (("dat", "ga"), ("gen", "ning"), ("acc", "ni"), ("abl", "dan"), ("loc", "da")):
        out[f"S_{c}"] = s + suf
        out[f"G_{c}"] = g + suf
    out["NICK"] = pick(rng, UZ_NICK)
    out["FOREIGN"] = pick(rng, UZ_FOREIGN)
    return out


UZ_PII = [
    ("name-lower", "navbatchi xabar berdi: {G:l} {S:l} tekshiruvga chiqmadi"),
    ("name-lower", "{S:l} {G:l} {N}-otryaddan tibbiy qismga o'tkazildi"),
    ("name-lower", "posilka {S_dat:l} berilmadi, qaytarildi"),
    ("name-lower", "{G:l} {F:l} {P} ovqatdan bosh tortdi"),
    ("name-case", "Tergovchi {S_dat} qo'shimcha savol berdi."),
    ("name-case", "{S_gen} shaxsiy ishi sudga yuborildi."),
    ("name-case", "Xatni {S_acc} izlab kelgan ayol qoldirdi."),
    ("name-case", "Ma'lumot {S_abl} olindi, tekshirilmoqda."),
    ("given-sur", "{G} {S} oshxonada janjal chiqardi."),
    ("given-sur", "Bugun {S} {G} advokat bilan uchrashdi."),
    ("patronymic", "{G} {F} {P} karantinga joylashtirildi."),
    ("person-word", "{PW:c} {S} tartibni buzdi, dalolatnoma tuzildi."),
    ("given-case", "{G_dat} xat keldi, senzuradan o'tdi."),
    ("alias", "Uni otryadda «{NICK}» deb atashadi."),
    ("alias", "Laqabi {NICK}, ilgari ikki marta sudlangan."),
    ("foreign-name", "Chet el fuqarosi {FOREIGN} tarjimon so'radi."),
    ("address", "Onasi Namangan shahri, Navoiy ko'chasi {H}-uy, {FL}-xonadonda yashaydi."),
    ("phone", "Ukasi +998 90 {P3} {P2} {P2b} raqamidan qo'ng'iroq qildi."),
    ("dob", "{Y}-yil {D}-martda tug'ilgan, ilgari sudlanmagan."),
]
UZ_CLEAN = [
    ("heading", "Karantin Bo'limini Tekshirish Natijalari"),
    ("heading", "Qo'riqlash Xizmatining Sutkalik Hisoboti"),
    ("heading", "Posilkalarni Qabul Qilish Jurnali"),
    ("heading", "Qochishning Oldini Olish Rejasi {N}"),
    ("caps-word", "DIQQAT: PERIMETR TEKSHIRUVI SOAT 22:00 GA KO'CHIRILDI."),
    ("place-named", "Etap Amir Temur shoh ko'chasi orqali vokzalga jo'natildi."),
    ("place-named", "So'rov Alisher Navoiy nomidagi kasalxonadan keldi."),
    ("place-named", "Bemor Mirzo Ulug'bek tumani poliklinikasiga yetkazildi."),
    ("alias-like", "Bu uchastka otryadda «qorong'i burchak» deb ataladi."),
    ("alias-like", "Laqablar ro'yxati tezkor bo'limga topshirildi."),
    ("case-number", "{CASE}-sonli ish materiallari tergovchiga qaytarildi."),
    ("event-date-old", "Bino 1987-yil {D}-martda qurilgan."),
    ("surname-like-word", "Tergov davom etmoqda, so'rovnoma to'ldirildi."),
    ("plain", "{N} kishidan iborat etap keldi, hammasi tibbiy ko'rikdan o'tdi."),
    ("plain", "Prokuratura tekshiruvi tugadi, qonunbuzarlik aniqlanmadi."),
    ("plain", "Oshxona ta'mirlanayotganda nazorat kuchaytirildi."),
    ("given-as-word", "Osoyishtalik saqlandi, voqea qayd etilmadi."),
]

# Uzbek Latin to Cyrillic (simple official correspondence, enough for these rows)
UZ_CYR_PAIRS = [
    ("O'", "Ў"),
    ("o'", "ў"),
    ("G'", "Ғ"),
    ("g'", "ғ"),
    ("Sh", "Ш"),
    ("sh", "ш"),
    ("Ch", "Ч"),
    ("ch", "ч"),
    ("Yo", "Ё"),
    ("yo", "ё"),
    ("Yu", "Ю"),
    ("yu", "ю"),
    ("Ya", "Я"),
    ("ya", "я"),
    ("Ye", "Е"),
    ("ye", "е"),
]
UZ_CYR_ONE = dict(
    zip(
        "abdefghijklmnopqrstuvxyzABDEFGHIJKLMNOPQRSTUVXYZ'",
        "абдэфгҳижклмнопқрстувхйзАБДЭФГҲИЖКЛМНОПҚРСТУВХЙЗъ",
        strict=True,
    )
)
UZ_CYR_FOREIGN = {
    "Jorge Mendoza": "Хорхе Мендоса",
    "Rajesh Kumar": "Ражеш Кумар",
    "Tomas Novak": "Томаш Новак",
}


def uz_to_cyr(text: str) -> str:
    for lat, cyr in UZ_CYR_FOREIGN.items():
        text = text.replace(lat, cyr)
    for a, b in UZ_CYR_PAIRS:
        text = text.replace(a, b)
    out = []
    for i, ch in enumerate(text):
        c = UZ_CYR_ONE.get(ch, ch)
        if ch in "eE" and i > 0 and text[i - 1].isalpha():
            c = "е" if ch == "e" else "Е"
        out.append(c)
    return "".join(out).replace("ДИҚҚАТ", "ДИҚҚАТ")


# Frames shared by both labels, so a shape without slots still gives several distinct rows.
FRAMES = {
    "ru": (
        ["Дежурная часть, смена {N}: ", "ИК-{N}. ", "Рапорт. ", "Справка для оперчасти: "],
        [" Доложено начальнику.", " Меры приняты.", " Контроль за ДПНК."],
    ),
    "kk": (
        ["Кезекші бөлім, {N}-ауысым: ", "{N}-түзеу мекемесі. ", "Баянат. "],
        [" Бастыққа баяндалды.", " Шара қолданылды.", " Бақылауда."],
    ),
    "ky": (
        ["Кезекчи бөлүм, {N}-нөөмөт: ", "{N}-түзөтүү мекемеси. ", "Баянат. "],
        [" Башчыга билдирилди.", " Чара көрүлдү.", " Көзөмөлдө."],
    ),
    "tg": (
        ["Қисми навбатдорӣ, навбати {N}: ", "Муассисаи {N}. ", "Гузориш. "],
        [" Ба сардор хабар дода шуд.", " Чораҳо андешида шуданд.", " Зери назорат."],
    ),
    "uz": (
        ["Navbatchilik qismi, {N}-smena: ", "{N}-muassasa. ", "Bildirishnoma. "],
        [" Boshliqqa bildirildi.", " Choralar ko'rildi.", " Nazoratda."],
    ),
}


# ------------------------------------------------------------------------------------ output
LANGS = {
    "ru": (ru_slots, RU_PII, RU_CLEAN),
    "kk": (kk_slots, KK_PII, KK_CLEAN),
    "ky": (ky_slots, KY_PII, KY_CLEAN),
    "tg": (tg_slots, TG_PII, TG_CLEAN),
    "uz": (uz_slots, UZ_PII, UZ_CLEAN),
}
GIVEN = {
    "ru": RU_M + RU_F,
    "kk": KK_M + KK_F,
    "ky": KY_M + KY_F,
    "tg": TG_M + TG_F,
    "uz": UZ_M + UZ_F,
}
SLOT = re.compile(r"\{(\w+)(?::([lc]))?\}")


def common(rng: random.Random, lang: str) -> dict[str, str]:
    m = rng.randrange(12)
    return {
        "N": str(rng.randrange(2, 16)),
        "H": str(rng.randrange(1, 90)),
        "FL": str(rng.randrange(1, 140)),
        "P3": digits(rng, 3),
        "P3b": digits(rng, 3),
        "P2": digits(rng, 2),
        "P2b": digits(rng, 2),
        "D": str(rng.randrange(1, 29)),
        "MON": RU_MON[m],
        "Y": str(rng.randrange(1968, 2004)),
        "CASE": f"{rng.randrange(1, 999)}/{rng.randrange(2019, 2026)}",
        "CITY": pick(rng, KK_CITIES if lang == "kk" else RU_CITIES),
    }


def fill(template: str, slots: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        v = slots[m.group(1)]
        if m.group(2) == "l":
            return v.lower()
        return v[0].upper() + v[1:] if m.group(2) == "c" else v

    return SLOT.sub(one, template)


def make(lang: str) -> list[tuple[str, str, str]]:
    slots_of, pii, clean = LANGS["uz" if lang == "uzc" else lang]
    rng = random.Random(f"fresh5-{lang}")
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for label, shapes in (("pii", pii), ("clean", clean)):
        i = tries = 0
        per_shape = -(-PER_LABEL // len(shapes)) + 1  # no shape fills more than its share
        cap = {shape: per_shape for _, shape in shapes}
        while sum(r[0] == label for r in rows) < PER_LABEL and tries < 50 * PER_LABEL:
            tries += 1
            cls, shape = shapes[i % len(shapes)]
            s = {**common(rng, lang), **slots_of(rng)}
            if lang == "ru":
                s["PW_gen"] = RU_PW_GEN[s["PW"]]
            text = fill(shape, s)
            opens, closes = FRAMES["uz" if lang == "uzc" else lang]
            if rng.random() < 0.5:
                body = text if cls == "name-lower" else text[0].upper() + text[1:]
                text = fill(pick(rng, opens), s) + body
            if rng.random() < 0.4 and text.endswith("."):
                text += fill(pick(rng, closes), s)
            if lang == "uzc":
                text = uz_to_cyr(text)
            i += 1
            if text in seen or cap[shape] <= 0:
                continue
            cap[shape] -= 1
            seen.add(text)
            rows.append((label, cls, text))
    return rows


def check_pool() -> None:
    """Stop if a given name of the pool is on one of the guard's given-name lists."""
    data = json.loads(RULES.read_text("utf-8"))
    listed = set(data["given_names"].split()) | set(data["given_names_also_words"].split())
    folds = str.maketrans(dict(data.get("letter_folds", {})))
    listed |= {w.translate(folds) for w in listed}
    hits = [
        g
        for names in GIVEN.values()
        for g in names
        if g.lower() in listed or g.lower().translate(folds) in listed
    ]
    if hits:
        raise SystemExit(f"given names already on a list: {hits}")


def main() -> None:
    check_pool()
    for lang in ("ru", "kk", "ky", "tg", "uz", "uzc"):
        rows = make(lang)
        head = (
            f"# Guard evaluation table fresh5, {lang}: generated by tests/data/pii_eval/fresh5/"
            "gen_fresh5.py (seeded) at the start of issue 15's sixth round, BEFORE any rule of that "
            "round changed; its given names are on none of the guard's lists; never tuned on."
        )
        lines = [head, "split\tlabel\tclass\ttext", *(f"fresh5\t{a}\t{b}\t{c}" for a, b, c in rows)]
        (OUT / f"{lang}.tsv").write_text("\n".join(lines) + "\n", "utf-8")
        print(lang, len(rows), sum(r[0] == "pii" for r in rows))


if __name__ == "__main__":
    main()
