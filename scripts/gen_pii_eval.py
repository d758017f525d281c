# ruff: noqa: E501
"""Write the guard's labelled evaluation tables, tests/data/pii_eval/<lang>.tsv.

Why generated: a table large enough to measure a few-percent rate needs hundreds of rows per
language; here they are drawn from templates written as officers write (short, with facility
codes, abbreviations, mixed case) and filler lists, with a fixed seed, so the tables are
reproducible and reviewable. Each template is either ``tune`` (looked at while the rules were
tuned) or ``heldout`` (written at the same time, with its own filler lists, and NOT looked at
while tuning): bench/privacy.py reports the two apart.

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
    ),
    "G": (
        "Нурлан Ерлан Азамат Хуршед Шерзод Бахтиёр Талант Айгерим Дилноза Рустам",
        "Ержан Фаррух Мирлан Улугбек Жылдыз Санжар Парвиз Бекзат",
    ),
    "ST": (
        "Абая Ленина Манаса Рудаки Навои Жибек Жолы Толе би",
        "Сейфуллина Фрунзе Исмоили Сомони Амира Темура",
    ),
    "NICK": ("Борода Шайтан Малой Хаджи Седой", "Кузнец Тихий Амир Дядя Шрам"),
    "PLACE": (
        "Абая Манаса Рудаки Навои Сейфуллина",
        "Айтматова Гафурова Алишера Навои Шокана Уалиханова",
    ),
}
LAT = {
    "S": (
        "Akhmetov Karimov Serikov Zhumabekov Rakhimov Sharipov Asanbekov Nazarov Ismoilov Toshmatov",
        "Bekmuratov Abdykadyrov Davlatov Mamytov Kenzhebaev Yusupov Orazaliev Satybaldiev",
    ),
    "G": (
        "Nurlan Yerlan Azamat Khurshed Sherzod Bakhtiyor Talant Aigerim Dilnoza Rustam",
        "Yerzhan Farrukh Mirlan Ulugbek Jyldyz Sanjar Parviz Bekzat",
    ),
    "ST": ("Abay Lenin Manas Rudaki Navoi Amir Temur", "Seifullin Frunze Ismoili Somoni Chilonzor"),
    "NICK": ("Boroda Shaitan Maloy Hoji Sedoy", "Kuznets Tikhiy Amir Dyadya Shram"),
    "PLACE": (
        "Abai Manas Rudaki Navoi Seifullin",
        "Aitmatov Gafurov Alisher Navoiy Shokan Ualikhanov",
    ),
}
FOREIGN = {
    "S": (
        "Smith Johansson Andersson Petrov Georgiev Yilmaz Müller",
        "Brown Lindqvist Nilsson Dimitrov Kaya Schmidt",
    ),
    "G": ("John Erik Anna Georgi Mehmet Hans Maria", "David Lars Ingrid Stoyan Ayşe Klaus"),
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
    "S": ("Иванов Георгиев Петров Димитров Стоянов", "Николов Христов Тодоров Колев"),
    "G": ("Георги Иван Мария Стоян Петър", "Николай Христо Елена Тодор"),
    "ST": ("Витоша Раковски Шипка", "Граф Игнатиев Дондуков"),
    "PLACE": ("Васил Левски Христо Ботев", "Иван Вазов Паисий Хилендарски"),
}
SV = {"ST": ("Drottning Kungs Sveav", "Göta Birger Jarls"), "PLACE": ("",)}
LATIN_LANGS = {"uz", "en", "sv"}


def _pick(rng: random.Random, pools: tuple[str, ...], held: bool) -> str:
    pool = pools[1] if held and len(pools) > 1 and pools[1] else pools[0]
    return rng.choice(pool.split())


def _slots(lang: str, rng: random.Random, held: bool) -> dict[str, str]:
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
    return {
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
            "'heldout' rows were not looked at while the rules were tuned.",
            "split\tlabel\tclass\ttext",
        ]
        for cls, (label, tune, held) in classes.items():
            for split, temps in (("tune", tune), ("heldout", held)):
                seen: set[str] = set()
                for template in temps:
                    for _ in range(ROWS_PER_TEMPLATE * 3):
                        text = template.format(**_slots(lang, rng, split == "heldout"))
                        if text not in seen:
                            seen.add(text)
                        if len([t for t in seen]) >= ROWS_PER_TEMPLATE * (
                            temps.index(template) + 1
                        ):
                            break
                rows += [f"{split}\t{label}\t{cls}\t{t}" for t in sorted(seen)]
        (OUT / f"{lang}.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        print(f"{lang}: {len(rows) - 2} rows")


if __name__ == "__main__":
    main()
