"""Reads about summaries and responses."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from board.auth.models import User
from board.boards.models import Board
from board.meetings.models import Meeting, MeetingState
from board.summaries.models import Response, Summary, SummaryItem, SummaryState

# A summary with everything its page and exports show, in a few queries (not one per item).
WHOLE_SUMMARY = (
    selectinload(Summary.figures),
    selectinload(Summary.recipients),
    selectinload(Summary.items).selectinload(SummaryItem.service),
    selectinload(Summary.items).selectinload(SummaryItem.feedback),
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
    return [i for i in summary.items if i.kind.value != "quote" and not i.responses]


def waiting_for(
    session: Session, *, organisation_id: int | None = None, board_ids: set[int] | None = None
) -> list[tuple[SummaryItem, Summary]]:
    """Published findings and recommendations still without an answer (from this
    organisation, or from anyone for these boards), oldest summary first."""
    query = (
        sa.select(SummaryItem, Summary)
        .join(Summary)
        .where(Summary.state == SummaryState.PUBLISHED, SummaryItem.kind != "quote")
        .order_by(Summary.published_at, SummaryItem.position)
    )
    if organisation_id is not None:
        query = query.where(Summary.recipients.any(id=organisation_id)).where(
            ~SummaryItem.responses.any(Response.organisation_id == organisation_id)
        )
    if board_ids is not None:
        query = query.where(Summary.board_id.in_(board_ids), ~SummaryItem.responses.any())
    return [(item, summary) for item, summary in session.execute(query).all()]
