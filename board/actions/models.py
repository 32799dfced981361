"""Advocacy actions: what the children want changed, and what became of it."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.boards.models import Board, ServiceCategory
from board.db import Base, enum_column, utcnow
from board.ids import random_id
from board.states import ModerationState
from board.wording import child_wording


def utc_today() -> date:
    return utcnow().date()


class ActionStatus(enum.StrEnum):
    PROPOSED = "proposed"
    SHORTLISTED = "shortlisted"
    ON_BALLOT = "on_ballot"
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return {
            # i18n: the state of an action; children see these on "You said, we did".
            ActionStatus.PROPOSED: _l("Proposed"),
            ActionStatus.SHORTLISTED: _l("Chosen for a vote"),
            ActionStatus.ON_BALLOT: _l("In the vote now"),
            ActionStatus.ADOPTED: _l("Chosen by the children"),
            ActionStatus.NOT_ADOPTED: _l("Not chosen"),
            ActionStatus.DONE: _l("Done"),
            ActionStatus.DROPPED: _l("Stopped"),
        }[self]

    @property
    def closed(self) -> bool:
        """Closed for good: the outcome and its reason must be recorded."""
        return self in (ActionStatus.NOT_ADOPTED, ActionStatus.DONE, ActionStatus.DROPPED)


class Proposer(enum.StrEnum):
    CHILD = "child"
    ADULT = "adult"

    @property
    def label(self) -> str:
        return {Proposer.CHILD: _l("A child"), Proposer.ADULT: _l("An adult")}[self]


class Action(Base):
    __tablename__ = "action"
    __table_args__ = (
        sa.CheckConstraint(
            "status NOT IN ('not_adopted', 'done', 'dropped') "
            "OR (outcome <> '' AND outcome_reason <> '')",
            name="closed_needs_outcome",
        ),
    )

    # Random, not sequential: a child's idea must not tell when it was given (board.ids).
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=random_id)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("board.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # The language the title and description are written in.
    language: Mapped[str] = mapped_column(sa.String(10))
    pictogram: Mapped[ServiceCategory] = mapped_column(
        enum_column(ServiceCategory), default=ServiceCategory.OTHER
    )
    proposed_by: Mapped[Proposer] = mapped_column(enum_column(Proposer))
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus), default=ActionStatus.PROPOSED, index=True
    )
    # Children's proposals wait for a facilitator like any free text.
    moderation: Mapped[ModerationState] = mapped_column(
        enum_column(ModerationState), default=ModerationState.APPROVED
    )
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    outcome_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Wording for children per language: {"sq": {"title": "...", "outcome": "..."}}.
    child_texts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # A facilitator's own remark, kept apart: moderators never rewrite a child's words.
    moderator_note: Mapped[str] = mapped_column(sa.Text, default="")
    proposed_on: Mapped[date] = mapped_column(default=date.today)
    # The day only, like every date a child's row carries: a time would date the proposal.
    updated_on: Mapped[date] = mapped_column(default=utc_today, onupdate=utc_today)

    board: Mapped[Board] = relationship()

    def child_wordings(self, key: str) -> dict[str, str]:
        """The children's wordings of the title or the outcome (``key``), per language."""
        return {lang: texts.get(key, "") for lang, texts in (self.child_texts or {}).items()}

    def for_children(self, language: str) -> tuple[str, str]:
        """Title and outcome as a child reading ``language`` reads them
        (board.wording): the title as written counts in its own language."""
        board_languages = self.board.language_codes
        title = child_wording(
            self.child_wordings("title"), language, board_languages, self.title, self.language
        )
        outcome = child_wording(
            self.child_wordings("outcome"), language, board_languages, self.outcome
        )
        return title, outcome
