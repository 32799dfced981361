"""Keeping RatingTally in step with the feedback table."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from board.feedback.models import Feedback, RatingTally
from board.meetings.models import Meeting
from board.moderation.models import ModerationState


def adjust(
    session: Session, *, board_id: int, service_id: int, day, rating: int | None, delta: int
) -> None:
    """Add ``delta`` (1 or -1) to a service's month and rating, atomically."""
    if rating is None:
        return
    month = day.replace(day=1)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(RatingTally).values(
        service_id=service_id, month=month, rating=rating, board_id=board_id, count=delta
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["service_id", "month", "rating"],
            set_={"count": RatingTally.count + delta},
        )
    )


def counted(feedback: Feedback) -> bool:
    """Ratings count unless their item was taken out as a safeguarding concern."""
    return feedback.rating is not None and feedback.moderation is not ModerationState.SAFEGUARDING


def rebuild(session: Session) -> None:
    """Recompute every tally from the feedback table (after a bulk load, or to check)."""
    session.execute(sa.delete(RatingTally))
    month = (
        sa.func.date(Feedback.day, "start of month")
        if session.get_bind().dialect.name == "sqlite"
        else sa.cast(sa.func.date_trunc("month", Feedback.day), sa.Date)
    )
    rows = (
        sa.select(
            Feedback.service_id,
            month.label("month"),
            Feedback.rating,
            Meeting.board_id,
            sa.func.count(),
        )
        .join(Meeting, Feedback.meeting_id == Meeting.id)
        .where(Feedback.rating.is_not(None), Feedback.moderation != ModerationState.SAFEGUARDING)
        .group_by(Feedback.service_id, month, Feedback.rating, Meeting.board_id)
    )
    session.execute(
        sa.insert(RatingTally).from_select(
            ["service_id", "month", "rating", "board_id", "count"], rows
        )
    )
    session.flush()
