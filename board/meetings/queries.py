"""Reads about meetings."""

from __future__ import annotations

from datetime import timedelta

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
