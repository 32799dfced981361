"""A child's words in summaries: what a reader is shown, and how a concern or the
retention purge reaches every copy of them (CHILD-SAFETY rules 10, 13, 22).

A quote is copied into ``summary_item`` when the facilitator picks it, so that a published
summary stays as it was sent. The copy keeps a link to its source text (``feedback_id``,
``source_field``), and three things hold:

- Raising a concern on the source erases the words from every copy at once: a draft loses
  the quote, a published summary keeps the item with no words ("[withdrawn]").
- The retention purge erases the words of every copy older than the board's retention
  period ("[removed after N months]"); the figures stay as published.
- Every page, export and API answer takes an item's words from ``shown_words``, which shows
  a quote only while its source still holds exactly these words, approved. A copy that
  somehow outlived its source is therefore never shown, even before it is erased.

Services flush, never commit."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext, ngettext
from sqlalchemy.orm import Session

from board.feedback.models import Feedback
from board.summaries.models import ItemKind, QuoteGone, Summary, SummaryItem, SummaryState


def shown_words(item: SummaryItem) -> str:
    """The one place that decides what a reader sees of an item's text."""
    if item.gone is QuoteGone.PURGED:
        months = item.summary.board.retention_months
        # i18n: in place of a child's words deleted after the retention period.
        return ngettext("[removed after %(num)d month]", "[removed after %(num)d months]", months)
    if item.gone is QuoteGone.WITHDRAWN or (
        item.kind is ItemKind.QUOTE and not item.source_holds_words
    ):
        # i18n: in place of a child's words taken out of a summary after it was sent.
        return gettext("[withdrawn]")
    return item.text


def withdraw_words(
    session: Session, *, feedback_id: int | None = None, action_id: int | None = None
) -> int:
    """A concern was raised on this feedback (or child's proposal): its words leave every
    draft, and every published copy keeps the item without them. Returns the published
    copies changed."""
    if feedback_id is not None:
        source = SummaryItem.feedback_id == feedback_id
    elif action_id is not None:
        source = SummaryItem.action_id == action_id
    else:
        return 0
    drafts = sa.select(Summary.id).where(Summary.state == SummaryState.DRAFT)
    session.execute(
        sa.delete(SummaryItem)
        .where(source, SummaryItem.kind == ItemKind.QUOTE, SummaryItem.summary_id.in_(drafts))
        .execution_options(synchronize_session=False)
    )
    result = session.execute(
        sa.update(SummaryItem)
        .where(source, SummaryItem.gone.is_(None))
        .values(text="", gone=QuoteGone.WITHDRAWN)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return result.rowcount or 0  # type: ignore[attr-defined]  # an UPDATE's Result is a CursorResult


def purge_quotes(session: Session, board_id: int, cutoff: date, *, dry_run: bool) -> int:
    """Erase the words of the board's quotes whose source is older than ``cutoff`` (a quote
    that lost its link counts by its month, erring towards erasing). Returns how many."""
    old = sa.or_(
        SummaryItem.feedback_id.in_(sa.select(Feedback.id).where(Feedback.day < cutoff)),
        sa.and_(SummaryItem.feedback_id.is_(None), SummaryItem.month < cutoff),
    )
    ids = list(
        session.scalars(
            sa.select(SummaryItem.id).where(
                SummaryItem.kind == ItemKind.QUOTE,
                SummaryItem.gone.is_(None),
                SummaryItem.summary_id.in_(
                    sa.select(Summary.id).where(Summary.board_id == board_id)
                ),
                old,
            )
        )
    )
    if ids and not dry_run:
        session.execute(
            sa.update(SummaryItem)
            .where(SummaryItem.id.in_(ids))
            .values(text="", gone=QuoteGone.PURGED)
            .execution_options(synchronize_session=False)
        )
    return len(ids)
