"""One person cannot stuff the ballot or the ratings, and no staff sign-in survives onto a
child's tablet (issue 13, items 3 and 5). Each attack that was found is replayed here."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from board.auth.models import Role
from board.feedback.models import Feedback
from board.meetings.models import HelpCall, Meeting
from board.participate import admission
from tests import factories
from tests.factories import let_in, once

N = 12  # re-joins per attack


@pytest.fixture
def meeting(session, make):
    """An open meeting with the Clinic on the agenda and a Shelter beside it."""
    board = make.board(languages="en sq")
    clinic = make.service(board, name="Clinic")
    make.service(board, name="Shelter")
    meeting = make.meeting(board, services=[clinic])
    session.commit()
    return meeting


@pytest.fixture
def ballot(session, make, meeting):
    actions = make.actions(meeting.board, "Idea A", "Idea B")
    session.commit()
    ballot = make.ballot(meeting, actions)
    session.commit()
    return ballot


def join(client, meeting) -> None:
    """A new child on this tablet, with the code from the big screen (not let in)."""
    factories.join(client, meeting, admit=False)


def clinic_of(meeting) -> int:
    return meeting.services[0].id


def stored(session, meeting) -> list[Feedback]:
    session.expire_all()
    return list(session.scalars(sa.select(Feedback).where(Feedback.meeting_id == meeting.id)))


def attendance(session, meeting) -> int:
    session.expire_all()
    return session.get(Meeting, meeting.id).attendance


# The door -----------------------------------------------------------------------------------


def test_rejoining_cannot_cast_more_than_one_ballot_without_the_tap(
    tablet_client, session, meeting, ballot
):
    """The attack: one cookie jar cast 60 of 60 votes by re-joining. With the join code and
    the default settings, the facilitator's one tap gives one ballot, however often the same
    device re-joins."""
    a, _b = ballot.options
    counted = 0
    for attempt in range(N):
        join(tablet_client, meeting)
        if attempt == 0:
            assert let_in(tablet_client)  # the facilitator lets the first child in
        response = tablet_client.post("/meeting/vote", data={f"a{a.id}": "1"})
        if response.status_code == 302 and response.headers["Location"] == "/meeting/vote":
            counted += 1
        else:
            assert response.headers["Location"] == "/join/wait"
        tablet_client.post("/finish")
    assert counted == 1
    assert attendance(session, meeting) == 1  # children let in, not joins


def test_rejoining_cannot_add_ratings_beyond_one_per_service(tablet_client, session, meeting):
    clinic = clinic_of(meeting)
    path = f"/meeting/services/{clinic}"
    join(tablet_client, meeting)
    assert let_in(tablet_client)
    for _ in range(N):
        token = once(tablet_client, path)
        tablet_client.post(path, data={"rating": "1", "once": token})
    for _ in range(N):  # and as new sessions on the same device, never let in
        tablet_client.post("/finish")
        join(tablet_client, meeting)
        assert tablet_client.get(path).headers["Location"] == "/join/wait"
        tablet_client.post(path, data={"rating": "1", "once": "made-up"})
    assert [f.rating for f in stored(session, meeting)] == [1]


def test_a_new_tablet_waits_until_the_facilitator_lets_it_in(
    app, client, auth, tablet_client, session, make, meeting
):
    facilitator = make.user(Role.FACILITATOR, meeting.board)
    session.commit()
    join(tablet_client, meeting)
    assert tablet_client.get("/meeting").headers["Location"] == "/join/wait"
    page = tablet_client.get("/join/wait").get_data(as_text=True)
    assert "Your facilitator will let you in" in page
    label = re.search(r"This tablet is called: (\w{3})", page).group(1)
    auth.as_user(facilitator)
    # The control screen says a tablet waits (and its live counts too).
    control = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert '<span data-live="at_door">1</span>' in control
    assert client.get(f"/meetings/{meeting.id}/live.json").json["at_door"] == 1
    assert "at_door" not in client.get(f"/meetings/{meeting.id}/live.json?screen=room").json
    door = client.get(f"/meetings/{meeting.id}/door").get_data(as_text=True)
    assert f"Tablet {label}" in door
    place = re.search(rf'action="/meetings/{meeting.id}/door/(\d+)"', door).group(1)
    assert client.post(f"/meetings/{meeting.id}/door/{place}").status_code == 302
    assert attendance(session, meeting) == 1
    assert tablet_client.get("/join/wait").headers["Location"] == "/meeting"
    assert tablet_client.get("/meeting").status_code == 200
    # A second tap on the same place (a double click, two facilitators) counts nothing.
    client.post(f"/meetings/{meeting.id}/door/{place}")
    assert attendance(session, meeting) == 1
    assert f"Tablet {label}" not in client.get(f"/meetings/{meeting.id}/door").get_data(
        as_text=True
    )


def test_the_next_child_on_a_shared_tablet_waits_again(tablet_client, session, meeting):
    join(tablet_client, meeting)
    assert let_in(tablet_client)
    assert tablet_client.get("/meeting").status_code == 200
    tablet_client.post("/finish")
    join(tablet_client, meeting)
    assert tablet_client.get("/meeting").headers["Location"] == "/join/wait"


def test_without_the_tap_tablets_beyond_the_children_present_wait(app, session, meeting):
    meeting.board.admit_by_tap = False
    meeting.present = 2
    session.commit()
    tablets = [app.test_client() for _ in range(4)]
    for tablet in tablets:
        join(tablet, meeting)
    places = [tablet.get("/meeting").headers.get("Location") for tablet in tablets]
    assert places == [None, None, "/join/wait", "/join/wait"]
    assert attendance(session, meeting) == 2
    # The facilitator counts one more child: the next waiting tablet comes in by itself.
    meeting.present = 3
    session.commit()
    assert tablets[2].get("/join/wait").headers["Location"] == "/meeting"
    assert tablets[3].get("/meeting").headers["Location"] == "/join/wait"
    assert attendance(session, meeting) == 3


def test_the_number_present_is_checked(client, auth, session, make, meeting):
    auth.as_user(make.user(Role.FACILITATOR, meeting.board))
    session.commit()
    for bad in ("-1", "abc", "", "501"):
        response = client.post(f"/meetings/{meeting.id}/present", data={"present": bad})
        assert response.status_code == 400, bad
        assert "Children in the room" in response.get_data(as_text=True)
    response = client.post(f"/meetings/{meeting.id}/present", data={"present": "14"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Meeting, meeting.id).present == 14


def test_the_waiting_line_holds_labels_only(app, tablet_client, meeting):
    join(tablet_client, meeting)
    with app.app_context():
        line = admission.waiting(meeting)
    assert len(line) == 1 and re.fullmatch(r"[A-Z2-9]{3}", line[0].label)


# Once-tokens, one rating per service, help calls -------------------------------------------


def test_a_form_token_the_server_never_issued_stores_nothing(tablet_client, session, meeting):
    """The attack: 100 "very bad" from one session in 3 s, each with a made-up token."""
    join(tablet_client, meeting)
    assert let_in(tablet_client)
    path = f"/meeting/services/{clinic_of(meeting)}"
    for made_up in ("x", "made-up-token", "", "a" * 500):
        response = tablet_client.post(path, data={"rating": "1", "once": made_up})
        assert response.status_code == 302, made_up
    assert stored(session, meeting) == []
    page = tablet_client.get("/meeting/thanks").get_data(as_text=True)
    assert "We have this already" in page


def test_a_form_token_is_good_for_one_submission(tablet_client, session, meeting):
    join(tablet_client, meeting)
    assert let_in(tablet_client)
    path = f"/meeting/services/{clinic_of(meeting)}"
    token = once(tablet_client, path)
    for _ in range(5):
        assert tablet_client.post(path, data={"rating": "2", "once": token}).status_code == 302
    assert [f.rating for f in stored(session, meeting)] == [2]
    # Another session cannot use a token issued to this one.
    other_token = once(tablet_client, path)
    tablet_client.post("/finish")
    join(tablet_client, meeting)
    assert let_in(tablet_client)
    tablet_client.post(path, data={"rating": "5", "once": other_token})
    assert [f.rating for f in stored(session, meeting)] == [2]


def test_a_second_rating_replaces_the_first(tablet_client, session, meeting):
    from board.feedback.queries import count_answers

    join(tablet_client, meeting)
    assert let_in(tablet_client)
    path = f"/meeting/services/{clinic_of(meeting)}"
    for _ in range(10):
        tablet_client.post(path, data={"rating": "1", "once": once(tablet_client, path)})
    assert "A new answer takes the place of the old one" in tablet_client.get(path).get_data(
        as_text=True
    )
    tablet_client.post(path, data={"rating": "4", "once": once(tablet_client, path)})
    assert [f.rating for f in stored(session, meeting)] == [4]
    assert count_answers(session, session.get(Meeting, meeting.id)) == 1


def test_an_old_copy_of_the_cookie_cannot_rate_again(tablet_client, session, meeting):
    join(tablet_client, meeting)
    assert let_in(tablet_client)
    path = f"/meeting/services/{clinic_of(meeting)}"
    name = tablet_client.application.config["SESSION_COOKIE_NAME"]
    before = tablet_client.get_cookie(name).value
    tablet_client.post(path, data={"rating": "1", "once": once(tablet_client, path)})
    tablet_client.set_cookie(name, before)  # forgets the answer it gave
    tablet_client.post(path, data={"rating": "1", "once": once(tablet_client, path)})
    assert [f.rating for f in stored(session, meeting)] == [1]


def test_taking_back_frees_the_service(tablet_client, session, meeting):
    join(tablet_client, meeting)
    assert let_in(tablet_client)
    path = f"/meeting/services/{clinic_of(meeting)}"
    tablet_client.post(path, data={"rating": "1", "once": once(tablet_client, path)})
    (given,) = stored(session, meeting)
    tablet_client.post(f"/meeting/mine/feedback/{given.id}/delete")
    assert stored(session, meeting) == []
    tablet_client.post(path, data={"rating": "3", "once": once(tablet_client, path)})
    assert [f.rating for f in stored(session, meeting)] == [3]


def test_help_calls_at_most_once_a_minute_per_session(tablet_client, session, meeting):
    """The attack: 50 help calls in 1.3 s buried a real call on the room screen."""
    join(tablet_client, meeting)
    assert let_in(tablet_client)
    for _ in range(50):
        pressed = tablet_client.post("/help")
        assert pressed.status_code == 302
    calls = sa.select(sa.func.count()).select_from(HelpCall)
    assert session.scalar(calls) == 1
    again = tablet_client.get(pressed.location).get_data(as_text=True)
    assert "The adult already knows" in again
    with time_machine.travel(timedelta(seconds=61)):
        tablet_client.post("/help")
        assert session.scalar(calls) == 2


def test_tablets_still_waiting_share_one_help_call_a_minute(app, session, meeting):
    for _ in range(5):
        tablet = app.test_client()
        join(tablet, meeting)
        assert tablet.post("/help").status_code == 302
    assert session.scalar(sa.select(sa.func.count()).select_from(HelpCall)) == 1


# Item 5: no staff sign-in on a child's tablet ----------------------------------------------


def test_joining_signs_staff_out_of_the_browser(client, auth, session, make, meeting):
    """The attack: a facilitator signed in where a child then joins and finishes; the next
    child opens the moderation queue."""
    facilitator = make.user(Role.FACILITATOR, meeting.board, email="fac@example.org")
    session.commit()
    assert auth.login("fac@example.org").status_code == 302
    queue = f"/boards/{meeting.board_id}/moderation"
    assert client.get(queue).status_code == 200
    join(client, meeting)
    with client.session_transaction() as cookie:
        assert "_user_id" not in cookie and "signin" not in cookie
    client.post("/finish")
    response = client.get(queue)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert facilitator.email not in client.get("/").get_data(as_text=True)


def test_a_staff_page_refuses_a_browser_with_a_tablet_session(client, auth, session, make, meeting):
    facilitator = make.user(Role.FACILITATOR, meeting.board)
    session.commit()
    join(client, meeting)
    auth.as_user(facilitator)  # a staff sign-in put back into the tablet's cookie
    response = client.get(f"/boards/{meeting.board_id}/moderation")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert "staff pages stay closed" in page
    # Signing in again ends the child's session first.
    auth.login(facilitator.email)
    assert client.get(f"/boards/{meeting.board_id}/moderation").status_code == 200
    assert client.get("/meeting").headers["Location"] == "/join"


@pytest.mark.slow  # seeds the whole demo network
def test_the_demo_prints_where_its_facilitator_lets_tablets_in(runner, app, client, auth):
    """`make run` prints the demo's join code and, beside it, its door page; the demo's open
    meeting keeps the default: a tablet waits for the tap."""
    from board.demo import DEMO_PASSWORD

    output = runner.invoke(args=["demo"]).output
    code = re.search(r"join code (\w{8})", output).group(1)
    door = re.search(r"(/meetings/\d+/door)", output).group(1)
    tablet = app.test_client()
    tablet.post("/join", data={"code": code})
    tablet.post("/join/language", data={"lang": "en"})
    tablet.post("/join/welcome")
    assert tablet.get("/meeting").headers["Location"] == "/join/wait"
    label = re.search(r'data-label="(\w{3})"', tablet.get("/join/wait").get_data(as_text=True))
    assert auth.login("facilitator.tirana@example.org", DEMO_PASSWORD).status_code == 302
    assert f"Tablet {label.group(1)}" in client.get(door).get_data(as_text=True)
