# ruff: noqa: E501
"""Write the guard's labelled evaluation tables, tests/data/pii_eval/<lang>.tsv.

Why generated: a table large enough to measure a few-percent rate needs hundreds of rows per
language; here they are drawn from templates written as officers write (short, with facility
codes, abbreviations, mixed case) and filler lists, with a fixed seed, so the tables are
reproducible and reviewable. Each template is either ``tune`` (looked at while the rules were
tuned) or ``heldout`` (written at the same time, with its own filler lists, and NOT looked at
while tuning at first; read in issue 15's second round), or ``fresh`` (written in that round
before any result, with its own templates and filler pools, and never tuned on: the honest
figure of that round), or ``fresh2`` (kk, ky, ru; written at the start of the third round,
before any rule of it changed, own templates and filler pools, never read while tuning: the
honest figure now). bench/privacy.py reports the four apart. Fresh rows draw from their own generator and
slots, so adding them left the tune and held-out rows unchanged.

Columns: split, label (pii | clean), class, text.  Run: .venv/bin/python scripts/gen_pii_eval.py
"""

from __future__ import annotations

import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "pii_eval"
ROWS_PER_TEMPLATE = 12

# Fillers: (tune pool, held-out pool) per slot and script.
CYR = {
    "S": (
        "Ахметов Каримов Сериков Жумабеков Рахимов Шарипов Асанбеков Назаров Исмоилов Токтаров",
        "Бекмуратов Абдыкадыров Давлатов Мамытов Кенжебаев Юсупов Оразалиев Сатыбалдиев",
        "Мусаев Турсунов Омаров Садыков Жакупов Эргашев Холматов Алимбеков Сулайманов",
    ),
    "G": (
        "Нурлан Ерлан Азамат Хуршед Шерзод Бахтиёр Талант Айгерим Дилноза Рустам",
        "Ержан Фаррух Мирлан Улугбек Жылдыз Санжар Парвиз Бекзат",
        "Данияр Максат Шухрат Бобур Айбек Нодира Гульмира Азиз Эркин",
    ),
    "ST": (
        "Абая Ленина Манаса Рудаки Навои Жибек Жолы Толе би",
        "Сейфуллина Фрунзе Исмоили Сомони Амира Темура",
        "Гагарина Пушкина Достык Кунаева Айни",
    ),
    "NICK": (
        "Борода Шайтан Малой Хаджи Седой",
        "Кузнец Тихий Амир Дядя Шрам",
        "Батя Лысый Профессор Чёрный",
    ),
    "PLACE": (
        "Абая Манаса Рудаки Навои Сейфуллина",
        "Айтматова Гафурова Алишера Навои Шокана Уалиханова",
        "Кунаева Ауэзова Баласагына Айни Жамбыла",
    ),
}
LAT = {
    "S": (
        "Akhmetov Karimov Serikov Zhumabekov Rakhimov Sharipov Asanbekov Nazarov Ismoilov Toshmatov",
        "Bekmuratov Abdykadyrov Davlatov Mamytov Kenzhebaev Yusupov Orazaliev Satybaldiev",
        "Musaev Tursunov Omarov Sadykov Zhakupov Ergashev Kholmatov Alimbekov Sulaimanov",
    ),
    "G": (
        "Nurlan Yerlan Azamat Khurshed Sherzod Bakhtiyor Talant Aigerim Dilnoza Rustam",
        "Yerzhan Farrukh Mirlan Ulugbek Jyldyz Sanjar Parviz Bekzat",
        "Daniyar Maksat Shukhrat Bobur Aibek Nodira Gulmira Aziz Erkin",
    ),
    "ST": (
        "Abay Lenin Manas Rudaki Navoi Amir Temur",
        "Seifullin Frunze Ismoili Somoni Chilonzor",
        "Gagarin Pushkin Dostyk Kunaev Aini",
    ),
    "NICK": (
        "Boroda Shaitan Maloy Hoji Sedoy",
        "Kuznets Tikhiy Amir Dyadya Shram",
        "Batya Lysy Professor Chyorny",
    ),
    "PLACE": (
        "Abai Manas Rudaki Navoi Seifullin",
        "Aitmatov Gafurov Alisher Navoiy Shokan Ualikhanov",
        "Kunaev Auezov Balasagyn Aini Zhambyl",
    ),
}
FOREIGN = {
    "S": (
        "Smith Johansson Andersson Petrov Georgiev Yilmaz Müller",
        "Brown Lindqvist Nilsson Dimitrov Kaya Schmidt",
        "Karlsson Persson Taylor Demir Weber Olsson Novak",
    ),
    "G": (
        "John Erik Anna Georgi Mehmet Hans Maria",
        "David Lars Ingrid Stoyan Ayşe Klaus",
        "Johan Karin Michael Fatma Jürgen Sofia Peter",
    ),
}
MONTHS = {
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "kk": "қаңтар ақпан наурыз сәуір мамыр маусым шілде тамыз қыркүйек қазан қараша желтоқсан",
    "ky": "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь",
    "tg": "январи феврали марти апрели майи июни июли августи сентябри октябри ноябри декабри",
    "uz": "yanvar fevral mart aprel may iyun iyul avgust sentabr oktabr noyabr dekabr",
    "uzc": "январь феврал март апрел май июн июл август сентябр октябр ноябр декабр",
    "en": "January February March April May June July August September October November December",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "bg": "януари февруари март април май юни юли август септември октомври ноември декември",
}

# lang -> class -> (label, [tune templates], [held-out templates]).  Slots: {S} surname,
# {G} given name, {D} day, {M} month word, {Y} birth year, {EY} an old event year, {ED} an old
# event date dd.mm.yyyy, {N} a house number, {F} a flat, {PL} a plate, {H} a handle, {NICK},
# {PH} a phone, {ID} a spaced national number, {PNR} a personnummer, {EGN}, {CASE} a case
# number, {PLACE} a person a place is named after, {ST} a street, {FS} {FG} a foreign name.
T: dict[str, dict[str, tuple[str, list[str], list[str]]]] = {}

