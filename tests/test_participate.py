"""A child on a shared tablet: joining, language, explanation, help, finishing, idle reset,
bad codes and cookies, and nothing stored that could identify them."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from board.db import Base, utcnow
from board.i18n import LANGUAGES
from board.meetings import codes
from board.meetings.models import HelpCall, Meeting
from board.participate import tablet
from board.room import services as room
from tests import factories
from tests.factories import CLIENT_ADDRESS, USER_AGENT, join, let_in, typo

WRONG_CODE = "This code does not work."


def test_the_whole_way_in(tablet_client, session, meeting):
    client = tablet_client
    page = client.get(f"/join?code={meeting.join_code}").get_data(as_text=True)
    assert f'value="{meeting.join_code}"' in page and "116 123" in page
    response = client.post("/join", data={"code": meeting.join_code.lower()})
    assert response.headers["Location"] == "/join/language"
    page = client.get("/join/language").get_data(as_text=True)
    assert 'lang="sq"' in page and "Shqip" in page and "العربية" in page
    assert "Polski" not in page  # only the board's languages
    client.post("/join/language", data={"lang": "en"})
    page = client.get("/join/welcome").get_data(as_text=True)
    assert "Ministry of Children" in page  # who will read the answers
    assert "adult must help you" in page and "skip any question" in page
    assert client.get("/meeting").headers["Location"] == "/join/welcome"
    client.post("/join/welcome")
    session.expire_all()
    assert session.get(Meeting, meeting.id).attendance == 0  # joined, not yet let in
    assert client.get("/meeting").headers["Location"] == "/join/wait"
    assert let_in(client)
    page = client.get("/meeting").get_data(as_text=True)
    assert "Tell us about a service" in page and "You said, we did" in page
    assert "I am finished" in page and "I want to talk to an adult" in page
    assert "116 123" in page
    assert "Clinic" in client.get("/meeting/services").get_data(as_text=True)
    session.expire_all()
    assert session.get(Meeting, meeting.id).attendance == 1


def test_the_chosen_language_is_used(tablet_client, meeting):
    join(tablet_client, meeting, lang="ar")
    page = tablet_client.get("/meeting").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page


def test_a_language_the_board_does_not_offer_is_refused(tablet_client, meeting):
    tablet_client.post("/join", data={"code": meeting.join_code})
    assert tablet_client.post("/join/language", data={"lang": "pl"}).status_code == 400
    assert tablet_client.post("/join/language", data={"lang": "xx"}).status_code == 400


@pytest.mark.parametrize("code", ["", "ABCDEF", "12", "x" * 30, "<script>"])
def test_wrong_codes_get_a_friendly_message_and_another_try(tablet_client, meeting, code):
    response = tablet_client.post("/join", data={"code": code})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert WRONG_CODE in page or "Please type the code" in page
    assert tablet_client.get("/meeting").headers["Location"] == "/join"  # no session made


def test_the_code_of_a_closed_meeting_does_not_work(tablet_client, session, meeting):
    code = meeting.join_code
    room.close_meeting(session, None, meeting)
    session.commit()
    response = tablet_client.post("/join", data={"code": code})
    assert response.status_code == 400 and WRONG_CODE in response.get_data(as_text=True)


def test_closing_the_meeting_ends_every_tablet_at_its_next_request(tablet_client, session, meeting):
    join(tablet_client, meeting)
    room.close_meeting(session, None, meeting)
    session.commit()
    response = tablet_client.get("/meeting")
    assert response.headers["Location"] == "/join"
    assert "This meeting has ended" in tablet_client.get("/join").get_data(as_text=True)
    assert tablet_client.get("/meeting").headers["Location"] == "/join"


def test_i_am_finished_wipes_the_session_and_keeps_the_code(tablet_client, meeting):
    join(tablet_client, meeting)
    response = tablet_client.post("/finish")
    assert response.headers["Location"] == f"/join?code={meeting.join_code}&done=1"
    page = tablet_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ready for the next person" in page and f'value="{meeting.join_code}"' in page
    assert tablet_client.get("/meeting").headers["Location"] == "/join"


def test_an_idle_tablet_starts_over(tablet_client, meeting):
    join(tablet_client, meeting)
    assert tablet_client.get("/meeting").status_code == 200
    with time_machine.travel(timedelta(seconds=meeting.board.idle_seconds + 60)):
        response = tablet_client.get("/meeting")
    assert response.headers["Location"] == f"/join?code={meeting.join_code}"
    assert tablet_client.get("/meeting").headers["Location"] == "/join"


def test_activity_keeps_the_tablet_alive(tablet_client, meeting, monkeypatch):
    join(tablet_client, meeting)
    start = utcnow().timestamp()  # the suite's clock, which the tablet reads too
    for step in range(1, 4):
        moment = start + step * (meeting.board.idle_seconds - 20)
        monkeypatch.setattr(tablet.time, "time", lambda moment=moment: moment)
        assert tablet_client.get("/meeting").status_code == 200


def test_a_tampered_cookie_starts_over(tablet_client, meeting):
    join(tablet_client, meeting)
    cookie = tablet_client.get_cookie("board_session")
    tablet_client.set_cookie("board_session", cookie.value[:-3] + "AAA")
    assert tablet_client.get("/meeting").headers["Location"] == "/join"


def test_a_cookie_from_before_the_compact_format_still_works(tablet_client, meeting):
    """A deploy during a meeting keeps the children's sessions: lists that older cookies
    carried as lists are read as well as the space-separated strings of today."""
    join(tablet_client, meeting)
    with tablet_client.session_transaction() as sess:
        raw = dict(sess["tablet"])
        raw.update(feedback=[], proposals=[7], used=["abc"])  # "used": a field of before
        sess["tablet"] = raw
    assert tablet_client.get("/meeting").status_code == 200
    with tablet_client.session_transaction() as sess:
        assert sess["tablet"]["proposals"] == "7"


def test_a_session_of_one_meeting_is_no_key_to_another(tablet_client, session, make, meeting):
    make.meeting(meeting.board, date(2030, 2, 9), duration_minutes=60)
    session.commit()
    join(tablet_client, meeting)
    room.close_meeting(session, None, meeting)
    session.commit()
    # Still open elsewhere, but this tablet's session belonged to the closed meeting.
    assert tablet_client.get("/meeting").headers["Location"] == "/join"


def test_thirty_tablets_behind_one_address_all_get_in_though_each_child_mistypes_twice(
    app, meeting
):
    """The shipped limit: the room's thirty tablets share one address, every child mistypes
    twice in the same minute (the clock stands still), and then every one gets in."""
    with time_machine.travel(utcnow(), tick=False):
        tablets = [factories.tablet(app) for _ in range(30)]
        for at, child in enumerate(tablets):
            for wrong in (typo(meeting.join_code, at), typo(meeting.join_code, at + 3)):
                response = child.post("/join", data={"code": wrong})
                assert response.status_code == 400 and WRONG_CODE in response.get_data(True)
        for child in tablets:
            response = child.post("/join", data={"code": meeting.join_code})
            assert response.headers["Location"] == "/join/language"


def test_wrong_codes_are_limited_and_the_page_speaks_to_the_child(make_app, meeting, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app(JOIN_LIMIT_PER_CLIENT="3 per minute")
    client = factories.tablet(app)
    for at in range(3):
        assert client.post("/join", data={"code": typo(meeting.join_code, at)}).status_code == 400
    response = client.post("/join", data={"code": typo(meeting.join_code, 4)})
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Many wrong codes were typed here." in page
    assert "Wait 1 minute. Then type the code from the big screen again." in page
    assert "ask an adult" in page and "Too many tries" not in page
    assert 'href="/join"' in page and "/login" not in page  # back to the code, not staff
    assert "116 111" in page  # the helpline, as on every child page
    # The limiter's own log line keeps the limit and drops the client's address.
    messages = [r.getMessage() for r in caplog.records]
    assert any("exceeded" in m for m in messages)
    assert not any(CLIENT_ADDRESS in m for m in messages)


def test_the_too_many_tries_page_is_in_the_tablets_language(make_app, meeting):
    app = make_app(JOIN_LIMIT_PER_CLIENT="1 per minute")
    client = factories.tablet(app, HTTP_ACCEPT_LANGUAGE="sq")
    client.post("/join", data={"code": typo(meeting.join_code)})
    page = client.post("/join", data={"code": typo(meeting.join_code, 0)}).get_data(True)
    assert '<html lang="sq"' in page and 'href="/join"' in page
    assert "Këtu u shkruan shumë kode të gabuara." in page


def test_what_cannot_be_a_code_is_refused_kindly_and_not_counted(make_app, meeting):
    """A code too short, too long or with a character no code has can open nothing: no
    look-up, and no step towards the limit."""
    app = make_app(JOIN_LIMIT_PER_CLIENT="2 per minute")
    client = factories.tablet(app)
    for wrong in ["x", "ACDE234", "ACDEF23456", "ACDEO234", "ACDE1234", "ACDQ2345", "٣٣"] * 3:
        response = client.post("/join", data={"code": wrong})
        assert response.status_code == 400 and WRONG_CODE in response.get_data(as_text=True)
    assert client.post("/join", data={"code": meeting.join_code}).status_code == 302


@pytest.mark.parametrize(
    "typed",
    [
        "k5d3287h",  # lower case
        " K5D3 287H ",  # spaces, and the space the big screen shows
        "K5D3\u202f287H",
        "k5-d3-28-7h",  # dashes
        "KSD3ZB7H",  # S for 5, Z for 2, B for 8
        "ksd3 zb7h",
        "К5D3287Н",  # Cyrillic К and Н (a Bulgarian keyboard)
        "K٥D٣٢٨٧H",  # Arabic digits
        "ＫＳＤ３２８７Ｈ",  # full-width
    ],
)
def test_a_code_is_read_as_a_child_types_it(tablet_client, session, meeting, typed):
    meeting.join_code = "K5D3287H"
    session.commit()
    response = tablet_client.post("/join", data={"code": typed})
    assert response.headers["Location"] == "/join/language"


def test_the_alphabet_has_no_characters_a_child_can_confuse():
    alphabet = set(codes.ALPHABET)
    assert not alphabet & set("0O1IL")  # all of these look like several others
    for pair in ("S5", "Z2", "B8", "OQ"):
        assert len(alphabet & set(pair)) <= 1, pair
    for dropped, kept in codes.LOOK_ALIKES.items():
        assert kept in alphabet and dropped not in alphabet
        assert codes.read(f"ACDE{dropped}{kept.lower()}{dropped.lower()}7") == f"ACDE{kept * 3}7"
    assert codes.read(codes.new_code().lower()) is not None
    assert all(set(codes.new_code()) <= alphabet for _ in range(200))


def test_a_meeting_opened_before_the_longer_codes_keeps_its_code(tablet_client, session, meeting):
    """Its six characters are read as they always were (S and 5 were both in that alphabet)."""
    meeting.join_code = "SBV5Z5"
    session.commit()
    assert tablet_client.post("/join", data={"code": "SBVSZS"}).status_code == 400
    response = tablet_client.post("/join", data={"code": "sbv 5z5"})
    assert response.headers["Location"] == "/join/language"


# The join page's language -------------------------------------------------------------


def _lang(response) -> str:
    return response.get_data(as_text=True).split('<html lang="')[1].split('"')[0]


@pytest.mark.parametrize(
    ("accept", "shown"),
    [
        ("ar", "ar"),
        ("pl-PL,pl;q=0.9", "pl"),
        ("sr-Latn", "sr-Latn"),
        ("sr-Latn-RS", "sr-Latn"),  # as a Serbian tablet says it
        ("fr-FR,bg-BG;q=0.8", "bg"),
        ("fr", "en"),
    ],
)
def test_the_join_page_speaks_the_tablets_language(app, accept, shown):
    client = factories.tablet(app, HTTP_ACCEPT_LANGUAGE=accept)
    assert _lang(client.get("/join")) == shown


def test_with_the_code_in_the_address_the_join_page_speaks_a_language_of_the_board(app, meeting):
    page = factories.tablet(app, HTTP_ACCEPT_LANGUAGE="ar").get(f"/join?code={meeting.join_code}")
    assert _lang(page) == "ar"
    page = factories.tablet(app, HTTP_ACCEPT_LANGUAGE="pl").get(f"/join?code={meeting.join_code}")
    assert _lang(page) == "sq"  # the board's own: it does not speak Polish


def _switch(page: str) -> str:
    return page.split('class="join-languages"')[1].split("</form>")[0]


def test_the_join_page_offers_every_language_before_the_code(tablet_client, meeting):
    page = tablet_client.get("/join").get_data(as_text=True)
    assert page.index('class="join-languages"') < page.index('name="code"')
    assert 'action="/language" class="join-languages"' in page
    switch = _switch(page)
    for code, (name, direction) in LANGUAGES.items():
        assert f'lang="{code.replace("_", "-")}" dir="{direction}"' in switch and name in switch
    assert 'aria-current="true">English<' in switch
    # With the code in the address: the board's languages only, and back to the same page.
    page = tablet_client.get(f"/join?code={meeting.join_code}&done=1").get_data(as_text=True)
    switch = _switch(page)
    assert "Shqip" in switch and "العربية" in switch and "Polski" not in switch
    assert f'value="/join?code={meeting.join_code}"' in switch


def test_the_language_chosen_on_the_join_page_is_kept_the_rest_of_the_way_in(
    tablet_client, meeting
):
    back = tablet_client.post("/language", data={"lang": "ar", "next": "/join"})
    assert back.headers["Location"] == "/join"
    page = tablet_client.get("/join")
    assert _lang(page) == "ar" and 'aria-current="true">العربية<' in _switch(page.get_data(True))
    response = tablet_client.post("/join", data={"code": meeting.join_code})
    assert response.headers["Location"] == "/join/welcome"  # no need to choose again
    assert '<html lang="ar" dir="rtl">' in tablet_client.get("/join/welcome").get_data(True)
    tablet_client.post("/join/welcome")
    assert let_in(tablet_client)
    assert _lang(tablet_client.get("/meeting")) == "ar"
    # The next child on this tablet starts in the tablet's language and chooses again.
    assert _lang(tablet_client.get(tablet_client.post("/finish").headers["Location"])) == "en"
    response = tablet_client.post("/join", data={"code": meeting.join_code})
    assert response.headers["Location"] == "/join/language"


def test_a_language_the_board_does_not_speak_is_chosen_again_on_the_way_in(tablet_client, meeting):
    tablet_client.post("/language", data={"lang": "pl", "next": "/join"})
    response = tablet_client.post("/join", data={"code": meeting.join_code})
    assert response.headers["Location"] == "/join/language"
    assert _lang(tablet_client.get("/join/language")) == "en"  # the tablet's, of the board's


def test_after_a_meeting_closed_the_join_page_speaks_one_language(tablet_client, session, meeting):
    """An English tablet whose child chose Albanian: the page after the meeting closed is
    all in the tablet's language, its notice too."""
    join(tablet_client, meeting, lang="sq")
    room.close_meeting(session, None, meeting)
    session.commit()
    assert tablet_client.get("/meeting").headers["Location"] == "/join"
    page = tablet_client.get("/join")
    assert _lang(page) == "en"
    assert "This meeting has ended. Thank you for coming." in page.get_data(as_text=True)


