"""Scheduling, editing, cancelling, opening and closing meetings; calendar feeds."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405  (our own SVG)
from datetime import date, time

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from board.auth.models import Role
from board.meetings import codes, services
from board.meetings.models import HelpCall, Meeting, MeetingSeries, MeetingState
from board.meetings.recurrence import MonthlyRule, RuleKind
from tests.factories import close_meeting

SECOND_SATURDAY = MonthlyRule(RuleKind.NTH_WEEKDAY, ordinal=2, weekday=5)


@pytest.fixture
def board(make):
    board = make.board(timezone="Europe/Tirane")
    make.service(board, name="Clinic")
    make.commit()
    return board


@pytest.fixture
def facilitator(make, board, auth):
    user = make.user(Role.FACILITATOR, board)
    make.commit()
    auth.as_user(user)
    return user


def _series(session, board, **kw):
    values = {
        "rule": SECOND_SATURDAY,
        "start": date(2031, 1, 1),
        "until": date(2031, 12, 31),
        "at": time(10),
        "duration_minutes": 120,
        "place": "Room 1",
    }
    values.update(kw)
    series = services.schedule_series(session, None, board, **values)
    session.commit()
    return series, services.series_meetings(session, series)


def _meetings(session, board):
    session.expire_all()
    return session.scalars(
        sa.select(Meeting).where(Meeting.board_id == board.id).order_by(Meeting.starts_at)
    ).all()


def test_schedule_a_series_from_the_form(client, session, board, facilitator):
    response = client.post(
        f"/boards/{board.id}/series/new",
        data={
            "kind": "nth_weekday",
            "ordinal": "2",
            "weekday": "5",
            "start_date": "2031-01-01",
            "until": "2031-06-30",
            "at": "10:00",
            "duration_minutes": "120",
            "place": "Room 1",
            "service_ids": [str(board.services[0].id)],
        },
    )
    assert response.status_code == 302
    meetings = _meetings(session, board)
    assert len(meetings) == 6
    assert all(m.services[0].name == "Clinic" for m in meetings)
    page = client.get(f"/boards/{board.id}/meetings").get_data(as_text=True)
    assert "Saturday, 11 January 2031" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"until": "2030-12-01"}, "ends before it starts"),
        ({"until": "2031-01-05"}, "give no meeting dates"),
        ({"kind": "month_day", "month_day": ""}, "Choose which day of the month"),
        ({"month_day": "32", "kind": "month_day"}, "Number must be between 1 and 31."),
        ({"at": "25:99"}, "Not a valid time value."),
        ({"until": "9999-12-31"}, "Choose a day between 1970-01-01 and 9998-12-31."),
        ({"start_date": "0001-01-01"}, "Choose a day between 1970-01-01 and 9998-12-31."),
    ],
)
def test_bad_series_input_is_refused_and_kept(client, session, board, facilitator, data, message):
    form = {
        "kind": "nth_weekday",
        "ordinal": "2",
        "weekday": "5",
        "start_date": "2031-01-01",
        "until": "2031-06-30",
        "at": "10:00",
        "duration_minutes": "120",
        "place": "Kept place",
    }
    form.update(data)
    response = client.post(f"/boards/{board.id}/series/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and 'value="Kept place"' in page
    assert _meetings(session, board) == []
    assert session.scalar(sa.select(sa.func.count()).select_from(MeetingSeries)) == 0


def test_edit_one_occurrence(client, session, board, facilitator):
    _series_, meetings = _series(session, board)
    target = meetings[2]
    response = client.post(
        f"/meetings/{target.id}/edit",
        data={
            "day": "2031-03-15",
            "at": "11:30",
            "duration_minutes": "90",
            "place": "Park",
            "notes": "Bring paper",
            "service_ids": [],
        },
    )
    assert response.status_code == 302
    session.expire_all()
    changed = session.get(Meeting, target.id)
    local = services.in_board_zone(board, changed.starts_at)
    assert (local.day, local.hour, local.minute) == (15, 11, 30)
    assert changed.place == "Park" and changed.edited and changed.sequence == 1
    assert session.get(Meeting, meetings[3].id).place == "Room 1"


def test_change_this_and_all_later_keeps_meetings_edited_on_their_own(session, board):
    series, meetings = _series(session, board)
    services.update_meeting(
        session,
        None,
        meetings[8],
        day=date(2031, 9, 20),
        at=time(9),
        duration_minutes=60,
        place="Special",
        notes="",
        services=[],
    )
    session.commit()
    services.update_following(
        session,
        None,
        meetings[5],
        rule=MonthlyRule(RuleKind.NTH_WEEKDAY, -1, 4),
        start=date(2031, 6, 1),
        until=None,
        at=time(17),
        duration_minutes=60,
        place="New room",
        services=[],
    )
    session.commit()
    after = _meetings(session, board)
    first_part = [m for m in after if m.series_id == series.id]
    assert len(first_part) == 6  # five untouched + the one edited on its own
    later = [m for m in after if m.series_id not in (series.id,)]
    assert all(services.in_board_zone(board, m.starts_at).hour == 17 for m in later)
    assert all(services.in_board_zone(board, m.starts_at).weekday() == 4 for m in later)
    assert any(m.place == "Special" for m in after)
    assert not any(
        services.in_board_zone(board, m.starts_at).month == 9 and m.place == "New room"
        for m in after
    )
    session.expire_all()
    assert session.get(MeetingSeries, series.id).until == date(2031, 6, 13)  # the day before


def test_cancel_one_or_this_and_later_from_the_middle(client, session, board, facilitator):
    series, meetings = _series(session, board)
    client.post(f"/meetings/{meetings[1].id}/cancel", data={"scope": "one"})
    client.post(f"/meetings/{meetings[6].id}/cancel", data={"scope": "following"})
    states = [m.state for m in _meetings(session, board)]
    assert states.count(MeetingState.CANCELLED) == 1 + 6
    assert states[0] is MeetingState.SCHEDULED and states[5] is MeetingState.SCHEDULED
    assert states[1] is MeetingState.CANCELLED and all(
        s is MeetingState.CANCELLED for s in states[6:]
    )
    response = client.post(
        f"/meetings/{meetings[1].id}/cancel", data={"scope": "one"}, follow_redirects=True
    )
    assert "has not started yet" in response.get_data(as_text=True)


def test_calendar_feed_and_meeting_download_validate(client, session, board, facilitator, app):
    series, meetings = _series(session, board)
    services.cancel_meeting(session, None, meetings[0])
    session.commit()
    feed = client.get(f"/calendar/{board.calendar_token}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    calendar = Calendar.from_ical(feed.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 12
    assert events[0]["STATUS"] == "CANCELLED"
    assert events[1]["DTSTART"].dt.isoformat() == "2031-02-08T09:00:00+00:00"
    assert str(events[1]["LOCATION"]) == "Room 1"
    single = client.get(f"/meetings/{meetings[1].id}/meeting.ics")
    assert len(list(Calendar.from_ical(single.data).walk("VEVENT"))) == 1
    old = board.calendar_token
    client.post(f"/boards/{board.id}/calendar-token")
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    session.expire_all()
    assert (
        client.get(f"/calendar/{session.get(type(board), board.id).calendar_token}.ics").status_code
        == 200
    )


def test_open_shows_code_and_qr_then_close_destroys_code(client, session, board, facilitator):
    _s, meetings = _series(session, board)
    meeting = meetings[0]
    response = client.post(f"/meetings/{meeting.id}/open")
    # The facilitator's own screen, with its link to the room screen for the projector.
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    session.expire_all()
    opened = session.get(Meeting, meeting.id)
    code = opened.join_code
    assert len(code) == codes.LENGTH == 8 and set(code) <= set(codes.ALPHABET)
    assert opened.opened_at is not None
    room = client.get(f"/meetings/{meeting.id}/room").get_data(as_text=True)
    assert f"{code[:4]}&#8239;{code[4:]}" in room  # two halves, to read across the room
    qr = client.get(f"/meetings/{meeting.id}/qr.svg")
    assert qr.mimetype == "image/svg+xml"
    assert ET.fromstring(qr.data).tag.endswith("svg")  # noqa: S314
    close_meeting(client, meeting)
    session.expire_all()
    closed = session.get(Meeting, meeting.id)
    assert closed.state is MeetingState.CLOSED
    assert closed.join_code is None
    assert client.get(f"/meetings/{meeting.id}/qr.svg").status_code == 404


def test_new_code_replaces_the_old_one(client, session, board, facilitator):
    _s, meetings = _series(session, board)
    services.open_meeting(session, None, meetings[0])
    session.commit()
    old = meetings[0].join_code
    client.post(f"/meetings/{meetings[0].id}/code")
    assert services.find_open_meeting(session, old) is None
    session.expire_all()
    new = session.get(Meeting, meetings[0].id).join_code
    assert new != old and services.find_open_meeting(session, new.lower()).id == meetings[0].id


def test_recipients_are_the_partners_at_opening(session, make, board):
    partner = make.organisation(name="City hall")
    board.partners = [partner]
    _s, meetings = _series(session, board)
    services.open_meeting(session, None, meetings[0])
    board.partners = []
    session.commit()
    session.expire_all()
    assert [o.name for o in session.get(Meeting, meetings[0].id).recipients] == ["City hall"]


def test_help_calls_on_the_meeting_page_until_handled(client, session, board, facilitator):
    _s, meetings = _series(session, board)
    meeting = meetings[0]
    services.open_meeting(session, None, meeting)
    call = services.call_for_help(session, meeting)
    session.commit()
    live = client.get(f"/meetings/{meeting.id}/live.json").json
    assert live["state"] == "open" and len(live["help_calls"]) == 1
    assert "A child asked for an adult" in client.get(f"/meetings/{meeting.id}").get_data(
        as_text=True
    )
    client.post(f"/help-calls/{call.id}/handled")
    assert client.get(f"/meetings/{meeting.id}/live.json").json["help_calls"] == []
    session.expire_all()
    assert session.get(HelpCall, call.id).handled_by_id == facilitator.id


def test_only_scheduled_meetings_open_and_only_open_ones_close(client, session, board, facilitator):
    _s, meetings = _series(session, board)
    # Not open: no question to answer; a forged answer is refused with the reason.
    response = client.get(f"/meetings/{meetings[0].id}/close")
    assert response.headers["Location"].endswith(f"/meetings/{meetings[0].id}")
    response = client.post(f"/meetings/{meetings[0].id}/close", data={"once": "forged"})
    assert response.status_code == 409
    assert "The meeting is not open." in response.get_data(as_text=True)
    services.cancel_meeting(session, None, meetings[1])
    session.commit()
    response = client.post(f"/meetings/{meetings[1].id}/open", follow_redirects=True)
    assert "Only a scheduled meeting can be opened." in response.get_data(as_text=True)


def test_unknown_meetings_are_404(client, facilitator):
    for path in [
        "/meetings/9999",
        "/meetings/9999/room",
        "/meetings/9999/live.json",
        "/calendar/nope.ics",
        "/boards/9999/meetings",
    ]:
        assert client.get(path).status_code == 404