T["ru"] = {
    "name": (
        "pii",
        [
            "Осуждённый {S} {G} освобождается 15.12.2026.",
            "Связной {G} {S} выехал в Турцию.",
            "Передал литературу {S} {G}, отряд 3.",
        ],
        ["Вербовку вёл {G} {S} из Шымкента.", "Свидание: {S} {G}, брат осуждённого."],
    ),
    "name-lower": (
        "pii",
        ["со слов осуждённого, деньги передал {s} {g}.", "контакт: {g} {s}, г. Ош"],
        ["звонил {s} {g} из Москвы"],
    ),
    "given-alone": (
        "pii",
        ["Посылку передал некий {G}, брат осуждённого.", "В камере главным был {G}."],
        ["Со слов сокамерника, деньги перевёл {G}."],
    ),
    "surname-case": (
        "pii",
        ["Книги изъяты у {Sgen} в камере 12.", "Встреча с {Sins} в комнате свиданий."],
        ["Записка адресована {Sdat}, изъята."],
    ),
    "tajik-reform": (
        "pii",
        ["Освобождается {Sz} {G}, ИК-3.", "Контакт {G} {Si} в Душанбе."],
        ["Деньги отправил {G} {Sz}."],
    ),
    "dob-month": (
        "pii",
        ["Осуждённый, {D} {M} {Y} г.р., освобождается.", "Родился {D} {M} {Y} года в Оше."],
        ["Дата рождения: {D} {M} {Y}."],
    ),
    "number-spaced": (
        "pii",
        ["ИИН {ID} указан в справке.", "В справке номер {ID}, освобождение в декабре."],
        ["Документ с номером {ID} изъят."],
    ),
    "address": (
        "pii",
        ["Намерен проживать: ул. {ST}, д. {N}, кв. {F}.", "Проживает по адресу ул. {ST} {N}-{F}."],
        ["После освобождения адрес: мкр. Самал-2, дом {N}, кв. {F}."],
    ),
    "plate": (
        "pii",
        ["Встречал автомобиль госномер {PL}.", "Передача через машину {PL} у КПП."],
        ["Посетитель приехал на авто с номером {PL}."],
    ),
    "handle": (
        "pii",
        ["Вербовщик пишет в Telegram {H}.", "Канал {H} распространяет материалы."],
        ["Связь через аккаунт {H}."],
    ),
    "alias": (
        "pii",
        ["Лидер ячейки по кличке «{NICK}».", "Известен под прозвищем {NICK}."],
        ["Осуждённый, кличка {NICK}, авторитет в отряде."],
    ),
    "phone": ("pii", ["Звонил на номер {PH} из камеры."], ["Связной: тел. {PH}"]),
    "named-after": (
        "clean",
        ["Перевод в колонию района имени {PLACE}.", "Посетитель из университета им. {PLACE}."],
        ["Освобождается в посёлке имени {PLACE}, Туркестанская область."],
    ),
    "case-number": (
        "clean",
        ["Уголовное дело № {CASE} передано в суд.", "Материалы по делу {CASE} направлены."],
        ["Номер дела в реестре: {CASE}."],
    ),
    "past-event": (
        "clean",
        ["Осуждён приговором от {ED}, освобождение в 2026 году.", "Задержан {ED} в Алматы."],
        ["Этапирован {ED} из СИЗО-1."],
    ),
    "caps": (
        "clean",
        [
            "СРОЧНО: ОСВОБОЖДЕНИЕ ИЗ ИК-3, ТЕЛЕФОНОВ ИЗЪЯТО 2.",
            "Обысков Проведено Четыре, Материалов Изъято Много.",
        ],
        ["ВНИМАНИЕ: ПЕРЕВОД ОСУЖДЁННЫХ В СИЗО ОТМЕНЁН."],
    ),
    "ordinary": (
        "clean",
        ["Освобождение из учреждения ЛА-155/3, риск высокий.", "Два телефона изъяты в отряде {N}."],
        ["Этапирование в Павлодарскую область {EY} года отложено."],
    ),
}
T["kk"] = {
    "name": (
        "pii",
        ["Сотталған {S} {G} босатылады.", "Байланысушы {G} {S} Түркияға кетті."],
        ["Үгітті {G} {S} жүргізген."],
    ),
    "name-lower": ("pii", ["ақшаны {s} {g} берген."], ["байланыс: {g} {s}, Шымкент"]),
    "given-alone": ("pii", ["Сәлемдемені {G} деген адам әкелді."], ["Камерада басшы {G} болған."]),
    "surname-case": (
        "pii",
        ["Кітаптар {S}тың камерасынан алынды.", "{S}қа хат келді, тәркіленді."],
        ["Кездесу {S}пен өтті."],
    ),
    "dob-month": (
        "pii",
        ["{Y} жылы {D} {M}да туған сотталған.", "Туған күні: {D} {M} {Y} ж."],
        ["{D} {M} {Y} жылы туылған, босатылады."],
    ),
    "number-spaced": (
        "pii",
        ["ЖСН {ID} анықтамада көрсетілген."],
        ["Құжат нөмірі {ID} тәркіленді."],
    ),
    "address": (
        "pii",
        ["Мекенжайы: {ST} көшесі, {N} үй, {F} пәтер.", "{ST} көш., {N}-үй, {F}-пәтерде тұрады."],
        ["Босатылғаннан кейін Самал ықшамауданы, {N} үй, {F} пәтер."],
    ),
    "plate": ("pii", ["Көлік нөмірі {PL} қақпа алдында тұрды."], ["Келуші {PL} көлігімен келді."]),
    "handle": ("pii", ["Үгітші Telegram-да {H} арқылы жазады."], ["Байланыс {H} аккаунты арқылы."]),
    "alias": (
        "pii",
        ["Топ жетекшісінің лақап аты «{NICK}»."],
        ["{NICK} деген лақап атпен белгілі."],
    ),
    "named-after": (
        "clean",
        ["{PLACE} атындағы ауданға ауыстырылды.", "{PLACE} атындағы университеттен келген."],
        ["{PLACE} атындағы көшеде мекеме орналасқан."],
    ),
    "case-number": (
        "clean",
        ["№ {CASE} қылмыстық іс сотқа жіберілді."],
        ["Іс нөмірі {CASE} тізілімде."],
    ),
    "past-event": (
        "clean",
        ["{ED} үкіммен сотталған, 2026 жылы босатылады."],
        ["{ED} Алматыда ұсталған."],
    ),
    "caps": (
        "clean",
        ["ШҰҒЫЛ: ЖҚ-3 МЕКЕМЕСІНЕН БОСАТУ."],
        ["НАЗАР АУДАРЫҢЫЗ: АУЫСТЫРУ ТОҚТАТЫЛДЫ."],
    ),
    "ordinary": (
        "clean",
        ["ЛА-155/3 мекемесінен босату, тәуекел жоғары.", "Камерадан екі телефон алынды."],
        ["Павлодар облысына этаптау {EY} жылы кейінге қалдырылды."],
    ),
}
T["ky"] = {
    "name": (
        "pii",
        ["Соттолгон {S} {G} бошотулат.", "Байланышчы {G} {S} Түркияга кетти."],
        ["Үгүттү {G} {S} жүргүзгөн."],
    ),
    "name-lower": ("pii", ["акчаны {s} {g} берген."], ["байланыш: {g} {s}, Ош"]),
    "given-alone": (
        "pii",
        ["Посылканы {G} деген киши алып келди."],
        ["Камерада башчы {G} болгон."],
    ),
    "surname-case": (
        "pii",
        ["Китептер {S}дун камерасынан алынды.", "{S}го кат келди."],
        ["Жолугушуу {S} менен болду."],
    ),
    "dob-month": (
        "pii",
        ["{Y}-жылы {D}-{M}да туулган.", "Туулган күнү: {D}-{M} {Y}-ж."],
        ["{D} {M} {Y}-жылы туулган, бошотулат."],
    ),
    "number-spaced": (
        "pii",
        ["ПИН {ID} маалымкатта көрсөтүлгөн."],
        ["Документ номери {ID} алынды."],
    ),
    "address": (
        "pii",
        ["Дареги: {ST} көчөсү, {N}-үй, {F}-батир.", "{ST} көч., {N} үй, {F} батирде жашайт."],
        ["Бошотулгандан кийин Жал кичи районуна, {N}-үй, {F}-батир."],
    ),
    "plate": (
        "pii",
        ["Унаа номери {PL} дарбазанын алдында турду."],
        ["Келүүчү {PL} унаасы менен келди."],
    ),
    "handle": ("pii", ["Үгүтчү Telegram аркылуу {H} жазат."], ["Байланыш {H} аккаунту аркылуу."]),
    "alias": (
        "pii",
        ["Топтун лидеринин лакап аты «{NICK}»."],
        ["{NICK} деген лакап ат менен белгилүү."],
    ),
    "named-after": (
        "clean",
        ["{PLACE} атындагы районго которулду."],
        ["{PLACE} атындагы университеттен келген."],
    ),
    "case-number": (
        "clean",
        ["№ {CASE} кылмыш иши сотко жөнөтүлдү."],
        ["Иштин номери {CASE} реестрде."],
    ),
    "past-event": (
        "clean",
        ["{ED} өкүм менен соттолгон, 2026-жылы бошотулат."],
        ["{ED} Бишкекте кармалган."],
    ),
    "caps": (
        "clean",
        ["ШАШЫЛЫШ: ИК-3 МЕКЕМЕСИНЕН БОШОТУУ."],
        ["КӨҢҮЛ БУРУҢУЗ: КОТОРУУ ТОКТОТУЛДУ."],
    ),
    "ordinary": (
        "clean",
        ["ИК-47 мекемесинен бошотуу, тобокелдик жогору.", "Камерадан эки телефон табылды."],
        ["Ош облусуна этаптоо {EY}-жылы кийинкиге калтырылды."],
    ),
}
T["tg"] = {
    "name": (
        "pii",
        ["Маҳкум {S} {G} озод мешавад.", "Алоқаманд {G} {S} ба Туркия рафт."],
        ["Ҷалбро {G} {S} мебурд."],
    ),
    "name-lower": ("pii", ["пулро {s} {g} дод."], ["алоқа: {g} {s}, Хуҷанд"]),
    "given-alone": ("pii", ["Бастаро шахсе бо номи {G} овард."], ["Дар камера сардор {G} буд."]),
    "tajik-reform": (
        "pii",
        ["Маҳкум {Sz} {G} озод мешавад.", "Алоқаманд {G} {Si} дар Душанбе."],
        ["Пулро {G} {Sz} фиристод."],
    ),
    "surname-case": (
        "pii",
        ["Китобҳо аз {S}и маҳкум гирифта шуданд.", "Мактуб ба {S} расид, {S}ро пурсиданд."],
        ["Вохӯрӣ бо {S} дар утоқи мулоқот."],
    ),
    "dob-month": (
        "pii",
        ["Санаи таваллуд: {D} {M} соли {Y}.", "{D} {M} {Y} таваллуд шудааст."],
        ["Соли таваллуд {Y}, {D} {M}, озод мешавад."],
    ),
    "number-spaced": (
        "pii",
        ["РМА {ID} дар маълумотнома."],
        ["Ҳуҷҷат бо рақами {ID} гирифта шуд."],
    ),
    "address": (
        "pii",
        [
            "Суроға: кӯчаи {ST}, хонаи {N}, ҳуҷраи {F}.",
            "Дар кӯчаи {ST} {N}, кв. {F} зиндагӣ мекунад.",
        ],
        ["Баъди озодшавӣ: ноҳияи Сино, кӯчаи {ST}, хонаи {N}."],
    ),
    "plate": ("pii", ["Мошин бо рақами {PL} назди дарвоза буд."], ["Меҳмон бо мошини {PL} омад."]),
    "handle": (
        "pii",
        ["Ҷалбкунанда дар Telegram {H} менависад."],
        ["Алоқа тавассути аккаунти {H}."],
    ),
    "alias": ("pii", ["Роҳбари гурӯҳ бо лақаби «{NICK}»."], ["Бо лақаби {NICK} маълум аст."]),
    "named-after": (
        "clean",
        ["Ба ноҳияи ба номи {PLACE} интиқол дода шуд."],
        ["Меҳмон аз донишгоҳи ба номи {PLACE}."],
    ),
    "case-number": (
        "clean",
        ["Парвандаи ҷиноятии № {CASE} ба суд фиристода шуд."],
        ["Рақами парванда {CASE} дар феҳрист."],
    ),
    "past-event": (
        "clean",
        ["Бо ҳукми {ED} маҳкум шудааст, соли 2026 озод мешавад."],
        ["{ED} дар Душанбе боздошт шуд."],
    ),
    "caps": ("clean", ["ФАВРӢ: ОЗОДШАВӢ АЗ МУАССИСАИ 3."], ["ДИҚҚАТ: ИНТИҚОЛ ҚАТЪ ШУД."]),
    "ordinary": (
        "clean",
        ["Озодшавӣ аз муассисаи ЯС 3/1, хатар баланд.", "Аз камера ду телефон ёфт шуд."],
        ["Интиқол ба вилояти Суғд соли {EY} мавқуф гузошта шуд."],
    ),
}
T["uz"] = {
    "name": (
        "pii",
        ["Mahkum {S} {G} ozod qilinadi.", "Aloqachi {G} {S} Turkiyaga ketdi."],
        ["Yollashni {G} {S} olib borgan."],
    ),
    "name-lower": ("pii", ["pulni {s} {g} bergan."], ["aloqa: {g} {s}, Toshkent"]),
    "given-alone": (
        "pii",
        ["Posilkani {G} ismli shaxs olib keldi."],
        ["Kamerada boshliq {G} edi."],
    ),
    "surname-case": (
        "pii",
        ["Kitoblar {S}ning kamerasidan olindi.", "{S}ga xat keldi."],
        ["Uchrashuv {S} bilan bo'ldi, {S}dan so'raldi."],
    ),
    "dob-month": (
        "pii",
        ["{Y} yil {D} {M}da tug'ilgan.", "Tug'ilgan sanasi: {D} {M} {Y} yil."],
        ["{D}-{M} {Y} yilda tug'ilgan mahkum."],
    ),
    "number-spaced": ("pii", ["JShShIR {ID} ma'lumotnomada."], ["Hujjat raqami {ID} olindi."]),
    "address": (
        "pii",
        ["Manzil: {ST} ko'chasi, {N}-uy, {F}-xonadon.", "{ST} ko'chasi {N}, kv. {F} da yashaydi."],
        ["Ozod bo'lgach: Chilonzor tumani, {ST} ko'chasi, {N}-uy."],
    ),
    "plate": (
        "pii",
        ["Avtomobil raqami {PL} darvoza oldida edi."],
        ["Tashrif buyuruvchi {PL} mashinasida keldi."],
    ),
    "handle": ("pii", ["Yollovchi Telegramda {H} orqali yozadi."], ["Aloqa {H} akkaunti orqali."]),
    "alias": ("pii", ["Guruh rahbari «{NICK}» laqabli."], ["{NICK} laqabi bilan tanilgan."]),
    "named-after": (
        "clean",
        ["{PLACE} nomidagi tumanga o'tkazildi."],
        ["{PLACE} nomidagi universitetdan kelgan."],
    ),
    "case-number": (
        "clean",
        ["{CASE}-sonli jinoyat ishi sudga yuborildi."],
        ["Ish raqami {CASE} reestrda."],
    ),
    "past-event": (
        "clean",
        ["{ED} hukm bilan sudlangan, 2026 yilda ozod bo'ladi."],
        ["{ED} Toshkentda ushlangan."],
    ),
    "caps": (
        "clean",
        ["SHOSHILINCH: 3-SONLI MUASSASADAN OZOD QILISH."],
        ["DIQQAT: KO'CHIRISH TO'XTATILDI."],
    ),
    "ordinary": (
        "clean",
        ["64/3-sonli muassasadan ozod qilish, xavf yuqori.", "Kameradan ikkita telefon topildi."],
        ["Farg'ona viloyatiga etaplash {EY} yilda qoldirildi."],
    ),
}
T["uzc"] = {
    "name": (
        "pii",
        ["Маҳкум {S} {G} озод қилинади.", "Алоқачи {G} {S} Туркияга кетди."],
        ["Ёллашни {G} {S} олиб борган."],
    ),
    "name-lower": ("pii", ["пулни {s} {g} берган."], ["алоқа: {g} {s}, Тошкент"]),
    "given-alone": ("pii", ["Посилкани {G} исмли шахс олиб келди."], ["Камерада бошлиқ {G} эди."]),
    "surname-case": (
        "pii",
        ["Китоблар {S}нинг камерасидан олинди.", "{S}га хат келди."],
        ["Учрашув {S} билан бўлди."],
    ),
    "dob-month": (
        "pii",
        ["{Y} йил {D} {M}да туғилган.", "Туғилган санаси: {D} {M} {Y} йил."],
        ["{D}-{M} {Y} йилда туғилган."],
    ),
    "number-spaced": ("pii", ["ЖШШИР {ID} маълумотномада."], ["Ҳужжат рақами {ID} олинди."]),
    "address": (
        "pii",
        ["Манзил: {ST} кўчаси, {N}-уй, {F}-хонадон."],
        ["Озод бўлгач: {ST} кўчаси, {N}-уй, {F}-хонадон."],
    ),
    "plate": (
        "pii",
        ["Автомобиль рақами {PL} дарвоза олдида эди."],
        ["Ташриф буюрувчи {PL} машинасида келди."],
    ),
    "handle": ("pii", ["Ёлловчи Телеграмда {H} орқали ёзади."], ["Алоқа {H} аккаунти орқали."]),
    "alias": ("pii", ["Гуруҳ раҳбари «{NICK}» лақабли."], ["{NICK} лақаби билан танилган."]),
    "named-after": (
        "clean",
        ["{PLACE} номидаги туманга ўтказилди."],
        ["{PLACE} номидаги университетдан келган."],
    ),
    "case-number": (
        "clean",
        ["{CASE}-сонли жиноят иши судга юборилди."],
        ["Иш рақами {CASE} реестрда."],
    ),
    "past-event": (
        "clean",
        ["{ED} ҳукм билан судланган, 2026 йилда озод бўлади."],
        ["{ED} Тошкентда ушланган."],
    ),
    "caps": (
        "clean",
        ["ШОШИЛИНЧ: 3-СОНЛИ МУАССАСАДАН ОЗОД ҚИЛИШ."],
        ["ДИҚҚАТ: КЎЧИРИШ ТЎХТАТИЛДИ."],
    ),
    "ordinary": (
        "clean",
        ["64/3-сонли муассасадан озод қилиш, хавф юқори.", "Камерадан иккита телефон топилди."],
        ["Фарғона вилоятига этаплаш {EY} йилда қолдирилди."],
    ),
}
T["en"] = {
    "name": (
        "pii",
        ["Prisoner {S} {G} is due for release.", "Contact {G} {S} travelled to Turkey."],
        ["Recruitment was led by {G} {S}."],
    ),
    "name-lower": ("pii", ["money was passed by {g} {s} at the gate."], ["contact: {s} {g}, Osh"]),
    "given-alone": (
        "pii",
        ["The parcel was brought by a man called {G}."],
        ["Cell leader is {G}, per informant."],
    ),
    "foreign-name": (
        "pii",
        ["Visitor {FG} {FS} brought leaflets.", "Letters from {FG} {FS} were seized."],
        ["Funds sent by {FG} {FS} from abroad."],
    ),
    "dob-month": (
        "pii",
        ["Subject born {D} {M} {Y}, release due.", "Date of birth: {M} {D}, {Y}."],
        ["DOB {D} {M} {Y}; transfer pending."],
    ),
    "number-spaced": (
        "pii",
        ["National ID {ID} is on file.", "Personal number {PNR} (Swedish)."],
        ["Bulgarian EGN {EGN} of the visitor."],
    ),
    "address": (
        "pii",
        ["Intends to live at {N} {ST} Street, flat {F}.", "Address: {ST} Avenue {N}, apt {F}."],
        ["After release: {ST} Road {N}, apartment {F}."],
    ),
    "plate": (
        "pii",
        ["Car with plate {PL} waited at the gate."],
        ["Visitor drove vehicle reg. {PL}."],
    ),
    "handle": (
        "pii",
        ["Recruiter writes on Telegram as {H}.", "Channel {H} spreads material."],
        ["Contact via account {H}."],
    ),
    "alias": (
        "pii",
        ['Cell leader known as "{NICK}".', "Inmate, aka {NICK}, runs the block."],
        ["Recruiter nicknamed {NICK} was moved."],
    ),
    "named-after": (
        "clean",
        [
            "Transfer to the colony in the district named after {PLACE}.",
            "Visitor from the {PLACE} University.",
        ],
        ["Release to the settlement named after {PLACE}."],
    ),
    "case-number": (
        "clean",
        ["Criminal case No. {CASE} sent to court.", "Case {CASE} in the national register."],
        ["Register entry {CASE} updated."],
    ),
    "past-event": (
        "clean",
        ["Convicted on {ED}; release planned for 2026.", "Arrested on {ED} in Almaty."],
        ["Sentenced {ED} by the city court."],
    ),
    "caps": (
        "clean",
        ["URGENT: RELEASE NOTICE FOR FACILITY 3.", "High Risk Transfer Notice, Handling H2."],
        ["ATTENTION: TRANSFER CANCELLED BY THE MINISTRY."],
    ),
    "ordinary": (
        "clean",
        ["Release from facility 3; risk high.", "Two phones found in block {N}."],
        ["Transfer to Pavlodar region postponed since {EY}."],
    ),
}
T["sv"] = {
    "foreign-name": (
        "pii",
        ["Besökare {FG} {FS} hade med sig flygblad.", "Brev från {FG} {FS} beslagtogs."],
        ["Pengar skickades av {FG} {FS}."],
    ),
    "given-alone": (
        "pii",
        ["Paketet lämnades av en man som heter {FG}."],
        ["Ledare i cellen är {FG}."],
    ),
    "dob-month": (
        "pii",
        ["Född {D} {M} {Y}, frigivning planerad."],
        ["Födelsedatum: {D} {M} {Y}."],
    ),
    "number-spaced": (
        "pii",
        ["Personnummer {PNR} finns i akten."],
        ["Besökarens personnummer är {PNR}."],
    ),
    "address": (
        "pii",
        ["Bor på {ST}gatan {N}, lgh {F}.", "Adress: {ST}vägen {N}."],
        ["Efter frigivning: Storgatan {N}, lägenhet {F}."],
    ),
    "plate": (
        "pii",
        ["Bil med registreringsnummer {PLSE} vid grinden."],
        ["Besökaren körde bil {PLSE}."],
    ),
    "handle": ("pii", ["Rekryteraren skriver på Telegram som {H}."], ["Kontakt via kontot {H}."]),
    "alias": (
        "pii",
        ['Ledaren kallad "{NICK}" flyttades.'],
        ["Intagen, även känd som {NICK}, styr avdelningen."],
    ),
    "case-number": (
        "clean",
        ["Målnummer {CASE} skickat till domstol."],
        ["Ärende {CASE} i registret."],
    ),
    "past-event": ("clean", ["Dömd {ED}; frigivning 2026."], ["Gripen {ED} i Malmö."]),
    "caps": ("clean", ["BRÅDSKANDE: FRIGIVNING FRÅN ANSTALT 3."], ["OBS: FÖRFLYTTNING INSTÄLLD."]),
    "ordinary": (
        "clean",
        ["Frigivning från anstalt 3; hög risk.", "Två telefoner hittades i avdelning {N}."],
        ["Förflyttning till Kumla uppskjuten sedan {EY}."],
    ),
}
T["bg"] = {
    "foreign-name": (
        "pii",
        ["Посетител {S} {G} донесе листовки.", "Писма от {G} {S} бяха иззети."],
        ["Пари изпрати {G} {S}."],
    ),
    "given-alone": ("pii", ["Пратката донесе мъж на име {G}."], ["Лидер в килията е {G}."]),
    "dob-month": (
        "pii",
        ["Роден на {D} {M} {Y} г., предстои освобождаване."],
        ["Дата на раждане: {D} {M} {Y} г."],
    ),
    "number-spaced": ("pii", ["ЕГН {EGN} е в досието."], ["Посетителят е с ЕГН {EGN}."]),
    "address": (
        "pii",
        ["Живее на ул. {ST} № {N}, ап. {F}.", "Адрес: бул. {ST} {N}, вх. Б, ап. {F}."],
        ["След освобождаване: жк Люлин, бл. {N}, ап. {F}."],
    ),
    "plate": (
        "pii",
        ["Кола с рег. номер {PLBG} чакаше пред портала."],
        ["Посетителят дойде с автомобил {PLBG}."],
    ),
    "handle": ("pii", ["Вербовчикът пише в Telegram като {H}."], ["Връзка чрез профила {H}."]),
    "alias": (
        "pii",
        ["Лидерът с прякор „{NICK}“ беше преместен."],
        ["Лишеният от свобода, известен като {NICK}."],
    ),
    "named-after": (
        "clean",
        ["Преместен в затвора в квартал „{PLACE}“."],
        ["Посетител от университета „{PLACE}“."],
    ),
    "case-number": (
        "clean",
        ["Дело № {CASE} е изпратено в съда."],
        ["Преписка {CASE} в регистъра."],
    ),
    "past-event": (
        "clean",
        ["Осъден на {ED}; освобождаване през 2026 г."],
        ["Задържан на {ED} в София."],
    ),
    "caps": (
        "clean",
        ["СПЕШНО: ОСВОБОЖДАВАНЕ ОТ ЗАТВОР 3."],
        ["ВНИМАНИЕ: ПРЕМЕСТВАНЕТО Е ОТМЕНЕНО."],
    ),
    "ordinary": (
        "clean",
        ["Освобождаване от затвора в Пловдив; висок риск.", "Два телефона намерени в килия {N}."],
        ["Преместване в Бургас отложено от {EY} г."],
    ),
}
BG = {
    "S": (
        "Иванов Георгиев Петров Димитров Стоянов",
        "Николов Христов Тодоров Колев",
        "Атанасов Илиев Маринов Василев Янков",
    ),
    "G": (
        "Георги Иван Мария Стоян Петър",
        "Николай Христо Елена Тодор",
        "Димитър Васил Цветелина Милен Росица",
    ),
    "ST": ("Витоша Раковски Шипка", "Граф Игнатиев Дондуков", "Алабин Славейков Цариградско"),
    "PLACE": (
        "Васил Левски Христо Ботев",
        "Иван Вазов Паисий Хилендарски",
        "Левски Раковски Ботев",
    ),
}
SV = {"ST": ("Drottning Kungs Sveav", "Göta Birger Jarls", "Vasa Linné Karla"), "PLACE": ("",)}
LATIN_LANGS = {"uz", "en", "sv"}


