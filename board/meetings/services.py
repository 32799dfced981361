"""Scheduling and running meetings. Services flush; views commit."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from board.audit.services import record
from board.boards.models import Board, Service
from board.db import utcnow
from board.ids import insert_with_random_id
from board.meetings import codes
from board.meetings.models import HelpCall, Meeting, MeetingSeries, MeetingState
from board.meetings.recurrence import MonthlyRule, occurrences, to_utc
from board.rules import RuleError

# A close can be undone this long after it (a tap on the wrong meeting, children still in
# the room); after that, what was closed stays closed.
UNDO_MINUTES = 10


class MeetingError(RuleError):
    """A scheduling or meeting rule was broken; translated, ``field`` names the input."""


def local_to_utc(board: Board, day: date, at: time) -> datetime:
    return to_utc(datetime.combine(day, at), ZoneInfo(board.timezone))


def in_board_zone(board: Board, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(board.timezone))


def _agenda(board: Board, services: Sequence[Service]) -> list[Service]:
    if any(service.board_id != board.id for service in services):
        raise MeetingError(_l("Choose services of this board only."), field="service_ids")
    return list(services)


def schedule_meeting(
    session: Session,
    actor,
    board: Board,
    *,
    day: date,
    at: time,
    duration_minutes: int,
    place: str,
    notes: str = "",
    services: Sequence[Service] = (),
) -> Meeting:
    """One meeting, outside any series."""
    meeting = Meeting(
        board=board,
        starts_at=local_to_utc(board, day, at),
        duration_minutes=duration_minutes,
        place=place.strip(),
        notes=notes.strip(),
        services=_agenda(board, services),
    )
    session.add(meeting)
    record(session, actor, "meeting.schedule", meeting, board_id=board.id)
    return meeting


def _generate(session: Session, series: MeetingSeries, services: list[Service]) -> list[Meeting]:
    times = occurrences(
        series.rule,
        start=series.start_date,
        at=series.local_time,
        timezone=series.board.timezone,
        until=series.until,
    )
    if not times:
        raise MeetingError(_l("These settings give no meeting dates."), field="start_date")
    meetings = [
        Meeting(
            board=series.board,
            series=series,
            starts_at=moment,
            duration_minutes=series.duration_minutes,
            place=series.place,
            services=list(services),
        )
        for moment in times
    ]
    session.add_all(meetings)
    return meetings


def _check_span(start: date, until: date | None) -> None:
    if until is not None and until < start:
        raise MeetingError(_l("The series ends before it starts."), field="until")


def schedule_series(
    session: Session,
    actor,
    board: Board,
    *,
    rule: MonthlyRule,
    start: date,
    until: date | None,
    at: time,
    duration_minutes: int,
    place: str,
    services: Sequence[Service] = (),
) -> MeetingSeries:
    """A monthly series and its meetings (up to ``until``, or twelve months)."""
    _check_span(start, until)
    try:
        rule.rrule_kwargs()
    except ValueError:
        raise MeetingError(_l("Choose which day of the month."), field="kind") from None
    series = MeetingSeries(
        board=board,
        kind=rule.kind,
        ordinal=rule.ordinal,
        weekday=rule.weekday,
        month_day=rule.month_day,
        start_date=start,
        until=until,
        local_time=at,
        duration_minutes=duration_minutes,
        place=place.strip(),
    )
    session.add(series)
    meetings = _generate(session, series, _agenda(board, services))
    if series.until is None:
        series.until = in_board_zone(board, meetings[-1].starts_at).date()
    record(
        session,
        actor,
        "series.schedule",
        series,
        board_id=board.id,
        detail=f"{len(meetings)} meetings",
    )
    return series


def _require_scheduled(meeting: Meeting) -> None:
    if meeting.state is not MeetingState.SCHEDULED:
        raise MeetingError(_l("Only a meeting that has not started yet can be changed."))


def update_meeting(
    session: Session,
    actor,
    meeting: Meeting,
    *,
    day: date,
    at: time,
    duration_minutes: int,
    place: str,
    notes: str,
    services: list[Service],
) -> Meeting:
    """Change this one meeting; later changes to its series leave it alone."""
    _require_scheduled(meeting)
    meeting.starts_at = local_to_utc(meeting.board, day, at)
    meeting.duration_minutes = duration_minutes
    meeting.place = place.strip()
    meeting.notes = notes.strip()
    meeting.services = _agenda(meeting.board, services)
    meeting.edited = True
    meeting.sequence += 1
    record(session, actor, "meeting.update", meeting, board_id=meeting.board_id)
    session.flush()
    return meeting


def _following(session: Session, meeting: Meeting) -> list[Meeting]:
    """Meetings of the same series from this one on that have not started."""
    return list(
        session.scalars(
            sa.select(Meeting).where(
                Meeting.series_id == meeting.series_id,
                Meeting.starts_at >= meeting.starts_at,
                Meeting.state == MeetingState.SCHEDULED,
            )
        )
    )


def _month(moment: datetime) -> tuple[int, int]:
    return moment.year, moment.month


def _end_series_before(meeting: Meeting) -> None:
    series = meeting.series
    if series is None:
        raise MeetingError(_l("This meeting is not part of a series."))
    first_day = in_board_zone(meeting.board, meeting.starts_at).date()
    series.until = max(series.start_date, first_day - timedelta(days=1))


def update_following(
    session: Session,
    actor,
    meeting: Meeting,
    *,
    rule: MonthlyRule,
    start: date,
    until: date | None,
    at: time,
    duration_minutes: int,
    place: str,
    services: list[Service],
) -> MeetingSeries:
    """Change this meeting and all later ones: the series is split here, the later part
    follows the new settings; meetings changed on their own are kept as they are."""
    _require_scheduled(meeting)
    if meeting.series is None:
        raise MeetingError(_l("This meeting is not part of a series."))
    _check_span(start, until)
    old_until = meeting.series.until
    following = _following(session, meeting)
    # A monthly series has one meeting a month: a month that keeps a meeting changed on its
    # own gets no second one from the new settings.
    kept_months = {_month(in_board_zone(m.board, m.starts_at)) for m in following if m.edited}
    for old_meeting in following:
        if not old_meeting.edited:
            session.delete(old_meeting)
    _end_series_before(meeting)
    session.flush()
    series = schedule_series(
        session,
        actor,
        meeting.board,
        rule=rule,
        start=start,
        until=until or old_until,
        at=at,
        duration_minutes=duration_minutes,
        place=place,
        services=services,
    )
    for new_meeting in list(series_meetings(session, series)):
        if _month(in_board_zone(series.board, new_meeting.starts_at)) in kept_months:
            session.delete(new_meeting)
    session.flush()
    return series


def series_meetings(session: Session, series: MeetingSeries) -> list[Meeting]:
    session.flush()
    return list(
        session.scalars(
            sa.select(Meeting).where(Meeting.series_id == series.id).order_by(Meeting.starts_at)
        )
    )


def cancel_meeting(session: Session, actor, meeting: Meeting, *, following: bool = False) -> int:
    """Cancel this meeting, or this one and every later one of its series; returns how many."""
    _require_scheduled(meeting)
    targets = [meeting]
    if following:
        if meeting.series is None:
            raise MeetingError(_l("This meeting is not part of a series."))
        targets = _following(session, meeting)
        _end_series_before(meeting)
    for target in targets:
        target.state = MeetingState.CANCELLED
        target.sequence += 1
    record(
        session,
        actor,
        "meeting.cancel",
        meeting,
        board_id=meeting.board_id,
        detail=f"{len(targets)} meetings",
    )
    session.flush()
    return len(targets)


def new_code(session: Session) -> str:
    """A join code that no meeting holds."""
    while True:
        code = codes.new_code()
        if session.scalar(sa.select(Meeting.id).where(Meeting.join_code == code)) is None:
            return code


def open_meeting(session: Session, actor, meeting: Meeting) -> Meeting:
    """Open the room: a join code and the list of partners named to children."""
    if meeting.state is not MeetingState.SCHEDULED:
        raise MeetingError(_l("Only a scheduled meeting can be opened."))
    code = new_code(session)
    meeting.state = MeetingState.OPEN
    meeting.join_code = code
    meeting.opened_at = utcnow()
    meeting.recipients = list(meeting.board.partners)
    record(session, actor, "meeting.open", meeting, board_id=meeting.board_id)
    session.flush()
    return meeting


def regenerate_code(session: Session, actor, meeting: Meeting) -> str:
    """A new join code; the old one stops working (tablets already in stay in)."""
    if not meeting.is_open:
        raise MeetingError(_l("The meeting is not open."))
    code = new_code(session)
    meeting.join_code = code
    record(session, actor, "meeting.new_code", meeting, board_id=meeting.board_id)
    session.flush()
    return meeting.join_code


def find_open_meeting(session: Session, code: str) -> Meeting | None:
    """The open meeting with this join code, as a child may type it (any case, spaces and
    dashes, look-alikes: board.meetings.codes)."""
    cleaned = codes.read(code)
    if cleaned is None:
        return None
    return session.scalar(
        sa.select(Meeting).where(Meeting.join_code == cleaned, Meeting.state == MeetingState.OPEN)
    )


def set_present(session: Session, actor, meeting: Meeting, present: int) -> None:
    """The facilitator counts the children in the room: tablets are let in against it."""
    if not meeting.is_open:
        raise MeetingError(_l("The meeting is not open."))
    if not 0 <= present <= 500:
        raise MeetingError(_l("Write a number from 0 to 500."), field="present")
    meeting.present = present
    record(
        session, actor, "meeting.present", meeting, board_id=meeting.board_id, detail=str(present)
    )
    session.flush()


def call_for_help(session: Session, meeting: Meeting) -> HelpCall:
    """A child asked to talk to an adult: a time to the minute (what the room shows), under a
    random id (board.ids), nothing else."""
    call_id = insert_with_random_id(
        session,
        HelpCall.__table__,
        {"meeting_id": meeting.id, "created_at": utcnow().replace(second=0, microsecond=0)},
    )
    return session.get_one(HelpCall, call_id)  # just inserted


def handle_help_call(session: Session, actor, call: HelpCall) -> None:
    if call.handled_at is None:
        call.handled_at = utcnow()
        call.handled_by_id = actor.id
        session.flush()


def regenerate_calendar_token(session: Session, actor, board: Board) -> str:
    board.calendar_token = secrets.token_urlsafe(24)
    record(session, actor, "board.calendar_token", board, board_id=board.id)
    session.flush()
    return board.calendar_token


def undo_until(meeting: Meeting) -> datetime | None:
    """Until when the close of this meeting can be undone; None if it cannot (any more)."""
    if meeting.state is not MeetingState.CLOSED or meeting.closed_at is None:
        return None
    until = meeting.closed_at + timedelta(minutes=UNDO_MINUTES)
    return until if utcnow() <= until else None


def reopen_meeting(session: Session, actor, meeting: Meeting) -> Meeting:
    """Undo a close within ten minutes: the same meeting opens again with a new code. The
    tablets sent out join again with it (their sessions ended at the close, and stay
    ended); the vote closed at the close stays closed, as its key is gone for good."""
    if meeting.state is MeetingState.OPEN:
        raise MeetingError(_l("The meeting is open already."))
    if undo_until(meeting) is None:
        raise MeetingError(
            _l(
                "The close can no longer be undone: that is possible for %(num)d minutes"
                " after closing.",
                num=UNDO_MINUTES,
            )
        )
    code = new_code(session)  # looked for before the row changes (the constraint holds)
    meeting.state, meeting.join_code = MeetingState.OPEN, code
    meeting.closed_at = None
    meeting.reopened_at = utcnow()
    record(session, actor, "meeting.reopen", meeting, board_id=meeting.board_id)
    session.flush()
    return meeting
