"""Free-text PII guard for alert summaries.

Alerts are minimal by construction (DESIGN.md, principle 2): a subject is a set of tokens, a
birth year, sex and nationality. The free-text `summary` is the one field where a person could
still type a name, a full date of birth, a document number, a phone number or an e-mail
address, so this module looks for them before an alert is published.

It is a heuristic, tuned so that ordinary operational text passes (places, institutions,
categories, event dates) and identifying text does not. Rules, in the order they win when two
findings overlap:

- ``email``: ``local@domain.tld`` (also ``[at]`` / ``(at)``, and "name at mail dot ru").
- ``date-of-birth``: a full calendar date (``dd.mm.yyyy``, ``dd/mm/yyyy``, ``dd-mm-yyyy``,
  ``yyyy-mm-dd``, ``12 марта 1987``, ``12 March 1987``, ``March 12, 1987``) that either sits
  next to a birth marker (``born``, ``DOB``, ``date of birth``, ``д.р.``, ``г.р.``,
  ``дата рождения``, ``родился``...; then also ``dd.mm.yy``), or lies more than
  ``DOB_MIN_AGE_YEARS`` (14, the lowest age of criminal responsibility in KZ/KG/TJ) before
  `today`: nobody in custody was born later, and recent or future dates are events (transfer
  on 2026-11-20). A bare year ("born 1987", "1987 г.р.") is not a date of birth: the alert
  carries a birth year anyway.
- ``passport``: Kazakh ``N12345678``, Kyrgyz ``AN1234567`` / ``ID1234567``, generic one or two
  capital letters + 6-9 digits, Russian-style ``45 06 123456``, a bare 8-digit number (Tajik
  style ``40012345``), and any number after "passport" / "паспорт" / "удостоверение".
- ``iin``: 12 digits whose first six are a valid YYMMDD (Kazakh IIN), also in groups after
  "IIN" / "ИИН" / "ЖСН".
- ``phone``: numbers that Google's libphonenumber (``phonenumbers``) finds valid for KZ, KG or
  TJ (international numbers for any country) unless glued to a code (``KZ-2026-00123``),
  ``+`` followed by 9-15 digits, or digits after "tel" / "тел." / "phone" / "WhatsApp".
- ``national-id``: any other run of 9 or more digits (Kyrgyz 14-digit PIN, Tajik INN, 12
  digits that are not an IIN...), and grouped digits after "PIN" / "ПИН" / "INN" / "ИНН".
- ``name``: a run of capitalised words (Latin or Cyrillic) that looks like a person: it holds a
  patronymic (-ovich, -ovna, -ович, -овна; -uly, -kyzy, -улы, -кызы next to another word; a
  separate "уулу" / "kyzy"), a surname suffix (-ov, -ev, -in, -zoda, -bek, -ов, -ева, -зода...)
  or a frequent given name next to another capitalised word, initials ("A. Ivanov",
  "Иванов И.И."), or follows a person word ("prisoner", "осуждённый", "гражданин", "alias").
  One capitalised word alone counts only with a strong surname ending (-ov, -eva, -zoda,
  -ов, -ева, -зода), and in Cyrillic only inside a sentence ("приходил Шарипов"), since
  sentence-initial genitive plurals ("Обысков проведено") look the same. Words on the
  allow-list (regions and cities of KZ/KG/TJ and neighbours, institutions,
  months, weekdays, categories, number words) are never part of a name.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import phonenumbers

from exchange.alerts import pii_rules
from exchange.errors import MalformedInput

__all__ = ["DOB_MIN_AGE_YEARS", "KINDS", "Finding", "check_summary", "find_pii"]

DOB_MIN_AGE_YEARS = 14
"""Full dates at least this many years before `today` are taken for dates of birth."""

KINDS = (
    "email",
    "date-of-birth",
    "passport",
    "iin",
    "phone",
    "national-id",
    "handle",
    "vehicle-plate",
    "address",
    "alias",
    "name",
)
"""Every kind `find_pii` reports; earlier kinds win where findings overlap."""

_LABELS = {
    "email": "an e-mail address",
    "date-of-birth": "a full date of birth",
    "passport": "a passport or ID document number",
    "iin": "an IIN (Kazakh individual identification number)",
    "phone": "a phone number",
    "national-id": "a national ID number",
    "name": "a personal name",
    "handle": "a messenger handle",
    "vehicle-plate": "a vehicle registration plate",
    "address": "a home address",
    "alias": "a nickname or alias",
}
_PHONE_REGIONS = ("KZ", "KG", "TJ")
# Cheap pre-checks: a rule whose every match contains one of these is skipped when the text
# has none (same findings, far less work on ordinary text).
_EMAIL_CANDIDATE = re.compile(r"@|\[at\]|\(at\)|\sat\s", re.IGNORECASE)
_NUMBER_CANDIDATE = re.compile(r"\d(?:\D{0,3}\d){5}")
_DATE_CANDIDATE = re.compile(r"\d{4}|\d[./-]\d{1,2}[./-]\d")
_PHONE_CANDIDATE = re.compile(r"\d(?:\W{0,4}\d){6}")
_MAX_EXCERPT = 60


@dataclass(frozen=True, slots=True)
class Finding:
    """One span of `text` that looks identifying; `excerpt` is ``text[start:end]``."""

    kind: str
    start: int
    end: int
    excerpt: str


# --------------------------------------------------------------------------------------------
# e-mail, numbers, documents

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+\s?(?:@|\[at\]|\(at\))\s?[\w-]+(?:(?:\.|\[dot\]|\(dot\))[\w-]+)*"
    r"(?:\.|\[dot\]|\(dot\))[^\W\d_]{2,}"
    # spelt out: "ivanov at mail dot ru"
    r"|(?<![\w.+-])[\w.+-]+\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)*\s+dot\s+[^\W\d_]{2,}\b",
    re.IGNORECASE,
)
_PASSPORT_PATTERNS = (
    # One or two capital letters, optional separator, 6-9 digits: N12345678, AN1234567, ID 1234567.
    re.compile(r"(?<![^\W_])[A-ZА-ЯЁ]{1,2}[ №-]?\d{6,9}(?!\d)"),
    # Russian-style series and number: 45 06 123456, 4506 123456.
    re.compile(r"(?<![\d-])\d{2}[ ]?\d{2}[ ]\d{6}(?![\d-])"),
    # A bare 8-digit number (Tajik passport 40012345; nothing operational is that long).
    re.compile(r"(?<![\d.,/-])\d{8}(?![\d.,/-]?\d)"),
)
_PASSPORT_KEYWORD = re.compile(
    r"(?:\bpassport|\bpass\.|\bпаспорт\w*|\bудостоверени\w*(?:\s+личности)?|\bid[- ]card"
    r"|\bуд\.\s?л\.)"
    r"[\s:#№.,-]*(?:(?:no|nr|number|series|серия|серии|номер|n)\.?[\s:#№]*)*"
    r"(?P<num>[A-ZА-ЯЁ]{0,2}[ -]?\d(?:(?:[ -]|\s?№\s?)?\d){5,13})(?!\d)",
    re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"(?<![\d.,])\d{9,}(?![\d]|[.,]\d)")
# A number after IIN / ИИН / ЖСН / PIN / INN, even when written in groups: ИИН 870412 350123.
_ID_KEYWORD = re.compile(
    r"\b(?:iin|иин|жсн|pin|пин|inn|инн|tin)\b\s*[:№#]?\s*(?P<num>\d(?:[ -]?\d){8,15})(?!\d)",
    re.IGNORECASE,
)
# Characters that, right next to a number, make it part of a code (KZ-2026-00123, ЛА-155/3).
_CODE_CHAR = re.compile(r"[^\W_]|[-/]")
_PHONE_PLUS = re.compile(r"(?<![\w+])\+\d(?:[\s().-]{0,2}\d){8,14}(?!\d)")
_PHONE_KEYWORD = re.compile(
    r"(?:\bтел(?:ефон\w*)?\.?|\bphone|\btel\.?|\bmob(?:ile)?\.?|\bмоб(?:\.|ильн\w*)?|\bwhatsapp"
    r"|\bтелеграм\w*|\btelegram)"
    r"\s*[:№#]?\s*(?P<num>\+?\d(?:[\s().-]{0,2}\d){6,14})(?!\d)",
    re.IGNORECASE,
)


def _valid_yymmdd(digits: str) -> bool:
    """True if the digits start with a real YYMMDD date, as an IIN or a KG PIN body does."""
    try:
        date(2000 + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        return False
    return True


def _numbers(text: str) -> list[Finding]:
    """Candidate e-mail, passport, IIN, phone and national-ID findings (may overlap)."""
    out: list[Finding] = []
    if _EMAIL_CANDIDATE.search(text):
        for m in _EMAIL.finditer(text):
            out.append(_finding(text, "email", m.start(), m.end()))
    if _NUMBER_CANDIDATE.search(text) is None:
        return out  # every other kind here has six digits or more, close together
    for pattern in _PASSPORT_PATTERNS:
        for m in pattern.finditer(text):
            out.append(_finding(text, "passport", m.start(), m.end()))
    for m in _PASSPORT_KEYWORD.finditer(text):
        out.append(_finding(text, "passport", m.start("num"), m.end("num")))
    for m in _DIGIT_RUN.finditer(text):
        digits = m.group()
        kind = "iin" if len(digits) == 12 and _valid_yymmdd(digits) else "national-id"
        out.append(_finding(text, kind, m.start(), m.end()))
    for m in _ID_KEYWORD.finditer(text):
        digits = re.sub(r"\D", "", m.group("num"))
        kind = "iin" if len(digits) == 12 and _valid_yymmdd(digits) else "national-id"
        out.append(_finding(text, kind, m.start("num"), m.end("num")))
    # A valid number has at least 7 digits close together: skip the (slow) matcher otherwise.
    regions = _PHONE_REGIONS if _PHONE_CANDIDATE.search(text) else ()
    for region in regions:
        for pm in phonenumbers.PhoneNumberMatcher(text, region, phonenumbers.Leniency.VALID):
            if _CODE_CHAR.match(text[pm.start - 1 : pm.start] if pm.start else " ") or (
                _CODE_CHAR.match(text[pm.end : pm.end + 1] or " ")
            ):
                continue  # part of a case number or facility code, not a phone number
            out.append(_finding(text, "phone", pm.start, pm.end))
    for m in _PHONE_PLUS.finditer(text):
        out.append(_finding(text, "phone", m.start(), m.end()))
    for m in _PHONE_KEYWORD.finditer(text):
        out.append(_finding(text, "phone", m.start("num"), m.end("num")))
    return out


# --------------------------------------------------------------------------------------------
# dates of birth

_MONTHS: tuple[tuple[int, str], ...] = (
    (1, r"jan(?:uary)?|январ\w*|янв|қаңтар\w*"),
    (2, r"feb(?:ruary)?|феврал\w*|фев|ақпан\w*"),
    (3, r"mar(?:ch)?|март\w*|мар|наурыз\w*"),
    (4, r"apr(?:il)?|апрел\w*|апр|сәуір\w*"),
    (5, r"may|ма[йя]|мамыр\w*"),
    (6, r"june?|июн[ья]?|маусым\w*"),
    (7, r"july?|июл[ья]?|шілде\w*"),
    (8, r"aug(?:ust)?|август\w*|авг|тамыз\w*"),
    (9, r"sep(?:t(?:ember)?)?|сентябр\w*|сен|қыркүйек\w*"),
    (10, r"oct(?:ober)?|октябр\w*|окт|қазан\w*"),
    (11, r"nov(?:ember)?|ноябр\w*|ноя|қараша\w*"),
    (12, r"dec(?:ember)?|декабр\w*|дек|желтоқсан\w*"),
)
_MONTH_ALT = "|".join(f"(?:{alt})" for _, alt in _MONTHS)
_MONTH_RES = tuple((n, re.compile(f"(?:{alt})$", re.IGNORECASE)) for n, alt in _MONTHS)

_DATE_DMY = re.compile(r"(?<![\d.,/-])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?!\d|[./-]\d)")
_DATE_YMD = re.compile(r"(?<![\d.,/-])(\d{4})([./-])(\d{1,2})\2(\d{1,2})(?!\d|[./-]\d)")
_DATE_TEXT_DMY = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|-?го)?(?:\s+of)?[\s-]+({_MONTH_ALT})\.?,?[\s-]+(\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_DATE_TEXT_MDY = re.compile(
    rf"(?<![^\W\d_])({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_DOB_BEFORE = re.compile(
    r"(?:\bborn(?:\s+on)?|\bdob|\bd\.o\.b\.?|\bdate\s+of\s+birth|\bbirth\s*date|\bbirthday"
    r"|\bд\.\s?р\.|\bд/р|\bдата\s+рождения|\bродил(?:ся|ась)|\bрожд(?:\.|ения)"
    r"|\bтуған(?:\s+күні)?|\bг\.\s?р\.)\s*[:=\-–—]?\s*(?:on\s+)?$",
    re.IGNORECASE,
)
_DOB_AFTER = re.compile(
    r"^\s*(?:г\.\s?р\.|г\.?\s+рождения|года?\s+рождения|\(?d\.?o\.?b\.?\)?(?![^\W\d_]))",
    re.IGNORECASE,
)


def _month(word: str) -> int:
    """Month number of an English, Russian or Kazakh month word, 0 if none."""
    for number, pattern in _MONTH_RES:
        if pattern.match(word):
            return number
    return 0


def _years_before(today: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _make_date(year: int, month: int, day: int) -> date | None:
    """A date, or None where the numbers are not one (31.02, a version number)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _dates(text: str, today: date | None) -> list[Finding]:
    """Full dates that are, or are likely to be, dates of birth (see the module docstring)."""
    cutoff = _years_before(today, DOB_MIN_AGE_YEARS) if today else None
    out: list[Finding] = []
    if _DATE_CANDIDATE.search(text) is None:
        return out  # every date form here has a 4-digit year, or is d.m.yy

    def consider(start: int, end: int, year: int, month: int, day: int, short: bool) -> None:
        marked = bool(
            _DOB_BEFORE.search(text[max(0, start - 30) : start])
            or _DOB_AFTER.match(text[end : end + 20])
        )
        if short:
            if not marked:
                return
            pivot = today.year % 100 if today else 30
            year += 1900 if year > pivot else 2000
        found = _make_date(year, month, day) or _make_date(year, day, month)
        if found is None or found.year < 1900:
            return
        if marked or cutoff is None or found < cutoff:
            out.append(_finding(text, "date-of-birth", start, end))

    for m in _DATE_DMY.finditer(text):
        y = m.group(4)
        consider(m.start(), m.end(), int(y), int(m.group(3)), int(m.group(1)), len(y) == 2)
    for m in _DATE_YMD.finditer(text):
        consider(m.start(), m.end(), int(m.group(1)), int(m.group(3)), int(m.group(4)), False)
    for m in _DATE_TEXT_DMY.finditer(text):
        month = _month(m.group(2))
        if month:
            consider(m.start(), m.end(), int(m.group(3)), month, int(m.group(1)), False)
    for m in _DATE_TEXT_MDY.finditer(text):
        month = _month(m.group(1))
        if month:
            consider(m.start(), m.end(), int(m.group(3)), month, int(m.group(2)), False)
    return out