SPLITS = ("tune", "heldout", "fresh", "fresh2")


# ---------------------------------------------------------------------------------------------
# The fresh split: templates and fillers written after the held-out rows had been looked at
# (issue 15, second round) and BEFORE any result on them was seen; no rule was tuned on them.
# They are the honest figure bench/privacy.py reports. Own filler pools (the third entry of
# each pool tuple), own sentences, as officers write alerts, with hard clean cases.
FRESH: dict[str, dict[str, tuple[str, list[str]]]] = {
    "ru": {
        "name": (
            "pii",
            ["ИК-2: к осуждённому {S} {G} приезжал брат.", "Старший в отряде — {G} {S}."],
        ),
        "name-lower": ("pii", ["по оперативной информации, литературу передаёт {g} {s}"]),
        "given-alone": ("pii", ["Связь с волей держит {G}, освобождённый в прошлом году."]),
        "surname-case": ("pii", ["В ходе обыска у {Sgen} изъят телефон."]),
        "dob-month": ("pii", ["Освобождается осуждённый {D} {M} {Y} года рождения."]),
        "dob-numeric": ("pii", ["Субъект: д.р. {DOBN}, уроженец Оша."]),
        "number-spaced": ("pii", ["Паспорт {ID}, выдан МВД."]),
        "address": ("pii", ["После освобождения будет жить на ул. {ST}, дом {N}, кв. {F}."]),
        "plate": ("pii", ["Родственники приезжают на машине {PL}."]),
        "handle": ("pii", ["Материалы получает через Telegram-аккаунт {H}."]),
        "alias": ("pii", ["В отряде известен по кличке {NICK}."]),
        "phone": ("pii", ["Выявлен номер {PH}, используемый для связи."]),
        "named-after": (
            "clean",
            [
                "Этап в колонию посёлка им. {PLACE} назначен на март.",
                "Запрос в университет имени {PLACE} направлен.",
            ],
        ),
        "case-number": (
            "clean",
            [
                "По ЕРДР № {ERDR} проводится проверка.",
                "Решение суда по делу № {CASE2} вступило в силу.",
            ],
        ),
        "past-event": (
            "clean",
            ["Осуждён {ED2} Алматинским городским судом.", "Поступил в учреждение {ED} из СИЗО."],
        ),
        "caps": (
            "clean",
            [
                "ПЕРЕВОД ОТМЕНЁН. ПРИЧИНА: КАРАНТИН В УЧРЕЖДЕНИИ.",
                "ВАЖНО: Проверка Отрядов Завершена.",
            ],
        ),
        "ordinary": (
            "clean",
            [
                "Вчера в ИК-12 Карагандинской области изъяты три сим-карты.",
                "Религиозная литература изъята, направлена на экспертизу.",
            ],
        ),
        "institution": (
            "clean",
            [
                "Информация получена от ДУИС по Костанайской области.",
                "Комиссия Генеральной прокуратуры посетила учреждение.",
            ],
        ),
    },
    "kk": {
        "name": ("pii", ["Сотталған {S} {G} ағасымен кездесті.", "Отряд басшысы {G} {S}."]),
        "name-lower": ("pii", ["әдебиетті {g} {s} таратады"]),
        "given-alone": ("pii", ["Сыртпен байланысты {G} ұстайды."]),
        "surname-case": ("pii", ["Тінту кезінде {S}тан телефон алынды."]),
        "dob-month": ("pii", ["Сотталған {Y} жылғы {D} {M}да туған."]),
        "dob-numeric": ("pii", ["Туған күні {DOBN}, Шымкент қаласында."]),
        "number-spaced": ("pii", ["Жеке куәлік {ID} тәркіленді."]),
        "address": ("pii", ["Босағаннан кейін {ST} көшесі, {N} үй, {F} пәтерде тұрмақ."]),
        "plate": ("pii", ["Туыстары {PL} көлігімен келеді."]),
        "handle": ("pii", ["Материалдарды Telegram {H} арқылы алады."]),
        "alias": ("pii", ["Отрядта лақап аты {NICK} деп белгілі."]),
        "named-after": (
            "clean",
            [
                "{PLACE} атындағы ауылдағы мекемеге этап наурызда.",
                "{PLACE} атындағы университетке сұрау жіберілді.",
            ],
        ),
        "case-number": (
            "clean",
            [
                "СДТБ № {ERDR} бойынша тексеру жүргізілуде.",
                "№ {CASE2} іс бойынша сот шешімі күшіне енді.",
            ],
        ),
        "past-event": (
            "clean",
            ["{ED2} Алматы қалалық сотымен сотталған.", "{ED} тергеу изоляторынан келген."],
        ),
        "caps": ("clean", ["АУЫСТЫРУ ТОҚТАТЫЛДЫ. СЕБЕБІ: КАРАНТИН.", "МАҢЫЗДЫ: Тексеру Аяқталды."]),
        "ordinary": (
            "clean",
            [
                "Кеше Қарағанды облысындағы мекемеде үш SIM-карта алынды.",
                "Діни әдебиет алынып, сараптамаға жіберілді.",
            ],
        ),
        "institution": (
            "clean",
            [
                "Ақпарат Қостанай облысы бойынша ҚАЖД-дан алынды.",
                "Бас прокуратура комиссиясы мекемеге келді.",
            ],
        ),
    },
    "ky": {
        "name": ("pii", ["Соттолгон {S} {G} агасы менен жолукту.", "Отряддын башчысы {G} {S}."]),
        "name-lower": ("pii", ["адабиятты {g} {s} таратат"]),
        "given-alone": ("pii", ["Сырт менен байланышты {G} кармайт."]),
        "surname-case": ("pii", ["Тинтүү учурунда {S}дон телефон алынды."]),
        "dob-month": ("pii", ["Соттолгон {Y}-жылы {D}-{M}да туулган."]),
        "dob-numeric": ("pii", ["Туулган күнү {DOBN}, Ош шаарында."]),
        "number-spaced": ("pii", ["Паспорт {ID} алынды."]),
        "address": ("pii", ["Бошотулгандан кийин {ST} көчөсү, {N}-үй, {F}-батирде жашайт."]),
        "plate": ("pii", ["Туугандары {PL} унаасы менен келишет."]),
        "handle": ("pii", ["Материалдарды Telegram {H} аркылуу алат."]),
        "alias": ("pii", ["Отрядда лакап аты {NICK} деп белгилүү."]),
        "named-after": (
            "clean",
            [
                "{PLACE} атындагы айылдагы мекемеге этап мартта.",
                "{PLACE} атындагы университетке суроо жөнөтүлдү.",
            ],
        ),
        "case-number": (
            "clean",
            [
                "{ERDR} номериндеги иш боюнча текшерүү жүрүүдө.",
                "№ {CASE2} иш боюнча соттун чечими күчүнө кирди.",
            ],
        ),
        "past-event": (
            "clean",
            ["{ED2} Бишкек шаардык соту тарабынан соттолгон.", "{ED} тергөө абагынан келген."],
        ),
        "caps": ("clean", ["КОТОРУУ ТОКТОТУЛДУ. СЕБЕБИ: КАРАНТИН.", "МААНИЛҮҮ: Текшерүү Аяктады."]),
        "ordinary": (
            "clean",
            [
                "Кечээ Чүй облусундагы мекемеде үч SIM-карта алынды.",
                "Диний адабият алынып, экспертизага жөнөтүлдү.",
            ],
        ),
        "institution": (
            "clean",
            [
                "Маалымат Жаза аткаруу кызматынан алынды.",
                "Башкы прокуратуранын комиссиясы мекемеге келди.",
            ],
        ),
    },
    "tg": {
        "name": ("pii", ["Маҳкум {S} {G} бо бародараш вохӯрд.", "Сардори даста {G} {S}."]),
        "name-lower": ("pii", ["адабиётро {g} {s} паҳн мекунад"]),
        "given-alone": ("pii", ["Алоқа бо берунро {G} нигоҳ медорад."]),
        "surname-case": ("pii", ["Ҳангоми кофтуков аз {S} телефон гирифта шуд."]),
        "dob-month": ("pii", ["Маҳкум {D} {M} соли {Y} таваллуд шудааст."]),
        "dob-numeric": ("pii", ["Санаи таваллуд {DOBN}, зодаи Хуҷанд."]),
        "number-spaced": ("pii", ["Шиноснома {ID} гирифта шуд."]),
        "address": ("pii", ["Баъди озодӣ дар кӯчаи {ST}, хонаи {N}, ҳуҷраи {F} зиндагӣ мекунад."]),
        "plate": ("pii", ["Хешовандон бо мошини {PL} меоянд."]),
        "handle": ("pii", ["Маводро тавассути Telegram {H} мегирад."]),
        "alias": ("pii", ["Дар даста бо лақаби {NICK} маълум аст."]),
        "named-after": (
            "clean",
            [
                "Интиқол ба муассисаи деҳаи ба номи {PLACE} дар моҳи март.",
                "Дархост ба донишгоҳи ба номи {PLACE} фиристода шуд.",
            ],
        ),
        "case-number": (
            "clean",
            [
                "Аз рӯи парвандаи № {CASE2} санҷиш гузаронида мешавад.",
                "Қарори суд оид ба парвандаи {ERDR} эътибор пайдо кард.",
            ],
        ),
        "past-event": (
            "clean",
            ["{ED2} аз ҷониби суди шаҳри Душанбе маҳкум шудааст.", "{ED} аз тавқифгоҳ омадааст."],
        ),
        "caps": ("clean", ["ИНТИҚОЛ ҚАТЪ ШУД. САБАБ: КАРАНТИН.", "МУҲИМ: Санҷиш Анҷом Ёфт."]),
        "ordinary": (
            "clean",
            [
                "Дирӯз дар муассисаи вилояти Хатлон се SIM-корт гирифта шуд.",
                "Адабиёти динӣ гирифта, ба экспертиза фиристода шуд.",
            ],
        ),
        "institution": (
            "clean",
            [
                "Маълумот аз Сарраёсати иҷрои ҷазои ҷиноӣ гирифта шуд.",
                "Комиссияи Прокуратураи генералӣ ба муассиса омад.",
            ],
        ),
    },
    "uz": {
        "name": ("pii", ["Mahkum {S} {G} akasi bilan uchrashdi.", "Otryad boshlig'i {G} {S}."]),
        "name-lower": ("pii", ["adabiyotni {g} {s} tarqatadi"]),
        "given-alone": ("pii", ["Tashqi bilan aloqani {G} ushlab turadi."]),
        "surname-case": ("pii", ["Tintuv paytida {S}dan telefon olindi."]),
        "dob-month": ("pii", ["Mahkum {Y} yil {D}-{M}da tug'ilgan."]),
        "dob-numeric": ("pii", ["Tug'ilgan sanasi {DOBN}, Andijonda."]),
        "number-spaced": ("pii", ["Pasport {ID} olib qo'yildi."]),
        "address": ("pii", ["Ozod bo'lgach {ST} ko'chasi, {N}-uy, {F}-xonadonda yashaydi."]),
        "plate": ("pii", ["Qarindoshlari {PL} mashinasida keladi."]),
        "handle": ("pii", ["Materiallarni Telegram {H} orqali oladi."]),
        "alias": ("pii", ["Otryadda {NICK} laqabi bilan tanilgan."]),
        "named-after": (
            "clean",
            [
                "{PLACE} nomidagi qishloqdagi muassasaga etap martda.",
                "{PLACE} nomidagi universitetga so'rov yuborildi.",
            ],
        ),
        "case-number": (
            "clean",
            [
                "{ERDR}-sonli ish bo'yicha tekshiruv o'tkazilmoqda.",
                "№ {CASE2} ish bo'yicha sud qarori kuchga kirdi.",
            ],
        ),
        "past-event": (
            "clean",
            [
                "{ED2} Toshkent shahar sudi tomonidan sudlangan.",
                "{ED} tergov hibsxonasidan kelgan.",
            ],
        ),
        "caps": (
            "clean",
            ["O'TKAZISH TO'XTATILDI. SABABI: KARANTIN.", "MUHIM: Tekshiruv Yakunlandi."],
        ),
        "ordinary": (
            "clean",
            [
                "Kecha Farg'ona viloyatidagi muassasada uchta SIM-karta olindi.",
                "Diniy adabiyot olinib, ekspertizaga yuborildi.",
            ],
        ),
        "institution": (
            "clean",
            [
                "Ma'lumot Jazoni ijro etish bosh boshqarmasidan olindi.",
                "Bosh prokuratura komissiyasi muassasaga keldi.",
            ],
        ),
    },
    "uzc": {
        "name": ("pii", ["Маҳкум {S} {G} акаси билан учрашди.", "Отряд бошлиғи {G} {S}."]),
        "name-lower": ("pii", ["адабиётни {g} {s} тарқатади"]),
        "given-alone": ("pii", ["Ташқи билан алоқани {G} ушлаб туради."]),
        "surname-case": ("pii", ["Тинтув пайтида {S}дан телефон олинди."]),
        "dob-month": ("pii", ["Маҳкум {Y} йил {D}-{M}да туғилган."]),
        "dob-numeric": ("pii", ["Туғилган санаси {DOBN}, Андижонда."]),
        "number-spaced": ("pii", ["Паспорт {ID} олиб қўйилди."]),
        "address": ("pii", ["Озод бўлгач {ST} кўчаси, {N}-уй, {F}-хонадонда яшайди."]),
        "plate": ("pii", ["Қариндошлари {PL} машинасида келади."]),
        "handle": ("pii", ["Материалларни Telegram {H} орқали олади."]),
        "alias": ("pii", ["Отрядда {NICK} лақаби билан танилган."]),
        "named-after": (
            "clean",
            [
                "{PLACE} номидаги қишлоқдаги муассасага этап мартда.",
                "{PLACE} номидаги университетга сўров юборилди.",
            ],
        ),
        "case-number": (
            "clean",
            [
                "{ERDR}-сонли иш бўйича текширув ўтказилмоқда.",
                "№ {CASE2} иш бўйича суд қарори кучга кирди.",
            ],
        ),
        "past-event": (
            "clean",
            ["{ED2} Тошкент шаҳар суди томонидан судланган.", "{ED} тергов ҳибсхонасидан келган."],
        ),
        "caps": ("clean", ["ЎТКАЗИШ ТЎХТАТИЛДИ. САБАБИ: КАРАНТИН.", "МУҲИМ: Текширув Якунланди."]),
        "ordinary": (
            "clean",
            [
                "Кеча Фарғона вилоятидаги муассасада учта SIM-карта олинди.",
                "Диний адабиёт олиниб, экспертизага юборилди.",
            ],
        ),
        "institution": (
            "clean",
            [
                "Маълумот Жазони ижро этиш бош бошқармасидан олинди.",
                "Бош прокуратура комиссияси муассасага келди.",
            ],
        ),
    },
    "en": {
        "name": (
            "pii",
            [
                "Colony 2: prisoner {S} {G} received a visit from his brother.",
                "Cell leader is {G} {S}.",
            ],
        ),
        "name-lower": ("pii", ["per source, the leaflets are passed on by {g} {s}"]),
        "given-alone": ("pii", ["Contact with the outside is kept by {G}, released last year."]),
        "foreign-name": ("pii", ["Visitor {FG} {FS} came twice in May."]),
        "dob-month": ("pii", ["Subject born on {D} {M} {Y}, to be released."]),
        "dob-numeric": ("pii", ["Subject DOB {DOBN}, from Osh."]),
        "number-spaced": ("pii", ["His ID number {ID} was found on a note."]),
        "address": ("pii", ["After release he will live at {N} {ST} Street, flat {F}."]),
        "plate": ("pii", ["Relatives arrive in car {PL}."]),
        "handle": ("pii", ["Receives material via Telegram account {H}."]),
        "alias": ("pii", ["Known as {NICK} on the wing."]),
        "named-after": (
            "clean",
            [
                "Transfer to the colony in the village named after {PLACE} is set for March.",
                "A request was sent to {PLACE} University.",
            ],
        ),
        "case-number": (
            "clean",
            [
                "Case No. {CASE2} is under review.",
                "Register entry {ERDR} refers to the same incident.",
            ],
        ),
        "past-event": (
            "clean",
            [
                "Sentenced on {ED2} by Almaty City Court.",
                "Arrived at the facility on {ED} from remand.",
            ],
        ),
        "caps": (
            "clean",
            [
                "TRANSFER CANCELLED. REASON: QUARANTINE AT FACILITY.",
                "IMPORTANT: Wing Search Completed.",
            ],
        ),
        "ordinary": (
            "clean",
            [
                "Yesterday three SIM cards were seized at Karaganda Region colony 12.",
                "Religious literature seized and sent for expert review.",
            ],
        ),
        "institution": (
            "clean",
            [
                "Information received from the Penitentiary Service of Kostanay Region.",
                "Prosecutor General's Office commission visited the facility.",
            ],
        ),
    },
    "sv": {
        "name": (
            "pii",
            [
                "Anstalten Kumla: den intagne {FS} {FG} fick besök av sin bror.",
                "Ledare på avdelningen är {FG} {FS}.",
            ],
        ),
        "name-lower": ("pii", ["enligt källa delas skrifterna ut av {fg} {fs}"]),
        "given-alone": ("pii", ["Kontakten med utsidan sköts av {FG}, frigiven förra året."]),
        "foreign-name": ("pii", ["Besökaren {FG} {FS} kom två gånger i maj."]),
        "dob-month": ("pii", ["Den intagne är född {D} {M} {Y} och friges snart."]),
        "dob-numeric": ("pii", ["Personen, född {DOBN}, kommer från Osh."]),
        "number-spaced": ("pii", ["Personnummer {PNR} fanns på en lapp."]),
        "address": ("pii", ["Efter frigivning bor han på {ST}gatan {N}, lgh {F}."]),
        "plate": ("pii", ["Anhöriga kommer i bil {PLSE}."]),
        "handle": ("pii", ["Tar emot material via Telegram-kontot {H}."]),
        "alias": ("pii", ["Kallad {NICK} på avdelningen."]),
        "named-after": (
            "clean",
            [
                "Förflyttning till anstalten i Gustav Adolfs socken planeras i mars.",
                "En förfrågan skickades till Karolinska institutet.",
            ],
        ),
        "case-number": (
            "clean",
            [
                "Mål nr B {SVCASE} prövas i hovrätten.",
                "Diarienummer {SVDNR} gäller samma händelse.",
            ],
        ),
        "past-event": (
            "clean",
            ["Dömd {ED2} av Stockholms tingsrätt.", "Kom till anstalten den {ED} från häktet."],
        ),
        "caps": (
            "clean",
            [
                "FÖRFLYTTNING INSTÄLLD. ORSAK: KARANTÄN PÅ ANSTALTEN.",
                "VIKTIGT: Visitation Av Avdelningen Klar.",
            ],
        ),
        "ordinary": (
            "clean",
            [
                "I går beslagtogs tre SIM-kort på anstalten Hall.",
                "Religiös litteratur beslagtogs och skickades för granskning.",
            ],
        ),
        "institution": (
            "clean",
            [
                "Uppgifterna kommer från Kriminalvården region Mitt.",
                "Säkerhetspolisen besökte anstalten i veckan.",
            ],
        ),
    },
    "bg": {
        "name": (
            "pii",
            [
                "Затвора в Пазарджик: лишеният от свобода {S} {G} получи свиждане.",
                "Старши в килията е {G} {S}.",
            ],
        ),
        "name-lower": ("pii", ["по данни на източник, материалите разпространява {g} {s}"]),
        "given-alone": (
            "pii",
            ["Връзката с външния свят поддържа {G}, освободен миналата година."],
        ),
        "foreign-name": ("pii", ["Посетителят {FG} {FS} идва два пъти през май."]),
        "dob-month": ("pii", ["Лишеният от свобода е роден на {D} {M} {Y} г."]),
        "dob-numeric": ("pii", ["Лицето, родено {DOBN}, е от Сливен."]),
        "number-spaced": ("pii", ["ЕГН {EGN} е записано на бележка."]),
        "address": ("pii", ["След освобождаване ще живее на ул. {ST} № {N}, ап. {F}."]),
        "plate": ("pii", ["Роднините идват с кола {PLBG}."]),
        "handle": ("pii", ["Получава материали чрез Telegram профил {H}."]),
        "alias": ("pii", ["Известен с прякор {NICK} в затвора."]),
        "named-after": (
            "clean",
            [
                "Преместване в затвора в град {PLACE} е насрочено за март.",
                "Изпратено е запитване до университета „{PLACE}“.",
            ],
        ),
        "case-number": (
            "clean",
            [
                "Досъдебно производство № {CASE2} е на проверка.",
                "Преписка {ERDR} се отнася за същия случай.",
            ],
        ),
        "past-event": (
            "clean",
            ["Осъден на {ED2} от Софийския градски съд.", "Постъпил в затвора на {ED} от ареста."],
        ),
        "caps": (
            "clean",
            ["ПРЕМЕСТВАНЕТО Е ОТЛОЖЕНО. ПРИЧИНА: КАРАНТИНА.", "ВАЖНО: Претърсването Приключи."],
        ),
        "ordinary": (
            "clean",
            [
                "Вчера в затвора в Бобов дол са иззети три СИМ карти.",
                "Религиозна литература е иззета и изпратена за експертиза.",
            ],
        ),
        "institution": (
            "clean",
            [
                "Информацията е от Главна дирекция „Изпълнение на наказанията“.",
                "Комисия на прокуратурата посети затвора.",
            ],
        ),
    },
}


