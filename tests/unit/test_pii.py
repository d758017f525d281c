"""The free-text PII guard: what a summary must not carry, and what operational text may.

Two tables. REFUSED: each text holds one piece of personal data; the test asserts its kind and
that the finding covers the offending text. ALLOWED: realistic operational summaries in English
and Russian that must pass untouched (no false positives).
"""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from exchange.alerts.pii import KINDS, Finding, check_summary, find_pii
from exchange.errors import MalformedInput

TODAY = date(2026, 6, 1)

# (text, kind, the offending text that a finding of that kind must cover)
REFUSED: list[tuple[str, str, str]] = [
    # e-mail
    ("Contact: ivanov.ivan@mail.kz for details.", "email", "ivanov.ivan@mail.kz"),
    ("Почта связного: abenov_n@gmail.com", "email", "abenov_n@gmail.com"),
    ("Messages went to a.karimov[at]mail.ru weekly.", "email", "a.karimov[at]mail.ru"),
    ("Recruiter wrote from ivanov at mail dot ru twice.", "email", "ivanov at mail dot ru"),
    # phone
    ("Called +7 701 123 45 67 twice from the cell.", "phone", "+7 701 123 45 67"),
    ("Звонил на номер 8 (777) 123-45-67 из камеры.", "phone", "8 (777) 123-45-67"),
    ("Contact in Bishkek uses +996 555 123 456.", "phone", "+996 555 123 456"),
    ("Связь с Душанбе через +992 93 123 4567.", "phone", "+992 93 123 4567"),
    ("Связной: тел. 87011234567", "phone", "87011234567"),
    ("Handler on WhatsApp 0555 123 456 in Osh.", "phone", "0555 123 456"),
    # IIN and other national identifiers
    ("IIN 870412350123 on file.", "iin", "870412350123"),
    ("ИИН 870412350123, освобождение в декабре.", "iin", "870412350123"),
    ("ИИН 870412 350123 указан в справке.", "iin", "870412 350123"),
    ("ПИН 21203198700123 (Кыргызстан) подтверждён.", "national-id", "21203198700123"),
    ("Tajik INN 510012345 recorded.", "national-id", "510012345"),
    # passports and ID documents
    ("Passport N12345678 seized at the gate.", "passport", "N12345678"),
    ("Паспорт AN1234567 изъят при досмотре.", "passport", "AN1234567"),
    ("Visitor presented ID1234567 at the checkpoint.", "passport", "ID1234567"),
    ("Tajik passport 40012345 found in the cell.", "passport", "40012345"),
    ("Held passport 45 06 123456 issued abroad.", "passport", "45 06 123456"),
    ("паспорт серии 4506 № 123456 у посетителя", "passport", "4506 № 123456"),
    ("Foreign passport AB 1234567 of the visitor.", "passport", "AB 1234567"),
    # dates of birth
    ("Born 12.03.1987 in Osh.", "date-of-birth", "12.03.1987"),
    ("Осуждённый, д.р. 12.03.1987, освобождается.", "date-of-birth", "12.03.1987"),
    ("Родился 12 марта 1987 года в Хатлонской области.", "date-of-birth", "12 марта 1987"),
    ("DOB 1987-03-12, release due next month.", "date-of-birth", "1987-03-12"),
    ("Subject, 12 March 1987, transferred.", "date-of-birth", "12 March 1987"),
    ("Subject of March 12, 1987 is due for release.", "date-of-birth", "March 12, 1987"),
    ("Освобождается, 12.03.87 г.р.", "date-of-birth", "12.03.87"),
    ("Juvenile contact born 2015-05-01 in Taraz.", "date-of-birth", "2015-05-01"),
    ("Release of subject 05/11/1990 from colony 3.", "date-of-birth", "05/11/1990"),
    ("Subject born on the 12th of March 1987.", "date-of-birth", "12th of March 1987"),
    # names: Latin
    ("Ivanov Ivan transferred to Almaty region.", "name", "Ivanov Ivan"),
    ("Akhmedov Sherzod Rustamovich, release due.", "name", "Akhmedov Sherzod Rustamovich"),
    ("Recruited by A. Ivanov in block 2.", "name", "A. Ivanov"),
    ("Leader Asanbekov Bakyt gave sermons.", "name", "Asanbekov Bakyt"),
    ("Contact Firuz Rahmonzoda in Khujand.", "name", "Firuz Rahmonzoda"),
    ("Sister Dilnoza Rakhimova visited twice.", "name", "Dilnoza Rakhimova"),
    ("Contact with Sherzod Karimi abroad.", "name", "Sherzod Karimi"),
    ("Release of prisoner Smith postponed.", "name", "Smith"),
    ("Kazakh national Serikuly Yerlan transferred.", "name", "Serikuly Yerlan"),
    ("List: IVANOV IVAN, cell 4.", "name", "IVANOV IVAN"),
    ("Visited by Petrov, Sergey last week.", "name", "Petrov, Sergey"),
    ("Messages signed Azamat uulu Bakyt.", "name", "Azamat uulu Bakyt"),
    ("Contact with Sharipov in Moscow.", "name", "Sharipov"),
    # names: Cyrillic
    ("Нурсултан Абенов освобождён из учреждения.", "name", "Нурсултан Абенов"),
    ("Иванов Иван Иванович этапирован в Павлодар.", "name", "Иванов Иван Иванович"),
    ("Ответственный за вербовку: Иванов И.И.", "name", "Иванов И.И."),
    ("Вербовщик Ерлан Серикұлы, Шымкент.", "name", "Ерлан Серикұлы"),
    ("Связной Бакыт уулу Азамат, Ош.", "name", "Бакыт уулу Азамат"),
    ("Посетитель Фируз Рахмонзода задержан.", "name", "Фируз Рахмонзода"),
    ("Сестра Айгерим Нурланкызы передала книги.", "name", "Айгерим Нурланкызы"),
    ("Освобождается осуждённый Каримов.", "name", "Каримов"),
    ("Встреча с гр. Жумабековым в комнате свиданий.", "name", "Жумабековым"),
    ("Письмо от Петровой Анны изъято.", "name", "Петровой Анны"),
    ("На свидание приходил Шарипов.", "name", "Шарипов"),
    ("Рахимов Ф.Б. распространял литературу.", "name", "Рахимов Ф.Б."),
    # the data-driven rules (exchange/alerts/pii_rules.py)
    ("Recruiter writes on Telegram as @abu_kari77.", "handle", "@abu_kari77"),
    ("Встречал автомобиль госномер 123 ABC 02.", "vehicle-plate", "123 ABC 02"),
    ("Намерен проживать: ул. Абая, д. 15, кв. 7.", "address", "кв. 7"),
    ("Лидер ячейки по кличке «Борода».", "alias", "по кличке «Борода"),
    ("Туған күні: 12 наурыз 1987 ж.", "date-of-birth", "12 наурыз 1987"),
    ("Personnummer 870312-1234 finns i akten.", "national-id", "870312-1234"),
]

