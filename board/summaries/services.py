"""Composing, publishing and answering summaries. Every figure goes through
board.disclosure; only approved text is quoted. Services flush; views commit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import bleach
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from board import disclosure
from board.audit.services import record
from board.auth.models import Role, RoleAssignment, User
from board.boards.models import Board, Organisation, Service
from board.db import utcnow
from board.feedback.models import Feedback, RatingTally
from board.mail import external_url, send_mail
from board.meetings.models import Meeting, MeetingState
from board.moderation.models import ModerationState
from board.rules import RuleError
from board.summaries.models import (
    ItemKind,
    Response,
    ResponseStatus,
    Summary,
    SummaryItem,
    SummaryState,
)

ALLOWED_TAGS = ["p", "br", "strong", "em", "ul", "ol", "li", "h3", "blockquote"]


class SummaryError(RuleError):
    """A rule about summaries was broken."""


def sanitize_html(text: str) -> str:
    """The only HTML anyone writes (a narrative), cleaned: light formatting, no scripts,
    no attributes, no links to elsewhere."""
    return bleach.clean(text or "", tags=ALLOWED_TAGS, attributes={}, strip=True).strip()


def month_span(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, first + relativedelta(months=1)


def rating_counts(session: Session, board: Board, month: date) -> dict[Service, list[int]]:
    """Ratings per service in the board's month, from the kept tallies (items raised as
    concerns are already out of them)."""
    rows = session.execute(
        sa.select(RatingTally.service_id, RatingTally.rating, RatingTally.count).where(
            RatingTally.board_id == board.id,
            RatingTally.month == month.replace(day=1),
            RatingTally.count > 0,
        )
    ).all()
    services = {s.id: s for s in board.services}
    counts: dict[Service, list[int]] = {}
    for service_id, rating, number in rows:
        service = services.get(service_id)
        if service is not None:
            counts.setdefault(service, [0] * 5)[rating - 1] += number
    return dict(sorted(counts.items(), key=lambda pair: pair[0].name))


def figures(session: Session, board: Board, month: date) -> disclosure.Table:
    return disclosure.publish(rating_counts(session, board, month), board.threshold_k)


def _month_meetings(session: Session, board: Board, month: date) -> list[Meeting]:
    """The board's meetings held in the month."""
    start, end = (datetime.combine(day, time(), UTC) for day in month_span(month))
    return list(
        session.scalars(
            sa.select(Meeting).where(
                Meeting.board_id == board.id,
                Meeting.state == MeetingState.CLOSED,
                Meeting.starts_at >= start,
                Meeting.starts_at < end,
            )
        )
    )


def attendance(session: Session, board: Board, month: date) -> disclosure.Figure:
    """Tablets that joined the month's meetings, as publishable."""
    total = sum(m.attendance for m in _month_meetings(session, board, month))
    return disclosure.publish({"all": [total, 0, 0, 0, 0]}, board.threshold_k).rows[0].total


def start_summary(session: Session, actor, board: Board, month: date) -> Summary:
    """The board's summary of a month (created as a draft the first time)."""
    month = month.replace(day=1)
    summary = session.scalar(
        sa.select(Summary).where(Summary.board_id == board.id, Summary.month == month)
    )
    if summary is not None:
        return summary
    summary = Summary(board=board, month=month)
    session.add(summary)
    for position, service in enumerate(rating_counts(session, board, month)):
        summary.items.append(
            SummaryItem(kind=ItemKind.FINDING, position=position, service_id=service.id)
        )
    session.flush()
    record(
        session, actor, "summary.create", summary, board_id=board.id, detail=month.strftime("%Y-%m")
    )
    return summary


def quotable(session: Session, board: Board, month: date) -> list[tuple[str, str]]:
    """Approved words of the month, as (key, text): only these can be quoted."""
    start, end = month_span(month)
    rows = session.scalars(
        sa.select(Feedback)
        .join(Meeting, Feedback.meeting_id == Meeting.id)
        .where(
            Meeting.board_id == board.id,
            Feedback.day >= start,
            Feedback.day < end,
            Feedback.moderation == ModerationState.APPROVED,
        )
        .order_by(Feedback.id)
    )
    out = []
    for feedback in rows:
        for field in ("happened", "better"):
            text = getattr(feedback, field)
            if text:
                out.append((f"{feedback.id}:{field}", text))
    return out


