"""The translation catalogues: extract the messages, update the catalogues, compile them.

``flask --app board translate extract|update|compile`` (board.cli) and the test that the
template is not stale (tests/test_i18n.py) both use these functions, so the keywords and the
translators' comments are named once, here. Built on Babel's Python API, as ``pybabel``
is: the same template and catalogues, without a second list of options in the Makefile.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from board.i18n import DEFAULT_LANGUAGE, LANGUAGES, find_translations, has_cldr

# The checkout: babel.cfg beside the package. Extracting needs the sources, so it runs there.
ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "babel.cfg"
# Where the catalogues live: beside the package in a checkout, inside it in a wheel.
TRANSLATIONS = find_translations(Path(__file__).resolve().parent)
DOMAIN = "messages"

# The functions that mark a message, in gettext's notation, beside Babel's own (_, gettext,
# ngettext, pgettext ...): lazy_gettext for strings defined at import time (forms, models).
KEYWORDS = ("_l", "lazy_gettext", "ngettext:1,2", "lazy_pgettext:1c,2")
# A comment starting with this, on the line just above a message (``# i18n: ...`` in Python,
# ``{# i18n: ... #}`` in a template), goes into the catalogues for the translators.
COMMENT_TAGS = ("i18n:",)
PROJECT, VERSION = "board", "0.1"
# Where the messages a child reads live (the tablet's pages, the room screen's words, the faces,
# the services' kinds, the ballot's and ideas' words, the error pages): each of these messages
# carries the flag ``child`` in the catalogues. Audio, the languages that may be incomplete
# (Romani) and the per-language checks all take the child's messages from this flag.
CHILD_SOURCES = (
    "board/templates/participate/*",
    "board/templates/room/_screen_words.html",
    "board/templates/error.html",
    "board/participate/*",
    "board/feedback/models.py",
    "board/boards/models.py",
    "board/voting/models.py",
    "board/actions/models.py",
    "board/errors.py",
)
CHILD_FLAG = "child"
# Languages CLDR has no data for (board.i18n.has_cldr): Babel cannot give their English name
# or plural rules, so a new catalogue takes them from here. Their catalogue still says
# ``Language: rom``; the application takes dates and numbers from the board's own language.
NOT_IN_CLDR = {
    "rom": ("Romani", "nplurals=2; plural=(n != 1);"),
}
# Every catalogue is a draft until people who speak the language have read it.
LAST_TRANSLATOR = "machine draft (board developers) <noreply@example.org>"
_WIDTH = 76  # pybabel's default: lines wrapped where they always were


class TranslateError(Exception):
    """Something a person must fix: a missing mapping, a broken catalogue."""


def keywords() -> dict:
    """Babel's default keywords and ours, as the extractor wants them."""
    return {**DEFAULT_KEYWORDS, **parse_keywords(KEYWORDS)}


def extract(root: Path = ROOT) -> Catalog:
    """Every message in the code under ``root`` (by babel.cfg), with translators' comments."""
    mapping = root / MAPPING.name
    if not mapping.is_file():
        raise TranslateError(f"{mapping} not found: extract messages in a checkout")
    with mapping.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(mapping))
    catalog = Catalog(project=PROJECT, version=VERSION, charset="utf-8")
    found = extract_from_dir(
        root,
        method_map,
        options_map,
        keywords=keywords(),
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,  # as the template extractor does: the comment alone
    )
    for filename, lineno, message, comments, context in found:
        # A template's comment over two lines keeps its line break and indent: one space.
        comments = [" ".join(comment.split()) for comment in comments]
        # Catalog.add merges a message found twice, its flags included.
        flags = [CHILD_FLAG] if is_child_source(filename) else []
        catalog.add(
            message,
            None,
            [(filename, lineno)],
            auto_comments=comments,
            flags=flags,
            context=context,
        )
    return catalog


def is_child_source(filename: str) -> bool:
    """True for a file (relative to the checkout's ``board`` parent) whose messages a child
    reads."""
    name = "board/" + filename if not filename.startswith("board/") else filename
    return any(fnmatch(name, pattern) for pattern in CHILD_SOURCES)


def child_messages(directory: Path = TRANSLATIONS) -> list[str | tuple[str, ...]]:
    """The ids of the messages a child reads, from messages.pot: a plural's is its pair."""
    return [
        m.id if isinstance(m.id, str) else tuple(m.id)
        for m in read_template(directory)
        if m.id and CHILD_FLAG in m.flags
    ]


def template_text(catalog: Catalog) -> bytes:
    """The template as committed: no file names or line numbers, sorted by message, so that
    moving code changes nothing."""
    out = io.BytesIO()
    write_po(out, catalog, width=_WIDTH, no_location=True, sort_output=True)
    return out.getvalue()