# --------------------------------------------------------------------------------------------
# personal names


def _words(*groups: str) -> frozenset[str]:
    """A set of words from whitespace-separated groups (keeps the lists below compact)."""
    return frozenset(word.replace("ё", "е") for group in groups for word in group.split())


# Exact words (lower case, ё as е) that are never part of a personal name.
_ALLOW_WORDS = _words(
    # function words, numbers and directions that start sentences
    "a an the in on at to of for from by with and or but not no yes this that these those it",
    "its he she they we i after before during until since while when where who which what why",
    "how one two three four five six seven eight nine ten several many some all both each",
    "other first second third last next new old former current north south east west",
    "northern southern eastern western central upper lower greater sir",
    "один одна одно два две три четыре пять шесть семь восемь девять десять",
    # alert vocabulary: categories, risk, handling
    "release released transfer transferred escape escaped recruitment recruiter recruited",
    "contraband threat threats disturbance coordinated extremist extremism material materials",
    "visitor visitors concern category risk low medium high critical handling notice alert",
    "reliability accuracy action requested summary subject reference references note other",
    # places in a facility, administrative units
    "facility facilities colony prison prisons jail unit units block blocks cell cells wing",
    "sector zone camp centre center detention remand institution institutions establishment",
    "region regions oblast district city town village province republic state country capital",
    "border airport station checkpoint street avenue road square park bazaar market mosque",
    "church madrasa school university hospital clinic bank union",
    # institutions and their acronyms
    "ministry justice interior internal affairs security national committee service services",
    "department directorate agency office bureau court prosecutor prosecutors police guard",
    "guards staff officer officers governor director head chief deputy commander liaison",
    "penitentiary correctional criminal executive system penal code article law decree order",
    "general main special federal military customs migration intelligence transport escort",
    "convoy medical team group council commission board registry records archive case file",
    "programme program project rehabilitation deradicalisation deradicalization psychologist",
    "psychological chaplain probation parole purpose",
    "uis kuis duis guis gsin gknb knb scns gkns mvd mju mia osce un unodc icrc interpol",
    "europol eu cis csto sco cctv sim imei gps vpn sms id pin iin inn nato",
    "мвд кнб гкнб гсин уис куис дуис гуис ук укрк рк оон обсе снг одкб шос интерпол",
    # movements, religion, titles that are not names
    "isis isil daesh is iskp ansarullah jamaat jamaatul hizb tahrir jabhat nusra taliban",
    "qaeda al-qaeda jihad jihadist jihadists salafi salafist takfir takfiri islamic islam",
    "muslim muslims quran koran hadith imam prophet sheikh mufti allah sharia ummah caliphate",
    "katibat tavhid tawhid jund khilafah khorasan wilayat emir amir",
    # apps and devices
    "telegram whatsapp signal viber imo facebook instagram tiktok youtube vk vkontakte",
    "odnoklassniki twitter google android iphone samsung xiaomi nokia",
    # calendar
    "monday tuesday wednesday thursday friday saturday sunday january february march april",
    "may june july august september october november december jan feb mar apr jun jul aug",
    "sep sept oct nov dec",
    # countries, peoples
    "kazakhstan kyrgyzstan kirghizia tajikistan uzbekistan turkmenistan afghanistan russia",
    "federation china sweden bulgaria turkey turkiye syria iraq iran pakistan ukraine ukraina",
    "belarus moldova georgia armenia azerbaijan mongolia india egypt europe europa asia",
    "germany france poland italy netherlands belgium austria norway finland denmark czechia",
    "usa us uk america american united states kingdom arabia saudi jordan libya qatar uae",
    "emirates israel palestine lebanon yemen somalia indonesia malaysia bangladesh",
    "kazakh kazakhs kyrgyz kirghiz tajik tajiks uzbek uzbeks russian russians turkmen uyghur",
    "uighur afghan syrian iraqi chechen dagestani arab arabic english",
    "казахстан кыргызстан киргизия таджикистан узбекистан туркменистан афганистан россия рф",
    "китай турция сирия ирак иран пакистан украина молдова грузия европа азия",
    # Kazakhstan: regions and cities
    "almaty astana nur-sultan akmola aqmola karaganda karagandy qaraghandy shymkent aktobe",
    "aqtobe atyrau aktau aqtau oral uralsk kostanay qostanay pavlodar semey semipalatinsk",
    "oskemen ust-kamenogorsk petropavl petropavlovsk kokshetau taraz zhambyl jambyl kyzylorda",
    "qyzylorda turkestan turkistan taldykorgan taldyqorgan zhetysu jetisu abai abay ulytau",
    "mangystau mangistau zhezkazgan jezkazgan ekibastuz temirtau balkhash baikonur baykonur",
    "konaev kapshagay zhanaozen stepnogorsk rudny satpayev shchuchinsk",
    "алматы астана нур-султан",
    # Kyrgyzstan
    "bishkek osh chui chuy issyk-kul ysyk-kol naryn talas jalal-abad jalalabad batken",
    "karakol tokmok kara-balta kant uzgen kyzyl-kiya",
    "ош чуй нарын талас баткен бишкек иссык-куль джалал-абад жалал-абад кара-балта кант",
    # Tajikistan
    "dushanbe sughd sogd khatlon gbao gorno-badakhshan badakhshan khujand kulob kulyab",
    "bokhtar qurghonteppa kurgan-tube khorog istaravshan panjakent penjikent tursunzoda",
    "tursunzade vahdat hisor gissar rasht isfara konibodom kanibadam vakhsh nurek",
    "душанбе согд хатлон гбао",
    # elsewhere, including places and English words that end like surnames (-ov, -in, -ina)
    "tashkent samarkand bukhara fergana ferghana andijan namangan termez urumqi kabul kunduz",
    "mazar-i-sharif moscow novosibirsk omsk orenburg chelyabinsk yekaterinburg ekaterinburg",
    "rostov saratov tambov pskov kirov korolev kiev kyiv kishinev chisinau berlin turin",
    "dublin istanbul ankara damascus idlib raqqa mosul baghdad tehran mecca makkah medina",
    "madinah dubai bahrain britain spain argentina kremlin latin again within certain captain",
    "mountain origin domain admin login bulletin cabin basin margin cousin begin geneva",
    "embassy consulate",
    "kurchatov gafurov ghafurov",
    # weapons named after people
    "kalashnikov makarov dragunov tokarev simonov molotov",
)
# Stems (lower case, ё as е) of words that inflect (Карагандинской, Бишкеке, Russia's): a word
# is allowed if it is a stem plus at most five letters that do not look like a surname ending.
_ALLOW_STEMS = _words(
    """
    алмат астан акмол караганд шымкент актюб актоб атырау актау мангист мангыст уральск
    западно-казахстан восточно-казахстан северо-казахстан костана павлодар семе семипалатин
    усть-каменогорск петропавловск кокшета тараз жамбыл кызылорд туркестан талдыкорган жетыс
    жетіс абайск улытау жезказган экибастуз темирта балхаш байконур конаев капчага жанаозен
    степногорск рудн сатпаев щучинск казахстан казахск казах алматинск карагандинск
    акмолинск актюбинск кызылординск павлодарск костанайск жамбылск туркестанск мангистауск
    атырауск улытауск жетысуск шымкентск астанинск
    бишкек ошск чуйск иссык-кул нарынск таласск баткенск джалал-абад жалал-абад каракол
    токмок кара-балт узген кызыл-ки кыргызстан кыргыз киргиз
    душанбе душанбинск согд хатлон горно-бадахшан бадахшан худжанд кулоб куляб бохтар
    курган-тюб хорог истаравшан пенджикент панджакент турсунзад турсунзод вахдат гиссар хисор
    рашт исфар канибадам нурек вахш таджикистан таджик
    узбекистан узбек ташкент самарканд бухар ферган андижан наманган термез туркмен афганистан
    афган кабул росси российск москв московск новосибирск омск оренбург челябинск
    екатеринбург ростов саратов тамбов псков киров королев киев кишинев турци сири ирак иран
    пакистан китай европ украин федераци республик государств исламск германи франци польш
    итали нидерланд бельги австри норвеги финлянди дани чехи сша америк великобритани
    соединенн королевств саудовск арави иордани ливи катар оаэ эмират израил палестин ливан
    йемен сомали индонези малайзи бангладеш инди египт грузи армени азербайджан беларус
    белорусси молдов монголи швеци болгари
    аллах пророк имам шейх муфти коран ислам эмир амир джамаат джихад халифат шариат
    министерств юстици внутренн комитет департамент управлени служб учреждени колони тюрьм
    следственн изолятор уголовн исполнительн пенитенциарн генеральн прокуратур освобожд
    этапир перевод побег вербовк вербовщик угроз запрещ экстремист посетител телефон
    контрабанд массов беспоряд област район город сотрудник камер отряд телеграм ватсап
    январ феврал март апрел июн июл август сентябр октябр ноябр декабр понедельник вторник
    сред четверг пятниц суббот воскресень
    karagand kazakhstan kyrgyzstan tajikistan uzbekistan afghanistan penitentiar extremis
    recruit transfer releas
    курчатов гафуров калашников макаров драгунов токарев симонов молотов
    """
)
# Words after which one capitalised word is already a person ("prisoner Smith", "гр. Иванов").
_PERSON_WORDS = _words(
    "prisoner prisoners inmate inmates convict convicts detainee detainees citizen citizens",
    "suspect suspects accused mr mrs ms dr mister alias aka nicknamed nickname surname",
    "кличка кличке кличкой прозвище псевдоним фамилия фамилией гр г-н г-жа",
)
_PERSON_STEMS = ("осужденн", "заключенн", "граждан", "подозреваем", "обвиняем")
# Separate words that join given names and patronymics (Kyrgyz "уулу", Uzbek "ugli"...).
_PARTICLES = _words(
    "uulu kyzy qizi ugli ogly o'g'li uly ibn уулу кызы қызы угли оглы ўғли улы ұлы ибн"
)
# Frequent given names of the region (Latin and Cyrillic): next to another capitalised word
# they make a name even without a surname suffix ("Sherzod Karimi").
_GIVEN_NAMES = _words(
    "ivan sergey sergei aleksandr alexander aleksey alexey dmitry dmitriy andrey andrei nikolai",
    "vladimir viktor yuri pavel oleg igor mikhail maksim maxim artem denis evgeny olga",
    "elena tatiana natalia irina svetlana anna maria",
    "nursultan nurlan yerlan erlan yerzhan erzhan aibek daniyar marat askar ruslan timur alibek",
    "arman serik talgat kairat kanat bolat yerbol erbol asylbek almas almaz azamat bakyt",
    "bakytbek nurbek ermek emil kubanychbek chyngyz tilek aizhan aigerim gulnara dinara aliya",
    "madina zarina saule ainur assel",
    "sherzod farrukh firuz bakhtiyor jamshed jamshid dilshod umed rustam emomali rahmon",
    "rakhmon faridun parviz shamsiddin saidali saidjon mahmadali nasriddin khurshed dilnoza",
    "nigina manizha farangis",
    "muhammad muhammed mukhammad mohammed mohammad ahmad akhmad ahmed ali umar omar abdullah",
    "abdulla ibrahim ismail yusuf khalid hamza bilal usman osman hussein husain hasan hassan",
    "иван сергей александр алексей дмитрий андрей николай владимир виктор юрий павел олег игорь",
    "михаил максим артем денис евгений ольга елена татьяна наталья ирина светлана",
    "нурсултан нурлан ерлан ержан айбек данияр марат аскар руслан тимур алибек арман серик",
    "талгат кайрат канат болат ербол асылбек алмас алмаз азамат бакыт бакытбек нурбек ермек",
    "эмиль кубанычбек чынгыз тилек айжан айгерим гульнара динара алия мадина зарина сауле",
    "айнур асель",
    "шерзод фаррух фируз бахтиёр джамшед джамшид дилшод умед рустам эмомали рахмон фаридун",
    "парвиз шамсиддин саидали саиджон махмадали насриддин хуршед дилноза нигина манижа",
    "мухаммад мухаммед ахмад ахмед али умар омар абдулла ибрагим исмаил юсуф халид хамза",
    "билал усман осман хусейн хасан",
)

