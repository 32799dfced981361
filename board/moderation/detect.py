"""Personal details in a child's free text, found for the moderator (CHILD-SAFETY rule 12).

Pure functions: text in, spans out. They over-flag on purpose; the moderator decides.
Phone formats cover Albania, Kosovo, Bulgaria, Poland, Romania and Serbia, local and
international; names come from the board's own list and from a heuristic.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class DetailKind(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    URL = "url"
    HANDLE = "handle"
    DOCUMENT = "document"
    NAME = "name"


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
HANDLE = re.compile(
    r"(?<![\w@])@[A-Za-z0-9_.]{2,30}"
    r"|\b(?:instagram|insta|ig|tiktok|snapchat|snap|facebook|fb|telegram|whatsapp|viber|"
    r"signal|discord)\s*[:=]?\s*@?[A-Za-z0-9_.]{3,30}",
    re.IGNORECASE,
)
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


def _listed_names(text: str, names: list[str]):
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


def find_personal_details(text: str, names: list[str] = ()) -> list[Span]:
    """Spans of ``text`` that may identify or locate a child, merged and in order."""
    if not text:
        return []
    found = [
        *_regex(EMAIL, DetailKind.EMAIL, text),
        *_regex(URL, DetailKind.URL, text),
        *_regex(HANDLE, DetailKind.HANDLE, text),
        *_phones(text),
        *_regex(DOCUMENT, DetailKind.DOCUMENT, text),
        *_listed_names(text, names),
        *_introduced_names(text),
        *_capitalised_words(text),
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