# ---------------------------------------------------------------------------------------------
# The fresh2 split (issue 15, third round): templates and fillers written BEFORE any rule of
# that round was changed, and never read while tuning: the honest figure of that round. Own
# filler pools (FRESH2_FILL: given names, surnames with feminine forms, fathers' names for
# patronymics, streets, places and nicknames not in the earlier pools), own sentences as
# officers in Kazakhstan and Kyrgyzstan write alerts, with names in lower case, a given name
# alone, patronymics (-ұлы/-қызы, уулу/кызы, -ович/-овна), surnames with case endings, and hard
# clean cases (districts named after people, ordinary words that are also given names,
# institutions, old dates with a month word, register numbers). Only kk, ky and ru (Russian as
# written in the region's services) have fresh2 rows.
FRESH2_FILL = {
    "kk": {
        "S": "Абенов Оспанова Қасымов Төлеуов Жексенбаева Бейсенов Мұхамедиев Серікбаева Тұрсынов Әбдірахманов Ысқақов Есенғалиев Дүйсенова Құрманғалиев Сағындықова Байжанов Иманғалиев Қалиева Нұрпейісов Әлімжанов",
        "G": "Асхат Жанар Ербол Мейірхан Дәурен Гүлнұр Арман Сәуле Бауыржан Нұржан Айдос Ақерке Ғалым Жандос Темірлан Әсем Мұрат Қуаныш Самат Динара",
        "PG": "Серік Болат Марат Қайрат Ержан Мұхтар Әділ Нұрлан Тимур Асқар Бекзат Жомарт",
        "ST": "Әуезов Сәтбаев Қабанбай батыр Бөгенбай батыр Райымбек Төле би Желтоқсан Тұран",
        "PLACE": "Әуезов Жамбыл Шоқан Уәлиханов Мұхтар Әуезов Қаныш Сәтбаев Әл-Фараби Абылай хан",
        "DIST": "Әуезов Алмалы Бостандық Сарыарқа Байқоңыр Есіл Медеу Түркісіб",
        "NICK": "Қасқыр Батыр Бүркіт Тентек Сары Көкжал",
        "CITY": "Алматы Астана Шымкент Қарағанды Тараз Өскемен Павлодар Ақтөбе",
    },
    "ky": {
        "S": "Осмонов Токтогулов Мамбетова Жээнбеков Сыдыков Абдыраев Шаршенова Эсенкулов Кадыралиев Турдубаева Акматов Жумалиев Орозбеков Бөкөнбаев Сагынбаева Калыбеков Медетов Дооронбекова Үсөнов Чолпонбаев",
        "G": "Нурбек Айзада Бакыт Чынгыз Эрмек Жаныбек Айпери Мээрим Адилет Урмат Бактыгүл Замир Канат Элмира Тилек Нурсултан Айбек Жийдегүл Кубаныч Майрам",
        "PG": "Асан Токтосун Бейшен Жолдош Кеңеш Алмаз Дүйшөн Мелис Сапар Эмил Бакыт Нурлан",
        "ST": "Чүй Манас Ибраимов Токтогул Киев Абдрахманов Жибек Жолу Ахунбаев",
        "PLACE": "Ч. Айтматов Ж. Баласагын И. Арабаев К. Тыныстанов Токтогул Сатылганов Ж. Бөкөнбаев",
        "DIST": "Свердлов Ленин Октябрь Первомай Аламүдүн Сокулук Ысык-Ата Жайыл",
        "NICK": "Карышкыр Бүркүт Кара Чоң Тентек Сары",
        "CITY": "Бишкек Ош Жалал-Абад Каракол Токмок Нарын Талас Баткен",
    },
    "ru": {
        "S": "Абенов Оспанова Касымов Тулеуов Жексенбаева Бейсенов Осмонов Токтогулов Мамбетова Жээнбеков Сыдыкова Абдыраев Кудайбергенов Сагындыкова Байжанов",
        "G": "Асхат Жанар Ербол Даурен Гульнур Арман Бауыржан Нуржан Айдос Нурбек Айзада Чингиз Эрмек Жаныбек Айпери Урмат Замир Канат Элмира Тилек",
        "PG": "Серик Болат Марат Кайрат Ержан Мухтар Асан Токтосун Бейшен Жолдош Алмаз Мелис",
        "ST": "Ауэзова Сатпаева Кабанбай батыра Райымбека Желтоксан Чуй Токтогула Ахунбаева",
        "PLACE": "Ч. Айтматова М. Ауэзова К. Сатпаева Аль-Фараби Ж. Баласагына И. Арабаева",
        "DIST": "Ауэзовского Алмалинского Свердловского Ленинского Октябрьского Первомайского",
        "NICK": "Волк Беркут Малыш Рыжий Тентек Кара",
        "CITY": "Алматы Астана Шымкент Караганда Бишкек Ош Каракол Токмок",
    },
}