ALLOWED: list[str] = [
    "Release after sentence for extremist offences; intends to travel south.",
    "Two phones found in a cell block; contacts abroad.",
    "Transfer from Karaganda facility 3 to Almaty region on 2026-11-20.",
    "Recruitment in a prayer group; three cells.",
    "Release from facility 3 in Bishkek; subject born 1987, intends to settle in Osh.",
    "Escape from colony 47 near Dushanbe on 14.05.2026; border posts informed.",
    "Ministry of Justice (KUIS) requests information on contacts in Syria.",
    "Visitor of concern brought extremist leaflets to Khujand facility; visits suspended.",
    "Coordinated disturbance in Osh colony 2 after Friday prayer; staff injured.",
    "Contraband SIM cards smuggled via parcels from Dushanbe to Sughd region.",
    "Threat to staff: inmate threatened guards of the UIS in Pavlodar.",
    "Extremist material (Hizb ut-Tahrir leaflets) found in block B. Material seized.",
    "Sentence began 2019-04-01; release planned for 15 December 2026.",
    "Subject (born 1987) was active in Telegram channels linked to Jamaat Ansarullah.",
    "Transfer to Rostov region requested by the Russian Federation; category: transfer notice.",
    "Almaty region, North Kazakhstan region and Turkestan region facilities informed.",
    "Recruiter network of 12 inmates across 3 facilities in Khatlon; risk high.",
    "Contact abroad via Telegram; two SIM cards and 1 500 000 tenge seized.",
    "Release Notice: High risk. Handling H2. Article 256 of the Criminal Code.",
    "Group leader gave sermons in cell 14; followers in blocks A and C.",
    "Main Directorate of the UIS, Astana: subject transferred on 03.02.2026.",
    "Subject claimed allegiance to ISIS; contact with fighters in Idlib.",
    "Escape attempt foiled at 14:30; two inmates moved to the Kyrgyz GSIN remand centre.",
    "Два телефона изъяты в камере; контакты за рубежом.",
    "Вербовка в молитвенной группе; три ячейки.",
    "Освобождение из учреждения ЛА-155/3 Карагандинской области",
    "Этапирование из Караганды в Алматинскую область 20.11.2026.",
    "Освобождён по отбытии срока 01.10.2026; намерен выехать в Турцию.",
    "Угроза сотрудникам учреждения АП-162/6 в Павлодаре, 1987 г.р.",
    "Побег из ИК-47 (Бишкек), розыск ведёт ГСИН Кыргызской Республики.",
    "Задержан при попытке передачи запрещённой литературы в Худжанде.",
    "Посетитель с экстремистскими материалами, Согдийская область; Министерство юстиции "
    "уведомлено.",
    "Освобождение 15.12.2026 из учреждения ЕС-164/4, г. Петропавловск.",
    "Осуждённый по ст. 174 УК РК; освобождение в декабре 2026 года.",
    "Материалы ИГИЛ изъяты в отряде №3 ИК-3 г. Караганда.",
    "Один телефон и две SIM-карты найдены в Ошской колонии.",
    "Перевод в Душанбе согласован с ГУИС Министерства юстиции Республики Таджикистан.",
    "Коктейли Молотова подготовлены к массовым беспорядкам в СИЗО.",
    "Телефонов изъято: 3. Обысков проведено: 4.",
    "Гражданин Германии посещал осуждённого дважды.",
    "Во имя Аллаха: листовки изъяты в камере 12.",
    "Case reference KZ-2026-00123 in the national register.",
    "Contact at the U.S. Embassy reported; a Kalashnikov magazine was found in a parcel.",
    "Sermons praising Abu Bakr al-Baghdadi were recited in the prayer room.",
]


