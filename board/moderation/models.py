"""What every piece of a child's free text goes through before anyone outside the room."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.auth.models import User
from board.boards.models import Board
from board.db import Base, UTCDateTime, enum_column, utcnow


class RejectionReason(enum.StrEnum):
    PERSONAL = "personal"
    OFF_TOPIC = "off_topic"
    HURTFUL = "hurtful"
    UNCLEAR = "unclear"

    @property
    def label(self) -> str:
        return {
            RejectionReason.PERSONAL: _l("Too many personal details to remove"),
            RejectionReason.OFF_TOPIC: _l("Not about the services or ideas"),
            RejectionReason.HURTFUL: _l("Hurtful to someone"),
            RejectionReason.UNCLEAR: _l("Cannot be understood"),
        }[self]


class Rejection(Base):
    """That a text was rejected, and why: counted, with no link to the item or its words."""

    __tablename__ = "rejection"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("board.id", ondelete="CASCADE"), index=True)
    month: Mapped[date]  # the first day of the meeting's month
    reason: Mapped[RejectionReason] = mapped_column(enum_column(RejectionReason))


class ConcernState(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            ConcernState.OPEN: _l("Not yet acknowledged"),
            ConcernState.ACKNOWLEDGED: _l("Acknowledged"),
            ConcernState.CLOSED: _l("Closed"),
        }[self]


class ConcernSource(enum.StrEnum):
    FEEDBACK = "feedback"
    PROPOSAL = "proposal"
    HELP_CALL = "help_call"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            ConcernSource.FEEDBACK: _l("Feedback text"),
            ConcernSource.PROPOSAL: _l("A child's idea"),
            ConcernSource.HELP_CALL: _l("A call for an adult"),
            ConcernSource.OTHER: _l("Something seen in the room"),
        }[self]


class Concern(Base):
    """A safeguarding concern. Holds the child's exact words: only the board's safeguarding
    leads and administrators may open it, and every opening is logged."""

    __tablename__ = "concern"
    __table_args__ = (
        sa.CheckConstraint(
            "state <> 'closed' OR (closing_note <> '' AND closed_at IS NOT NULL)",
            name="closed_needs_note",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("board.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[ConcernSource] = mapped_column(enum_column(ConcernSource))
    words: Mapped[str] = mapped_column(sa.Text, default="")
    # What the facilitator saw or why they raised it.
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[ConcernState] = mapped_column(
        enum_column(ConcernState), default=ConcernState.OPEN, index=True
    )
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    raised_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    action_taken: Mapped[str] = mapped_column(sa.Text, default="")
    referral: Mapped[str] = mapped_column(sa.Text, default="")
    closing_note: Mapped[str] = mapped_column(sa.Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )

    board: Mapped[Board] = relationship()
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