_ABBREV = _words("u.s. u.k. u.n. e.u. р.ф. р.к. к.р. р.т. с.ш.")


_TAIL = r"(?:['’-][^\W\d_]+)*"
_WORD = rf"[^\W\d_]+{_TAIL}"
_TOKEN = re.compile(rf"(?P<init>(?<![^\W\d_])[^\W\d_]\.)|(?P<word>{_WORD})")
# The fast path reads only initials and words that start with a capital (of Latin, Greek or
# Cyrillic: the class also holds some lower-case letters, which do no harm). When a text holds
# no person word, no particle and no other capital, every other word has no role, and leaving
# it out changes nothing (a name run needs the gap between its tokens to be blank) while it
# skips most of the work on ordinary text.
_CAPITALS = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u024f\u0370-\u03ff\u0400-\u042f\u0460-\u052f"
_OTHER_CASED = re.compile(f"[{_CAPITALS}]+")
_CAPS_TOKEN = re.compile(
    rf"(?=[{_CAPITALS}])(?:(?P<init>(?<![^\W\d_])(?<![^\W\d_]['’-])[{_CAPITALS}]\.)"
    rf"|(?P<word>(?<![^\W\d_])(?<![^\W\d_]['’-])[{_CAPITALS}][^\W\d_]*(?:['’-][^\W\d_]+)*))"
)
_WORDS = re.compile(_WORD)
_PERSONISH = _PERSON_WORDS | _PARTICLES
_GAP = re.compile(r"[ \t\u00a0]{1,3}|,[ \t\u00a0]{1,2}")
_INIT_GAP = re.compile(r"[ \t\u00a0]{0,2}")
_PERSON_GAP = re.compile(r"\.?[ \t\u00a0]{1,3}")
_PATRONYMIC = re.compile(
    r"^[^\W\d_]{3,}(?:ovich|evich|ovych|ovitch|ovna|evna|ichna"
    r"|(?:ович|евич)(?:а|у|ем|е)?|(?:овн|евн|ичн)(?:а|ы|е|у)|ьич)$"
)
_PATRONYMIC_ATTACHED = re.compile(
    r"[^\W\d_]{3,}(?:uly|ully|kyzy|qizi|ugli|ogly|улы|ұлы|кызы|қызы)$"
)
_SURNAME = re.compile(
    r"[^\W\d_]{2,}(?:"
    r"(?:ov|ev|yn)a?|(?<![ae])ina?|zoda|zade|zada|bek|bekova?|sky|skiy|skii|skaya|enko|yan"
    r"|(?:ов|ев|ин|ын)(?:а|у|ым|ой|ом|е|ы|ых)?|зода|заде|зада|бек(?:а|у|ом|е)?|ян|енко"
    r")$"
)
# Endings that make a surname on their own, without a second capitalised word.
_STRONG_SURNAME = re.compile(
    r"[^\W\d_]{3,}(?:(?:ov|ev)a?|zoda|zade|(?:ов|ев)(?:а|у|ым|ой|ом|е|ы|ых)?|зода|заде)$"
)
# A stem plus one of these is a surname built on a place or a word (Семенов from "семе").
_SURNAME_REST = re.compile(r"ов|ев|ин|ын|зод|зад|бек|ov|ev|in|yn|zod|zad|bek")


