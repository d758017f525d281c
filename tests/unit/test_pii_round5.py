"""The guard's rules of issue 15's fifth round, one group per class: a listed given name in any
case form and letter case (Russian, Kazakh, Kyrgyz, Uzbek, Tajik endings), foreign given names,
lower-case Uzbek and Tajik surnames with a case ending (not nouns in -ov such as tergov),
-ұлы/-қызы with a case ending, month spellings (Russian-keyboard Kazakh, Uzbek variants,
traditional Kyrgyz months), "they call him «X»", grouped personal numbers after a number word,
the 8 (7xx) phone format, facility-opening dates as events, a person's whole name between a
place word and "named after", four-letter acronyms. Sentences written for this test, not taken
from the evaluation tables."""

from __future__ import annotations

from datetime import date

import pytest

from exchange.alerts.pii import find_pii

TODAY = date(2026, 6, 1)


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_pii(text, TODAY)]


# --- a listed given name with a case ending, in any letter case ----------------------------

GIVEN_IN_CASE = [
    "Свидание с Анастасией перенесли на вторник.",
    "деньги на лицевой счёт перевели для ксении",
    "Письмо передали Вадиму через младшего инспектора.",
    "Камерада Нұрсұлтанның кітабы табылды.",
    "Кат Элдиярга берилди, жооп күтүлүүдө.",
    "Pulni Javlonga o'tkazishgan, tekshirilmoqda.",
    "Пулни Жавлонга ўтказишган, текширилмоқда.",
    "Посбон Фарҳодро ба ҳуҷраи алоҳида бурд.",
]


@pytest.mark.parametrize("text", GIVEN_IN_CASE)
def test_a_given_name_with_a_case_ending_is_a_name(text: str) -> None:
    assert "name" in kinds(text)


SHORT_NAME_WORDS = [
    "Указания даны дежурному помощнику.",
    "Ұлттық мерекеде Қазақстан азаматы ретінде марапатталды.",
    "Талант сынагы клубда өттү.",
]


@pytest.mark.parametrize("text", SHORT_NAME_WORDS)
def test_words_that_are_a_short_name_plus_an_ending_are_not_names(text: str) -> None:
    assert kinds(text) == []


# --- foreign given names ------------------------------------------------------------------

FOREIGN = [
    "Консул интересовался Хельмутом Бергером из третьего отряда.",
    "Консул Томас Рихтерге қатысты мәлімет сұрады.",
    "Konsul Helmut Braun bilan uchrashuv so'radi.",
    "Шаҳрванди Туркия Бурак Арслан ба карантин ҷойгир шуд.",
]


@pytest.mark.parametrize("text", FOREIGN)
def test_a_foreign_given_name_is_a_name(text: str) -> None:
    assert "name" in kinds(text)


# --- lower-case Uzbek and Tajik surnames with a case ending --------------------------------

LOWER_SURNAMES = [
    "ma'lumot rahmatovdan olindi",
    "маълумот раҳматовдан олинди",
    "telefon qosimovniki ekani aniqlandi",
]


@pytest.mark.parametrize("text", LOWER_SURNAMES)
def test_a_lower_case_surname_with_a_case_ending_is_a_name(text: str) -> None:
    assert "name" in kinds(text)


OV_NOUNS = [
    "Mahkum tergovda ishtirok etdi, sinovdan o'tdi.",
    "Маҳкум гаровга қўйилди, тўловни оиласи қилди.",
    "Кофтуковро дар отряди 3 анҷом доданд.",
]


@pytest.mark.parametrize("text", OV_NOUNS)
def test_uzbek_and_tajik_nouns_in_ov_are_not_surnames(text: str) -> None:
    assert kinds(text) == []


# --- patronymic surnames with a case ending -------------------------------------------------


def test_a_uly_surname_with_a_case_ending_is_a_name() -> None:
    assert "name" in kinds("Хат Асқарұлына жіберілді.")
    assert "name" in kinds("Кездесу Болатқызымен өтті.")


# --- month spellings ----------------------------------------------------------------------

MONTH_SPELLINGS = [
    "Сотталған 1985 жылғы 3 кантарда туған.",
    "Туған күні 14 желтоксан 1983 ж.",
    "Tug'ilgan sanasi: 5 oktyabr 1990.",
    "Mahkum 12-dekabr' 1979-yilda tug'ilgan.",
    "Соттолгон 5-кулжа 1987-ж. туулган.",
]


@pytest.mark.parametrize("text", MONTH_SPELLINGS)
def test_a_birth_date_with_a_variant_month_spelling_is_refused(text: str) -> None:
    assert "date-of-birth" in kinds(text)


def test_an_old_event_with_a_variant_month_is_still_an_event() -> None:
    assert kinds("2003 жылғы 3 кантарда сотталды.") == []


# --- "they call him «X»" ------------------------------------------------------------------

ALIASES = [
    "Камерада оны «Тас» дейді.",
    "Отрядда аны «Бөрү» дешет.",
    "Дар отряд ӯро «Паланг» меноманд.",
    "Otryadda uni «Tulki» deyishadi.",
]


@pytest.mark.parametrize("text", ALIASES)
def test_a_quoted_nickname_before_they_call_him_is_an_alias(text: str) -> None:
    assert "alias" in kinds(text)


def test_they_say_without_a_quoted_nickname_is_no_alias() -> None:
    assert kinds("Баары жакшы дешет, тамак берилди.") == []
    assert kinds("Бастық жақсы дейді.") == []


# --- grouped personal numbers after a number word ------------------------------------------


def test_a_grouped_number_after_a_personal_number_word_is_refused() -> None:
    assert "national-id" in kinds("Маълумот аз рӯи РМА 420 118 733 санҷида шуд.")
    assert "national-id" in kinds("JShShIR 3 120587 6540021 tekshirildi.")
    assert kinds("РМА: 12 34, ҷавоб омад.") == []


# --- the written trunk phone format --------------------------------------------------------


def test_the_trunk_phone_format_is_a_phone_whatever_the_operator_code() -> None:
    assert "phone" in kinds("Звонили с номера 8 (709) 340-12-77 вечером.")


# --- a facility's opening date is an event --------------------------------------------------

OPENINGS = [
    "Колония открыта 12.05.1998 на месте бывшей зоны.",
    "Мекеме 14.09.2001 пайдалануға берілді.",
    "Бино 03.03.1999 ба истифода дода шуд.",
    "Bino 21.06.2004 foydalanishga topshirildi.",
]


@pytest.mark.parametrize("text", OPENINGS)
def test_a_facility_opening_date_is_not_a_birth_date(text: str) -> None:
    assert "date-of-birth" not in kinds(text)


# --- a person's whole name between a place word and "named after" --------------------------

NAMED = [
    "Этап прибыл из посёлка Ахмета Байтурсынова.",
    "Мактаби ба номи Мирзо Турсунзода таъмир шуд.",
    "Ғабит Мүсірепов атындағы колледж студенттері келді.",
    "Жолдош Ысмайылов атындагы мектепке барышты.",
]


@pytest.mark.parametrize("text", NAMED)
def test_a_place_named_after_a_whole_name_is_not_a_person(text: str) -> None:
    assert "name" not in kinds(text)


def test_a_person_beside_a_district_is_still_a_person() -> None:
    assert "name" in kinds("Сотталған Ержан Мұқанов Жамбыл ауданында ұсталды.")


# --- four-letter acronyms --------------------------------------------------------------------


def test_a_four_letter_acronym_is_not_a_name() -> None:
    assert kinds("Проверка ФСИН завершена без замечаний.") == []
    assert "name" in kinds("List: IVANOV IVAN, cell 4.")
