"""Personal details in a child's free text, found for the moderator (CHILD-SAFETY rule 12).

Pure functions: text in, spans out. They over-flag on purpose; the moderator decides, and
"Approve all without highlights" trusts an empty result, so a miss is worse than a false
alarm. Phone numbers: our own deliberately loose pattern, and Google's libphonenumber
(``phonenumbers``) at POSSIBLE leniency for the board's regions (Albania, Kosovo, Bulgaria,
Poland, Romania, Serbia, and the international form), so half-typed numbers show too.
Numbers written in words and Arabic-Indic digits count as phone numbers. Also: emails (also
"x at gmail dot com"), web addresses, social handles (also "my snap is ..."), documents and
IBANs, street addresses in the region's forms, and names: the board's own list, the first
names shipped per language in ``names/<lang>.txt`` (in any case, at any place), names
introduced ("my name is ..."), and capitalised words inside a sentence.

It runs at every child's submission: everything is compiled once, at import.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from phonenumbers import Leniency, PhoneNumberMatcher


class DetailKind(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    URL = "url"
    HANDLE = "handle"
    DOCUMENT = "document"
    NAME = "name"
    ADDRESS = "address"


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    kind: DetailKind

    def as_list(self) -> list:
        return [self.start, self.end, self.kind.value]


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
URL = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b[\w-]+\.(?:com|org|net|info|eu|al|xk|bg|pl|ro|rs|mk|gr|it|nl|me|io|app)(?:/\S*)?\b",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_.]{2,30}")
# A run of digits with the usual separators, optionally international (+ or 00).
PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d \-./()]{5,18}\d(?!\w)")
DATE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")
# Passports and identity cards: letters then digits (AB1234567, J12345678K), or long
# digit runs such as EGN (10), PESEL (11) and CNP (13) personal numbers.
DOCUMENT = re.compile(r"\b[A-Z]{1,3}\d{6,9}[A-Z]?\b|\b\d{10,13}\b")

# "My name is ...", in the languages we ship. After these the next word is a name.
INTRODUCTIONS = re.compile(
    r"(?:my name is|my name's|i am called|i'm called"
    r"|quhem|emri im (?:është|eshte)|më thërrasin"
    r"|казвам се|името ми е|викат ми"
    r"|nazywam się|mam na imię"
    r"|mă numesc|ma numesc|numele meu (?:este|e)"
    r"|zovem se|moje ime je"
    r"|mo anav si|miro anav si|mlo anav si|akharen man|man akharen"
    r"|اسمي|أنا اسمي|ينادونني)\s+",
    re.IGNORECASE,
)
# After these it is a name only when capitalised ("call me Ana", not "call me at").
WEAK_INTRODUCTIONS = re.compile(
    r"(?:call me|i am|i'm|jestem|ja sam|jam|sunt|аз съм)\s+", re.IGNORECASE
)
WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
SENTENCE_END = re.compile(r"[.!?…:;\n]\s*$")
# Capitalised words that are not names, in the source and Latin-script languages.
NOT_NAMES = frozenset(
    [
        "I",
        "I'm",
        "I've",
        "I'd",
        "I'll",
        "OK",
        "Ok",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "English",
        "Albanian",
        "Bulgarian",
        "Polish",
        "Romanian",
        "Serbian",
        "Arabic",
    ]
)

MIN_PHONE_DIGITS = 8
MAX_PHONE_DIGITS = 15


def _phones(text: str):
    for match in PHONE.finditer(text):
        candidate = match.group().strip(" -./")
        digits = sum(ch.isdigit() for ch in candidate)
        if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS or DATE.match(candidate):
            continue
        if candidate.isdigit() and len(candidate) >= 10 and candidate[0] != "0":
            continue  # a personal number (EGN, PESEL, CNP): see DOCUMENT
        start = match.start() + match.group().index(candidate[0])
        yield Span(start, start + len(candidate), DetailKind.PHONE)


def _regex(pattern: re.Pattern, kind: DetailKind, text: str):
    for match in pattern.finditer(text):
        value = match.group().rstrip(".,;:!?)")
        if value:
            yield Span(match.start(), match.start() + len(value), kind)


def _listed_names(text: str, names: Sequence[str]):
    for name in names:
        name = name.strip()
        if len(name) < 2:
            continue
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
        for match in pattern.finditer(text):
            yield Span(match.start(), match.end(), DetailKind.NAME)


def _introduced_names(text: str):
    strong = [(m, True) for m in INTRODUCTIONS.finditer(text)]
    weak = [(m, False) for m in WEAK_INTRODUCTIONS.finditer(text)]
    for match, certain in strong + weak:
        rest = text[match.end() :]
        words = list(WORD.finditer(rest))[:2]
        if not words:
            continue
        first = words[0]
        if rest[: first.start()].strip("\"'“”„«»‘’ "):
            continue  # "I am 12. We came": the word is not the one introduced
        word = first.group()
        caseless = word.lower() == word.upper()
        if not certain and not (word[0].isupper() or caseless):
            continue
        end = first.end()
        # "Ana Maria": a second capitalised word straight after belongs to the name.
        if len(words) > 1 and words[1].group()[0].isupper() and words[1].start() - first.end() <= 1:
            end = words[1].end()
        yield Span(match.end() + first.start(), match.end() + end, DetailKind.NAME)


def _capitalised_words(text: str):
    """Capitalised words inside a sentence: names and places, mostly."""
    for match in WORD.finditer(text):
        word = match.group()
        if not word[0].isupper() or word in NOT_NAMES or word.isupper() and len(word) > 1:
            continue
        before = text[: match.start()]
        if not before.strip() or SENTENCE_END.search(before) or before.rstrip().endswith('"'):
            continue
        yield Span(match.start(), match.end(), DetailKind.NAME)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The board's regions: the countries of the shipped languages (Albania and Kosovo, Bulgaria,
# Poland, Romania, Serbia). A number in international form (+48 ..., 0048 ...) is found
# whatever the region; Arabic-speaking children mostly write local numbers of where they live.
REGIONS = ("AL", "XK", "BG", "PL", "RO", "RS")


def regions_for(country: str | None) -> tuple[str, ...]:
    """The regions whose phone formats are looked for on a board in ``country``."""
    country = (country or "").upper()
    return REGIONS if not country or country in REGIONS else (country, *REGIONS)


# libphonenumber costs about 100 µs a region: run it only where there are enough digits.
# Six digits ("069 123") is a number begun; five or fewer is a year, a price, an hour.
MIN_DIGITS_FOR_LIBRARY = 6
TIME = re.compile(r"^\d{1,2}[:.]\d{2}$")

# Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits, one character for one, so that
# every span found in the translated text is the same span in the child's text.
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹"
TO_ASCII_DIGITS = str.maketrans(ARABIC_INDIC, "0123456789" * 2)
ARABIC_INDIC_RUN = re.compile(rf"[{ARABIC_INDIC}](?:[{ARABIC_INDIC} \-./]*[{ARABIC_INDIC}]){{4,}}")


# Where the library may find a number: runs of digits and separators. Running it on these
# alone, and on an international number once rather than once a region, keeps it cheap.
PHONE_WINDOW = re.compile(r"(?:\+|00)?[\d(][\d \-./()]{4,}\d")


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _library_phones(text: str, regions) -> Iterator[Span]:
    if _digit_count(text) < MIN_DIGITS_FOR_LIBRARY:
        return
    for window in PHONE_WINDOW.finditer(text):
        chunk = window.group()
        if _digit_count(chunk) < MIN_DIGITS_FOR_LIBRARY:
            continue
        tried = regions[:1] if chunk.startswith(("+", "00")) else regions
        for region in tried:
            found = [
                match
                for match in PhoneNumberMatcher(chunk, region, Leniency.POSSIBLE)
                if _digit_count(match.raw_string) >= MIN_DIGITS_FOR_LIBRARY
                # The matcher takes "12.05.2024" for a number; a date or a time is not one.
                and not DATE.match(match.raw_string.strip())
                and not TIME.match(match.raw_string.strip())
            ]
            for match in found:
                yield Span(
                    window.start() + match.start, window.start() + match.end, DetailKind.PHONE
                )
            if found:
                break


def _arabic_indic_phones(text: str) -> Iterator[Span]:
    """Five or more Arabic-Indic digits in a row are read as a phone number."""
    for match in ARABIC_INDIC_RUN.finditer(text):
        yield Span(match.start(), match.end(), DetailKind.PHONE)


# Numbers written in words, in every shipped language ("zero six nine one two ...").
NUMBER_WORDS = _words(
    """
    zero oh one two three four five six seven eight nine ten eleven twelve twenty thirty forty
    fifty sixty seventy eighty ninety
    një nje dy tre katër kater pesë pese gjashtë gjashte shtatë shtate tetë tete nëntë nente
    dhjetë dhjete
    нула едно един една две два три четири пет шест седем осем девет десет
    jeden jedna dwa dwie trzy cztery pięć piec sześć szesc siedem osiem dziewięć dziewiec
    dziesięć
    unu una doi două doua trei patru cinci șase şase sase șapte şapte sapte opt nouă noua zece
    nula jedan jedno dva dve tri četiri cetiri pet šest sest sedam osam devet deset
    jekh jek duj dui trin štar shtar pandž pandzh panč panc šov shov efta oxto ohto inja enja
    deš desh
    један седам осам
    صفر واحد اثنان اثنين اتنين ثلاثة ثلاث تلاتة أربعة اربعة أربع اربع خمسة خمس ستة ست سبعة
    سبع ثمانية ثمان تمانية تسعة تسع عشرة
    """
)
NUMBER_TOKEN = re.compile(r"[^\W_]+")
NUMBER_GAP = re.compile(r"[\s,.\-/]*")
MIN_NUMBER_WORDS = 4


def _number_word(token: str) -> bool:
    word = token.lower()
    if word in NUMBER_WORDS:
        return True
    # Arabic joins "and" to the next word: "وخمسة".
    return word.startswith("و") and word[1:] in NUMBER_WORDS


def _numbers_in_words(text: str) -> Iterator[Span]:
    """A run of four or more number words (digits may be mixed in) is a number spelt out."""
    run: list[re.Match] = []
    words = 0

    def flush():
        if len(run) >= MIN_NUMBER_WORDS and words >= 2:
            yield Span(run[0].start(), run[-1].end(), DetailKind.PHONE)

    for match in NUMBER_TOKEN.finditer(text):
        token = match.group()
        is_word = _number_word(token)
        if is_word or (token.isdigit() and len(token) <= 4):
            joined = bool(run) and NUMBER_GAP.fullmatch(text, run[-1].end(), match.start())
            if not joined:
                yield from flush()
                run, words = [], 0
            run.append(match)
            words += is_word
        else:
            yield from flush()
            run, words = [], 0
    yield from flush()


# "x at gmail dot com", "x [at] y [dot] com", "x(at)abv(dot)bg", in the shipped languages.
_AT = r"at|et|majmun(?:če|ce|ce)?|ma[łl]p(?:a|ka)|маймунка|кльомба|arond|a\s+rond|@"
_DOT = r"dot|pik[aë]|точка|kropka|punct|ta[čc]ka|نقطة"


def _spelt(words: str) -> str:
    return rf"(?:\s*[\[({{<]\s*(?:{words})\s*[\])}}>]\s*|\s+(?:{words})\s+)"


OBFUSCATED_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]{{2,}}{_spelt(_AT)}[\w-]+(?:(?:{_spelt(_DOT)}|\.)[a-z]{{2,6}}(?![\w]))+",
    re.IGNORECASE,
)
# "ana at gmail", with nothing after: the big providers are enough to know.
PROVIDER_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]{{2,}}{_spelt(_AT)}"
    r"(?:gmail|googlemail|yahoo|hotmail|outlook|icloud|abv|yandex|onet|interia|protonmail)(?!\w)",
    re.IGNORECASE,
)

# IBANs: two letters, two check digits, 11 to 30 letters and digits, often in groups of 4.
IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{1,4}){3,9}", re.IGNORECASE)
IBAN_LENGTHS = range(15, 35)
# The region's countries and where its families send money from: the length is fixed there.
IBAN_LENGTH = {
    "AL": 28, "XK": 20, "BG": 22, "PL": 28, "RO": 24, "RS": 22, "ME": 22, "MK": 19, "BA": 20,
    "GR": 27, "IT": 27, "NL": 18, "DE": 22, "AT": 20, "FR": 27, "ES": 24, "GB": 22, "TR": 26,
    "BE": 16, "CH": 21, "SE": 24, "HR": 21, "HU": 28, "SI": 19, "UA": 29, "IE": 22, "PT": 25,
}  # fmt: skip


def _iban_valid(compact: str) -> bool:
    if not compact[:2].isalpha():
        return False
    if (
        len(compact) != IBAN_LENGTH.get(compact[:2], len(compact))
        or len(compact) not in IBAN_LENGTHS
    ):
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def _ibans(text: str) -> Iterator[Span]:
    """IBANs whose checksum holds (ISO 13616, mod 97), trailing words trimmed off."""
    for match in IBAN.finditer(text):
        groups = list(re.finditer(r"[A-Za-z0-9]+", match.group()))
        for last in range(len(groups), 0, -1):
            compact = "".join(g.group() for g in groups[:last]).upper()
            if _iban_valid(compact):
                yield Span(
                    match.start(), match.start() + groups[last - 1].end(), DetailKind.DOCUMENT
                )
                break


# Street addresses. After an abbreviation ("ul.", "бул.", "str.") the next words are the
# street; after a full word ("ulica", "rruga", "strada", "شارع") only when a house number
# follows or the next word is capitalised ("ulica była brudna" is just a street).
_STREET_ABBREVIATIONS = (
    r"ul\.|al\.|os\.|pl\.|rr\.|blv\.|bul\.|bulv\.|str\.|bd\.|b-dul|șos\.|sos\.|şos\.|"
    r"ул\.|бул\.|ж\.к\.|жк\.?|кв\."
)
_STREET_WORDS = (
    r"ulica|ulicy|ulicę|ulice|alei|aleja|aleje|osiedle|osiedlu|plac|placu|"
    r"rruga|rrugën|rrugen|rrugës|rruges|rruges|bulevardi|bulevardit|lagja|lagjen|lagjes|lagjja|"
    r"strada|străzii|strazii|bulevardul|calea|aleea|șoseaua|soseaua|cartierul|"
    r"ulici|ulicu|bulevar|bulevaru|trg|trgu|naselje|naselju|"
    r"улица|улицата|булевард|булевардa|квартал|"
    r"street|road|avenue|شارع"
)
STREET_KEY = re.compile(
    rf"(?<!\w)(?:(?P<abbr>{_STREET_ABBREVIATIONS})|(?P<word>{_STREET_WORDS})(?!\w))",
    re.IGNORECASE,
)
HOUSE_NUMBER = re.compile(
    r"\s*,?\s*(?:(?:nr|no|br|бр|№)\.?\s*)?\d{1,4}(?:[a-zA-Zа-я])?(?:\s*/\s*\d{1,4})?(?!\w)",
    re.IGNORECASE,
)
STREET_NAME_WORD = re.compile(r"\s+([^\W\d_][\w'’-]*\.?)|\s*([^\W\d_][\w'’-]*)(?<=\.\w)")
# "12 Main Street", "5 Kings Rd".
ENGLISH_ADDRESS = re.compile(
    r"(?<![\w.,])\d{1,4}[a-z]?\s+"
    r"(?:(?!(?:the|a|an|in|on|at|of|and|to|from|for|with|my|our|big|small|long)\b)"
    r"[A-Za-z][\w'-]*\s+){1,3}"
    r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|way|square|sq|boulevard|blvd|close|"
    r"crescent|place|terrace|court|gardens)\b\.?",
    re.IGNORECASE,
)
# "Kneza Miloša 10", "Na Marszałkowskiej 12": two capitalised words and a house number.
NAMED_ADDRESS = re.compile(
    r"(?<!\w)([A-ZÀ-ÖØ-ÞĀ-ŽА-Я][\w'’-]+)\s+([A-ZÀ-ÖØ-ÞĀ-ŽА-Я][\w'’-]+)\s+\d{1,4}[a-z]?(?!\w)"
)
MAX_STREET_WORDS = 3


def _streets(text: str) -> Iterator[Span]:
    for key in STREET_KEY.finditer(text):
        position, number_end = key.end(), None
        words: list[re.Match[str]] = []
        while len(words) < MAX_STREET_WORDS:
            number = HOUSE_NUMBER.match(text, position)
            if number:
                number_end = number.end()
                break
            word = STREET_NAME_WORD.match(text, position)
            if not word:
                break
            words.append(word)
            position = word.end()
        if number_end is None and words:
            # "ul. Marszałkowska" or "Rruga e Durrësit": no number, but a name.
            number = HOUSE_NUMBER.match(text, words[-1].end())
            if number:
                number_end = number.end()
        if number_end is not None:
            yield Span(key.start(), number_end, DetailKind.ADDRESS)
            continue
        if not words:
            continue
        first = words[0].group(1) or words[0].group(2)
        caseless = first.lower() == first.upper()
        if key.group("abbr") or first[0].isupper() or caseless:
            # The capitalised words that follow belong to the street's name.
            end = words[0].end()
            for word in words[1:]:
                value = word.group(1) or word.group(2)
                if not value[0].isupper():
                    break
                end = word.end()
            yield Span(key.start(), end, DetailKind.ADDRESS)
    for match in ENGLISH_ADDRESS.finditer(text):
        yield Span(match.start(), match.end(), DetailKind.ADDRESS)
    for match in NAMED_ADDRESS.finditer(text):
        pair = match.group(1, 2)
        # "IBAN AL47 2121": codes and acronyms are not a street's name.
        if any(w in NOT_NAMES or w.isupper() or not w.isalpha() for w in pair):
            continue
        yield Span(match.start(), match.end(), DetailKind.ADDRESS)


# Social handles written in words: "my snap is ana_k22", "insta: ana", "add me on tiktok
# dancer", "snapi im është ...", "инстата ми е ...", "snap-ul meu e ...", "سنابي ...".
_PLATFORMS = (
    r"instagram|insta|ig|tik\s?tok|snapchat|snap|facebook|fb|messenger|telegram|tg|whatsapp|"
    r"viber|signal|discord|twitter|kik|youtube|"
    r"инстаграм|инста|снапчат|снап|тикток|фейсбук|фб|телеграм|вайбър|вайбер|уатсап|вотсап|"
    r"انستغرام|انستجرام|انستا|سناب\s?شات|سناب|تيك\s?توك|فيسبوك|فيس|تلغرام|تيليجرام|واتساب|واتس"
)
PLATFORM = re.compile(
    rf"(?<!\w)(?:{_PLATFORMS})(?:[-‑]?(?:ul|ului|i|in|it|ën|en|a|ata|ie|u|em|ът|та|а|у|ом|ي))?(?!\w)",
    re.IGNORECASE,
)
# Possessive and "add me" cues, before or after the platform's name.
HANDLE_CUE_BEFORE = re.compile(
    r"(?:\bmy|\bmine|add me on|follow me on|find me on|message me on|text me on|dm me on|"
    r"\bmoj[ae]?|\bmój|\bmoje|dodaj me na|dodaj mnie na|napisz na|pisz na|piši mi na|"
    r"\bmeu|adaugă-mă pe|adauga-ma pe|scrie-mi pe|më shto në|me shto ne|më gjej në|"
    r"shkruaj në|shkruaj ne|добави ме в|добави ме във|пиши ми в|пиши ми на|моят|моя|"
    r"ضيفني على|ضيفني ع|تابعني على|حسابي على|حسابي ب)\s*$",
    re.IGNORECASE,
)
HANDLE_FILLER = _words(
    """
    is it's its me my mine on as name account id username user handle called -
    im ime imi ime është eshte e është: emri llogaria
    je jest to mi moj moja moje mój ime nalog konto profil na
    е ми моят моя профил акаунт името
    este meu e ul contul numele pe
    هو هي اسمي حسابي على ع
    """
)
HANDLE_POSSESSIVES = _words("im ime imi mi ми meu moj moja mój my mine")
HANDLE_WORD = re.compile(r"\s*[:=–-]?\s*(@?[\w.]+)")
MAX_HANDLE_FILLERS = 4


def _handle_looking(token: str) -> bool:
    return token.startswith("@") or any(ch.isdigit() or ch in "_." for ch in token.strip("."))


def _written_handles(text: str) -> Iterator[Span]:
    for platform in PLATFORM.finditer(text):
        before = text[max(0, platform.start() - 24) : platform.start()]
        strong = bool(HANDLE_CUE_BEFORE.search(before)) or platform.group().endswith("ي")
        position = platform.end()
        for _ in range(MAX_HANDLE_FILLERS + 1):
            word = HANDLE_WORD.match(text, position)
            if not word:
                break
            token = word.group(1).rstrip(".")
            if ":" in text[position : word.start(1)] or "=" in text[position : word.start(1)]:
                strong = True
            if token.lower() in HANDLE_FILLER:
                strong = strong or token.lower() in HANDLE_POSSESSIVES
                position = word.end()
                continue
            if len(token) >= 2 and (strong or _handle_looking(token)):
                yield Span(word.start(1), word.start(1) + len(token), DetailKind.HANDLE)
            break


# First names shipped as data, one file per shipped language (board/text/names/).
NAMES_FOLDER = Path(__file__).with_name("names")


def _load_first_names() -> frozenset[str]:
    names = set()
    for path in sorted(NAMES_FOLDER.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                names.add(line.lower())
    return frozenset(names)


FIRST_NAMES = _load_first_names()
# Case endings tried off a word before looking it up ("z Kasią", "sa Markom", "Ивану"); only
# endings that no English, Albanian or Romanian word would lose to become a name.
NAME_ENDINGS = ("iem", "om", "em", "ą", "ę", "ом", "ем", "у")
MIN_INFLECTED = 4
MIN_STEM = 3  # "avem" is not Ava


def _is_first_name(word: str) -> bool:
    word = word.lower()
    if word in FIRST_NAMES:
        return True
    if word.startswith("و") and word[1:] in FIRST_NAMES:  # Arabic "and": "ومحمد"
        return True
    if len(word) >= MIN_INFLECTED:
        for ending in NAME_ENDINGS:
            if word.endswith(ending):
                stem = word[: -len(ending)]
                if len(stem) < MIN_STEM:
                    continue
                if stem in FIRST_NAMES or stem + "a" in FIRST_NAMES or stem + "o" in FIRST_NAMES:
                    return True
    return False


def _first_names(text: str) -> Iterator[Span]:
    """First names from the shipped lists, anywhere and in any case ("ana said", "Dritan")."""
    for match in WORD.finditer(text):
        word = match.group()
        parts = [(match.start(), word)]
        if "-" in word:  # "Ana-Maria"
            offset = match.start()
            parts = []
            for part in word.split("-"):
                parts.append((offset, part))
                offset += len(part) + 1
        for start, part in parts:
            part = part.rstrip("'’")
            if part and _is_first_name(part):
                yield Span(start, start + len(part), DetailKind.NAME)


def find_personal_details(text: str, names: Sequence[str] = (), regions=REGIONS) -> list[Span]:
    """Spans of ``text`` that may identify or locate a child, merged and in order."""
    if not text:
        return []
    plain = text.translate(TO_ASCII_DIGITS)  # same length: spans carry over
    found = [
        *_arabic_indic_phones(text),
        *_regex(EMAIL, DetailKind.EMAIL, plain),
        *_regex(OBFUSCATED_EMAIL, DetailKind.EMAIL, plain),
        *_regex(PROVIDER_EMAIL, DetailKind.EMAIL, plain),
        *_written_handles(plain),  # before web addresses: "my insta is niki.bg" is a handle
        *_regex(URL, DetailKind.URL, plain),
        *_regex(HANDLE, DetailKind.HANDLE, plain),
        *_ibans(plain),
        *_phones(plain),
        # Before the library's phones: where both see one run, a personal number wins.
        *_regex(DOCUMENT, DetailKind.DOCUMENT, plain),
        *_library_phones(plain, regions),
        *_numbers_in_words(plain),
        *_streets(plain),
        *_listed_names(plain, names),
        *_first_names(plain),
        *_introduced_names(plain),
        *_capitalised_words(plain),
    ]
    return merge(found)


def merge(spans: list[Span]) -> list[Span]:
    """Overlapping spans become one; the kind of the earliest-starting (then longest) wins."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end), last.kind)
        else:
            merged.append(span)
    return merged