def _is_surname(word: str) -> bool:
    """True if any part of a (possibly hyphenated) lower-case word has a surname ending."""
    return any(_SURNAME.match(part) for part in re.split(r"[-']", word))


class _Tok(NamedTuple):  # a tuple: made for every word of every text checked
    text: str
    start: int
    end: int
    role: str  # "cap", "init", "particle", "person" (a person word), "" (breaks a name)


def _norm(word: str) -> str:
    """Lower case with ё as е and one apostrophe, so lists need one spelling per word."""
    return word.lower().replace("ё", "е").replace("’", "'")


def _is_allowed(word: str) -> bool:
    """True for words on the allow-list (places, institutions, months...) in any inflection."""
    w = _norm(word)
    if w.endswith("'s"):
        w = w[:-2]
    if w in _ALLOW_WORDS:
        return True
    for stem in _ALLOW_STEMS:
        if w.startswith(stem):
            rest = w[len(stem) :]
            if len(rest) <= 5 and not _SURNAME_REST.search(rest):
                return True
    return False


def _is_given(word: str) -> bool:
    """True for a listed given name, also in a Russian case form."""
    w = _norm(word)
    if w in _GIVEN_NAMES:
        return True
    # Russian case endings: Ивана, Ивану, Иваном, Андрея, Рустаму...
    return any(
        w.endswith(end) and (w[: -len(end)] in _GIVEN_NAMES or w[: -len(end)] + "й" in _GIVEN_NAMES)
        for end in ("а", "у", "ом", "ем", "е", "я", "ю", "ы", "ой")
    )