def save_draft(
    session: Session,
    actor,
    summary: Summary,
    *,
    narrative: str,
    recommendations: list[str],
    quotes: list[str],
) -> None:
    """The facilitator's part: a narrative, recommendations, and approved words to quote."""
    if summary.published:
        raise SummaryError(_l("A published summary cannot be changed."))
    allowed = dict(quotable(session, summary.board, summary.month))
    if any(key not in allowed for key in quotes):
        raise SummaryError(_l("Only approved words of this month can be quoted."))
    summary.narrative = sanitize_html(narrative)
    summary.items = [i for i in summary.items if i.kind is ItemKind.FINDING]
    position = len(summary.items)
    for text in recommendations:
        if text.strip():
            summary.items.append(
                SummaryItem(
                    kind=ItemKind.RECOMMENDATION, position=position, text=text.strip()[:1000]
                )
            )
            position += 1
    for key in quotes:
        summary.items.append(SummaryItem(kind=ItemKind.QUOTE, position=position, text=allowed[key]))
        position += 1
    session.flush()
    record(session, actor, "summary.update", summary, board_id=summary.board_id)


def publish(session: Session, actor, summary: Summary) -> list[Organisation]:
    """Send it to the partners named to the children at the month's meetings, no one else."""
    if summary.published:
        raise SummaryError(_l("This summary is published already."))
    recipients: dict[int, Organisation] = {}
    for meeting in _month_meetings(session, summary.board, summary.month):
        for organisation in meeting.recipients:
            recipients[organisation.id] = organisation
    if not recipients:
        raise SummaryError(
            _l("No partner was named to the children this month, so nobody can receive it.")
        )
    summary.recipients = sorted(recipients.values(), key=lambda o: o.name)
    summary.state, summary.published_at = SummaryState.PUBLISHED, utcnow()
    session.flush()
    record(
        session,
        actor,
        "summary.publish",
        summary,
        board_id=summary.board_id,
        detail=", ".join(o.name for o in summary.recipients)[:300],
    )
    link = external_url("summaries.view", summary_id=summary.id)
    for user in partner_accounts(session, summary.recipients):
        send_mail(
            user.email,
            str(_l("A new summary from %(board)s", board=summary.board.name)),
            str(_l("Read it here: %(link)s", link=link)),
        )
    return summary.recipients


def partner_accounts(session: Session, organisations: list[Organisation]) -> list[User]:
    ids = [o.id for o in organisations]
    return list(
        session.scalars(
            sa.select(User)
            .join(RoleAssignment)
            .where(
                RoleAssignment.role == Role.PARTNER,
                User.organisation_id.in_(ids),
                User.active.is_(True),
            )
        )
    )


def respond(
    session: Session,
    user: User,
    item: SummaryItem,
    *,
    status: ResponseStatus,
    what: str,
    by_when: date | None,
) -> Response:
    """A partner answers one item of a summary their organisation received."""
    if not item.summary.published or user.organisation_id not in {
        o.id for o in item.summary.recipients
    }:
        raise SummaryError(_l("Your organisation did not receive this summary."))
    if not what.strip():
        raise SummaryError(_l("Write what you will do."), "what")
    response = Response(
        item=item,
        organisation_id=user.organisation_id,
        author_id=user.id,
        status=status,
        what=what.strip()[:2000],
        by_when=by_when,
    )
    session.add(response)
    session.flush()
    record(
        session,
        user,
        "response.create",
        response,
        board_id=item.summary.board_id,
        detail=status.value,
    )
    return response


def approve_for_children(
    session: Session, actor, response: Response, texts: dict[str, str]
) -> None:
    """The facilitator writes (or checks) the answer in children's words, per language."""
    cleaned = {lang: text.strip()[:1000] for lang, text in texts.items() if text.strip()}
    if not cleaned:
        raise SummaryError(_l("Write the answer for children in at least one language."))
    response.child_texts = cleaned
    response.approved_for_children = True
    session.flush()
    record(session, actor, "response.approve", response, board_id=response.item.summary.board_id)
