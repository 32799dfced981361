"""Reads about feedback."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from board.feedback.models import Feedback
from board.meetings.models import Meeting


def count_answers(session: Session, meeting: Meeting) -> int:
    """How many answers came in at this meeting: a count, never content."""
    return session.execute(
        sa.select(sa.func.count()).select_from(Feedback).where(Feedback.meeting_id == meeting.id)
    ).scalar_one()