def _without_dates(text: bytes) -> list[bytes]:
    return [line for line in text.splitlines() if not line.startswith(b'"POT-Creation-Date:')]


def _write_if_changed(path: Path, text: bytes) -> bool:
    """Write ``text`` unless the file says the same but for its creation date (which would
    otherwise change on every run and leave a diff for nothing)."""
    if path.is_file() and _without_dates(path.read_bytes()) == _without_dates(text):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text)
    return True


def write_template(directory: Path = TRANSLATIONS, root: Path = ROOT) -> bool:
    """Extract into ``directory``/messages.pot; True when it changed."""
    return _write_if_changed(directory / f"{DOMAIN}.pot", template_text(extract(root)))


def read_template(directory: Path = TRANSLATIONS) -> Catalog:
    with (directory / f"{DOMAIN}.pot").open("rb") as handle:
        return read_po(handle)


def catalogue_path(directory: Path, code: str, suffix: str = ".po") -> Path:
    return directory / code / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def shipped() -> list[str]:
    """The languages with a catalogue (English is the source)."""
    return [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]


def new_catalogue(code: str) -> Catalog:
    """An empty catalogue for a language just added to board.i18n.LANGUAGES, its header
    saying that it is a draft. A language CLDR does not know (Romani) keeps its own code
    in ``Language:`` and gets its plural rule from ``NOT_IN_CLDR``."""
    if has_cldr(code):
        name, plurals = Locale.parse(code).english_name, None
    else:
        name, plurals = NOT_IN_CLDR[code]
    catalog = Catalog(
        locale=code,
        project=PROJECT,
        version=VERSION,
        header_comment=(
            f"# {name} translations for board. DRAFT: machine-assisted, awaiting review by\n"
            "# native speakers.\n"
            "# This file is distributed under the same license as the board project.\n"
            "#"
        ),
        last_translator=LAST_TRANSLATOR,
        language_team=f"{name} (draft, awaiting review by native speakers)",
        revision_date=datetime.now(UTC),
        fuzzy=False,
    )
    if plurals:
        catalog.mime_headers = [("Plural-Forms", plurals)]
    return catalog


def _updated(template: Catalog, path: Path, code: str) -> bytes:
    if path.is_file():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=code, domain=DOMAIN)
    else:  # a language just added to board.i18n.LANGUAGES: start its catalogue
        catalog = new_catalogue(code)
    # No fuzzy matching: a new message stays untranslated (the tests then say so) instead of
    # borrowing the translation of a similar one, which a child would read as if checked.
    catalog.update(template, no_fuzzy_matching=True)
    out = io.BytesIO()
    write_po(out, catalog, width=_WIDTH, ignore_obsolete=True)
    return out.getvalue()


def update(directory: Path = TRANSLATIONS, *, write: bool = True) -> list[str]:
    """Bring every language's catalogue in line with the template: new messages added
    (untranslated), removed ones dropped, translators' comments refreshed; translations
    untouched. The languages whose catalogue changed (or would, with ``write=False``)."""
    template = read_template(directory)
    changed = []
    for code in shipped():
        path = catalogue_path(directory, code)
        text = _updated(template, path, code)
        if write:
            if _write_if_changed(path, text):
                changed.append(code)
        elif not path.is_file() or _without_dates(path.read_bytes()) != _without_dates(text):
            changed.append(code)
    return changed


@dataclass(frozen=True)
class Compiled:
    code: str
    translated: int
    total: int


def compile_catalogues(
    directory: Path = TRANSLATIONS, codes: list[str] | None = None
) -> list[Compiled]:
    """Write each language's .mo beside its .po. Fuzzy entries are left out: a guess no
    translator confirmed is left to the fallback (board.i18n: the board's own language,
    else English). A catalogue with errors (a placeholder missing from a translation, say)
    is not compiled, and the error raised names them all, after the others are written."""
    done, errors = [], []
    for code in shipped() if codes is None else codes:
        path = catalogue_path(directory, code)
        if not path.is_file():
            errors.append(f"{path}: missing (run `flask translate update`)")
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=code, domain=DOMAIN)
        problems = [
            f"{path}:{message.lineno}: {error}"
            for message, found in catalog.check()
            for error in found
        ]
        if problems:
            errors.extend(problems)
            continue
        out = io.BytesIO()
        write_mo(out, catalog, use_fuzzy=False)
        catalogue_path(directory, code, ".mo").write_bytes(out.getvalue())
        messages = [m for m in catalog if m.id]
        translated = sum(
            1
            for m in messages
            if not m.fuzzy and all(m.string if isinstance(m.string, tuple) else (m.string,))
        )
        done.append(Compiled(code, translated, len(messages)))
    if errors:
        raise TranslateError("\n".join(errors))
    return done
