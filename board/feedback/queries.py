"""Reads about feedback."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session

from board.feedback.models import Feedback
from board.meetings.models import Meeting
from board.states import ModerationState


def count_answers(session: Session, meeting: Meeting) -> int:
    """How many answers came in at this meeting: a count, never content."""
    return session.execute(
        sa.select(sa.func.count()).select_from(Feedback).where(Feedback.meeting_id == meeting.id)
    ).scalar_one()


def waiting_by_meeting(session: Session, board_ids: Collection[int]) -> list[tuple[Meeting, int]]:
    """The meetings of these boards with children's texts waiting for moderation, and how
    many each, oldest meeting first."""
    if not board_ids:
        return []
    rows = session.execute(
        sa.select(Meeting, sa.func.count(Feedback.id))
        .join(Feedback, Feedback.meeting_id == Meeting.id)
        .where(Meeting.board_id.in_(board_ids), Feedback.moderation == ModerationState.PENDING)
        .group_by(Meeting.id)
        .order_by(Meeting.starts_at)
    )
    return [(meeting, count) for meeting, count in rows.all()]