@functools.lru_cache(maxsize=1 << 16)
def _classify(word: str, is_init: bool) -> str:
    """The token's role in a name run; "" for anything that ends a run."""
    if is_init:
        return "init" if word[0].isupper() else ""
    w = _norm(word)
    if w in _PARTICLES:
        return "particle"
    if w in _PERSON_WORDS or w.startswith(_PERSON_STEMS):
        return "person"
    if not word[0].isupper() or _is_allowed(word):
        return ""
    letters = [c for c in word if c.isalpha()]
    if all(c.isupper() for c in letters) and len(letters) < 4:
        return ""  # a short acronym (UIS, KNB), not a name
    return "cap"


def _tokens(text: str) -> list[_Tok]:
    """Words and initials that can take part in a name, with their roles; dotted country
    abbreviations (U.S., Р.К.) are not initials.

    A word without a role only ends a name run, and so does the gap it leaves (a run needs
    blank gaps between its tokens), so such words are left out: the fast path reads only
    capitalised words and initials, plus the person words and particles the text holds. A
    capital of another script, or a lower-casing that changes the text's length, takes the
    full reading of every word."""
    lowered = _norm(text)
    rest = _OTHER_CASED.sub("", text)
    if rest != rest.lower() or len(lowered) != len(text):
        matches = list(_TOKEN.finditer(text))
    else:
        matches = list(_CAPS_TOKEN.finditer(text))
        present = set(_PERSONISH.intersection(_WORDS.findall(lowered)))
        present.update(stem for stem in _PERSON_STEMS if stem in lowered)
        if present:
            capital = {m.start() for m in matches}
            for word in present:
                matches += [m for m in _word_at(word).finditer(lowered) if m.start() not in capital]
            matches.sort(key=lambda m: m.start())
    out: list[_Tok] = []
    for m in matches:
        start, end = m.start(), m.end()
        word = text[start:end]
        role = _classify(word, "init" in m.re.groupindex and m.group("init") is not None)
        if role:
            out.append(_Tok(word, start, end, role))
    for k in range(len(out) - 1):
        a, b = out[k], out[k + 1]
        if a.role == b.role == "init" and a.end == b.start and _norm(a.text + b.text) in _ABBREV:
            out[k] = _Tok(a.text, a.start, a.end, "")
            out[k + 1] = _Tok(b.text, b.start, b.end, "")
    return out