FRESH2: dict[str, dict[str, tuple[str, list[str]]]] = {
    "kk": {
        "name": (
            "pii",
            [
                "ҚМ-161/2: сотталған {S} {G} {PATkk} бойынша анықтама дайындалды.",
                "Жаза өтеуші {G} {S} 3-отрядқа ауыстырылды.",
            ],
        ),
        "name-lower": (
            "pii",
            [
                "жедел ақпарат бойынша телефонды {g} {s} жасырған",
                "{s} {g} {patkk} сыртқа хат жіберген",
            ],
        ),
        "patronymic": (
            "pii",
            ["{G} {PATkk} түнде қашуға әрекеттенді.", "Куәгер ретінде {PATkk} {G} жауап берді."],
        ),
        "given-alone": (
            "pii",
            ["{G} есімді сотталған намаз оқуға үгіттейді.", "Әдебиетті камераға {G} әкелген."],
        ),
        "surname-case": (
            "pii",
            ["{Sgenkk} туыстары сәлемдеме әкелді.", "Тексеру {Sdatkk} қатысты басталды."],
        ),
        "dob-month": (
            "pii",
            ["{D} {M} {Y} ж.т. сотталған этаппен жіберілді.", "Туған жылы: {Y}, {D} {M}."],
        ),
        "dob-numeric": ("pii", ["т.ж. {DOBN}, Тараз қаласының тұрғыны."]),
        "number-spaced": ("pii", ["ЖСН {ID} бойынша тексеріс жүргізілді."]),
        "address": ("pii", ["Мекенжайы: {CITY} қ., {ST} к-сі, {N}-үй, {F}-пәтер."]),
        "plate": ("pii", ["Қамаудан шыққан соң {PL} мемнөмірлі көлікпен кетті."]),
        "handle": ("pii", ["Үгіт материалдарын Instagram-дағы {H} парақшасынан алады."]),
        "alias": ("pii", ["Сотталғандар арасында «{NICK}» деген лақап атпен жүреді."]),
        "phone": ("pii", ["Туысының байланыс телефоны {PH}."]),
        "named-after": (
            "clean",
            [
                "{PLACE} атындағы көшедегі ауруханаға жеткізілді.",
                "{DIST} аудандық соты шешім шығарды.",
            ],
        ),
        "case-number": (
            "clean",
            ["Іс № {CASE2} облыстық сотқа жіберілді.", "Хат тіркеу нөмірі {SVDNR} келіп түсті."],
        ),
        "past-event": (
            "clean",
            [
                "{EY} жылы {D} {M} күні қамауға алынған.",
                "{ED} ҚАЖ мекемесіне қабылданды.",
            ],
        ),
        "caps": (
            "clean",
            [
                "ЖЕДЕЛ: ОТРЯДТАРДА ТІНТУ ЖҮРГІЗІЛДІ.",
                "Тәртіп Бұзушылық Кезекші Бөлімде Тіркелді.",
            ],
        ),
        "ordinary": (
            "clean",
            [
                "Басты мақсат — сотталғандарды кәсіпке оқыту.",
                "Жұлдыз белгісі бар татуировка анықталды, арман туралы жазба табылды.",
            ],
        ),
        "institution": (
            "clean",
            [
                "Әділет министрлігінің бұйрығы мекемеге келді.",
                "Назарбаев Университетінің мамандары семинар өткізді.",
            ],
        ),
    },
    "ky": {
        "name": (
            "pii",
            [
                "ЖАК-47: соттолгон {S} {G} {PATru} боюнча маалымат даярдалды.",
                "Жаза өтөөчү {G} {S} 3-отрядга которулду.",
            ],
        ),
        "name-lower": (
            "pii",
            [
                "ыкчам маалымат боюнча телефонду {g} {s} жашырган",
                "{g} {patky} сыртка кат жөнөткөн",
            ],
        ),
        "patronymic": (
            "pii",
            ["{G} {PATky} түндө качууга аракет кылды.", "Күбө катары {PATky} {G} жооп берди."],
        ),
        "given-alone": (
            "pii",
            ["{G} деген соттолгон намазга үндөйт.", "Адабиятты камерага {G} алып келген."],
        ),
        "surname-case": (
            "pii",
            ["{Sgenky} туугандары посылка алып келишти.", "Текшерүү {Sdatky} карата башталды."],
        ),
        "dob-month": (
            "pii",
            [
                "{D}-{M} {Y}-ж. туулган соттолгон этап менен жөнөтүлдү.",
                "Туулган жылы: {Y}, {D}-{M}.",
            ],
        ),
        "dob-numeric": ("pii", ["т.к. {DOBN}, Талас шаарынын тургуну."]),
        "number-spaced": ("pii", ["ПИН {ID} боюнча текшерүү жүргүзүлдү."]),
        "address": ("pii", ["Дареги: {CITY} ш., {ST} к., {N}-үй, {F}-батир."]),
        "plate": ("pii", ["Бошогондон кийин {PL} мамлекеттик номерлүү унаа менен кетти."]),
        "handle": ("pii", ["Үгүт материалдарын Instagram'дагы {H} баракчасынан алат."]),
        "alias": ("pii", ["Соттолгондордун арасында «{NICK}» деген лакап ат менен жүрөт."]),
        "phone": ("pii", ["Тууганынын байланыш телефону {PH}."]),
        "named-after": (
            "clean",
            [
                "{PLACE} атындагы көчөдөгү ооруканага жеткирилди.",
                "{DIST} райондук соту чечим чыгарды.",
            ],
        ),
        "case-number": (
            "clean",
            ["№ {CASE2} иш облустук сотко жөнөтүлдү.", "Каттын каттоо номери {SVDNR} келип түштү."],
        ),
        "past-event": (
            "clean",
            ["{EY}-жылы {D}-{M} камакка алынган.", "{ED} ЖАМК мекемесине кабыл алынды."],
        ),
        "caps": (
            "clean",
            ["ШАШЫЛЫШ: ОТРЯДДАРДА ТИНТҮҮ ЖҮРГҮЗҮЛДҮ.", "Тартип Бузуу Кезметчи Бөлүмдө Катталды."],
        ),
        "ordinary": (
            "clean",
            [
                "Негизги максат — соттолгондорду кесипке окутуу.",
                "Жылдыз белгиси бар татуировка табылды, бакыт жөнүндө жазуу бар.",
            ],
        ),
        "institution": (
            "clean",
            [
                "Адилет укуктук клиникасы соттолгондорго кеңеш берди.",
                "Жаза аткаруу кызматынын буйругу мекемеге келди.",
            ],
        ),
    },
    "ru": {
        "name": (
            "pii",
            [
                "ИК-47: на осуждённого {S} {G} {PATru} подготовлена справка.",
                "Отбывающий наказание {G} {S} переведён в отряд 3.",
            ],
        ),
        "name-lower": (
            "pii",
            [
                "по оперативным данным, телефон спрятал {g} {s}",
                "{s} {g} {patru} передал записку на волю",
            ],
        ),
        "patronymic": (
            "pii",
            [
                "{G} {PATru} ночью пытался совершить побег.",
                "В качестве свидетеля допрошен {G} {PATky}.",
            ],
        ),
        "given-alone": (
            "pii",
            ["Осуждённый по имени {G} агитирует к намазу.", "Литературу в камеру занёс {G}."],
        ),
        "surname-case": (
            "pii",
            ["К {Sdat} приезжали родственники.", "Проверка в отношении {Sgen} начата."],
        ),
        "dob-month": ("pii", ["Осуждённый {D} {M} {Y} г.р. направлен этапом."]),
        "dob-numeric": ("pii", ["д.р. {DOBN}, житель г. Талас."]),
        "number-spaced": ("pii", ["Проверен по ИИН {ID}."]),
        "address": ("pii", ["Адрес: г. {CITY}, ул. {ST}, д. {N}, кв. {F}."]),
        "plate": ("pii", ["После освобождения уехал на автомобиле г/н {PL}."]),
        "handle": ("pii", ["Материалы берёт со страницы {H} в Instagram."]),
        "alias": ("pii", ["Среди осуждённых ходит под прозвищем «{NICK}»."]),
        "phone": ("pii", ["Контактный телефон родственника {PH}."]),
        "named-after": (
            "clean",
            [
                "Доставлен в больницу на улице {PLACE}.",
                "Решение вынес суд {DIST} района.",
            ],
        ),
        "case-number": (
            "clean",
            ["Дело № {CASE2} направлено в областной суд.", "Поступило письмо, рег. № {SVDNR}."],
        ),
        "past-event": (
            "clean",
            ["Задержан {D} {M} {EY} года.", "Принят в учреждение УИС {ED}."],
        ),
        "caps": (
            "clean",
            [
                "СРОЧНО: В ОТРЯДАХ ПРОВЕДЁН ОБЫСК.",
                "Нарушение Режима Зарегистрировано Дежурной Частью.",
            ],
        ),
        "ordinary": (
            "clean",
            [
                "Главная цель — обучение осуждённых профессии.",
                "Найдена татуировка со звездой и надпись о мечте.",
            ],
        ),
        "institution": (
            "clean",
            [
                "Поступил приказ Министерства юстиции.",
                "Специалисты Назарбаев Университета провели семинар.",
            ],
        ),
    },
}


