"""The guard's rules of issue 15's fourth round, one group per class: admission, release and
escort words make an old date an event; a birth abbreviation after a date (ж.т., т.к.) keeps it
a date of birth even beside an event word; a street, city or district word next to a name makes
it a place; register-number words make a number a case number; given names that are ordinary
words count only where a name can be; Russian-alphabet spellings of Kazakh and Kyrgyz names
(ы for и, no soft sign) are the listed names. Sentences written for this test, not taken from
the evaluation tables."""

from __future__ import annotations

from datetime import date

import pytest

from exchange.alerts.pii import find_pii

TODAY = date(2026, 6, 1)


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_pii(text, TODAY)]


# --- an old date with an admission, release, escort or custody word is an event -------------

PAST_EVENTS = [
    "Принята в учреждение 14.09.2006 из СИЗО-2.",
    "Освобождён 01.04.2010 по отбытии срока.",
    "Взят под стражу 30.11.2004 в зале суда.",
    "03.05.2007 мекемеге қабылданды.",
    "2009 жылы 2 ақпанда босатылды.",
    "19.09.2008 колонияга кабыл алынды.",
    "18.03.2005 мөөнөтү бүтүп бошотулду.",
    "20.10.2006 ба колония қабул шуд.",
    "11.11.2011 muddati tugab ozod qilindi.",
    "07.07.2007 колонияга этап билан келтирилди.",
    "Released on 02.02.2009 after serving the sentence.",
    "Taken into custody on 9 March 2006 in Osh.",
]


@pytest.mark.parametrize("text", PAST_EVENTS)
def test_admission_and_release_words_make_an_old_date_an_event(text: str) -> None:
    assert "date-of-birth" not in kinds(text)


def test_an_old_date_without_an_event_word_is_still_a_date_of_birth() -> None:
    # the same dates with the event word taken away: the rule is the word, not the date
    assert "date-of-birth" in kinds("Данные: 14.09.2006, из СИЗО-2.")
    assert "date-of-birth" in kinds("19.09.2008 колонияда.")


# --- a birth abbreviation after a date wins over an event word -----------------------------

BIRTH_ABBREVIATIONS = [
    "5 қаңтар 1984 ж.т. сотталған мекемеге қабылданды.",  # жылы туған
    "Сотталған, т.ж. 12.12.1979, этаппен келді.",  # туған жылы
    "т.к. 03.04.1990, соттолгон этап менен келди.",  # туулган күнү
]


@pytest.mark.parametrize("text", BIRTH_ABBREVIATIONS)
def test_birth_abbreviations_keep_a_date_of_birth_beside_an_event_word(text: str) -> None:
    assert "date-of-birth" in kinds(text)


# --- places named after people: street, city and district words ----------------------------

PLACES = [
    "Доставлен в поликлинику на улице Ж. Бокенбаева.",
    "Переведён в колонию города Бейнеу, проспект Абылай хана.",
    "Мекеме Сейфуллин даңғылында орналасқан.",
    "Махамбетов ауданының соты шешім шығарды.",
    "Ахунбаев көчөсүндөгү ооруканага жеткирилди.",
    "Медетов району боюнча тинтүү жүргүзүлдү.",
    "Sud Yunusobod tumanidagi binoda bo'ldi.",
    "Суди ноҳияи Шоҳмансур ҳукм баровард.",
    "Visit moved to Satpayev city court.",
]


@pytest.mark.parametrize("text", PLACES)
def test_street_city_and_district_words_make_a_name_a_place(text: str) -> None:
    assert "name" not in kinds(text)


def test_a_person_beside_a_place_name_is_still_a_person() -> None:
    # the place word suppresses only the name right next to it
    assert "name" in kinds("В городе Бишкек задержан осуждённый Ахметов Нурлан.")
    assert "name" in kinds("Сотталған Ержан Мұқанов Жамбыл ауданында ұсталды.")


# --- register numbers of letters and documents ---------------------------------------------

REGISTER_NUMBERS = [
    "Исх. 4471023391 направлено в ДУИС.",
    "Вх. 88-1234567 зарегистрировано.",
    "Хат тіркеу нөмірі 7712345678 келді.",
    "Каттын каттоо номери 7712345678.",
    "Our ref. 7712345678, please reply.",
]


@pytest.mark.parametrize("text", REGISTER_NUMBERS)
def test_register_words_make_a_number_a_register_number(text: str) -> None:
    assert kinds(text) == []


def test_a_number_without_a_register_word_is_still_a_national_id() -> None:
    assert kinds("Номер 7712345678 установлен.") != []


# --- given names that are ordinary words, and Russian spellings of Turkic names --------------


@pytest.mark.parametrize(
    "text",
    [
        "Соттолгондорго укуктук кеңеш берилди.",
        "Сапар учурунда тартип бузулган жок.",
        "Болат құбырлар жөнделді.",
        "Кубаныч менен майрамдалды.",
    ],
)
def test_given_names_that_are_words_are_not_names_as_words(text: str) -> None:
    assert "name" not in kinds(text)


def test_given_names_that_are_words_are_names_where_a_name_stands() -> None:
    assert "name" in kinds("Камерага тыйым салынган буюмду Сапар алып келген.")
    assert "name" in kinds("кеңеш осмонов телефон жашырган")  # beside a surname


@pytest.mark.parametrize(
    "text",
    [
        "Литературу передал Чингиз.",  # Чынгыз
        "Посылку принесла Гульнур.",  # Гүлнұр
        "Свидание разрешено Адиль.",  # Әділ
    ],
)
def test_russian_spellings_of_kazakh_and_kyrgyz_given_names(text: str) -> None:
    assert "name" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Адилет деген соттолгон намазга үндөйт.",
        "Тілек деген сотталған үгіт жүргізеді.",
        "Әсем есімді сотталған ауырып қалды.",
    ],
)
def test_a_word_introduced_as_a_person_is_a_name(text: str) -> None:
    assert "name" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Мекемеге Бекетов районго жеткирилди.",  # to the district: not "Beketov's district"
        "Contact Ahmetov city of birth unknown.",
        "Inmate Ahmetov citizenship confirmed.",
    ],
)
def test_a_place_word_that_is_not_a_named_place_leaves_the_name(text: str) -> None:
    assert "name" in kinds(text)


# --- "№" after a document, personal-number or phone word is that document's number ----------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Паспорт № 12345678 утерян.", "passport"),
        ("Удостоверение личности № 045612378 утеряно.", "passport"),
        ("Жеке куәлігі № 045612378 жоғалған.", None),
        ("ИИН № 870415300123 проверен.", "iin"),
        ("Тел. № 87011234567 изъят.", "phone"),
    ],
)
def test_a_number_sign_after_a_document_word_does_not_make_a_case_number(
    text: str, kind: str | None
) -> None:
    found = kinds(text)
    assert found, text
    if kind:
        assert kind in found


@pytest.mark.parametrize(
    "text",
    ["Паспорт изъят, дело № 1234567890.", "По краже паспорта, дело № 1234567890 возбуждено."],
)
def test_a_case_word_between_keeps_the_case_number(text: str) -> None:
    assert kinds(text) == []
