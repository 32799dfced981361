"""Keeping RatingTally in step with the feedback table."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from board.feedback.models import Feedback, RatingTally
from board.meetings.models import Meeting
from board.states import ModerationState


def adjust(
    session: Session, *, board_id: int, service_id: int, day, rating: int | None, delta: int
) -> None:
    """Add ``delta`` (1 or -1) to a service's month and rating, atomically."""
    if rating is None:
        return
    # Core, on the session's connection: session.execute would take the ORM's bulk path.
    session.connection().execute(
        _upsert(session.get_bind().dialect.name),
        {
            "service_id": service_id,
            "month": day.replace(day=1),
            "rating": rating,
            "board_id": board_id,
            "delta": delta,
        },
    )


@functools.cache
def _upsert(dialect_name: str):
    """One statement per dialect, built once: it runs with every child's rating."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    delta = sa.bindparam("delta", type_=sa.Integer)
    statement = dialect.insert(RatingTally).values(
        service_id=sa.bindparam("service_id"),
        month=sa.bindparam("month"),
        rating=sa.bindparam("rating"),
        board_id=sa.bindparam("board_id"),
        count=delta,
    )
    return statement.on_conflict_do_update(
        index_elements=["service_id", "month", "rating"],
        set_={"count": RatingTally.count + delta},
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