@functools.lru_cache(maxsize=256)
def _word_at(word: str) -> re.Pattern[str]:
    """Where a person word or particle (or a word on a person stem) stands in lower-cased text,
    as a whole token."""
    if word in _PERSON_STEMS:
        return re.compile(rf"(?<![^\W\d_])(?<![^\W\d_]['’-]){re.escape(word)}[^\W\d_]*{_TAIL}")
    return re.compile(
        rf"(?<![^\W\d_])(?<![^\W\d_]['’-]){re.escape(word)}(?![^\W\d_]|['’-][^\W\d_])"
    )


def _name_like(word: str) -> bool:
    """True if the word alone looks like part of a name (surname, patronymic, given name)."""
    w = _norm(word)
    return bool(
        _is_surname(w) or _PATRONYMIC.search(w) or _PATRONYMIC_ATTACHED.match(w) or _is_given(w)
    )


def _looks_like_name(seg: list[_Tok], after_person_word: bool, mid_sentence: bool) -> bool:
    """Decide whether one run of capitalised words, initials and particles is a person."""
    caps = [t for t in seg if t.role == "cap"]
    inits = sum(1 for t in seg if t.role == "init")
    if not caps:
        return False
    words = [_norm(t.text) for t in caps]
    if after_person_word or any(_PATRONYMIC.search(w) for w in words):
        return True
    if any(t.role == "particle" for t in seg):
        return True
    surname = any(_is_surname(w) for w in words)
    if inits >= 2 or (inits == 1 and surname):
        return True
    if len(caps) < 2:
        # One word alone: only a strong surname ending (-ov, -eva, -zoda). Cyrillic words at the
        # start of a sentence are skipped: genitive plurals (Телефонов, Обысков) look the same.
        latin = words[0].isascii()
        return bool(_STRONG_SURNAME.match(words[0])) and (latin or mid_sentence)
    return (
        surname
        or any(_PATRONYMIC_ATTACHED.match(w) for w in words)
        or any(_is_given(t.text) for t in caps)
    )


