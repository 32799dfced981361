"""What a staff home page leads with on a meeting day, for each board of the person:

- a facilitator's boards: the meeting open now (else the next one), children's calls for
  an adult waiting, texts waiting for moderation per meeting, summaries due, partners'
  answers new since the last visit;
- an administrator's: every board with a meeting open now, its room only (the rest is the
  board's facilitators' day, and every board's would be too much to read);
- unacknowledged safeguarding concerns of every board the person works on or
  administers (a safeguarding lead's first);
- a partner's inbox: summaries and answers new since the last visit, and what waits for
  their organisation's answer.

Being a partner shows no board's day by itself: the day comes with the other roles only. A
person who is both a partner and a board's facilitator (or an administrator) sees that
board's day (or the rooms open now) above their inbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from board.actions import queries as actions
from board.auth.models import Role, User
from board.boards.models import Board
from board.feedback import queries as feedback
from board.meetings import queries as meetings
from board.meetings.models import HelpCall, Meeting
from board.meetings.services import in_board_zone
from board.moderation import queries as moderation
from board.moderation.models import Concern
from board.summaries import queries as summaries
from board.summaries.models import Response, Summary, SummaryItem

# What the inbox lists of what waits for an answer; the page behind its link has them all.
WAITING_SHOWN = 10
# How long a call for an adult nobody marked as answered stays on the home page after its
# meeting closed.
CALLS_KEPT = timedelta(hours=24)


@dataclass
class BoardDay:
    board: Board
    # A facilitator's board shows everything; an administrator's, its open meeting only.
    facilitated: bool
    open: list[Meeting] = field(default_factory=list)
    # Closed meetings with a child's call for an adult nobody marked as answered.
    closed_with_calls: list[Meeting] = field(default_factory=list)
    next: Meeting | None = None
    help_calls: dict[int, list[HelpCall]] = field(default_factory=dict)  # by meeting id
    waiting_texts: list[tuple[Meeting, int]] = field(default_factory=list)
    waiting_ideas: int = 0
    due: list[summaries.DuePeriod] = field(default_factory=list)
    answers: list[Response] = field(default_factory=list)


@dataclass
class Inbox:
    """A partner's: what their organisation received and what waits for its answer."""

    received: list[Summary]
    answers: list[Response]
    waiting: list[tuple[SummaryItem, Summary]]

    @property
    def waiting_shown(self) -> list[tuple[SummaryItem, Summary]]:
        return self.waiting[:WAITING_SHOWN]

    def new_summaries(self, since: datetime) -> list[Summary]:
        return [s for s in self.received if s.published_at and s.published_at > since]


@dataclass
class Today:
    now: datetime
    since: datetime  # "new" begins here (board.home.visits)
    concerns: list[Concern] = field(default_factory=list)
    cases: list[Concern] = field(default_factory=list)  # a lead's, acknowledged, not closed
    boards: list[BoardDay] = field(default_factory=list)
    inbox: Inbox | None = None

    @property
    def help_calls(self) -> int:
        """Calls waiting on the whole page: the live script announces a new one."""
        return sum(len(c) for day in self.boards for c in day.help_calls.values())

    def concerns_by_board(self) -> list[tuple[Board, list[Concern]]]:
        grouped: dict[int, tuple[Board, list[Concern]]] = {}
        for concern in self.concerns:
            grouped.setdefault(concern.board_id, (concern.board, []))[1].append(concern)
        return sorted(grouped.values(), key=lambda pair: pair[0].name)


def today_for(session: Session, user: User, now: datetime, since: datetime) -> Today:
    """The top of ``user``'s home page at ``now``, marking as new what came after ``since``."""
    today = Today(now=now, since=since)
    facilitated = user.board_ids(Role.FACILITATOR)
    led = user.board_ids(Role.SAFEGUARDING_LEAD)
    watched = facilitated | led
    if user.is_admin:
        watched = set(session.scalars(sa.select(Board.id)))
    today.concerns = moderation.unacknowledged(session, watched)
    today.cases = moderation.in_progress(session, led)
    today.boards = _board_days(session, user, facilitated, now, since)
    if user.is_partner:
        today.inbox = _inbox(session, user, since)
    return today


def _board_days(
    session: Session, user: User, facilitated: set[int], now: datetime, since: datetime
) -> list[BoardDay]:
    if not facilitated and not user.is_admin:
        return []
    open_now = meetings.open_meetings(session, None if user.is_admin else facilitated)
    days = {
        board.id: BoardDay(board, facilitated=True)
        for board in session.scalars(
            sa.select(Board).where(Board.id.in_(facilitated)).order_by(Board.name)
        )
    }
    for meeting in open_now:
        days.setdefault(meeting.board_id, BoardDay(meeting.board, facilitated=False))
        days[meeting.board_id].open.append(meeting)
    for call in meetings.waiting_help_calls(session, [m.id for m in open_now]):
        days[call.meeting.board_id].help_calls.setdefault(call.meeting_id, []).append(call)
    for call in meetings.unanswered_after_close(session, facilitated, now - CALLS_KEPT):
        day = days[call.meeting.board_id]
        if call.meeting_id not in day.help_calls:
            day.closed_with_calls.append(call.meeting)
        day.help_calls.setdefault(call.meeting_id, []).append(call)
    for board_id, meeting in meetings.next_meetings(session, facilitated).items():
        days[board_id].next = meeting
    for meeting, count in feedback.waiting_by_meeting(session, facilitated):
        days[meeting.board_id].waiting_texts.append((meeting, count))
    for board_id, count in actions.waiting_ideas(session, facilitated).items():
        days[board_id].waiting_ideas = count
    for answer in summaries.answers_since(session, since, board_ids=facilitated):
        days[answer.item.summary.board_id].answers.append(answer)
    for day in days.values():
        if day.facilitated:
            local = in_board_zone(day.board, now).date()
            day.due = summaries.due_periods(session, day.board, local)
    return sorted(days.values(), key=lambda d: (not d.facilitated, d.board.name))


def _inbox(session: Session, user: User, since: datetime) -> Inbox:
    organisation = user.organisation_id
    answers = summaries.answers_since(session, since, organisation_id=organisation)
    return Inbox(
        received=summaries.received(session, user),
        # One's own answer is no news to oneself.
        answers=[a for a in answers if a.author_id != user.id],
        waiting=summaries.waiting_for(session, organisation_id=organisation),
    )