def test_talk_to_an_adult_stores_a_time_and_nothing_else(tablet_client, session, meeting):
    join(tablet_client, meeting)
    response = tablet_client.post("/help")
    assert response.headers["Location"] == "/help"
    page = tablet_client.get("/help").get_data(as_text=True)
    assert "An adult is coming to you" in page
    assert set(HelpCall.__table__.columns.keys()) == {
        "id",
        "meeting_id",
        "created_at",
        "handled_at",
        "handled_by_id",
    }
    assert session.scalar(sa.select(sa.func.count()).select_from(HelpCall)) == 1


def test_child_pages_need_no_account_and_show_the_helpline(client, meeting):
    assert client.get("/join").status_code == 200
    assert "116 111" in client.get("/join").get_data(as_text=True)  # before a board is known


def test_nothing_stored_or_logged_names_the_tablet(tablet_client, session, meeting, caplog):
    """After tablets joined and called for help, no table holds their address or agent."""
    caplog.set_level(logging.DEBUG)
    for _ in range(2):
        join(tablet_client, meeting)
        tablet_client.get("/meeting")
        tablet_client.post("/help")
        tablet_client.post("/finish")
    tablet_client.post("/join", data={"code": typo(meeting.join_code)})
    session.expire_all()
    assert session.get(Meeting, meeting.id).attendance == 2
    needles = [CLIENT_ADDRESS, USER_AGENT, "UniqueTabletAgent"]
    for table in Base.metadata.sorted_tables:
        for row in session.execute(sa.select(table)):
            text = " ".join(str(value) for value in row)
            for needle in needles:
                assert needle not in text, f"{needle} found in {table.name}"
    for record in caplog.records:
        message = record.getMessage()
        for needle in needles:
            assert needle not in message, f"{needle} logged by {record.name}"


