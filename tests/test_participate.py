"""A child on a shared tablet: joining, language, explanation, help, finishing, idle reset,
bad codes and cookies, and nothing stored that could identify them."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from board.db import Base, utcnow
from board.meetings.models import HelpCall, Meeting
from board.participate import tablet
from board.room import services as room
from tests.factories import CLIENT_ADDRESS, USER_AGENT, join, let_in

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


def test_join_attempts_are_rate_limited(make_app, meeting, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app(JOIN_LIMIT_PER_CLIENT="3 per minute")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = CLIENT_ADDRESS
    for _ in range(3):
        assert client.post("/join", data={"code": "WRONG1"}).status_code == 400
    response = client.post("/join", data={"code": meeting.join_code})
    assert response.status_code == 429
    assert "Too many tries" in response.get_data(as_text=True)
    # The limiter's own log line keeps the limit and drops the client's address.
    messages = [r.getMessage() for r in caplog.records]
    assert any("exceeded" in m for m in messages)
    assert not any(CLIENT_ADDRESS in m for m in messages)


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
    tablet_client.post("/join", data={"code": "WRONG9"})
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