def _kk_case(stem: str, kind: str) -> str:
    """A Kazakh genitive or dative form (vowel harmony, consonant assimilation) of a surname."""
    back = next((c in "аоұыя" for c in reversed(stem.lower()) if c in "аоұыяәөүіеэи"), True)
    last = stem[-1].lower()
    if kind == "gen":
        if last in "аеоыіуұүәөи":
            return stem + ("ның" if back else "нің")
        if last in "мнң":
            return stem + ("ның" if back else "нің")
        if last in "лржзй":
            return stem + ("дың" if back else "дің")
        return stem + ("тың" if back else "тің")
    if last in "аеоыіуұүәөи" or last in "лрмнңжзй":
        return stem + ("ға" if back else "ге")
    return stem + ("қа" if back else "ке")


def _ky_case(stem: str, kind: str) -> str:
    """A Kyrgyz genitive or dative form (four-way vowel harmony) of a surname."""
    v = next((c for c in reversed(stem.lower()) if c in "аоуыэеиөүя"), "а")
    vowel = {
        "а": "ы",
        "я": "ы",
        "ы": "ы",
        "о": "у",
        "у": "у",
        "э": "и",
        "е": "и",
        "и": "и",
        "ө": "ү",
        "ү": "ү",
    }[v]
    last = stem[-1].lower()
    if kind == "gen":
        cons = "н" if last in "аоуыэеиөүя" else ("д" if last in "лрмнңжзйв" else "т")
        return stem + cons + vowel + "н"
    dat_v = {"ы": "а", "у": "о", "и": "е", "ү": "ө"}[vowel]
    cons = "г" if last in "аоуыэеиөүялрмнңжзйв" else "к"
    return stem + cons + dat_v


