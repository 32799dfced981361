"""Summaries for partners, and partners' responses that go back to the children."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.actions.models import Action
from board.auth.models import User
from board.boards.models import Board, Organisation, Service
from board.db import Base, UTCDateTime, enum_column, utcnow
from board.disclosure import Level
from board.feedback.models import Feedback
from board.states import ModerationState
from board.wording import child_wording, wordings_of


class SummaryState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ItemKind(enum.StrEnum):
    FINDING = "finding"  # the facilitator's words, linked to the figures and quotes behind them
    RECOMMENDATION = "recommendation"
    QUOTE = "quote"  # approved words of a child, with the month only
    ACTION = "action"  # an advocacy action the children voted on, with its result

    @property
    def label(self) -> str:
        return {
            ItemKind.FINDING: _l("Finding"),
            ItemKind.RECOMMENDATION: _l("Recommendation"),
            ItemKind.QUOTE: _l("In the children's words"),
            ItemKind.ACTION: _l("Advocacy action the children voted on"),
        }[self]


class QuoteGone(enum.StrEnum):
    """Why a summary item's words are no longer held: the words themselves are erased
    from the row, only this reason and the figures stay."""

    WITHDRAWN = "withdrawn"  # raised as a safeguarding concern after it was quoted
    PURGED = "purged"  # older than the board's retention period


QUOTE_FIELDS = ("happened", "better")


class ResponseStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    PARTLY = "partly"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {
            # i18n: a partner's answer to what children said; children read these too.
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


PERIOD_MONTHS = (1, 3)  # a month, or a calendar quarter


class Summary(Base):
    """One board's month or quarter, as partners will read it. A board's periods never
    overlap, so no figure can be worked out by taking one period from another.

    That rule holds in the database, outside this model (migration 5b1e0c7d2a94): an
    exclusion constraint on PostgreSQL, two triggers on SQLite. A later SQLite migration
    that rebuilds this table (batch mode) must create the triggers again."""

    __tablename__ = "summary"
    __table_args__ = (
        sa.UniqueConstraint("board_id", "month"),
        sa.CheckConstraint("months IN (1, 3)", name="month_or_quarter"),
        sa.CheckConstraint(
            "state = 'draft' OR threshold_k IS NOT NULL", name="published_with_threshold"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("board.id", ondelete="CASCADE"), index=True)
    month: Mapped[date]  # first day of the period
    months: Mapped[int] = mapped_column(default=1, server_default="1")
    state: Mapped[SummaryState] = mapped_column(
        enum_column(SummaryState), default=SummaryState.DRAFT
    )
    # Light formatting only, always through board.summaries.security.sanitize_html.
    narrative: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when published, through disclosure control: None is "not shown", and
    # attendance_small says it was fewer than k.
    attendance: Mapped[int | None]
    attendance_small: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The period of the service rows it carries: its own, or (a board that publishes
    # service rows quarterly) the quarter that its month ends; None when it carries none.
    rows_month: Mapped[date | None]
    rows_months: Mapped[int | None]
    # The board's k when it was published: every "fewer than k" of this summary is read
    # with it for good. With today's k a "<5" would turn into "<3" after the board lowered
    # its k, telling that the count was 3 or 4. None while a draft: the board's k applies.
    threshold_k: Mapped[int | None]

    board: Mapped[Board] = relationship()
    recipients: Mapped[list[Organisation]] = relationship(
        secondary=summary_recipients, order_by="Organisation.name"
    )
    items: Mapped[list[SummaryItem]] = relationship(
        back_populates="summary", order_by="SummaryItem.position", cascade="all, delete-orphan"
    )

    figures: Mapped[list[SummaryFigure]] = relationship(
        order_by="SummaryFigure.position", cascade="all, delete-orphan"
    )

    @property
    def published(self) -> bool:
        return self.state is SummaryState.PUBLISHED

    @property
    def k(self) -> int:
        """The k its figures were, or will be, published with."""
        return self.threshold_k if self.threshold_k is not None else self.board.threshold_k

    @property
    def end(self) -> date:
        """The first day after the period."""
        return self.month + relativedelta(months=self.months)

    @property
    def period(self) -> str:
        """ "2026-03", or "2026-01 – 2026-03" for a quarter: the same in every language."""
        return period_label(self.month, self.months)


def month_span(month: date, months: int = 1) -> tuple[date, date]:
    """The period of ``months`` months from ``month``'s: its first day and the first day
    after it."""
    first = month.replace(day=1)
    return first, first + relativedelta(months=months)


def overlaps(a: tuple[date, int], b: tuple[date, int]) -> bool:
    """Whether two periods, each (first month, number of months), share a month."""
    a_start, a_end = month_span(*a)
    b_start, b_end = month_span(*b)
    return a_start < b_end and b_start < a_end


def period_label(month: date, months: int) -> str:
    if months == 1:
        return f"{month:%Y-%m}"
    return f"{month:%Y-%m} – {month + relativedelta(months=months - 1):%Y-%m}"


class SummaryFigure(Base):
    """One published row of a summary's figures, as disclosure control let it out: a
    service over the summary's rows period, or (``overall``) the board's period over all
    services. ``level`` (board.disclosure.Level) says what is shown; a count that is not
    is None. Kept as published, so a summary never changes after it is sent, and the
    partners' dashboard adds up only what was published."""

    __tablename__ = "summary_figure"

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(
        sa.ForeignKey("summary.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(200))  # the service's name when published
    category: Mapped[str] = mapped_column(sa.String(32))  # "" for the overall row
    overall: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    level: Mapped[int] = mapped_column(default=0, server_default="0")
    total: Mapped[int | None]
    total_small: Mapped[bool] = mapped_column(default=False)
    # The three groups: bad (1-2) and okay (3) at THREE or FIVE, good (4-5) from TWO up.
    bad: Mapped[int | None]
    okay: Mapped[int | None]
    good: Mapped[int | None]
    r1: Mapped[int | None]
    r2: Mapped[int | None]
    r3: Mapped[int | None]
    r4: Mapped[int | None]
    r5: Mapped[int | None]
    median: Mapped[float | None]

    @property
    def counts(self) -> tuple[int | None, ...]:
        return (self.r1, self.r2, self.r3, self.r4, self.r5)

    @property
    def shares(self) -> tuple[int, ...] | None:
        """The counts of its level's groups, as board.disclosure.Row keeps them."""
        level = Level(self.level)
        if level is Level.FIVE:
            return tuple(c or 0 for c in self.counts)
        if level is Level.THREE:
            return (self.bad or 0, self.okay or 0, self.good or 0)
        if level is Level.TWO:
            return ((self.total or 0) - (self.good or 0), self.good or 0)
        return None


class SummaryItem(Base):
    """One item of a summary. A quote is a copy of a child's approved words, kept linked
    to its source text so that a concern or the retention purge reaches every copy, and
    shown only through ``words`` (the one place that decides what a reader gets)."""

    __tablename__ = "summary_item"
    __table_args__ = (
        # Gone means gone: a withdrawn or purged item holds no words, not hidden ones.
        sa.CheckConstraint("gone IS NULL OR text = ''", name="gone_holds_no_words"),
        sa.CheckConstraint(
            "source_field IS NULL OR source_field IN ('happened', 'better')", name="source_field"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(
        sa.ForeignKey("summary.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service.id", ondelete="SET NULL"))
    month: Mapped[date | None]  # a quote's month: never a finer date
    # An action the children voted on: its place and points as published (None: hidden).
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("action.id", ondelete="SET NULL"))
    rank: Mapped[int | None]
    points: Mapped[int | None]
    points_small: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A quote's source: the feedback and which of its texts ("happened" or "better").
    feedback_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("feedback.id", ondelete="SET NULL"), index=True
    )
    source_field: Mapped[str | None] = mapped_column(sa.String(16))
    gone: Mapped[QuoteGone | None] = mapped_column(enum_column(QuoteGone))

    summary: Mapped[Summary] = relationship(back_populates="items")
    feedback: Mapped[Feedback | None] = relationship()
    service: Mapped[Service | None] = relationship()
    action: Mapped[Action | None] = relationship()
    responses: Mapped[list[Response]] = relationship(
        back_populates="item", order_by="Response.created_at", cascade="all, delete-orphan"
    )
    # What a finding rests on (nothing for other kinds).
    links: Mapped[list[FindingLink]] = relationship(
        foreign_keys="FindingLink.finding_id",
        order_by="FindingLink.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def answerable(self) -> bool:
        """Partners answer findings, recommendations and actions; a child's quoted words
        are not put to them as a question, nor a finding without words (a service's name
        alone, as summaries published before findings had words listed them)."""
        if self.kind is ItemKind.FINDING:
            return bool(self.text)
        return self.kind is not ItemKind.QUOTE

    @property
    def quote_links(self) -> list[SummaryItem]:
        """The quotes a finding rests on, items of the same summary."""
        return [link.quote for link in self.links if link.quote is not None]

    @property
    def source_key(self) -> str | None:
        """The quote's source as the draft form names it ("<feedback id>:<field>")."""
        if self.feedback_id is None or self.source_field is None:
            return None
        return f"{self.feedback_id}:{self.source_field}"

    @property
    def source_holds_words(self) -> bool:
        """A quote's words are still approved, not raised as a concern, not purged: its
        source feedback holds exactly these words, approved. Unlinked quotes never do."""
        feedback = self.feedback
        if feedback is None or self.source_field not in QUOTE_FIELDS or not self.text:
            return False
        return (
            feedback.moderation is ModerationState.APPROVED
            and getattr(feedback, self.source_field) == self.text
        )

    @property
    def words(self) -> str:
        """What any reader is shown for this item, on every page, export and API answer."""
        from board.summaries.quotes import shown_words

        return shown_words(self)


class FindingLink(Base):
    """One thing a finding rests on: the figures of one service rated in the period, the
    board's figure over all services (``overall``), or a quote of the same summary. A quote
    is linked as the summary's own quote item, never copied, so a concern or the retention
    purge that reaches the quote reaches the finding too ("[withdrawn]", never the words);
    a draft that loses the quote loses the link with it (the foreign key's cascade)."""

    __tablename__ = "summary_item_link"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN service_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN overall THEN 1 ELSE 0 END)"
            " + (CASE WHEN quote_item_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_thing",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        sa.ForeignKey("summary_item.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    service_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    overall: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    quote_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("summary_item.id", ondelete="CASCADE"), index=True
    )

    service: Mapped[Service | None] = relationship()
    quote: Mapped[SummaryItem | None] = relationship(foreign_keys=[quote_item_id])


class Response(Base):
    """A partner's answer to one item, as it stands now; children see it once a
    facilitator approved the wording for them. A partner keeps it up to date: each change
    keeps the words it replaces as a ``ResponseVersion``, and a withdrawn answer keeps its
    last words (shown as withdrawn) but cannot be changed again.

    An edit takes the children's approval away: children never read an earlier answer as
    if it were current, and hear the new one once a facilitator approved its wording (the
    earlier wording stays as a draft for that). A withdrawn answer leaves their view."""

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
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last edit
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[SummaryItem] = relationship(back_populates="responses")
    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User | None] = relationship()
    versions: Mapped[list[ResponseVersion]] = relationship(
        order_by="ResponseVersion.written_at.desc()", cascade="all, delete-orphan"
    )

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def for_children(self, language: str) -> str:
        """The answer as a child reading ``language`` reads it (board.wording):
        children read only wordings a facilitator approved, so the original here is the
        approved wording of the board's first language that has one, not the partner's own
        words."""
        board_languages = self.item.summary.board.language_codes
        approved = wordings_of(self.child_texts)
        original = next(
            (approved[lang] for lang in [*board_languages, *sorted(approved)] if lang in approved),
            "",
        )
        return child_wording(approved, language, board_languages, original)

    @property
    def written_at(self) -> datetime:
        """When the current words were written."""
        return self.changed_at or self.created_at


class ResponseVersion(Base):
    """Words of a partner's answer that a later edit replaced, dated when they were
    written: the answer's history, newest first, never changed."""

    __tablename__ = "response_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    status: Mapped[ResponseStatus] = mapped_column(enum_column(ResponseStatus))
    what: Mapped[str] = mapped_column(sa.Text)
    by_when: Mapped[date | None]
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
