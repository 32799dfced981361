"""The staff home page's top (issue 18, items 1 and 7): a facilitator's meeting day, a
lead's concerns, an administrator's open rooms, a partner's inbox; "new since the last
visit"; the live fragment that the page's script fetches (board.home)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from board.auth.models import User
from board.feedback.services import give_feedback
from board.meetings import services as meetings
from board.moderation.models import Concern, ConcernSource, ConcernUrgency
from board.room import services as room
from board.summaries.models import (
    ItemKind,
    Response,
    ResponseStatus,
    Summary,
    SummaryItem,
    SummaryState,
)
from tests.conftest import FIXED_NOW


def at(minutes: float = 0, *, hours: float = 0):
    """The clock, still, this long after the suite's instant."""
    return time_machine.travel(FIXED_NOW + timedelta(minutes=minutes, hours=hours), tick=False)


@pytest.fixture(autouse=True)
def at_the_suites_instant():
    """Each test starts at the suite's instant (its clock ticks on from there): what it
    checks ("since 10:30", "2 minutes ago", a reading window) is measured from it, however
    long the run has been going."""
    with time_machine.travel(FIXED_NOW, tick=True):
        yield


@pytest.fixture
def world(make):
    """``make.world()`` with a meeting of today (10:00 in Tirana, Room 2) opened at the
    suite's instant: ``world.meeting``."""
    world = make.world()
    world.meeting = make.meeting(world.board, FIXED_NOW.date(), place="Room 2")
    make.commit()
    return world


