"""Ballots. One vote per child, unlinkable (CHILD-SAFETY rule 23): the casts table holds
HMAC(meeting vote key, ballot, session token) for the uniqueness check, and the choices are
added to running tallies in another table. No row links a cast to its choices, and once the
meeting closes its vote key is gone, so no cast can be linked to a session either."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.actions.models import Action
from board.boards.models import enum_column
from board.db import Base, UTCDateTime, utcnow
from board.meetings.models import Meeting


class BallotMethod(enum.StrEnum):
    APPROVAL = "approval"  # tick as many as you like
    DOTS = "dots"  # share N dots

    @property
    def label(self) -> str:
        return {
            BallotMethod.APPROVAL: _l("Tick as many as you like"),
            BallotMethod.DOTS: _l("Share dots among the actions"),
        }[self]


class BallotState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


ballot_options = sa.Table(
    "ballot_option",
    Base.metadata,
    sa.Column("ballot_id", sa.ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("action_id", sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
)


class Ballot(Base):
    __tablename__ = "ballot"
    __table_args__ = (sa.CheckConstraint("dots BETWEEN 1 AND 20", name="dots"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[BallotMethod] = mapped_column(enum_column(BallotMethod))
    dots: Mapped[int] = mapped_column(default=5)
    state: Mapped[BallotState] = mapped_column(enum_column(BallotState), default=BallotState.OPEN)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship()
    options: Mapped[list[Action]] = relationship(secondary=ballot_options, order_by="Action.id")

    @property
    def is_open(self) -> bool:
        return self.state is BallotState.OPEN


class BallotCast(Base):
    """That someone voted: a keyed hash, no time, no choice."""

    __tablename__ = "ballot_cast"

    ballot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True
    )
    voter: Mapped[str] = mapped_column(sa.String(64), primary_key=True)


class BallotTally(Base):
    """What was chosen: running totals per action, never per voter."""

    __tablename__ = "ballot_tally"

    ballot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True
    )
    action_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True
    )
    points: Mapped[int] = mapped_column(default=0)
