"""Summaries for partners, and partners' responses that go back to the children."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.auth.models import User
from board.boards.models import Board, Organisation, Service, enum_column
from board.db import Base, UTCDateTime, utcnow


class SummaryState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ItemKind(enum.StrEnum):
    FINDING = "finding"  # the figures of one service
    RECOMMENDATION = "recommendation"
    QUOTE = "quote"  # approved words of a child, with the month only

    @property
    def label(self) -> str:
        return {
            ItemKind.FINDING: _l("Finding"),
            ItemKind.RECOMMENDATION: _l("Recommendation"),
            ItemKind.QUOTE: _l("In the children's words"),
        }[self]


class ResponseStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    PARTLY = "partly"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        # i18n: a partner's answer to what children said; children read these too.
        return {
            ResponseStatus.ACCEPTED: _l("We will do it"),
            ResponseStatus.PARTLY: _l("We will do part of it"),
            ResponseStatus.DECLINED: _l("We cannot do it"),
        }[self]


summary_recipients = sa.Table(
    "summary_recipient",
    Base.metadata,
    sa.Column("summary_id", sa.ForeignKey("summary.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "organisation_id", sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Summary(Base):
    """One board's month, as partners will read it."""

    __tablename__ = "summary"
    __table_args__ = (sa.UniqueConstraint("board_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("board.id", ondelete="CASCADE"), index=True)
    month: Mapped[date]  # first day of the month
    state: Mapped[SummaryState] = mapped_column(
        enum_column(SummaryState), default=SummaryState.DRAFT
    )
    # Light formatting only, always through board.summaries.services.sanitize_html.
    narrative: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    board: Mapped[Board] = relationship()
    recipients: Mapped[list[Organisation]] = relationship(
        secondary=summary_recipients, order_by="Organisation.name"
    )
    items: Mapped[list[SummaryItem]] = relationship(
        back_populates="summary", order_by="SummaryItem.position", cascade="all, delete-orphan"
    )

    @property
    def published(self) -> bool:
        return self.state is SummaryState.PUBLISHED


class SummaryItem(Base):
    __tablename__ = "summary_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(
        sa.ForeignKey("summary.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service.id", ondelete="SET NULL"))

    summary: Mapped[Summary] = relationship(back_populates="items")
    service: Mapped[Service | None] = relationship()
    responses: Mapped[list[Response]] = relationship(
        back_populates="item", order_by="Response.created_at", cascade="all, delete-orphan"
    )


class Response(Base):
    """A partner's answer to one item; children see it once a facilitator approved the
    wording for them."""

    __tablename__ = "response"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("summary_item.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    status: Mapped[ResponseStatus] = mapped_column(enum_column(ResponseStatus))
    what: Mapped[str] = mapped_column(sa.Text)
    by_when: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The wording for children per language, approved by a facilitator: {"sq": "..."}.
    child_texts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    approved_for_children: Mapped[bool] = mapped_column(default=False)

    item: Mapped[SummaryItem] = relationship(back_populates="responses")
    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User | None] = relationship()