def test_no_participant_table_exists():
    names = set(Base.metadata.tables)
    assert not {n for n in names if "participant" in n or "tablet" in n or "child" in n}


def test_after_finishing_the_join_page_speaks_the_boards_language(app, meeting):
    """A tablet with no language of its own shows the next child the board's first one."""
    client = app.test_client()
    join(client, meeting, lang="ar")
    page = client.get(client.post("/finish").headers["Location"]).get_data(as_text=True)
    assert '<html lang="sq"' in page


def test_tablets_work_with_rate_limits_switched_off(make_app, meeting):
    """Finished sessions are remembered in a store of their own, not the limiter's (which
    does not exist when limits are off)."""
    client = make_app(RATELIMIT_ENABLED=False).test_client()
    join(client, meeting)
    copy = client.get_cookie("board_session").value
    assert client.get("/meeting").status_code == 200
    client.post("/finish")
    client.set_cookie("board_session", copy)
    assert client.get("/meeting").headers["Location"] == "/join"


def test_the_cookie_keeps_only_the_newest_answers():
    """A child who gives very many answers keeps a small cookie (browsers drop big ones)."""
    from board.participate.tablet import MAX_GIVEN, Tablet

    tablet = Tablet(meeting_id=1, token="t")
    for n in range(MAX_GIVEN + 10):
        tablet.gave_feedback(n)
        tablet.gave_idea(n)
    assert tablet.feedback == list(range(10, MAX_GIVEN + 10)) == tablet.proposals