def _names(text: str) -> list[Finding]:
    """Runs of capitalised words that look like a person's name."""
    toks = _tokens(text)
    out: list[Finding] = []
    i = 0
    while i < len(toks):
        if toks[i].role not in ("cap", "init", "particle"):
            i += 1
            continue
        j = i + 1
        while j < len(toks) and toks[j].role in ("cap", "init", "particle"):
            gap = text[toks[j - 1].end : toks[j].start]
            joined_by_init = toks[j - 1].role == "init" or toks[j].role == "init"
            if _GAP.fullmatch(gap) or (joined_by_init and _INIT_GAP.fullmatch(gap)):
                if "," in gap and (toks[j - 1].role != "cap" or toks[j].role != "cap"):
                    break
                j += 1
            else:
                break
        seg = toks[i:j]
        prev = toks[i - 1] if i > 0 else None
        after_person = (
            prev is not None
            and prev.role == "person"
            and _PERSON_GAP.fullmatch(text[prev.end : toks[i].start]) is not None
        )
        before = text[: seg[0].start].rstrip(" \t\u00a0(«\"“'")
        mid_sentence = bool(before) and before[-1] not in ".!?\n"
        if _looks_like_name(seg, after_person, mid_sentence):
            # Drop leading ordinary words ("Contact", "Сестра") while the rest is still a name.
            while (
                not after_person
                and len(seg) > 1
                and seg[0].role == "cap"
                and not _name_like(seg[0].text)
                and _looks_like_name(seg[1:], False, True)
            ):
                seg = seg[1:]
            out.append(_finding(text, "name", seg[0].start, seg[-1].end))
        i = j
    return out


