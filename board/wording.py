"""The wording a child reads. One rule for every text a child reads that people write (a
service's name, an action's title and outcome, a partner's answer), in this one place:

1. the wording in the child's own language;
2. else the wording in the board's own language (the first it offers);
3. else the text as it was entered (the original).

A wording is one written for children in a language (``{"sq": "...", "ar": "..."}``); an
original written in a known language (an action's title is written in ``Action.language``)
is that language's wording too. English is a language like the others: a child reads an
English wording only where English is the child's or the board's language, never because
it is the language the software is written in. Only step 3 may show a child a text in a
language they did not choose; the missing-wordings page (``board.wordings.queries``) lists
every text that falls to steps 2 and 3, so that facilitators can write what is missing.

Pure functions: no database, no request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def wordings_of(
    texts: Mapping[str, str] | None, original: str = "", original_language: str | None = None
) -> dict[str, str]:
    """The wordings per language, blanks left out; the original counts as its own
    language's wording where that language is known and has no wording of its own."""
    found = {lang: text.strip() for lang, text in (texts or {}).items() if text and text.strip()}
    if original_language and original.strip() and original_language not in found:
        found[original_language] = original.strip()
    return found


def child_wording(
    texts: Mapping[str, str] | None,
    language: str,
    board_languages: Sequence[str],
    original: str,
    original_language: str | None = None,
) -> str:
    """What a child reading ``language`` on a board offering ``board_languages`` (its own
    language first) reads: see the module's rule."""
    found = wordings_of(texts, original, original_language)
    for choice in (language, *board_languages[:1]):
        if found.get(choice):
            return found[choice]
    return original


def has_wording(
    texts: Mapping[str, str] | None,
    language: str,
    original: str = "",
    original_language: str | None = None,
) -> bool:
    """True when children reading ``language`` read a wording of their own language."""
    return language in wordings_of(texts, original, original_language)


def clean_wordings(
    typed: Mapping[str, str], kept: Mapping[str, str] | None, languages: Sequence[str]
) -> dict[str, str]:
    """Wordings as saved: those typed for ``languages`` (blanks removed, spaces trimmed),
    beside the wordings of other languages kept from before (a board that stops offering a
    language and offers it again finds them)."""
    saved = {lang: text for lang, text in (kept or {}).items() if lang not in languages}
    for lang in languages:
        text = (typed.get(lang) or "").strip()
        if text:
            saved[lang] = text
    return saved
