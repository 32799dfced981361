"""Meetings: monthly series, single meetings, their agenda, help calls from the room."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.auth.models import User
from board.boards.models import Board, Organisation, Service
from board.db import Base, UTCDateTime, enum_column, utcnow
from board.ids import random_id
from board.meetings.recurrence import MonthlyRule, RuleKind


class MeetingState(enum.StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            MeetingState.SCHEDULED: _l("Scheduled"),
            MeetingState.OPEN: _l("Open now"),
            MeetingState.CLOSED: _l("Closed"),
            MeetingState.CANCELLED: _l("Cancelled"),
        }[self]


class MeetingSeries(Base):
    """A monthly rule; its meetings are stored as rows, one per occurrence."""

    __tablename__ = "meeting_series"
    __table_args__ = (
        sa.CheckConstraint("ordinal IS NULL OR ordinal IN (-1, 1, 2, 3, 4)", name="ordinal"),
        sa.CheckConstraint("weekday IS NULL OR weekday BETWEEN 0 AND 6", name="weekday"),
        sa.CheckConstraint("month_day IS NULL OR month_day BETWEEN 1 AND 31", name="month_day"),
        sa.CheckConstraint("until IS NULL OR until >= start_date", name="until_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("board.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RuleKind] = mapped_column(enum_column(RuleKind))
    ordinal: Mapped[int | None]
    weekday: Mapped[int | None]
    month_day: Mapped[int | None]
    start_date: Mapped[date]
    until: Mapped[date | None]
    # Wall-clock time in the board's time zone.
    local_time: Mapped[time]
    duration_minutes: Mapped[int]
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    board: Mapped[Board] = relationship()

    @property
    def rule(self) -> MonthlyRule:
        return MonthlyRule(self.kind, self.ordinal, self.weekday, self.month_day)


meeting_services = sa.Table(
    "meeting_service",
    Base.metadata,
    sa.Column("meeting_id", sa.ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("service_id", sa.ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
)

# The partner organisations named to the children when the meeting opened: the summary of
# this meeting goes to them and to no one else (CHILD-SAFETY rule 5).
meeting_recipients = sa.Table(
    "meeting_recipient",
    Base.metadata,
    sa.Column("meeting_id", sa.ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "organisation_id", sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Meeting(Base):
    __tablename__ = "meeting"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes BETWEEN 15 AND 600", name="duration"),
        sa.CheckConstraint("attendance >= 0", name="attendance"),
        sa.CheckConstraint("present >= 0", name="present"),
        sa.CheckConstraint(
            "(state = 'open') = (join_code IS NOT NULL)", name="code_only_while_open"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("board.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meeting_series.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(default=120)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[MeetingState] = mapped_column(
        enum_column(MeetingState), default=MeetingState.SCHEDULED
    )
    # Changed on its own: a change to "this and all later" meetings leaves it alone.
    edited: Mapped[bool] = mapped_column(default=False)
    join_code: Mapped[str | None] = mapped_column(sa.String(12), unique=True)
    # Tablet sessions let in (board.participate.admission): a number, never a list of who.
    attendance: Mapped[int] = mapped_column(default=0)
    # Children in the room, as the facilitator counts them: admission never lets in more
    # tablets than this without a facilitator's tap.
    present: Mapped[int] = mapped_column(default=0, server_default="0")
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A close undone (board.room.services.reopen_meeting): tablet sessions from before it
    # are over, and no vote opens again in this meeting (its ballot key is gone).
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped on every change, for calendar clients (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    board: Mapped[Board] = relationship()
    series: Mapped[MeetingSeries | None] = relationship()
    services: Mapped[list[Service]] = relationship(
        secondary=meeting_services, order_by="Service.name"
    )
    recipients: Mapped[list[Organisation]] = relationship(
        secondary=meeting_recipients, order_by="Organisation.name"
    )

    @property
    def is_open(self) -> bool:
        return self.state is MeetingState.OPEN


class HelpCall(Base):
    """ "I want to talk to an adult": a time, and whether someone went. No content at all."""

    __tablename__ = "help_call"

    # Random, not sequential (board.ids); the time to the minute only, as the room shows it.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=random_id)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )

    meeting: Mapped[Meeting] = relationship()
    handled_by: Mapped[User | None] = relationship()
