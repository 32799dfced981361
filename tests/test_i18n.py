"""Languages: how the locale is chosen, right-to-left, complete catalogues, a fresh .pot."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from board import translate
from board.auth.models import Role
from board.i18n import LANGUAGES, find_translations

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
SHIPPED = [code for code in LANGUAGES if code != "en"]


def _lang(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('<html lang="')[1].split('"')[0]


def test_browser_language_is_used_when_nothing_else_is_known(client):
    assert _lang(client.get("/", headers={"Accept-Language": "pl-PL,pl;q=0.9"})) == "pl"
    assert _lang(client.get("/", headers={"Accept-Language": "sr-Latn"})) == "sr-Latn"
    assert _lang(client.get("/", headers={"Accept-Language": "fr"})) == "en"


def test_account_preference_beats_the_browser_and_choice_beats_both(client, make, auth):
    user = make.user(Role.FACILITATOR, make.board(), locale="bg")
    make.commit()
    auth.as_user(user)
    assert _lang(client.get("/", headers={"Accept-Language": "pl"})) == "bg"
    client.post("/language", data={"lang": "ro", "next": "/"})
    assert _lang(client.get("/", headers={"Accept-Language": "pl"})) == "ro"


def test_board_languages_are_the_last_resort(app):
    from flask import g

    from board.i18n import select_locale

    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        g.board_languages = ["sq", "en"]
        assert select_locale() == "sq"


def test_arabic_is_right_to_left(client):
    client.post("/language", data={"lang": "ar", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page


def test_switcher_names_every_language_in_itself(client):
    page = client.get("/login").get_data(as_text=True)
    for code, (name, direction) in LANGUAGES.items():
        assert f'lang="{code.replace("_", "-")}" dir="{direction}"' in page
        assert name in page


def test_an_unknown_language_is_refused(client):
    assert client.post("/language", data={"lang": "xx"}).status_code == 400


def test_the_switcher_returns_only_to_our_own_pages(client):
    response = client.post("/language", data={"lang": "sq", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_translations_are_found_in_a_checkout_and_in_a_wheel(tmp_path):
    assert find_translations(ROOT / "board") == TRANSLATIONS
    installed = tmp_path / "site-packages" / "board"
    (installed / "translations").mkdir(parents=True)
    assert find_translations(installed) == installed / "translations"


def _messages(path: Path) -> dict:
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    return {message.id: message for message in catalogue if message.id}


def _with_comments(catalogue) -> dict:
    # A long comment is wrapped in the file: compare its words.
    return {m.id: " ".join(" ".join(m.auto_comments).split()) for m in catalogue if m.id}


def test_messages_pot_is_not_stale():
    """Every string in the code is in messages.pot with its translators' comment, and
    nothing else is: the extraction `flask translate extract` runs (board.translate)."""
    fresh = translate.extract(ROOT)
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        committed = read_po(handle)
    assert _with_comments(fresh) == _with_comments(committed), (
        "translations/messages.pot is stale: run `make translations`"
    )


def test_the_translators_comments_reach_the_translators():
    fresh = translate.extract(ROOT)
    commented = [m.id for m in fresh if m.auto_comments]
    assert "I want to talk to an adult" in commented  # a template's {# i18n: ... #}
    assert "Go in" in commented  # a Python # i18n: comment
    assert not any(c.startswith("i18n:") for m in fresh for c in m.auto_comments)


def test_every_catalogue_follows_the_template():
    """`flask translate update` would change no catalogue: none misses a message of the
    template or its comment, none keeps one the template dropped."""
    assert translate.update(TRANSLATIONS, write=False) == [], (
        "a catalogue is behind messages.pot: run `make translations`"
    )


def test_compiling_leaves_fuzzy_guesses_out(tmp_path):
    from babel.messages.mofile import read_mo

    directory = tmp_path / "translations"
    (directory / "sq" / "LC_MESSAGES").mkdir(parents=True)
    (directory / "messages.pot").write_bytes((TRANSLATIONS / "messages.pot").read_bytes())
    po = (TRANSLATIONS / "sq" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    guessed = po.replace('msgid "Go in"', '#, fuzzy\nmsgid "Go in"', 1)
    assert guessed != po
    translate.catalogue_path(directory, "sq").write_text(guessed, encoding="utf-8")

    compiled = {done.code: done for done in translate.compile_catalogues(directory, ["sq"])}

    assert compiled["sq"].translated == compiled["sq"].total - 1
    with translate.catalogue_path(directory, "sq", ".mo").open("rb") as handle:
        shipped = read_mo(handle)
    assert shipped.get("Go in") is None
    assert shipped.get("Code") is not None


@pytest.mark.parametrize("code", SHIPPED)
def test_every_message_is_translated(code):
    template = _messages(TRANSLATIONS / "messages.pot")
    catalogue = _messages(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
    missing = [m for m in template if m not in catalogue]
    untranslated = [
        m.id
        for m in catalogue.values()
        if not all(m.string if isinstance(m.string, tuple) else (m.string,))
    ]
    fuzzy = [m.id for m in catalogue.values() if m.fuzzy]
    assert not missing, f"{code}: not in the catalogue: {missing[:5]}"
    assert not untranslated, f"{code}: untranslated: {untranslated[:5]}"
    assert not fuzzy, f"{code}: fuzzy: {fuzzy[:5]}"


@pytest.mark.parametrize("code", SHIPPED)
def test_placeholders_survive_translation(code):
    import re

    catalogue = _messages(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
    pattern = re.compile(r"%\(\w+\)[sd]")
    for message in catalogue.values():
        source = message.id if isinstance(message.id, str) else message.id[0]
        wanted = set(pattern.findall(source))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in filter(None, strings):
            assert set(pattern.findall(string)) <= wanted | {"%(num)d"}, (code, source, string)
            if not isinstance(message.id, tuple):
                assert set(pattern.findall(string)) == wanted, (code, source, string)


def test_the_messages_a_child_reads_carry_the_child_flag():
    """Audio, Romani and the per-language checks take a child's messages from this flag."""
    from board.translate import child_messages

    child = child_messages()
    for message in ("Very bad", "I want to talk to an adult", "Street outreach", "Go in"):
        assert message in child
    assert "Raise a safeguarding concern" not in child
    assert "Times are in %(zone)s." not in child
