"""The glossary (translations/GLOSSARY.md): no message a child reads uses a staff-only word.

Each language's section of the glossary ends with a fenced block ```staff-only <code>``` of
words that must never reach a child (NGO jargon, loanwords for "facilitator", the staff's
word for a safeguarding report ...). Every message the catalogues flag ``child`` is checked
against its language's block, all plural forms included. The catalogue headers are checked
too: a catalogue stays a draft until a native reviewer signs it off (README, "Signing a
catalogue off").
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from board import translate

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
GLOSSARY = TRANSLATIONS / "GLOSSARY.md"
# The languages whose words the glossary must settle; Romani's section may be a draft.
REQUIRED = ("sq", "bg", "pl", "ro", "sr_Latn", "ar")

_BLOCK = re.compile(r"^```staff-only[ \t]+(\S+)[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
# Arabic vowel marks (tanwin, shadda, sukun, superscript alef ...) and the tatweel: a
# translator may write الميسّر or الميسر, and both are the same word.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# What may be written onto the front of an Arabic word: و or ف, then ب ك or ل, then the
# article (ال, or its ل after ل: للميسر).
_ARABIC_PROCLITICS = "(?:[وف])?(?:[بكل])?(?:ال|ل)?"


def staff_only_words(text: str) -> dict[str, list[str]]:
    """The glossary's staff-only terms per language code, from its fenced blocks."""
    words: dict[str, list[str]] = {}
    for code, body in _BLOCK.findall(text):
        terms = [line.strip() for line in body.splitlines()]
        words.setdefault(code, []).extend(t for t in terms if t and not t.startswith("#"))
    return words


def _normalise(text: str, code: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return _ARABIC_MARKS.sub("", text) if code == "ar" else text


def term_pattern(term: str, code: str) -> re.Pattern[str]:
    """A term as a regular expression: whole words (Unicode letters, so Cyrillic and Arabic
    too), ``*`` for any ending, any space between words; Arabic proclitics allowed."""
    parts = []
    for word in _normalise(term, code).split():
        stem = word.rstrip("*")
        parts.append(re.escape(stem) + (r"\w*" if word.endswith("*") else ""))
    front = _ARABIC_PROCLITICS if code == "ar" else ""
    return re.compile(r"(?<!\w)" + front + r"\s+".join(parts) + r"(?!\w)")


def staff_words_in(text: str, code: str, terms: list[str]) -> list[str]:
    """The terms of ``terms`` that ``text`` (in language ``code``) uses."""
    text = _normalise(text, code)
    return [term for term in terms if term_pattern(term, code).search(text)]


def child_offences(path: Path, code: str, terms: list[str], child_ids) -> list[str]:
    """Each child message of the catalogue at ``path`` whose translation uses a staff-only
    term, as 'msgid: translation [terms]'."""
    wanted = {m if isinstance(m, str) else m[0] for m in child_ids}
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    found = []
    for message in catalogue:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if not message.id or key not in wanted:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in filter(None, forms):
            hits = staff_words_in(form, code, terms)
            if hits:
                found.append(f"{key!r}: {form!r} {hits}")
    return found


def assert_no_staff_words(path: Path, code: str, terms: list[str], child_ids) -> None:
    offences = child_offences(path, code, terms, child_ids)
    assert not offences, f"{code}: a child would read staff words:\n" + "\n".join(offences)


WORDS = staff_only_words(GLOSSARY.read_text(encoding="utf-8"))
CATALOGUED = sorted(
    code for code in WORDS if translate.catalogue_path(TRANSLATIONS, code).is_file()
)


def test_the_glossary_settles_the_words_of_every_language():
    for code in REQUIRED:
        assert WORDS.get(code), f"GLOSSARY.md has no staff-only block for {code}"
    # Every catalogue the project ships has its section, Romani included once it arrives.
    for code in translate.shipped():
        assert code in WORDS, f"GLOSSARY.md has no staff-only block for {code}"


@pytest.mark.parametrize("code", CATALOGUED)
def test_no_child_message_uses_a_staff_only_word(code):
    assert_no_staff_words(
        translate.catalogue_path(TRANSLATIONS, code),
        code,
        WORDS[code],
        translate.child_messages(TRANSLATIONS),
    )


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        # The error page before issue 19, word for word.
        ("sq", "Të lutem, tregoji lehtësuesit tënd.", ["lehtësues*"]),
        ("bg", "Моля, кажи на ФАСИЛИТАТОРА.", ["фасилитатор*"]),
        ("pl", "Powiedz o tym facylitatorowi.", ["facylitator*"]),
        ("ro", "Te rugăm, spune-i facilitatorului.", ["facilitator*"]),
        ("sr_Latn", "Molimo te, reci svom voditelju.", ["voditelj*"]),
        ("ar", "من فضلك أخبر الميسّر.", ["ميسر*"]),
        # Arabic: with or without the shadda, with a proclitic, with a suffix.
        ("ar", "لوّح بيدك للميسّر أو اذهب إليه.", ["ميسر*"]),
        ("ar", "البالغون يقرؤون كلامك المكتوب.", ["بالغ*"]),
        ("ar", "يجب أن يساعدك شخص بالغ.", ["بالغ*"]),
        # Words of several parts, across a line break; and the Polish officialese.
        ("pl", "Punkt\nwsparcia dziennego", ["punkt* wsparcia"]),
        ("bg", "Улична социална работа", ["социалн* работ*"]),
    ],
)
def test_the_check_finds_a_staff_word(code, text, expected):
    assert staff_words_in(text, code, WORDS[code]) == expected


