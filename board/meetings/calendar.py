"""iCalendar output (RFC 5545) for a board's feed and a single meeting."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from icalendar import Calendar, Event

from board.db import utcnow
from board.meetings.models import Meeting, MeetingState


def _event(meeting: Meeting, host: str) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{host}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", _("%(board)s: monthly meeting", board=meeting.board.name))
    if meeting.place:
        event.add("location", meeting.place)
    agenda = ", ".join(service.name for service in meeting.services)
    if agenda:
        event.add("description", _("Services on the agenda: %(services)s", services=agenda))
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if meeting.state is MeetingState.CANCELLED else "CONFIRMED")
    return event


def to_ics(meetings: list[Meeting], *, name: str, host: str) -> bytes:
    """A calendar with one event per meeting."""
    calendar = Calendar()
    calendar.add("prodid", "-//board//child consultation boards//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(_event(meeting, host))
    return calendar.to_ical()
