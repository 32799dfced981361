"""A child's feedback on a service. Pseudonymous until moderated: nothing in a row says who
gave it, and nothing links two rows of the same child (CHILD-SAFETY rules 1, 3, 4)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.boards.models import Service
from board.db import Base, enum_column
from board.ids import random_id
from board.meetings.models import Meeting
from board.states import ModerationState

MAX_TEXT = 1000

RATINGS = {
    # i18n: the five faces a child taps to rate a service, worst to best. One or two words.
    1: _l("Very bad"),
    2: _l("Bad"),
    3: _l("Okay"),
    4: _l("Good"),
    5: _l("Very good"),
}


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_1_to_5"),
    )

    # Random, not sequential: an id must not tell when it was given (board.ids).
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=random_id)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int | None]
    happened: Mapped[str | None] = mapped_column(sa.Text)
    better: Mapped[str | None] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(10))
    # The day only: a precise time could single a child out.
    day: Mapped[date]
    # Free text waits for a facilitator; feedback without text needs no moderation.
    moderation: Mapped[ModerationState] = mapped_column(
        enum_column(ModerationState), default=ModerationState.PENDING, index=True
    )
    # Personal details found at submission: [[start, end, kind], ...] per text.
    happened_spans: Mapped[list] = mapped_column(sa.JSON, default=list)
    better_spans: Mapped[list] = mapped_column(sa.JSON, default=list)
    # A facilitator's own remark, kept apart: moderators never rewrite a child's words.
    moderator_note: Mapped[str] = mapped_column(sa.Text, default="")

    meeting: Mapped[Meeting] = relationship()
    service: Mapped[Service] = relationship()

    @property
    def has_text(self) -> bool:
        return bool(self.happened or self.better)


class RatingTally(Base):
    """How many children gave each rating to a service in a month: kept up to date as
    answers come in, are taken back or raised as concerns, so that partner pages read a
    few rows however many years of answers pile up. Counts only; never published without
    board.disclosure."""

    __tablename__ = "rating_tally"

    service_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(primary_key=True)  # first day of the month
    rating: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("board.id", ondelete="CASCADE"))
    count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_to_5"),
        sa.Index("ix_rating_tally_board_month", "board_id", "month"),
    )
