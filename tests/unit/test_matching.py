"""Subject tokens: one person hits across scripts and spellings; different people never do."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import date

import pytest

from exchange.errors import KeyError_, MalformedInput
from exchange.matching import (
    GIVEN_DOB,
    KINDS,
    NAME_DOB,
    NAME_PATRONYMIC_YEAR,
    NAME_YEAR_SEX,
    STEM_DOB,
    TYPO_DOB,
    Identity,
    Pair,
    Token,
    derive_tokens,
    evaluate,
    hits,
    match,
    name_key,
    patronymic_key,
    skeleton,
)

KEY = bytes(range(32))
EPOCH = 1


def who(
    surname: str, given: str, born: str | int, sex: str = "m", patronymic: str = ""
) -> Identity:
    """An identity; `born` is an ISO date or only a year."""
    if isinstance(born, int):
        return Identity(surname, given, patronymic, birth_year=born, sex=sex)
    return Identity(surname, given, patronymic, birth_date=date.fromisoformat(born), sex=sex)


# One person, two records: different script, transliteration system, suffix form or field order.
SAME: list[Pair] = [
    (
        who("Назарбаев", "Нурсултан", "1940-07-06", "m", "Абишевич"),
        who("Nazarbayev", "Nursultan", "1940-07-06", "m", "Abishuly"),
    ),
    (who("Назарбаев", "Нурсултан", 1940), who("NAZARBAEV", "NURSULTAN", "1940-07-06")),
    (who("Ахмедов", "Хуршед", "1985-03-12"), who("Akhmedov", "Khurshed", "1985-03-12")),
    (who("Ахмедов", "Хуршед", 1985), who("Ahmedov", "Hurshed", 1985)),
    (who("Axmedov", "Xurshed", "1985-03-12"), who("Ахмедов", "Хуршед", "1985-03-12")),
    (who("Ахмедов", "Хуршед", "1985-03-12"), who("Hurshed", "Ahmedov", "1985-03-12")),
    (
        who("Сейтказиева", "Жанар", "1992-11-30", "f"),
        who("Seitkazieva", "Zhanar", "1992-11-30", "f"),
    ),
    (who("Сейтказиева", "Жанар", 1992, "f"), who("Seytkaziyeva", "Janar", 1992, "f")),
    (who("Усмонов", "Ғайрат", "1979-01-05"), who("Usmonov", "Gayrat", "1979-01-05")),
    (who("Усмонов", "Ғайрат", 1979), who("Usmonov", "Ghayrat", 1979)),
    (who("Usmonov", "G'ayrat", 1979), who("Усмонов", "Гайрат", 1979)),
    (who("Қасымов", "Қайрат", "1988-08-08"), who("Kasymov", "Kairat", "1988-08-08")),
    (who("Қасымов", "Қайрат", 1988), who("Qasymov", "Qayrat", 1988)),
    (who("Kasimov", "Kayrat", 1988), who("Касымов", "Кайрат", 1988)),
    (who("Рахимов", "Шерзод", "1995-02-14"), who("Rakhimov", "Sherzod", "1995-02-14")),
    (who("Rahimov", "Sherzod", 1995), who("Рахимов", "Шерзод", 1995)),
    (who("Каримов", "Юсуф", "1983-06-01"), who("Karimov", "Yusuf", "1983-06-01")),
    (who("Karimov", "Iusuf", 1983), who("Каримов", "Юсуф", 1983)),
    (who("Karimov", "Jusuf", 1983), who("Karimov", "Yusuf", 1983)),
    (who("Алиев", "Ильяс", "1990-04-20"), who("Aliyev", "Ilyas", "1990-04-20")),
    (who("Aliev", "Ilias", 1990), who("Алиев", "Ильяс", 1990)),
    (who("Ермеков", "Ерлан", 1975), who("Yermekov", "Yerlan", 1975)),
    (who("Серікбаев", "Ержан", "1981-09-09"), who("Serikbayev", "Yerzhan", "1981-09-09")),
    (who("Сафаров", "Ҷамшед", "1993-12-31"), who("Safarov", "Jamshed", "1993-12-31")),
    (who("Сафаров", "Джамшед", 1993), who("Safarov", "Dzhamshed", 1993)),
    (who("Рахмонзода", "Фирдавс", "1999-03-03"), who("Rahmonzoda", "Firdavs", "1999-03-03")),
    (who("Rakhmonzade", "Firdavs", 1999), who("Рахмонзода", "Фирдавс", 1999)),
    (
        who("Нұрмағамбетова", "Әлия", "1987-07-07", "f"),
        who("Nurmagambetova", "Aliya", "1987-07-07", "f"),
    ),
    (who("Nurmagambetova", "Äliya", 1987, "f"), who("Нурмагамбетова", "Алия", 1987, "f")),
    (who("Тоқтаров", "Ерболат", 1984), who("Toktarov", "Yerbolat", 1984)),
    (who("Дәулетов", "Данияр", "2000-01-15"), who("Dauletov", "Daniyar", "2000-01-15")),
    (who("Dauletov", "Daniiar", 2000), who("Дәулетов", "Данияр", 2000)),
    (who("Мұхаммедов", "Мұхтар", 1970), who("Mukhammedov", "Mukhtar", 1970)),
    (who("Muhamedov", "Muhtar", 1970), who("Мухаммедов", "Мухтар", 1970)),
    (who("Жұмабеков", "Жандос", "1991-05-25"), who("Zhumabekov", "Zhandos", "1991-05-25")),
    (who("Jumabekov", "Jandos", 1991), who("Zhumabekov", "Zhandos", 1991)),
    (who("Тошматов", "Ўткир", "1986-10-10"), who("Toshmatov", "O'tkir", "1986-10-10")),
    (who("Toshmatov", "Oʻtkir", 1986), who("Тошматов", "Уткир", 1986)),
    (who("Ғуломов", "Улуғбек", 1989), who("G'ulomov", "Ulug'bek", 1989)),
    (who("Gulomov", "Ulugbek", 1989), who("Ghulomov", "Ulughbeg", 1989)),
    (who("Асанбек уулу", "Талант", "1994-08-31"), who("Asanbek uulu", "Talant", "1994-08-31")),
    (who("Садыров", "Алмазбек", 1977), who("Sadyrov", "Almazbek", 1977)),
    (who("Токтогулова", "Жылдыз", 1996, "f"), who("Toktogulova", "Jyldyz", 1996, "f")),
    (who("Toktogulova", "Zhyldyz", 1996, "f"), who("Тоқтоғұлова", "Жылдыз", 1996, "f")),
    (who("Цой", "Сергей", "1980-02-29"), who("Tsoy", "Sergey", "1980-02-29")),
    (who("Coj", "Sergej", 1980), who("Tsoi", "Sergei", 1980)),
    (who("Фёдоров", "Пётр", 1968), who("Fyodorov", "Pyotr", 1968)),
    (who("Fedorov", "Petr", 1968), who("Фёдоров", "Пётр", 1968)),
    (
        who("Каримова", "Гульнара", "1990-09-01", "f"),
        who("Karimova", "Gul'nara", "1990-09-01", "f"),
    ),
    (who("Шарипов", "Хусрав", 1982), who("Sharipov", "Khusrav", 1982)),
    (who("Ҳайдаров", "Ӯмед", "1997-06-06"), who("Khaidarov", "Umed", "1997-06-06")),
    (who("Haydarov", "Umed", 1997), who("Ҳайдаров", "Ӯмед", 1997)),
    (who("Әбішұлы", "Нұрлан", 1978), who("Abishuly", "Nurlan", 1978)),
    (who("Хасанов", "Муҳаммад", 1974), who("Hassanov", "Muhammad", 1974)),
    (who("Мыңбаев", "Бауыржан", 1985), who("Mynbaev", "Bauyrzhan", 1985)),
    (who("Өмүрбеков", "Үсөн", 1969), who("Omurbekov", "Uson", 1969)),
    (who("Ғафуров", "Ғуломҷон", "1992-03-08"), who("Gafurov", "Gulomjon", "1992-03-08")),
    (who("Ghafurov", "Ghulomdzhon", 1992), who("Ғафуров", "Ғуломҷон", 1992)),
    (who("Зарифзода", "Саидҷон", 1990), who("Zarifzade", "Saidjon", 1990)),
    (who("Ізбасаров", "Ілияс", 1988), who("Izbasarov", "Iliyas", 1988)),
    (who("Nur-Sultanov", "Abdu-Rashid", 1971), who("Нурсултанов", "Абдурашид", 1971)),
    (
        who("ахмедов", "хуршед", 1985, "m", "Рустамович"),
        who("AKHMEDOV", "KHURSHED", 1985, "m", "Rustam o'g'li"),
    ),
]

# Different people: similar names with the same birth year and sex, or one name, another year.
DIFFERENT: list[Pair] = [
    (who("Ахмедов", "Хуршед", 1985), who("Мухамедов", "Хуршед", 1985)),
    (who("Алиев", "Ильяс", 1990), who("Валиев", "Ильяс", 1990)),
    (who("Каримов", "Юсуф", 1983), who("Карамов", "Юсуф", 1983)),
    (who("Ахмедов", "Хуршед", 1985), who("Ахмадов", "Хуршед", 1985)),
    (who("Рахимов", "Шерзод", 1995), who("Рахмонов", "Шерзод", 1995)),
    (who("Рахимов", "Шерзод", 1995), who("Рахимов", "Шерали", 1995)),
    (who("Kasymov", "Kairat", 1988), who("Kasymov", "Kanat", 1988)),
    (who("Usmonov", "Gayrat", 1979), who("Usmonov", "Gafur", 1979)),
    (who("Мансуров", "Ғайрат", 1979), who("Мансуров", "Қайрат", 1979)),
    (who("Nazarbayev", "Nursultan", 1940), who("Nazarov", "Nursultan", 1940)),
    (who("Ivanov", "Petr", 1980), who("Petrov", "Ivan", 1980)),
    (who("Akhmedov", "Karim", 1980), who("Karimov", "Akhmed", 1980)),
    (who("Ахмедов", "Хуршед", 1985), who("Akhmedov", "Khurshed", 1986)),
    (who("Каримова", "Гульнара", 1990, "f"), who("Karimova", "Gulnara", 1991, "f")),
    (who("Назарбаев", "Нурсултан", "1940-07-06"), who("Nazarbayev", "Nursultan", "1941-07-06")),
    (who("Сейтказиева", "Жанар", 1992, "f"), who("Сейтказиева", "Жанна", 1992, "f")),
    (who("Ким", "Жанна", 1992, "f"), who("Ким", "Яна", 1992, "f")),
    (who("Цой", "Сергей", 1980), who("Чой", "Сергей", 1980)),
    (who("Шарипов", "Хусрав", 1982), who("Сарипов", "Хусрав", 1982)),
    (who("Fedorov", "Petr", 1968), who("Fedorov", "Pavel", 1968)),
    (who("Хасанов", "Муҳаммад", 1974), who("Хусанов", "Муҳаммад", 1974)),
    (who("Ismoilov", "Ilhom", "1990-01-01", "m"), who("Ismoilova", "Ilhoma", "1990-01-02", "f")),
    (who("Akhmedov", "Khurshed", "1990-01-01"), who("Akhmedov", "Farhod", "1990-01-01")),
    (
        who("Ахмедов", "Хуршед", 1985, "", "Рустамович"),
        who("Ахмедов", "Хуршед", 1985, "", "Равшанович"),
    ),
    (who("Aliev", "Ali", 1990), who("Aliev", "Alim", 1990)),
    (who("Серікбаев", "Ерлан", 1981), who("Серікбаев", "Ержан", 1981)),
    (who("Давлатов", "Умед", 1997), who("Давлатов", "Умар", 1997)),
    (who("Турсунов", "Ёркин", 1986), who("Tursunov", "Erkin", 1986)),
    (who("Дәулетов", "Данияр", 2000), who("Dauletov", "Daniyal", 2000)),
    (who("Каримов", "Юсуф", 1983), who("Каримов", "Юнус", 1983)),
]

# Known misses: one person, but the rules keep these letters apart on purpose (see normalize's
# docstring). Kept here so the README figure below is honest and a rule change shows up.
KNOWN_MISSES: list[Pair] = [
    (who("Ибрагимов", "Илхом", 1984), who("Ibrohimov", "Ilhom", 1984)),  # г/h, a/o
    (who("Ахмедов", "Хуршед", 1985), who("Akhmedov", "Khurshid", 1985)),  # e/i
    (who("Юсупов", "Тимур", 1979), who("Yusufov", "Timur", 1979)),  # p/f
    (who("Тошматов", "Ўткир", 1986), who("TOSHMATOV", "OTKIR", 1986)),  # MRZ drops o' -> o
]


def test_recall_and_false_match_rate_on_the_table() -> None:
    recall, false_match = evaluate(SAME, DIFFERENT, KEY, EPOCH)
    missed = [p for p in SAME if not hits(p, KEY, EPOCH)]
    matched = [p for p in DIFFERENT if hits(p, KEY, EPOCH)]
    hit_same = len(SAME) - len(missed)
    print(
        f"\nmatching: recall {recall:.3f} ({hit_same}/{len(SAME)} same-person pairs hit), "
        f"false-match rate {false_match:.3f} ({len(matched)}/{len(DIFFERENT)} different pairs hit)"
    )
    assert len(SAME) >= 40 and len(DIFFERENT) >= 25
    assert recall >= 0.95, missed
    assert false_match == 0, matched

    hard = SAME + KNOWN_MISSES
    with_hard, _ = evaluate(hard, DIFFERENT, KEY, EPOCH)
    print(f"matching: recall with the known hard cases {with_hard:.3f} (of {len(hard)} pairs)")


@pytest.mark.parametrize("pair", KNOWN_MISSES, ids=lambda p: f"{p[0].surname}/{p[1].surname}")
def test_known_misses_still_miss(pair: Pair) -> None:
    assert hits(pair, KEY, EPOCH) == []


@pytest.mark.parametrize("pair", SAME, ids=lambda p: f"{p[0].surname}/{p[1].surname}")
def test_same_person_shares_name_year_sex_and_name_dob(pair: Pair) -> None:
    kinds = hits(pair, KEY, EPOCH)
    assert NAME_YEAR_SEX in kinds
    left, right = pair
    if left.birth_date is not None and left.birth_date == right.birth_date:
        assert NAME_DOB in kinds
    if left.patronymic and right.patronymic:
        assert NAME_PATRONYMIC_YEAR in kinds


@pytest.mark.parametrize("pair", DIFFERENT, ids=lambda p: f"{p[0].surname}/{p[1].surname}")
def test_different_people_share_no_token(pair: Pair) -> None:
    assert hits(pair, KEY, EPOCH) == []


@pytest.mark.parametrize(
    "spellings",
    [
        ["Нурсултан", "Nursultan", "Nur-Sultan", "NUR SULTAN"],
        ["Жанар", "Zhanar", "Janar", "Džanar"],
        ["Ғайрат", "Gayrat", "Ghayrat", "G'ayrat", "Гайрат"],
        ["Қайрат", "Kairat", "Qayrat", "Kayrat", "Kajrat"],
        ["Шерзод", "Sherzod", "Şerzod"],
        ["Хуршед", "Khurshed", "Hurshed", "Xurshed", "Ҳуршед"],
        ["Юсуф", "Yusuf", "Iusuf", "Jusuf"],
        ["Ахмедов", "Akhmedov", "Ahmedov", "Axmedov"],
        ["Ўткир", "O'tkir", "Oʻtkir", "O’tkir", "Уткир"],
        ["Ильяс", "Ilyas", "Ilias", "Il'yas"],
        ["Фёдор", "Федор", "Fyodor", "Fedor"],
        ["Ерлан", "Yerlan", "Erlan"],
        ["Алиев", "Aliev", "Aliyev"],
        ["Назарбаев", "Nazarbayev", "Nazarbaev"],
        ["Muhammad", "Muhamad", "Мухаммад", "Muḩammad"],
    ],
)
def test_spellings_of_one_name_have_one_skeleton(spellings: list[str]) -> None:
    assert len({skeleton(s) for s in spellings}) == 1


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Ахмедов", "Мухамедов"),
        ("Алиев", "Валиев"),
        ("Жанна", "Яна"),
        ("Цой", "Чой"),
        ("Шамиль", "Самиль"),
        ("Ёркин", "Еркин"),
        ("Рахимов", "Рахмонов"),
        ("Иван", "Иванов"),
        ("Хасан", "Хусан"),
    ],
)
def test_different_names_have_different_keys(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


def test_y_and_i_are_folded_on_purpose() -> None:
    # A documented choice: ы/и/і/y are one vowel, so Kyrgyz Карымов meets Russian Каримов.
    assert name_key("Каримов") == name_key("Карымов") == name_key("Karymov")


def test_feminine_and_suffix_variants_meet() -> None:
    assert name_key("Ахмедова") == name_key("Akhmedov")
    assert name_key("Rahmonzade") == name_key("Рахмонзода") == name_key("Rahmonzada")
    assert name_key("Ulugbeg") == name_key("Ulugbek")


@pytest.mark.parametrize(
    "forms",
    [
        ["Абишевич", "Abishevich", "Abishuly", "Abish uly", "Абишұлы", "Abish-uli"],
        ["Абишевна", "Abishkyzy", "Abish qizi", "Абишқызы"],
        ["Сергеевич", "Sergeyevich", "Сергей улы"],
        ["Нурланович", "Nurlan uulu", "Nurlan ogly", "Nurlan o'g'li"],
    ],
)
def test_patronymic_forms_give_the_fathers_name(forms: list[str]) -> None:
    assert len({patronymic_key(f) for f in forms}) == 1


def test_name_order_does_not_matter_for_full_name_tokens() -> None:
    typed = derive_tokens(who("Ахмедов", "Хуршед", "1985-03-12"), KEY, EPOCH)
    swapped = derive_tokens(who("Хуршед", "Ахмедов", "1985-03-12"), KEY, EPOCH)
    assert {NAME_DOB, NAME_YEAR_SEX} <= set(match(typed, swapped))


def test_identity_never_appears_in_token_bytes() -> None:
    person = who("Ахмедов", "Хуршед", "1985-03-12", "m", "Рустамович")
    fragments = [
        "Ахмедов",
        "Хуршед",
        "Рустамович",
        "1985-03-12",
        "1985",
        name_key("Ахмедов"),
        name_key("Хуршед"),
        patronymic_key("Рустамович"),
    ]
    tokens = derive_tokens(person, KEY, EPOCH)
    assert list(dict.fromkeys(t.kind for t in tokens)) == list(KINDS)
    for token in tokens:
        assert len(token.value) == 32
        for fragment in fragments:
            assert fragment not in repr(token)
            for encoding in ("utf-8", "utf-16-le", "cp1251"):
                raw = fragment.encode(encoding, errors="ignore")
                assert len(raw) < 3 or raw not in token.value


def test_different_keys_or_epochs_give_different_tokens() -> None:
    person = who("Ахмедов", "Хуршед", "1985-03-12", "m", "Рустамович")
    base = derive_tokens(person, KEY, EPOCH)
    other_key = derive_tokens(person, bytes(32), EPOCH)
    other_epoch = derive_tokens(person, KEY, EPOCH + 1)
    values = {t.value for t in base}
    assert not values & {t.value for t in other_key}
    assert not values & {t.value for t in other_epoch}
    assert match(base, other_key) == [] and match(base, other_epoch) == []


def test_match_compares_only_same_kind_and_epoch() -> None:
    value = bytes(32)
    assert match([Token(NAME_DOB, 1, value)], [Token(NAME_DOB, 2, value)]) == []
    assert match([Token(NAME_DOB, 1, value)], [Token(GIVEN_DOB, 1, value)]) == []
    assert match([Token(NAME_DOB, 1, value)], [Token(NAME_DOB, 1, value)]) == [NAME_DOB]


def test_no_token_from_a_missing_field() -> None:
    year_only = derive_tokens(who("Ахмедов", "Хуршед", 1985, "m"), KEY, EPOCH)
    assert [t.kind for t in year_only] == [NAME_YEAR_SEX]
    no_sex = derive_tokens(who("Ахмедов", "Хуршед", "1985-03-12", ""), KEY, EPOCH)
    assert [t.kind for t in no_sex][:3] == [NAME_DOB, GIVEN_DOB, STEM_DOB]
    assert {t.kind for t in no_sex[3:]} == {TYPO_DOB}
    no_surname = derive_tokens(who("", "Хуршед", "1985-03-12", "m", "Рустамович"), KEY, EPOCH)
    assert [t.kind for t in no_surname] == [GIVEN_DOB]
    punctuation_only = derive_tokens(who("-", "' ", "1985-03-12"), KEY, EPOCH)
    assert punctuation_only == []
    assert derive_tokens(Identity("Ахмедов", "Хуршед"), KEY, EPOCH) == []


def test_fixed_vector_is_stable() -> None:
    person = who("Ахмедов", "Хуршед", "1985-03-12", "m", "Рустамович")
    # The four original kinds keep their values (alerts already published still match).
    got = {t.kind: t.value.hex() for t in derive_tokens(person, KEY, 7) if t.kind in FIXED_VECTOR}
    assert got == FIXED_VECTOR


def test_fixed_vector_follows_the_documented_encoding() -> None:
    def item(data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + data

    message = (
        item(b"exchange.matching.subject-token.v1")
        + item(b"name-year-sex")
        + (7).to_bytes(4, "big")
        + item(b"name")
        + item(b"HurSed")
        + item(b"name")
        + item(b"aHmedov")
        + item(b"year")
        + item(b"1985")
        + item(b"sex")
        + item(b"m")
    )
    expected = hmac.new(KEY, message, hashlib.sha256).hexdigest()
    assert FIXED_VECTOR[NAME_YEAR_SEX] == expected


FIXED_VECTOR = {
    NAME_DOB: "52a15dcfcae27927bf6487f3076575647f14613e597b1b6aef674ad4a3bf1238",
    NAME_YEAR_SEX: "e79cb89f19d4b499014c798cef2ac75687f7e4013f8a6fd7f6381de5c09d148d",
    NAME_PATRONYMIC_YEAR: "3b95afdf48917b9c4ad2ea96fff2951b943c037178559036cac2e355463d7419",
    GIVEN_DOB: "7660dfa4a0d758df00a645b6ed4a0c53659ae435622d490c869f92fe7ff3dad9",
}


@pytest.mark.parametrize(
    "make",
    [
        lambda: Identity("A", "B", sex="x"),
        lambda: Identity("A", "B", birth_date=date(1985, 1, 1), birth_year=1986),
        lambda: Identity("A", "B", birth_year=1066),
        lambda: Identity("A" * 201, "B"),
    ],
)
def test_bad_identity_is_refused(make: Callable[[], Identity]) -> None:
    with pytest.raises(MalformedInput):
        make()


def test_bad_key_or_epoch_is_refused() -> None:
    person = who("Ахмедов", "Хуршед", 1985)
    with pytest.raises(KeyError_):
        derive_tokens(person, b"short", EPOCH)
    with pytest.raises(MalformedInput):
        derive_tokens(person, KEY, -1)
    with pytest.raises(MalformedInput):
        derive_tokens(person, KEY, 2**32)
    with pytest.raises(MalformedInput):
        Token(NAME_DOB, 1, b"too short")


def test_evaluate_needs_both_tables() -> None:
    with pytest.raises(ValueError):
        evaluate([], DIFFERENT, KEY)