def _fresh2_slots(lang: str, rng: random.Random) -> dict[str, str]:
    fill = {k: v.split() for k, v in FRESH2_FILL[lang].items()}
    multi = {  # fillers of more than one word
        "ST": {
            "kk": ["Қабанбай батыр", "Бөгенбай батыр", "Төле би"],
            "ky": ["Жибек Жолу"],
            "ru": ["Кабанбай батыра"],
        },
        "PLACE": {
            "kk": ["Шоқан Уәлиханов", "Мұхтар Әуезов", "Қаныш Сәтбаев", "Абылай хан"],
            "ky": ["Ч. Айтматов", "Ж. Баласагын", "И. Арабаев", "К. Тыныстанов", "Ж. Бөкөнбаев"],
            "ru": ["Ч. Айтматова", "М. Ауэзова", "К. Сатпаева", "Ж. Баласагына", "И. Арабаева"],
        },
    }

    def pick(slot: str) -> str:
        many = multi.get(slot, {}).get(lang, [])
        words = [w for w in fill[slot] if not any(w in m.split() for m in many)]
        return rng.choice(words + many)

    s, g, pg = pick("S"), pick("G"), pick("PG")
    female = g in (
        "Жанар",
        "Гүлнұр",
        "Сәуле",
        "Ақерке",
        "Әсем",
        "Динара",
        "Айзада",
        "Айпери",
        "Мээрим",
        "Бактыгүл",
        "Элмира",
        "Жийдегүл",
        "Майрам",
        "Гульнур",
    )
    if female and s.endswith(("ов", "ев", "ин")):
        s += "а"
    elif not female and s.endswith(("ова", "ева", "ина")):
        s = s[:-1]
    ru_pg = {
        "Серік": "Серик",
        "Қайрат": "Кайрат",
        "Мұхтар": "Мухтар",
        "Әділ": "Адиль",
        "Асқар": "Аскар",
        "Кеңеш": "Кенеш",
        "Дүйшөн": "Дуйшен",
    }.get(pg, pg)
    pat_ru = (
        ru_pg + ("овна" if female else "ович")
        if not ru_pg.endswith(("а", "ий"))
        else ru_pg + ("евна" if female else "евич")
    )
    pat_kk = pg + ("қызы" if female else "ұлы")
    pat_ky = pg + (" кызы" if female else " уулу")
    slot = {
        "S": s,
        "G": g,
        "s": s.lower(),
        "g": g.lower(),
        "PATru": pat_ru,
        "patru": pat_ru.lower(),
        "PATkk": pat_kk,
        "patkk": pat_kk.lower(),
        "PATky": pat_ky,
        "patky": pat_ky.lower(),
        "Sgenkk": _kk_case(s, "gen"),
        "Sdatkk": _kk_case(s, "dat"),
        "Sgenky": _ky_case(s, "gen"),
        "Sdatky": _ky_case(s, "dat"),
        "Sgen": s + ("ой" if s.endswith("а") else "а"),
        "Sdat": s + ("ой" if s.endswith("а") else "у"),
        "ST": pick("ST"),
        "PLACE": pick("PLACE"),
        "DIST": pick("DIST"),
        "NICK": pick("NICK"),
        "CITY": pick("CITY"),
        "H": "@"
        + rng.choice(["qazaq_", "bro_", "", "real."])
        + s.lower()[:5]
        + str(rng.randrange(1, 999)),
    }
    translit = str.maketrans(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі", "abvgdeejziiklmnoprstufhcchs_y_eyaagqnouuhi"
    )
    slot["H"] = (
        slot["H"].translate(translit).replace("_", "")
        if slot["H"][1:2] != "q"
        else slot["H"].translate(translit)
    )
    return slot