@pytest.mark.parametrize(
    ("code", "text"),
    [
        # Whole words only: a term is not found inside another word.
        ("ar", "مبالغ كبيرة"),  # "large sums": بالغ inside مبالغ
        ("sr_Latn", "Prijavi se"),  # to sign in, not a report (prijava)
        ("pl", "Chcę porozmawiać z kimś dorosłym"),
        # The words a child reads after issue 19.
        ("ar", "الشخص الكبير الذي يدير الاجتماع يقرأ كل كلامك المكتوب."),
        ("sq", "I rrituri që drejton takimin lexon gjithçka që shkruan."),
        ("ro", "Adultul care conduce întâlnirea citește tot ce scrii."),
    ],
)
def test_the_check_leaves_a_childs_words_alone(code, text):
    assert staff_words_in(text, code, WORDS[code]) == []


def test_a_catalogue_with_a_staff_word_on_a_child_screen_fails(tmp_path):
    """The check itself, on a catalogue of two messages: the child's one is caught, the
    staff's one (the same word, rightly) is not."""
    catalogue = Catalog(locale="ro")
    catalogue.add("Please tell your facilitator.", "Spune-i facilitatorului.", flags=["child"])
    catalogue.add("Facilitator", "Facilitator")
    catalogue.add(
        ("%(num)d dot", "%(num)d dots"),
        ("%(num)d punct", "%(num)d puncte", "%(num)d de sesizări"),
        flags=["child"],
    )
    path = tmp_path / "messages.po"
    with path.open("wb") as handle:
        write_po(handle, catalogue)
    child = ["Please tell your facilitator.", ("%(num)d dot", "%(num)d dots")]
    offences = child_offences(path, "ro", WORDS["ro"], child)
    assert offences == [
        "'Please tell your facilitator.': 'Spune-i facilitatorului.' ['facilitator*']",
        "'%(num)d dot': '%(num)d de sesizări' ['sesizăr*']",
    ]
    with pytest.raises(AssertionError, match="a child would read staff words"):
        assert_no_staff_words(path, "ro", WORDS["ro"], child)


# Drafts and signing off

_REVIEWED = re.compile(
    r"^Reviewed-By: (?P<who>\S.*<[^<>@\s]+@[^<>\s]+>), (?P<day>\d{4}-\d\d-\d\d)\b"
)


def sign_off(path: Path) -> dict:
    """What a catalogue's header says about its review: the reviewer (``Reviewed-By:`` in the
    header comment, where Babel keeps it through ``flask translate update``), the
    ``Last-Translator`` and ``Language-Team`` lines."""
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    headers = dict(catalogue.mime_headers)
    reviewed = [
        match
        for line in catalogue.header_comment.splitlines()
        if (match := _REVIEWED.match(line.lstrip("# ").strip()))
    ]
    return {
        "reviewer": reviewed[0]["who"] if reviewed else None,
        "last_translator": headers.get("Last-Translator", ""),
        "team": headers.get("Language-Team", ""),
    }


def assert_draft_or_signed(header: dict) -> None:
    """A catalogue is a draft (its Language-Team says so, whoever reviewed it before), or a
    native reviewer signed it off: named with an address and a date in a Reviewed-By line,
    and the same person in Last-Translator."""
    if "draft" in header["team"].lower():
        return
    assert header["reviewer"], f"not a draft, and nobody signed it off: {header}"
    assert "machine" not in header["last_translator"].lower(), header
    address = header["reviewer"].split("<")[1]
    assert address in header["last_translator"], header


@pytest.mark.parametrize("code", [*translate.shipped()])
def test_every_catalogue_is_a_draft_until_a_native_reviewer_signs_it(code):
    assert_draft_or_signed(sign_off(translate.catalogue_path(TRANSLATIONS, code)))


def _signed_catalogue(path: Path, *, team: str, translator: str, reviewed: str) -> None:
    catalogue = Catalog(locale="sq", header_comment=f"# Albanian.\n# {reviewed}\n#")
    catalogue.language_team = team
    catalogue.last_translator = translator
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalogue)


def test_a_sign_off_as_the_readme_says_passes_and_survives_an_update(tmp_path):
    path = translate.catalogue_path(tmp_path, "sq")
    _signed_catalogue(
        path,
        team="Albanian (reviewed by Ana Hoxha, 2027-01-15)",
        translator="Ana Hoxha <ana.hoxha@example.org>",
        reviewed="Reviewed-By: Ana Hoxha <ana.hoxha@example.org>, 2027-01-15: all messages",
    )
    (tmp_path / "messages.pot").write_bytes(
        translate.template_text(Catalog(project=translate.PROJECT))
    )
    translate.update(tmp_path)  # what `make translations` does to every catalogue
    header = sign_off(path)
    assert header["reviewer"] == "Ana Hoxha <ana.hoxha@example.org>"
    assert_draft_or_signed(header)


@pytest.mark.parametrize(
    ("team", "translator", "reviewed"),
    [
        # Signed by one person, another named as the translator.
        (
            "Albanian (reviewed)",
            "Ben Krasniqi <ben@example.org>",
            "Reviewed-By: Ana Hoxha <ana.hoxha@example.org>, 2027-01-15",
        ),
        # Signed, but the machine is still the last translator.
        (
            "Albanian (reviewed)",
            "machine draft (board developers) <noreply@example.org>",
            "Reviewed-By: Ana Hoxha <ana.hoxha@example.org>, 2027-01-15",
        ),
        # Neither a draft nor signed (no date, so no sign-off).
        ("Albanian", "Ana Hoxha <ana.hoxha@example.org>", "Reviewed-By: Ana Hoxha"),
    ],
)
def test_a_half_done_sign_off_fails(tmp_path, team, translator, reviewed):
    path = tmp_path / "messages.po"
    _signed_catalogue(path, team=team, translator=translator, reviewed=reviewed)
    with pytest.raises(AssertionError):
        assert_draft_or_signed(sign_off(path))
