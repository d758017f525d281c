"""The guard's rules for personal names (see exchange.alerts.pii)."""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from exchange.alerts import pii_rules
from exchange.alerts.pii_finding import Finding, _finding, case_uninformative

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
    # the observers' cities (some are also given names: Sofia)
    "sofia софия plovdiv пловдив varna варна burgas бургас pleven плевен lovech ловеч sliven",
    "сливен pazardzhik пазарджик vratsa враца stockholm стокгольм göteborg goteborg malmö malmo",
    "uppsala kumla hall tidaholm norrköping",
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
    университет институт академи колледж лице гимнази училищ мектеб мектеп донишго
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


@functools.lru_cache(maxsize=1 << 16)
def _is_allowed(word: str) -> bool:
    """True for words on the allow-list (places, institutions, months...) in any inflection;
    cached: the allow-list is fixed, and words repeat across texts."""
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
    if all(c.isupper() for c in letters) and (
        len(letters) < 4 or (len(letters) == 4 and not _is_given(word))
    ):
        return ""  # a short acronym (UIS, KNB, ФСИН), not a name (IVAN is one)
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


def _looks_like_name(
    seg: list[_Tok], after_person_word: bool, mid_sentence: bool, flat_case: bool = False
) -> bool:
    """Decide whether one run of capitalised words, initials and particles is a person;
    `flat_case`: the text's capitals say nothing (see `case_uninformative`), so a surname
    ending alone does not make a name."""
    caps = [t for t in seg if t.role == "cap"]
    inits = sum(1 for t in seg if t.role == "init")
    if not caps:
        return False
    words = [_norm(t.text) for t in caps]
    if after_person_word or any(_PATRONYMIC.search(w) for w in words):
        return True
    if any(
        t.role == "particle" and (k == 0 or pii_rules.father_word(seg[k - 1].text))
        for k, t in enumerate(seg)
    ):
        return True
    if inits >= 2:
        return True
    if flat_case:
        return any(_is_given(t.text) for t in caps)
    surname = any(_is_surname(w) for w in words)
    if inits == 1 and surname:
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
    flat: list[bool] = []  # case_uninformative(text), worked out when first needed
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
        if _looks_like_name(seg, after_person, mid_sentence) and (
            after_person or _looks_like_name(seg, False, mid_sentence, _flat(text, flat))
        ):
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


def _flat(text: str, memo: list[bool]) -> bool:
    if not memo:
        memo.append(case_uninformative(text))
    return memo[0]
