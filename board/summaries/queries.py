"""Reads about summaries and responses."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from board.auth.models import User
from board.boards.models import Board, Organisation
from board.feedback.models import Feedback
from board.i18n import period_name
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
    overlaps,
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
    selectinload(Summary.items).selectinload(SummaryItem.responses).selectinload(Response.versions),
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
    months = months_with_meetings(session, board)
    quarters = sorted({m.replace(month=(m.month - 1) // 3 * 3 + 1) for m in months}, reverse=True)
    out = [(f"{m.isoformat()}/1", period_name(m, 1)) for m in months]
    out += [(f"{q.isoformat()}/3", period_name(q, 3)) for q in quarters]
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
            .where(
                Summary.board_id == board.id,
                Response.approved_for_children.is_(True),
                Response.withdrawn_at.is_(None),
            )
            .order_by(sa.func.coalesce(Response.changed_at, Response.created_at).desc())
            .limit(30)
        )
    )


def waiting_items(summary: Summary) -> list[SummaryItem]:
    """Findings and recommendations no partner has answered yet (or whose answers were all
    withdrawn)."""
    return [i for i in summary.items if i.answerable and all(r.withdrawn for r in i.responses)]


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
            ~SummaryItem.responses.any(
                sa.and_(
                    Response.organisation_id == organisation_id, Response.withdrawn_at.is_(None)
                )
            )
        )
    if board_ids is not None:
        query = query.where(
            Summary.board_id.in_(board_ids),
            ~SummaryItem.responses.any(Response.withdrawn_at.is_(None)),
        )
    return [(item, summary) for item, summary in session.execute(query).all()]


def period_meetings(
    session: Session,
    board: Board,
    month: date,
    months: int = 1,
    states: tuple[MeetingState, ...] = (MeetingState.CLOSED,),
) -> list[Meeting]:
    """The board's meetings of the period in these states (held ones unless told), in
    order."""
    start, end = (datetime.combine(day, time(), UTC) for day in month_span(month, months))
    return list(
        session.scalars(
            sa.select(Meeting)
            .where(
                Meeting.board_id == board.id,
                Meeting.state.in_(states),
                Meeting.starts_at >= start,
                Meeting.starts_at < end,
            )
            .order_by(Meeting.starts_at)
        )
    )


def recipients(session: Session, summary: Summary) -> list[Organisation]:
    """Who receives the summary: the partner organisations named to the children at the
    period's meetings, and no one else, by name."""
    found = {
        organisation.id: organisation
        for meeting in period_meetings(session, summary.board, summary.month, summary.months)
        for organisation in meeting.recipients
    }
    return sorted(found.values(), key=lambda o: o.name)


def unfinished_meetings(session: Session, summary: Summary) -> list[Meeting]:
    """The period's meetings still scheduled or open: its figures are not final yet."""
    states = (MeetingState.SCHEDULED, MeetingState.OPEN)
    return period_meetings(session, summary.board, summary.month, summary.months, states)


def unmoderated_texts(session: Session, summary: Summary) -> list[tuple[Meeting, int]]:
    """The period's meetings with children's texts still waiting for moderation, and how
    many each, in order."""
    start, end = month_span(summary.month, summary.months)
    rows = session.execute(
        sa.select(Meeting, sa.func.count(Feedback.id))
        .join(Feedback, Feedback.meeting_id == Meeting.id)
        .where(
            Meeting.board_id == summary.board_id,
            Feedback.day >= start,
            Feedback.day < end,
            Feedback.moderation == ModerationState.PENDING,
        )
        .group_by(Meeting.id)
        .order_by(Meeting.starts_at)
    )
    return [(meeting, count) for meeting, count in rows.all()]


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


@dataclass(frozen=True)
class DuePeriod:
    """A period whose summary is due: its first month, its length, and its draft if one
    was started."""

    month: date
    months: int
    draft: Summary | None = None


def due_periods(session: Session, board: Board, today: date) -> list[DuePeriod]:
    """The board's periods that are over by ``today`` (the board's day), with a meeting
    held, and not published: each such month no summary covers yet, and each draft whose
    period is over, oldest first."""
    summaries = board_summaries(session, board)
    due: dict[tuple[date, int], DuePeriod] = {}
    for month in months_with_meetings(session, board):
        if month_span(month)[1] > today:
            continue
        cover = next((s for s in summaries if overlaps((s.month, s.months), (month, 1))), None)
        if cover is None:
            due[(month, 1)] = DuePeriod(month, 1)
        elif not cover.published and cover.end <= today:
            due[(cover.month, cover.months)] = DuePeriod(cover.month, cover.months, cover)
    return sorted(due.values(), key=lambda d: d.month)


def answers_since(
    session: Session,
    since: datetime,
    *,
    board_ids: Collection[int] | None = None,
    organisation_id: int | None = None,
    limit: int = 30,
) -> list[Response]:
    """Partners' answers given or changed after ``since`` to published summaries of these
    boards, or of those sent to this organisation; newest first. Neither named: none."""
    if board_ids is None and organisation_id is None:
        return []
    query = (
        sa.select(Response)
        .join(SummaryItem)
        .join(Summary)
        .where(
            Summary.state == SummaryState.PUBLISHED,
            sa.or_(Response.created_at > since, Response.changed_at > since),
        )
        .options(
            selectinload(Response.organisation),
            selectinload(Response.item).selectinload(SummaryItem.summary),
        )
        .order_by(sa.func.coalesce(Response.changed_at, Response.created_at).desc())
        .limit(limit)
    )
    if board_ids is not None:
        query = query.where(Summary.board_id.in_(board_ids))
    if organisation_id is not None:
        query = query.where(Summary.recipients.any(id=organisation_id))
    return list(session.scalars(query))