def page(client, user, auth, path="/") -> str:
    auth.as_user(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def fresh_user(session, user: User) -> User:
    session.expire_all()
    return session.get(User, user.id)


# The meeting, help calls ------------------------------------------------------------------


def test_the_open_meeting_leads_with_its_room_control_and_close(client, auth, world):
    html = page(client, world.facilitator, auth)
    meeting = world.meeting
    assert f"Today at <bdi>{world.board.name}</bdi>" in html  # a name keeps its own direction
    assert "Open now" in html and "Room 2" in html
    assert "since 10:30" in html  # opened at 08:30 UTC, shown in Tirana's summer time
    assert f'href="/meetings/{meeting.id}"' in html
    assert f'href="/meetings/{meeting.id}/room"' in html
    assert f'href="/meetings/{meeting.id}#close"' in html
    assert "No call right now." in html
    # The control screen's close form is where the link lands.
    control = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'id="close"' in control


def test_without_an_open_meeting_the_next_one_is_shown(client, auth, session, make, world):
    from board.room import services as room

    room.close_meeting(session, None, world.meeting)
    make.meeting(world.board, date(2026, 7, 11), place="Library", open=False)
    make.commit()
    html = page(client, world.facilitator, auth)
    assert "Open now" not in html
    assert "Next meeting: Saturday, 11 July 2026, 10:00" in html and "Library" in html


def test_no_meeting_at_all_says_so(client, auth, session, world):
    from board.room import services as room

    room.close_meeting(session, None, world.meeting)
    session.commit()
    html = page(client, world.facilitator, auth)
    assert "No meeting is scheduled." in html
    assert f'href="/boards/{world.board.id}/meetings">Schedule a meeting</a>' in html


def test_a_help_call_shows_its_age_and_goes_when_handled(client, auth, session, world):
    call = meetings.call_for_help(session, world.meeting)
    session.commit()
    with at(0.5):
        html = page(client, world.facilitator, auth)
    assert "A child asked for an adult just now" in html
    assert "No call right now." not in html
    with at(2):
        assert "A child asked for an adult 2 minutes ago" in page(client, world.facilitator, auth)
    # The same "handled" button as the control screen's, and back home afterwards.
    assert f'action="/help-calls/{call.id}/handled"' in html
    # The door page, where a facilitator stays while children arrive, shows it too.
    door = client.get(f"/meetings/{world.meeting.id}/door").text
    assert f'action="/help-calls/{call.id}/handled"' in door
    done = client.post(f"/help-calls/{call.id}/handled", data={"next": "/"})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    html = page(client, world.facilitator, auth)
    assert "A child asked for an adult" not in html and "No call right now." in html
    # From the control screen, as before, back to the control screen; never off the site.
    other = meetings.call_for_help(session, world.meeting)
    session.commit()
    back = client.post(f"/help-calls/{other.id}/handled", data={"next": "https://evil.example"})
    assert back.headers["Location"] == "/"


# Moderation, concerns, summaries -------------------------------------------------------


def test_texts_waiting_are_counted_per_meeting_with_a_link_to_its_queue(
    client, auth, session, make, world
):
    board, meeting = world.board, world.meeting
    html = page(client, world.facilitator, auth)
    assert "Texts waiting for moderation" in html and "No text is waiting." in html
    for text in ("one", "two"):
        give_feedback(
            session, meeting, world.service, rating=3, happened=text, better=None, language="en"
        )
    give_feedback(
        session, meeting, world.service, rating=4, happened=None, better=None, language="en"
    )
    make.proposal(board, "A football pitch")
    session.commit()
    html = page(client, world.facilitator, auth)
    assert f'href="/boards/{board.id}/moderation?meeting={meeting.id}"' in html
    assert "Meeting of 20 June 2026</a>:\n      2 texts" in html
    assert "1 idea" in html
    assert "No text is waiting." not in html


def test_concerns_are_counted_per_board_and_only_leads_get_the_link(client, auth, session, world):
    for reason, urgency in (("seen", ConcernUrgency.TODAY), ("heard", ConcernUrgency.WEEK)):
        session.add(
            Concern(
                board_id=world.board.id,
                source=ConcernSource.OTHER,
                reason=reason,
                urgency=urgency,
                occurred_on=date(2026, 6, 20),
            )
        )
    session.commit()
    concerns = session.scalars(sa.select(Concern)).all()
    html = page(client, world.facilitator, auth)
    assert "Safeguarding concerns not yet acknowledged" in html
    assert "2 concerns" in html and "The safeguarding lead is alerted." in html
    assert "Today · Something seen in the room" in html  # its urgency, then where it came from
    assert "/concerns" not in html
    html = page(client, world.lead, auth)
    assert f'href="/boards/{world.board.id}/concerns"' in html
    assert all(f'href="/concerns/{c.id}"' in html for c in concerns)
    # The lead's concerns come first, at the top of the page.
    assert html.index("not yet acknowledged") < html.index("Boards where you are the")
    # Another board's staff and partners see nothing of them.
    for outsider in (world.other_facilitator, world.partner):
        assert "not yet acknowledged" not in page(client, outsider, auth)
    # An administrator watches every board's.
    assert f'href="/boards/{world.board.id}/concerns"' in page(client, world.admin, auth)


def test_summaries_due_are_periods_over_and_unpublished(client, auth, session, make, world):
    board = world.board
    make.held(board, date(2026, 3, 14))
    make.held(board, date(2026, 4, 11))
    make.held(board, date(2026, 5, 9))
    make.held(board, date(2026, 6, 13))  # this month: not over yet
    make.moderated(board)
    make.summary(board, date(2026, 3, 1), publish=True)
    draft = make.summary(board, date(2026, 5, 1))
    make.commit()
    html = page(client, world.facilitator, auth)
    section = html[html.index("Summaries due") :]
    assert "March 2026" not in section  # published
    assert f'href="/boards/{board.id}/summaries">April 2026</a> · not started' in section
    assert f'href="/summaries/{draft.id}/edit">May 2026</a> · Draft' in section
    assert "June 2026" not in section


def test_no_summary_due_says_so(client, auth, world):
    assert "No summary is due." in page(client, world.facilitator, auth)


# New since the last visit -------------------------------------------------------------


@pytest.fixture
def published(session, world):
    """A published summary of the board sent to City hall, with one recommendation."""
    summary = Summary(
        board=world.board,
        month=date(2026, 3, 1),
        state=SummaryState.PUBLISHED,
        threshold_k=5,
        published_at=datetime(2026, 4, 2, tzinfo=UTC),
        recipients=[world.org],
    )
    summary.items.append(SummaryItem(kind=ItemKind.RECOMMENDATION, text="Open on Sundays"))
    session.add(summary)
    session.commit()
    return summary


def answer(session, world, summary, author=None, org=None) -> Response:
    response = Response(
        item=summary.items[0],
        organisation_id=(org or world.org).id,
        author_id=author.id if author else None,
        status=ResponseStatus.ACCEPTED,
        what="We will open on Sundays.",
    )
    session.add(response)
    session.commit()
    return response


def test_answers_are_new_through_one_visit_and_gone_on_the_next(
    client, auth, session, world, published
):
    facilitator = world.facilitator
    with at(0):
        page(client, facilitator, auth)  # the first visit
    seen = fresh_user(session, facilitator).home_seen_at
    assert seen == FIXED_NOW
    with at(hours=2):
        response = answer(session, world, published)
    with at(hours=3):  # the next visit: the answer came after the last one
        html = page(client, facilitator, auth)
    anchor = f'href="/summaries/{published.id}#response-{response.id}"'
    assert anchor in html and "New</span>" in html
    with at(hours=3, minutes=5):  # a reload of the same visit keeps the mark
        assert anchor in page(client, facilitator, auth)
    # The live fragment shows it too, and polling is not a visit.
    with at(hours=4, minutes=30):
        live = client.get("/home/today")
        assert anchor in live.get_data(as_text=True)
    assert fresh_user(session, facilitator).home_seen_at == FIXED_NOW + timedelta(
        hours=3, minutes=5
    )
    with at(hours=5):  # a visit later: seen already
        html = page(client, facilitator, auth)
    assert anchor not in html and "No new answer since your last visit." in html


def test_a_changed_answer_is_marked_changed(client, auth, session, world, published):
    with at(0):
        response = answer(session, world, published)
        page(client, world.facilitator, auth)
    with at(hours=2):
        response.changed_at = FIXED_NOW + timedelta(hours=2)
        session.commit()
    with at(hours=3):
        html = page(client, world.facilitator, auth)
    assert "Changed</span>" in html and f"#response-{response.id}" in html


# A partner's inbox -----------------------------------------------------------------------


def test_a_partners_inbox_marks_new_summaries_and_answers_and_lists_whats_waiting(
    client, auth, session, make, world, published
):
    partner = world.partner
    colleague = make.user(organisation=world.org)
    make.commit()
    with at(0):
        html = page(client, partner, auth)
    assert "Your inbox" in html and "Nothing new since your last visit." in html
    item = published.items[0]
    # What waits for City hall's answer: with a link to the item, and its age.
    assert (
        f'href="/summaries/{published.id}#item-{item.id}">Recommendation: Open on Sundays</a>'
        in html
    )
    assert "published 79 days ago" in html
    # A partner never sees a board's day.
    assert "Today at" not in html and "Texts waiting for moderation" not in html
    with at(hours=2):
        june = Summary(
            board=world.board,
            month=date(2026, 5, 1),
            state=SummaryState.PUBLISHED,
            threshold_k=5,
            published_at=FIXED_NOW + timedelta(hours=2),
            recipients=[world.org],
        )
        session.add(june)
        session.commit()
        own = answer(session, world, published, author=partner)
    with at(hours=2, minutes=10):
        theirs = answer(session, world, published, author=colleague)
    with at(hours=4):
        html = page(client, partner, auth)
    inbox = html[html.index("Your inbox") : html.index("Waiting for your answer")]
    assert f'href="/summaries/{june.id}"' in inbox and "New</span>" in inbox
    assert f"#response-{theirs.id}" in inbox
    assert f"#response-{own.id}" not in inbox  # one's own answer is no news
    # Answered now: no longer waiting.
    waiting = html[html.index("Waiting for your answer") :]
    assert "Open on Sundays" not in waiting
    received = html[html.index("Summaries your organisation received") :]
    assert received.count("New</span>") == 1


def test_another_organisations_partner_sees_nothing_of_it(client, auth, session, world, published):
    answer(session, world, published)
    html = page(client, world.other_partner, auth)
    assert "Open on Sundays" not in html and f"/summaries/{published.id}" not in html


# The live fragment -----------------------------------------------------------------------


def test_the_live_fragment_is_each_persons_own(client, auth, session, world):
    meetings.call_for_help(session, world.meeting)
    session.commit()
    assert client.get("/home/today").status_code == 302  # signed out: to the sign-in
    facilitator = page(client, world.facilitator, auth, "/home/today")
    assert "<html" not in facilitator and 'data-calls="1"' in facilitator
    assert "A child asked for an adult" in facilitator
    for outsider in (world.partner, world.other_facilitator, world.other_partner, world.lead):
        html = page(client, outsider, auth, "/home/today")
        assert world.board.name not in html and 'data-calls="0"' in html
    # An administrator is shown every board's open room, and its calls, nothing else.
    admin = page(client, world.admin, auth, "/home/today")
    assert "A child asked for an adult" in admin and "Texts waiting for moderation" not in admin


def test_the_page_is_whole_without_javascript(client, auth, session, world):
    meetings.call_for_help(session, world.meeting)
    session.commit()
    html = page(client, world.facilitator, auth)
    assert 'id="today" data-today-url="/home/today"' in html
    assert "A child asked for an adult" in html  # on load, not only by the script
    assert '<a href="/">Refresh</a>' in html
    assert "js/home." in html
    # The boards below stay as they were.
    assert "Boards you facilitate" in html


def test_a_call_nobody_answered_outlives_the_close(client, auth, session, world):
    """The close page warns of it, and the call stays on the home page and the meeting's
    page until someone marks it answered: closing the meeting does not answer a child."""
    call = meetings.call_for_help(session, world.meeting)
    session.commit()
    auth.as_user(world.facilitator)
    question = client.get(f"/meetings/{world.meeting.id}/close").text
    assert "1 child asked for an adult and nobody pressed" in question
    room.close_meeting(session, world.facilitator, world.meeting)
    session.commit()
    with at(5):
        html = page(client, world.facilitator, auth)
        assert "call for an adult was not marked as answered" in html
        assert f'action="/help-calls/{call.id}/handled"' in html
        assert "not marked as answered" in client.get(f"/meetings/{world.meeting.id}").text
    client.post(f"/help-calls/{call.id}/handled", data={"next": "/"})
    assert "not marked as answered" not in page(client, world.facilitator, auth)
    # A day later an old call no longer fills the page.
    other = meetings.call_for_help(session, world.meeting)
    session.commit()
    with at(hours=25):
        assert "not marked as answered" not in page(client, world.facilitator, auth)
    assert other.handled_at is None
