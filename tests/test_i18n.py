"""Languages: how the locale is chosen, right-to-left, complete catalogues, a fresh .pot."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from board import translate
from board.auth.models import Role
from board.i18n import INCOMPLETE, LANGUAGES, find_translations
from tests import factories
from tests.factories import join

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
SHIPPED = [code for code in LANGUAGES if code != "en"]
# Romani may stay incomplete by design (board.i18n.INCOMPLETE): its missing messages show in
# the board's own language. Every other catalogue translates every message.
COMPLETE = [code for code in SHIPPED if code not in INCOMPLETE]


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
    from board.i18n import STAFF_LANGUAGES

    page = client.get("/login").get_data(as_text=True)
    for code, (name, direction) in STAFF_LANGUAGES.items():
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


@pytest.mark.parametrize("code", COMPLETE)
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


# Drafts, Romani, and the board's own language as the fallback ---------------------------------


def _header(code: str):
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("code", SHIPPED)
def test_every_catalogue_says_it_is_a_draft_awaiting_native_speakers(code):
    catalogue = _header(code)
    assert "DRAFT" in catalogue.header_comment
    assert "draft, awaiting review by" in catalogue.language_team
    assert catalogue.locale_identifier == code  # Romani too, though CLDR does not know it


def test_the_romani_catalogue_keeps_its_own_code_and_a_plural_rule():
    catalogue = _header("rom")
    assert "Language: rom" in (TRANSLATIONS / "rom/LC_MESSAGES/messages.po").read_text("utf-8")
    assert catalogue.locale is None  # Babel's CLDR has no Romani: nothing is taken from it
    assert catalogue.plural_forms == "nplurals=2; plural=(n != 1);"
    assert "Latin script" in catalogue.header_comment


def test_the_romani_drafts_compile_with_their_placeholders(tmp_path):
    """Compiling checks every msgstr against its msgid's placeholders (Babel's checkers): a
    Romani draft with a placeholder its message lacks (a translated name) is not compiled,
    and says where. A placeholder dropped: test_placeholders_survive_translation."""
    directory = tmp_path / "translations"
    (directory / "rom" / "LC_MESSAGES").mkdir(parents=True)
    po = (TRANSLATIONS / "rom" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    translate.catalogue_path(directory, "rom").write_text(po, encoding="utf-8")

    [done] = translate.compile_catalogues(directory, ["rom"])
    assert done.code == "rom" and 100 <= done.translated < done.total

    broken = po.replace("bučhol: %(label)s", "bučhol: %(anav)s", 1)
    assert broken != po
    translate.catalogue_path(directory, "rom").write_text(broken, encoding="utf-8")
    with pytest.raises(translate.TranslateError, match="rom"):
        translate.compile_catalogues(directory, ["rom"])


def test_the_romani_drafts_are_the_messages_a_child_reads():
    child = set(translate.child_messages())
    catalogue = _messages(TRANSLATIONS / "rom" / "LC_MESSAGES" / "messages.po")
    drafted = {
        m.id if isinstance(m.id, str) else tuple(m.id)
        for m in catalogue.values()
        if all(m.string if isinstance(m.string, tuple) else (m.string,))
    }
    assert drafted and drafted <= child
    for message in ("I am finished", "I want to talk to an adult", "Very bad", "Very good"):
        assert message in drafted


def test_a_language_cldr_does_not_know_gets_a_catalogue_of_its_own(tmp_path):
    """`flask translate update` starts Romani's catalogue with its own code, a plural rule
    and a header that says it is a draft, though Babel cannot parse "rom"."""
    from babel import Locale, UnknownLocaleError

    with pytest.raises(UnknownLocaleError):
        Locale.parse("rom")
    directory = tmp_path / "translations"
    directory.mkdir()
    (directory / "messages.pot").write_bytes((TRANSLATIONS / "messages.pot").read_bytes())

    assert "rom" in translate.update(directory)

    with translate.catalogue_path(directory, "rom").open("rb") as handle:
        catalogue = read_po(handle)
    assert catalogue.locale_identifier == "rom"
    assert catalogue.plural_forms == "nplurals=2; plural=(n != 1);"
    assert "DRAFT" in catalogue.header_comment
    assert catalogue.language_team == "Romani (draft, awaiting review by native speakers)"
    assert translate.update(directory, write=False) == []  # stable once written
    assert {done.code for done in translate.compile_catalogues(directory)} == set(SHIPPED)


def test_the_fallback_is_the_board_language_not_romani_nor_english():
    from board.i18n import fallback_language

    assert fallback_language(["sq", "rom", "en"]) == "sq"
    assert fallback_language(["rom", "sr_Latn"]) == "sr_Latn"
    assert fallback_language(["rom", "en", "sq"]) == "en"  # English where the board offers it
    assert fallback_language(["rom"]) == "en"
    assert fallback_language([]) == "en"  # no board known


def test_a_romani_page_takes_dates_and_numbers_from_the_board_language(app):
    from datetime import date

    from babel.dates import format_date
    from flask import session as cookie
    from flask_babel import get_locale

    from board.i18n import current_language, day, select_locale, use_board_languages

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        cookie["lang"] = "rom"
        use_board_languages(["rom", "sq"])
        assert select_locale() == "sq"
        assert str(get_locale()) == "sq" and current_language() == "rom"
        assert day(date(2026, 6, 20)) == format_date(date(2026, 6, 20), "long", locale="sq")


def _drafts(tmp_path: Path, translated: dict[str, str]) -> Path:
    """A copy of the catalogues whose Romani one translates ``translated`` only."""
    import shutil

    from babel.messages.pofile import write_po

    directory = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, directory)
    catalogue = translate.new_catalogue("rom")
    for source, romani in translated.items():
        catalogue.add(source, romani)
    with translate.catalogue_path(directory, "rom").open("wb") as handle:
        write_po(handle, catalogue)
    translate.compile_catalogues(directory, ["rom"])
    return directory


def _albanian(message: str) -> str:
    return _messages(TRANSLATIONS / "sq" / "LC_MESSAGES" / "messages.po")[message].string


def test_a_romani_page_shows_the_board_language_where_romani_has_no_word(make_app, tmp_path):
    """Per string: Romani where the draft has the message, the board's own language (here
    Albanian) where it has not, and English nowhere, though the tablet is English."""
    from sqlalchemy.orm import Session

    from board.db import get_engine

    app = make_app(BABEL_TRANSLATION_DIRECTORIES=str(_drafts(tmp_path, {"I am finished": "Gata"})))
    with Session(bind=get_engine(app), expire_on_commit=False) as session:
        make = factories.Factory(session, app)
        board = make.board(languages="sq rom")
        make.service(board, name="Clinic")
        meeting = make.meeting(board, place="Room", services=board.services)
        session.commit()
    tablet = join(factories.tablet(app), meeting, lang="rom")

    page = tablet.get("/meeting").get_data(as_text=True)

    assert '<html lang="rom" dir="ltr">' in page
    assert "Gata" in page and "I am finished" not in page
    assert _albanian("Tell us about a service") in page
    assert "Tell us about a service" not in page
    assert _albanian("I want to talk to an adult") in page


def test_a_romani_child_reads_the_drafts(tablet_client, make):
    board = make.board(languages="sr_Latn rom")
    make.service(board, name="Clinic")
    meeting = make.meeting(board, place="Room", services=board.services)
    make.commit()
    join(tablet_client, meeting, lang="rom")

    page = tablet_client.get("/meeting").get_data(as_text=True)

    assert '<html lang="rom" dir="ltr">' in page
    assert "Agorisardem" in page  # "I am finished"
    assert "I am finished" not in page


def test_the_language_page_offers_romani_where_the_board_does(tablet_client, make):
    romani = make.board(languages="sq rom")
    other = make.board(languages="sq en ar")
    meetings = [make.meeting(board, place="Room") for board in (romani, other)]
    make.commit()
    offered = []
    for meeting in meetings:
        tablet_client.post("/join", data={"code": meeting.join_code})
        page = tablet_client.get("/join/language").get_data(as_text=True)
        offered.append('value="rom"' in page and "Romani čhib" in page)
    assert offered == [True, False]
    join_page = tablet_client.get("/join").get_data(as_text=True)
    assert 'value="rom" lang="rom" dir="ltr"' in join_page  # the join page's language row


def test_after_a_meeting_closed_an_english_tablet_speaks_the_board_language(
    tablet_client, session, make
):
    """The board offers no English: after its meeting closed, the join page and its notice
    are both in the board's language, not the English tablet's (issue 17)."""
    from board.room import services as room

    board = make.board(languages="sq rom")
    meeting = make.meeting(board, place="Room")
    make.commit()
    join(tablet_client, meeting, lang="rom")
    room.close_meeting(session, None, meeting)
    session.commit()

    assert tablet_client.get("/meeting").headers["Location"] == "/join"
    page = tablet_client.get("/join")

    assert _lang(page) == "sq"
    text = page.get_data(as_text=True)
    assert _albanian("This meeting has ended. Thank you for coming.") in text
    assert "Thank you for coming" not in text


def test_a_romani_staff_page_with_dates_and_day_names_is_shown(client, make, auth):
    board = make.board(languages="sq rom")
    make.meeting(board, place="Room")
    user = make.user(Role.FACILITATOR, board, locale="rom")
    make.commit()
    auth.as_user(user)

    for path in (f"/boards/{board.id}/meetings", f"/boards/{board.id}/series/new"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _lang(response) == "rom"


def test_the_room_screen_and_the_offline_page_speak_romani(client, make, auth):
    board = make.board(languages="sq rom")
    meeting = make.meeting(board, place="Room")
    user = make.user(Role.FACILITATOR, board)
    make.commit()
    auth.as_user(user)

    screen = client.get(f"/meetings/{meeting.id}/room")
    assert screen.status_code == 200
    assert 'lang="rom"' in screen.get_data(as_text=True)
    offline = client.get("/join/offline/rom")
    assert offline.status_code == 200 and _lang(offline) == "rom"


def test_what_a_romani_child_gives_is_recorded_in_romani(tablet_client, session, make):
    """The page's language, not the locale its dates come from: moderators see "Romani čhib"
    beside the text, though the page's dates are Albanian."""
    import sqlalchemy as sa

    from board.feedback.models import Feedback
    from tests.factories import once

    board = make.board(languages="sq rom")
    service = make.service(board, name="Clinic")
    meeting = make.meeting(board, place="Room", services=board.services)
    make.commit()
    join(tablet_client, meeting, lang="rom")
    path = f"/meeting/services/{service.id}"

    answer = tablet_client.post(
        path, data={"rating": "4", "what_happened": "mišto", "once": once(tablet_client, path)}
    )

    assert answer.status_code == 302
    assert session.scalars(sa.select(Feedback.language)).all() == ["rom"]


def test_staff_are_not_offered_an_incomplete_language(client, make, session):
    """Romani is for children: a staff page in it would be mostly English marked as Romani."""
    from board.forms import language_choices

    assert "rom" not in [choice.value for choice in language_choices(staff=True)]
    assert "rom" in [choice.value for choice in language_choices()]  # a board offers it
    page = client.get("/").get_data(as_text=True)
    assert 'value="sq"' in page and 'value="rom"' not in page


@pytest.mark.parametrize(
    ("code", "meeting", "concern"),
    [("en", "Closed", "Closed"), ("bg", "Закрита", "Закрит"), ("sr_Latn", "Zatvoren", "Zatvorena")],
)
def test_closed_agrees_with_a_meeting_and_with_a_concern(app, code, meeting, concern):
    """A meeting (bg среща, sr sastanak) and a concern (bg сигнал, sr prijava) differ in
    gender: "Closed" has a context for the concern."""
    from board.i18n import force_language
    from board.meetings.models import MeetingState
    from board.moderation.models import ConcernState

    with app.test_request_context(), force_language(code):
        assert str(MeetingState.CLOSED.label) == meeting
        assert str(ConcernState.CLOSED.label) == concern
