"""Reads about summaries and responses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from board.auth.models import User
from board.boards.models import Board
from board.feedback.models import Feedback
from board.meetings.models import Meeting, MeetingState
from board.states import ModerationState
from board.summaries.models import (
    QUOTE_FIELDS,
    FindingLink,
    ItemKind,
    Response,
    Summary,
    SummaryItem,
    SummaryState,
    month_span,
)

# A summary with everything its page and exports show, in a few queries (not one per item).
WHOLE_SUMMARY = (
    selectinload(Summary.figures),
    selectinload(Summary.recipients),
    selectinload(Summary.items).selectinload(SummaryItem.service),
    selectinload(Summary.items).selectinload(SummaryItem.feedback),
    selectinload(Summary.items).selectinload(SummaryItem.links).selectinload(FindingLink.quote),
    selectinload(Summary.items)
    .selectinload(SummaryItem.responses)
    .selectinload(Response.organisation),
)


def board_summaries(session: Session, board: Board) -> list[Summary]:
    return list(
        session.scalars(
            sa.select(Summary).where(Summary.board_id == board.id).order_by(Summary.month.desc())
        )
    )


def months_with_meetings(session: Session, board: Board) -> list[date]:
    """Months in which the board held a meeting, newest first."""
    days = session.scalars(
        sa.select(Meeting.starts_at).where(
            Meeting.board_id == board.id, Meeting.state == MeetingState.CLOSED
        )
    )
    return sorted({d.date().replace(day=1) for d in days}, reverse=True)


def periods(session: Session, board: Board) -> list[tuple[str, str]]:
    """What a summary can cover, as (value, label): each month with a meeting, and each
    quarter holding one, newest first."""
    from board.summaries.models import period_label

    months = months_with_meetings(session, board)
    quarters = sorted({m.replace(month=(m.month - 1) // 3 * 3 + 1) for m in months}, reverse=True)
    out = [(f"{m.isoformat()}/1", period_label(m, 1)) for m in months]
    out += [(f"{q.isoformat()}/3", period_label(q, 3)) for q in quarters]
    return out


def received(session: Session, user: User) -> list[Summary]:
    """Published summaries the user's organisation received."""
    return list(
        session.scalars(
            sa.select(Summary)
            .join(Summary.recipients)
            .where(
                Summary.state == SummaryState.PUBLISHED,
                Summary.recipients.any(id=user.organisation_id),
            )
            .options(selectinload(Summary.board))
            .order_by(Summary.published_at.desc())
            .distinct()
        )
    )


def responses_for_children(session: Session, board: Board) -> list[Response]:
    """Partners' answers approved for children, newest first ("You said, we did")."""
    return list(
        session.scalars(
            sa.select(Response)
            .join(SummaryItem)
            .join(Summary)
            .where(Summary.board_id == board.id, Response.approved_for_children.is_(True))
            .order_by(Response.created_at.desc())
            .limit(30)
        )
    )


def waiting_items(summary: Summary) -> list[SummaryItem]:
    """Findings and recommendations no partner has answered yet."""
    return [i for i in summary.items if i.answerable and not i.responses]


def waiting_for(
    session: Session, *, organisation_id: int | None = None, board_ids: set[int] | None = None
) -> list[tuple[SummaryItem, Summary]]:
    """Published findings and recommendations still without an answer (from this
    organisation, or from anyone for these boards), oldest summary first."""
    query = (
        sa.select(SummaryItem, Summary)
        .join(Summary)
        .where(Summary.state == SummaryState.PUBLISHED, SummaryItem.kind != ItemKind.QUOTE)
        .where(sa.or_(SummaryItem.kind != ItemKind.FINDING, SummaryItem.text != ""))
        .order_by(Summary.published_at, SummaryItem.position)
    )
    if organisation_id is not None:
        query = query.where(Summary.recipients.any(id=organisation_id)).where(
            ~SummaryItem.responses.any(Response.organisation_id == organisation_id)
        )
    if board_ids is not None:
        query = query.where(Summary.board_id.in_(board_ids), ~SummaryItem.responses.any())
    return [(item, summary) for item, summary in session.execute(query).all()]


def period_meetings(session: Session, board: Board, month: date, months: int = 1) -> list[Meeting]:
    """The board's meetings held in the period, in order."""
    start, end = (datetime.combine(day, time(), UTC) for day in month_span(month, months))
    return list(
        session.scalars(
            sa.select(Meeting)
            .where(
                Meeting.board_id == board.id,
                Meeting.state == MeetingState.CLOSED,
                Meeting.starts_at >= start,
                Meeting.starts_at < end,
            )
            .order_by(Meeting.starts_at)
        )
    )


def quotable(session: Session, summary: Summary) -> list[tuple[str, str, date]]:
    """Approved words of the period, as (key, text, month): only these can be quoted."""
    start, end = month_span(summary.month, summary.months)
    rows = session.scalars(
        sa.select(Feedback)
        .join(Meeting, Feedback.meeting_id == Meeting.id)
        .where(
            Meeting.board_id == summary.board_id,
            Feedback.day >= start,
            Feedback.day < end,
            Feedback.moderation == ModerationState.APPROVED,
        )
        .order_by(Feedback.day, Feedback.service_id, Feedback.id)  # the ids are random
    )
    out = []
    for feedback in rows:
        for field in QUOTE_FIELDS:
            text = getattr(feedback, field)
            if text:
                out.append((f"{feedback.id}:{field}", text, feedback.day.replace(day=1)))
    return out


def previous(session: Session, summary: Summary) -> Summary | None:
    """The board's last published summary before this one's period."""
    return session.scalar(
        sa.select(Summary)
        .where(
            Summary.board_id == summary.board_id,
            Summary.state == SummaryState.PUBLISHED,
            Summary.month < summary.month,
        )
        .order_by(Summary.month.desc())
        .limit(1)
    )