def _covers(findings: list[Finding], kind: str, start: int, end: int) -> bool:
    return any(f.kind == kind and f.start <= start and f.end >= end for f in findings)


@pytest.mark.parametrize(("text", "kind", "offending"), REFUSED)
def test_personal_data_refused(text: str, kind: str, offending: str) -> None:
    start = text.index(offending)
    findings = find_pii(text, TODAY)
    assert _covers(findings, kind, start, start + len(offending)), findings
    with pytest.raises(MalformedInput):
        check_summary(text, TODAY)


@pytest.mark.parametrize("text", ALLOWED)
def test_operational_text_passes(text: str) -> None:
    assert find_pii(text, TODAY) == []
    check_summary(text, TODAY)


def test_tables_cover_every_kind_in_both_scripts() -> None:
    kinds = {kind for _, kind, _ in REFUSED}
    assert kinds == set(KINDS)
    cyrillic = {kind for text, kind, _ in REFUSED if any("а" <= c <= "я" for c in text.lower())}
    assert {"phone", "iin", "passport", "date-of-birth", "name"} <= cyrillic
    assert len(REFUSED) >= 25
    assert len(ALLOWED) >= 20


def test_excerpt_is_the_span() -> None:
    text = "Ivanov Ivan, +7 701 123 45 67"
    for f in find_pii(text, TODAY):
        assert f.excerpt == text[f.start : f.end]


def test_findings_in_text_order_without_overlap() -> None:
    text = "Иванов И.И., д.р. 12.03.1987, тел. +7 701 123 45 67, ivanov@mail.kz, N12345678"
    findings = find_pii(text, TODAY)
    assert [f.kind for f in findings] == ["name", "date-of-birth", "phone", "email", "passport"]
    assert all(a.end <= b.start for a, b in pairwise(findings))


def test_recent_date_is_an_event_old_date_is_a_birth_date() -> None:
    # The line is DOB_MIN_AGE_YEARS (14) years before today.
    assert find_pii("Moved on 02.06.2012.", TODAY) == []
    assert [f.kind for f in find_pii("Moved on 31.05.2012.", TODAY)] == ["date-of-birth"]


def test_bare_birth_year_allowed() -> None:
    for text in ("born 1987", "1987 г.р.", "г.р. 1987", "born in March 1987", "в 2026 году"):
        assert find_pii(text, TODAY) == [], text


def test_birth_marker_makes_a_recent_date_a_birth_date() -> None:
    assert [f.kind for f in find_pii("д.р. 01.02.2020", TODAY)] == ["date-of-birth"]


def test_without_today_every_full_date_counts() -> None:
    assert [f.kind for f in find_pii("Transfer on 2026-11-20.")] == ["date-of-birth"]


def test_check_summary_message_names_the_span_and_the_override() -> None:
    text = "Transfer of Ivanov Ivan to Karaganda."
    with pytest.raises(MalformedInput) as caught:
        check_summary(text, TODAY)
    err = caught.value
    assert err.message == 'summary contains a personal name: "...Ivanov Ivan..." (chars 12-23)'
    assert "remove" in err.hint
    assert '--allow-pii "reason"' in err.hint
    assert "audited" in err.hint


