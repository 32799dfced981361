"""Reads about meetings."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from board.boards.models import Board
from board.db import utcnow
from board.meetings.models import HelpCall, Meeting, MeetingState


def upcoming(session: Session, board: Board, limit: int = 24) -> list[Meeting]:
    """Open meetings first, then the scheduled and cancelled ones still ahead, soonest first."""
    since = utcnow() - timedelta(hours=12)
    ahead = sa.and_(Meeting.state != MeetingState.CLOSED, Meeting.starts_at >= since)
    return list(
        session.scalars(
            sa.select(Meeting)
            .where(Meeting.board_id == board.id, sa.or_(Meeting.state == MeetingState.OPEN, ahead))
            .options(selectinload(Meeting.services))
            .order_by(Meeting.state != MeetingState.OPEN, Meeting.starts_at)
            .limit(limit)
        )
    )


def past(session: Session, board: Board, limit: int = 24) -> list[Meeting]:
    """Closed meetings and those whose day has gone, newest first."""
    since = utcnow() - timedelta(hours=12)
    gone = sa.and_(Meeting.state != MeetingState.OPEN, Meeting.starts_at < since)
    return list(
        session.scalars(
            sa.select(Meeting)
            .where(Meeting.board_id == board.id, sa.or_(Meeting.state == MeetingState.CLOSED, gone))
            .order_by(Meeting.starts_at.desc())
            .limit(limit)
        )
    )


def open_help_calls(session: Session, meeting: Meeting) -> list[HelpCall]:
    return list(
        session.scalars(
            sa.select(HelpCall)
            .where(HelpCall.meeting_id == meeting.id, HelpCall.handled_at.is_(None))
            .order_by(HelpCall.created_at)
        )
    )


def open_meetings(session: Session, board_ids: Collection[int] | None) -> list[Meeting]:
    """Meetings open now on these boards (on every board for None), the earliest opened
    first: a staff home page's "open now"."""
    query = sa.select(Meeting).where(Meeting.state == MeetingState.OPEN)
    if board_ids is not None:
        query = query.where(Meeting.board_id.in_(board_ids))
    return list(session.scalars(query.order_by(Meeting.opened_at, Meeting.id)))


def next_meetings(session: Session, board_ids: Collection[int]) -> dict[int, Meeting]:
    """The next scheduled meeting of each of these boards (from 12 hours back, as
    ``upcoming``), by board id; a board with none is left out."""
    since = utcnow() - timedelta(hours=12)
    rows = session.scalars(
        sa.select(Meeting)
        .where(
            Meeting.board_id.in_(board_ids),
            Meeting.state == MeetingState.SCHEDULED,
            Meeting.starts_at >= since,
        )
        .order_by(Meeting.starts_at.desc())
    )
    # Latest first, so that each board's soonest meeting is the one that stays.
    return {meeting.board_id: meeting for meeting in rows}


def waiting_help_calls(session: Session, meeting_ids: Collection[int]) -> list[HelpCall]:
    """Calls for an adult not yet answered at these meetings, the longest waiting first."""
    if not meeting_ids:
        return []
    return list(
        session.scalars(
            sa.select(HelpCall)
            .where(HelpCall.meeting_id.in_(meeting_ids), HelpCall.handled_at.is_(None))
            .order_by(HelpCall.created_at)
        )
    )


def unanswered_after_close(
    session: Session, board_ids: Collection[int], since: datetime
) -> list[HelpCall]:
    """Calls for an adult that nobody marked as answered, at meetings of these boards closed
    meanwhile (calls made after ``since``): the close does not answer a child."""
    if not board_ids:
        return []
    return list(
        session.scalars(
            sa.select(HelpCall)
            .join(Meeting, Meeting.id == HelpCall.meeting_id)
            .where(
                Meeting.board_id.in_(board_ids),
                Meeting.state == MeetingState.CLOSED,
                HelpCall.handled_at.is_(None),
                HelpCall.created_at >= since,
            )
            .order_by(HelpCall.created_at)
        )
    )


def calendar_meetings(session: Session, board: Board) -> list[Meeting]:
    """Meetings for the board's feed: from three months back on."""
    since = utcnow() - timedelta(days=92)
    return list(
        session.scalars(
            sa.select(Meeting)
            .where(Meeting.board_id == board.id, Meeting.starts_at >= since)
            .options(selectinload(Meeting.services))
            .order_by(Meeting.starts_at)
        )
    )


def board_by_calendar_token(session: Session, token: str) -> Board | None:
    return session.scalar(sa.select(Board).where(Board.calendar_token == token))