def _pick(rng: random.Random, pools: tuple[str, ...], held: int) -> str:
    """A filler from the split's own pool (0 tune, 1 held-out, 2 fresh), else the last one."""
    pool = pools[min(held, len(pools) - 1)] if held else pools[0]
    if not pool:
        pool = pools[0]
    return rng.choice(pool.split())


def _slots(lang: str, rng: random.Random, held: int) -> dict[str, str]:
    names = LAT if lang in LATIN_LANGS else CYR
    if lang == "bg":
        names = {**CYR, **BG}
    s, g = _pick(rng, names["S"], held), _pick(rng, names["G"], held)
    month = rng.randrange(12)
    year = rng.randrange(1960, 2006)
    day = rng.randrange(1, 29)
    ev = f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.{rng.randrange(2001, 2011)}"
    yymmdd = f"{year % 100:02d}{month + 1:02d}{day:02d}"
    digits = yymmdd + "".join(str(rng.randrange(10)) for _ in range(6))
    id_spaced = rng.choice(
        [
            f"{digits[:6]} {digits[6:]}",
            f"{digits[:3]} {digits[3:6]} {digits[6:9]} {digits[9:]}",
            f"{digits[:4]} {digits[4:8]} {digits[8:]}",
        ]
    )
    pnr = f"{yymmdd}-{rng.randrange(1000, 9999)}"
    egn = _egn(year, month + 1, day, rng)
    stem = s[:-2] if s.endswith(("ов", "ев", "ov", "ev")) else s
    street = _pick(rng, names["ST"] if lang not in ("sv",) else SV["ST"], held)
    place = _pick(rng, names.get("PLACE", ("Абая",)), held)
    plates = [
        f"{rng.randrange(100, 999)} {rng.choice(['ABC', 'KZA', 'AOA'])} {rng.randrange(1, 18):02d}",
        f"{rng.randrange(1, 10):02d} {rng.randrange(100, 999)} {rng.choice(['ABD', 'KGB', 'AAT'])}",
        f"{rng.randrange(1000, 9999)} {rng.choice(['AA', 'ТТ', 'BC'])} {rng.randrange(1, 10):02d}",
        f"{rng.randrange(1, 99):02d} A {rng.randrange(100, 999)} BC",
    ]
    case = rng.choice(
        [
            f"{rng.randrange(1000000000, 9999999999)}",
            f"2-{rng.randrange(100, 9999)}/{rng.randrange(2015, 2026)}",
            f"{rng.randrange(10, 99)}-{rng.randrange(1000000, 9999999)}",
            f"1{rng.randrange(10**10, 10**11)}",
        ]
    )
    slots = {
        "S": s,
        "G": g,
        "s": s.lower(),
        "g": g.lower(),
        "Sgen": s + "а",
        "Sins": s + "ым",
        "Sdat": s + "у",
        "Sz": stem + ("зода" if lang not in LATIN_LANGS else "zoda"),
        "Si": stem + ("ӣ" if lang not in LATIN_LANGS else "i"),
        "D": str(day),
        "M": MONTHS[lang].split()[month],
        "Y": str(year),
        "EY": str(rng.randrange(2001, 2011)),
        "ED": ev,
        "N": str(rng.randrange(1, 120)),
        "F": str(rng.randrange(1, 300)),
        "ST": street,
        "PLACE": place,
        "PL": rng.choice(plates),
        "PLSE": f"{rng.choice(['ABC', 'KLM', 'RTY'])} {rng.randrange(10, 99)}{rng.choice('0123456789AB')}",
        "PLBG": f"{rng.choice(['CA', 'PB', 'B'])} {rng.randrange(1000, 9999)} {rng.choice(['AB', 'KH', 'TT'])}",
        "H": "@"
        + rng.choice(["abu_", "bro", "true_", "x"])
        + s.lower()[:4]
        + str(rng.randrange(10, 99)),
        "NICK": _pick(rng, names.get("NICK", CYR["NICK"]), held),
        "PH": rng.choice(
            [
                "+7 701 123 45 67",
                "8 (777) 555-12-34",
                "+996 555 123 456",
                "+992 93 123 4567",
                "0555 123 456",
            ]
        ),
        "ID": id_spaced,
        "PNR": pnr,
        "EGN": egn,
        "CASE": case,
        "FS": _pick(rng, FOREIGN["S"], held),
        "FG": _pick(rng, FOREIGN["G"], held),
    }
    if held >= 2:  # the fresh split's own slots (drawn only there: earlier rows stay the same)
        slots.update(_fresh_slots(rng, slots))
    if held == 3:  # fresh2's own fillers, from its own generator
        slots.update(_fresh2_slots(lang, rng))
    return slots


def _fresh_slots(rng: random.Random, slots: dict[str, str]) -> dict[str, str]:
    dob = f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.{rng.randrange(1965, 2006)}"
    ev_iso = f"{rng.randrange(2003, 2012)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    yy = rng.randrange(15, 26)
    return {
        "DOBN": dob,
        "ED2": ev_iso,
        # Kazakh ERDR register numbers: 15 digits, year first.
        "ERDR": f"{yy}{rng.randrange(10**12, 10**13)}",
        "CASE2": rng.choice(
            [
                f"1-{rng.randrange(10, 999)}/20{yy}",
                f"{rng.randrange(100, 9999)}/20{yy}",
                f"02-{rng.randrange(1000, 9999)}-20{yy}",
            ]
        ),
        "SVCASE": f"{rng.randrange(1000, 9999)}-{yy}",
        "SVDNR": f"{rng.randrange(2015, 2026)}-{rng.randrange(1000, 9999)}",
        "fs": slots["FS"].lower(),
        "fg": slots["FG"].lower(),
    }


def _egn(year: int, month: int, day: int, rng: random.Random) -> str:
    """A valid Bulgarian EGN (month +40 for births from 2000, with its check digit)."""
    mm = month + (40 if year >= 2000 else 0)
    body = f"{year % 100:02d}{mm:02d}{day:02d}{rng.randrange(1000):03d}"
    weights = (2, 4, 8, 5, 10, 9, 7, 3, 6)
    check = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10
    return body + str(check)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for lang, classes in T.items():
        rng = random.Random(f"pii-eval-{lang}")
        rows = [
            f"# Guard evaluation table, {lang}: generated by scripts/gen_pii_eval.py (seeded); "
            "'heldout' rows were looked at in issue 15's second round; 'fresh' rows were written "
            "then and never tuned on.",
            "split\tlabel\tclass\ttext",
        ]
        for cls, (label, tune, held) in classes.items():
            for split, temps in (("tune", tune), ("heldout", held)):
                seen: set[str] = set()
                for template in temps:
                    for _ in range(ROWS_PER_TEMPLATE * 3):
                        text = template.format(**_slots(lang, rng, int(split == "heldout")))
                        if text not in seen:
                            seen.add(text)
                        if len([t for t in seen]) >= ROWS_PER_TEMPLATE * (
                            temps.index(template) + 1
                        ):
                            break
                rows += [f"{split}\t{label}\t{cls}\t{t}" for t in sorted(seen)]
        rng = random.Random(f"pii-eval-fresh-{lang}")
        for cls, (label, temps) in FRESH[lang].items():
            seen = set()
            for n, template in enumerate(temps):
                for _ in range(ROWS_PER_TEMPLATE * 3):
                    seen.add(template.format(**_slots(lang, rng, 2)))
                    if len(seen) >= ROWS_PER_TEMPLATE * (n + 1):
                        break
            rows += [f"fresh\t{label}\t{cls}\t{t}" for t in sorted(seen)]
        rng = random.Random(f"pii-eval-fresh2-{lang}")
        for cls, (label, temps) in FRESH2.get(lang, {}).items():
            seen = set()
            for n, template in enumerate(temps):
                for _ in range(ROWS_PER_TEMPLATE * 3):
                    seen.add(template.format(**_slots(lang, rng, 3)))
                    if len(seen) >= ROWS_PER_TEMPLATE * (n + 1):
                        break
            rows += [f"fresh2\t{label}\t{cls}\t{t}" for t in sorted(seen)]
        (OUT / f"{lang}.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        print(f"{lang}: {len(rows) - 2} rows")


if __name__ == "__main__":
    main()