def test_check_summary_lists_every_finding() -> None:
    text = "Ivanov Ivan, +7 701 123 45 67"
    with pytest.raises(MalformedInput) as caught:
        check_summary(text, TODAY)
    message = caught.value.message
    assert message.startswith("summary contains 2 items of personal data: ")
    assert '"Ivanov Ivan..." (chars 0-11)' in message
    assert '"...+7 701 123 45 67" (chars 13-29)' in message


def test_long_excerpt_is_shortened() -> None:
    text = "x " + "1" * 200
    with pytest.raises(MalformedInput) as caught:
        check_summary(text, TODAY)
    assert len(caught.value.message) < 200


# -- the fast paths change no finding --------------------------------------------------------


def _split(text: str) -> list[str]:
    return text.split()


_VOCAB = _split(
    "Ivanov Ivan Ivanovich Иванов Иван Иванович Abenov Nurlan Sherzod Karimi Шарипов Рустам"
    " Karimova Dilnoza Rahimzoda Tolib uulu kyzy Асанбек уулу Bakyt ugli O'Brien Jean-Luc"
    " prisoner inmate inmates осуждённый осужденного гражданин alias aka mr Mr. Dr. г-н"
    " Karaganda Almaty Бишкек Osh Душанбе Region Unit UIS KNB U.S. Р.К. A. B. И. И."
    " release transfer escape visit the of and в из с на released переведён"
    " 12.03.1987 1987-03-12 12 марта 1987 March 12, 1987 born д.р. N12345678 870412350123"
    " +7 701 123 45 67 8(777)123-45-67 ivanov@mail.kz 45 06 123456 ИИН ПИН tel. WhatsApp"
    " Σωκράτης Ǆemal İstanbul ĞÜŞ ÆØÅ Ølsen Ærø Şahin"
)
_SEPARATORS = [" ", " ", " ", ", ", ". ", "; ", "\n", "-", "'", "’", " (", ") ", "  ", "\u00a0"]


def _reference_tokens(text: str) -> list[object]:
    """The straightforward tokenizer the fast paths replace: every word, with its role."""
    from exchange.alerts import pii_names

    out = [
        pii_names._Tok(
            m.group(),
            m.start(),
            m.end(),
            pii_names._classify(m.group(), m.group("init") is not None),
        )
        for m in pii_names._TOKEN.finditer(text)
    ]
    for k in range(len(out) - 1):
        a, b = out[k], out[k + 1]
        if (
            a.role == b.role == "init"
            and a.end == b.start
            and pii_names._norm(a.text + b.text) in pii_names._ABBREV
        ):
            out[k] = pii_names._Tok(a.text, a.start, a.end, "")
            out[k + 1] = pii_names._Tok(b.text, b.start, b.end, "")
    return out


@given(
    st.lists(
        st.tuples(st.sampled_from(_VOCAB), st.sampled_from(_SEPARATORS)), min_size=1, max_size=14
    )
)
@example(parts=[("prisoner", "-"), ("U.S.", " "), ("Ivanov", " ")])  # an initial after a hyphen
@settings(max_examples=600, deadline=None)
def test_fast_paths_find_what_the_full_reading_finds(parts: list[tuple[str, str]]) -> None:
    from exchange.alerts import pii, pii_dates, pii_names, pii_numbers

    text = "".join(w + s for w, s in parts)
    fast = pii._find(text, TODAY)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pii_names, "_tokens", _reference_tokens)
        mp.setattr(pii_numbers, "_NUMBER_CANDIDATE", re.compile(""))
        mp.setattr(pii_dates, "_DATE_CANDIDATE", re.compile(""))
        mp.setattr(pii_numbers, "_PHONE_CANDIDATE", re.compile(""))
        mp.setattr(pii_numbers, "_EMAIL_CANDIDATE", re.compile(""))
        full = pii._find(text, TODAY)
    assert fast == full
    assert find_pii(text, TODAY) == full  # and the cache of short texts returns the same


@pytest.mark.parametrize("text", [t for t, _, _ in REFUSED] + ALLOWED)
def test_fast_paths_agree_on_the_tables(text: str) -> None:
    from exchange.alerts import pii, pii_dates, pii_names, pii_numbers

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pii_names, "_tokens", _reference_tokens)
        mp.setattr(pii_numbers, "_NUMBER_CANDIDATE", re.compile(""))
        mp.setattr(pii_dates, "_DATE_CANDIDATE", re.compile(""))
        mp.setattr(pii_numbers, "_PHONE_CANDIDATE", re.compile(""))
        mp.setattr(pii_numbers, "_EMAIL_CANDIDATE", re.compile(""))
        full = pii._find(text, TODAY)
    assert pii._find(text, TODAY) == full