# --------------------------------------------------------------------------------------------
# public API


def _finding(text: str, kind: str, start: int, end: int) -> Finding:
    """A Finding whose excerpt is exactly the span, so callers never re-slice."""
    return Finding(kind, start, end, text[start:end])


def find_pii(text: str, today: date | None = None) -> list[Finding]:
    """Every span of `text` that looks like personal data, in text order, without overlaps.

    `today` decides which full dates are dates of birth (older than `DOB_MIN_AGE_YEARS`) and
    which are events; without it every full date counts, so a caller cannot forget to pass it
    and silently let dates of birth through.
    """
    if len(text) <= _CACHED_LEN:  # short fields (regions, requested actions) repeat
        return list(_find_cached(text, today))
    return _find(text, today)


_CACHED_LEN = 120


@functools.lru_cache(maxsize=1 << 12)
def _find_cached(text: str, today: date | None) -> tuple[Finding, ...]:
    return tuple(_find(text, today))


def _find(text: str, today: date | None) -> list[Finding]:
    candidates = [*_numbers(text), *_dates(text, today), *_names(text)]
    candidates += [
        _finding(text, *span)
        for span in pii_rules.extra_findings(text, today)
        if span.kind != "name" or not _is_allowed(text[span.start : span.end])
    ]
    quiet = pii_rules.suppressed(text)
    candidates = [c for c in candidates if not quiet(c.kind, c.start, c.end)]
    rank = {kind: n for n, kind in enumerate(KINDS)}
    candidates.sort(key=lambda f: (rank[f.kind], -(f.end - f.start), f.start))
    chosen: list[Finding] = []
    for cand in candidates:
        if all(cand.end <= f.start or cand.start >= f.end for f in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda f: f.start)


def _show(text: str, f: Finding) -> str:
    """One finding for the error message: what it is, where, and the text (shortened)."""
    excerpt = f.excerpt if len(f.excerpt) <= _MAX_EXCERPT else f.excerpt[: _MAX_EXCERPT - 3] + "..."
    before = "..." if f.start > 0 else ""
    after = "..." if f.end < len(text) else ""
    return f'{_LABELS[f.kind]}: "{before}{excerpt}{after}" (chars {f.start}-{f.end})'


def check_summary(text: str, today: date, field: str = "summary") -> None:
    """Refuse a summary that holds personal data, naming each span so the author can fix it.

    The message quotes the offending text back to the person who wrote it; log or audit
    `find_pii` kinds and positions instead of this message if the log must stay minimal.
    """
    findings = find_pii(text, today)
    if not findings:
        return
    if len(findings) == 1:
        message = f"{field} contains {_show(text, findings[0])}"
    else:
        message = f"{field} contains {len(findings)} items of personal data: " + "; ".join(
            _show(text, f) for f in findings
        )
    raise MalformedInput(
        message,
        hint="remove or generalise what is shown (a region instead of an address, a birth year "
        'in the subject instead of a date); to publish it anyway pass --allow-pii "reason", which '
        "is audited",
    )
