"""Ballots. One vote per child, unlinkable (CHILD-SAFETY rule 23): the database holds the
ballot, its running tallies per action, and the batches that were added to them (how many
ballots each, never which). Who voted, the key that hashes them and the ballots waiting for
their batch live in the ballot box (board.voting.box), outside the database, and are gone
when the vote closes. See ``board.voting.services.cast_vote`` for the threat model."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.actions.models import Action
from board.db import Base, UTCDateTime, enum_column, utcnow
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
    # A random name for this ballot's keys in the ballot box, so that ballots of another
    # database sharing the same Redis (a copy, a benchmark) never meet. Not a key: it opens
    # nothing.
    box: Mapped[str] = mapped_column(
        sa.String(32), default=lambda: secrets.token_hex(16), server_default=""
    )

    meeting: Mapped[Meeting] = relationship()
    options: Mapped[list[Action]] = relationship(secondary=ballot_options, order_by="Action.id")

    @property
    def is_open(self) -> bool:
        return self.state is BallotState.OPEN


class BallotBatch(Base):
    """Ballots added to the tallies in one write: how many, never which, who or when. The
    random id is the batch's claim in the ballot box, so the same batch cannot be counted
    twice."""

    __tablename__ = "ballot_batch"
    __table_args__ = (sa.CheckConstraint("ballots >= 1", name="ballots_positive"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    ballot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ballot.id", ondelete="CASCADE"), index=True
    )
    ballots: Mapped[int]


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
