"""What every piece of a child's free text goes through before anyone outside the room."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.auth.models import User
from board.boards.models import Board
from board.db import Base, UTCDateTime, enum_column, utcnow
from board.meetings.models import Meeting


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
            # i18n: a safeguarding concern is closed (not a meeting: the word may agree
            # with "concern" in another gender).
            ConcernState.CLOSED: lazy_pgettext("concern", "Closed"),
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


class ConcernUrgency(enum.StrEnum):
    """How soon someone must act, chosen by whoever raises the concern."""

    IMMEDIATE = "immediate"
    TODAY = "today"
    WEEK = "week"

    @property
    def label(self) -> str:
        return {
            ConcernUrgency.IMMEDIATE: _l("Immediate danger"),
            ConcernUrgency.TODAY: _l("Today"),
            ConcernUrgency.WEEK: _l("This week"),
        }[self]

    @property
    def within(self) -> timedelta:
        """How long it may wait for a lead to acknowledge it before it is overdue."""
        return {
            ConcernUrgency.IMMEDIATE: timedelta(hours=1),
            ConcernUrgency.TODAY: timedelta(days=1),
            ConcernUrgency.WEEK: timedelta(days=7),
        }[self]

    @property
    def hint(self) -> str:
        return {
            # i18n: beside the choice "Immediate danger" when a facilitator raises a concern.
            ConcernUrgency.IMMEDIATE: _l(
                "A child is in danger now. Every safeguarding lead and administrator of the "
                "board is alerted at once."
            ),
            ConcernUrgency.TODAY: _l("Someone must act today."),
            ConcernUrgency.WEEK: _l("Someone must act this week."),
        }[self]

    @property
    def rank(self) -> int:
        """0 for the most urgent: lists sort by it."""
        return list(ConcernUrgency).index(self)


class NoteKind(enum.StrEnum):
    """The entries of a concern's timeline, after its raising."""

    ACKNOWLEDGED = "acknowledged"
    CONTACTED = "contacted"
    REFERRED = "referred"
    NOTE = "note"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            NoteKind.ACKNOWLEDGED: _l("Acknowledged"),
            NoteKind.CONTACTED: _l("Contacted"),
            NoteKind.REFERRED: _l("Referred"),
            NoteKind.NOTE: _l("Note"),
            NoteKind.CLOSED: _l("Closed, with the outcome"),
        }[self]


# What a lead adds to the timeline by hand (acknowledging and closing have their buttons).
FREE_NOTE_KINDS = (NoteKind.CONTACTED, NoteKind.REFERRED, NoteKind.NOTE)


class ConcernNote(Base):
    """One dated entry of a concern's timeline: who did what, and when. A safeguarding record
    like the concern itself (read by leads and administrators only, deleted with it)."""

    __tablename__ = "concern_note"
    __table_args__ = (sa.CheckConstraint("kind = 'acknowledged' OR text <> ''", name="needs_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(
        sa.ForeignKey("concern.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NoteKind] = mapped_column(enum_column(NoteKind))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="SET NULL"))

    by: Mapped[User | None] = relationship()


class Concern(Base):
    """A safeguarding concern. Holds the child's exact words: only the board's safeguarding
    leads and administrators may open it, and every opening is logged. Its date and place are
    the meeting's (copied when raised, so the record outlives a changed meeting), or given by
    the facilitator for a concern from outside a meeting (a child's idea)."""

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
    # A call for an adult is raised as a concern once.
    help_call_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("help_call.id", ondelete="SET NULL"), unique=True
    )
    urgency: Mapped[ConcernUrgency] = mapped_column(enum_column(ConcernUrgency), index=True)
    occurred_on: Mapped[date]
    place: Mapped[str] = mapped_column(sa.String(200), default="")
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
    # The outcome, also the timeline's last entry.
    closing_note: Mapped[str] = mapped_column(sa.Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )

    board: Mapped[Board] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    notes: Mapped[list[ConcernNote]] = relationship(
        order_by=(ConcernNote.at, ConcernNote.id), passive_deletes=True
    )
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    def overdue(self, now: datetime) -> bool:
        """Not acknowledged within the time its urgency gives (``ConcernUrgency.within``)."""
        return self.state is ConcernState.OPEN and now - self.raised_at > self.urgency.within


class ConcernExport(Base):
    """A file of a board's concerns for the organisation's own case system, made by a
    safeguarding lead and downloadable once, by them: the link holds a token kept here
    only as its hash."""

    __tablename__ = "concern_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("board.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    made_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    board: Mapped[Board] = relationship()
