"""Composing, publishing and answering summaries. Every figure goes through
board.disclosure; only approved text is quoted. Services flush; views commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
from board.rules import RuleError
from board.states import ModerationState
from board.summaries.models import (
    PERIOD_MONTHS,
    QUOTE_FIELDS,
    ItemKind,
    Response,
    ResponseStatus,
    Summary,
    SummaryFigure,
    SummaryItem,
    SummaryState,
)
from board.voting import services as voting
from board.voting.models import Ballot, BallotMethod, BallotState

_CODE_BLOCKS = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
ALLOWED_TAGS = ["p", "br", "strong", "em", "ul", "ol", "li", "h3", "blockquote"]


class SummaryError(RuleError):
    """A rule about summaries was broken."""


def sanitize_html(text: str) -> str:
    """The only HTML anyone writes (a narrative), cleaned: light formatting, no scripts,
    no attributes, no links to elsewhere. A script's or a style's content goes with it
    (bleach would keep it as text)."""
    text = _CODE_BLOCKS.sub("", text or "")
    return bleach.clean(text, tags=ALLOWED_TAGS, attributes={}, strip=True).strip()


def month_span(month: date, months: int = 1) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, first + relativedelta(months=months)


def rating_counts(
    session: Session, board: Board, month: date, months: int = 1
) -> dict[Service, list[int]]:
    """Ratings per service in the board's period, from the kept tallies (items raised as
    concerns are already out of them)."""
    start, end = month_span(month, months)
    rows = session.execute(
        sa.select(RatingTally.service_id, RatingTally.rating, sa.func.sum(RatingTally.count))
        .where(
            RatingTally.board_id == board.id,
            RatingTally.month >= start,
            RatingTally.month < end,
            RatingTally.count > 0,
        )
        .group_by(RatingTally.service_id, RatingTally.rating)
    ).all()
    services = {s.id: s for s in board.services}
    counts: dict[Service, list[int]] = {}
    for service_id, rating, number in rows:
        service = services.get(service_id)
        if service is not None:
            counts.setdefault(service, [0] * 5)[rating - 1] += int(number)
    return dict(sorted(counts.items(), key=lambda pair: pair[0].name))


def figures(session: Session, board: Board, month: date, months: int = 1) -> disclosure.Table:
    return disclosure.publish(rating_counts(session, board, month, months), board.threshold_k)


def summary_table(session: Session, summary: Summary) -> disclosure.Table:
    """A summary's figures: as kept when it was published, worked out now for a draft."""
    k = summary.k
    if not summary.published:
        return figures(session, summary.board, summary.month, summary.months)
    rows = [
        disclosure.restore(
            figure,
            disclosure.Figure(figure.total, figure.total_small),
            list(figure.counts),
            figure.median,
            k,
        )
        for figure in summary.figures
    ]
    return disclosure.assemble(rows, k)


def _period_meetings(session: Session, board: Board, month: date, months: int = 1) -> list[Meeting]:
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


def attendance(session: Session, board: Board, month: date, months: int = 1) -> disclosure.Figure:
    """Tablets that joined the period's meetings, as publishable."""
    total = sum(m.attendance for m in _period_meetings(session, board, month, months))
    return disclosure.publish({"all": [total, 0, 0, 0, 0]}, board.threshold_k).rows[0].total


def summary_attendance(session: Session, summary: Summary) -> disclosure.Figure:
    if summary.published:
        return disclosure.Figure(summary.attendance, summary.attendance_small)
    return attendance(session, summary.board, summary.month, summary.months)


@dataclass(frozen=True)
class VoteResult:
    """One closed vote of the period, as publishable: ``places`` is None when not even the
    order can be shown (fewer than k voters, or an order that tells how they voted)."""

    ballot: Ballot
    places: tuple[disclosure.Place, ...] | None


def vote_results(session: Session, board: Board, month: date, months: int = 1) -> list[VoteResult]:
    out = []
    for meeting in _period_meetings(session, board, month, months):
        ballots = session.scalars(
            sa.select(Ballot)
            .where(Ballot.meeting_id == meeting.id, Ballot.state == BallotState.CLOSED)
            .order_by(Ballot.id)
        )
        for ballot in ballots:
            points = {r.action: r.points for r in voting.results(session, ballot)}
            voters = voting.count_votes(session, ballot)
            dots = ballot.dots if ballot.method is BallotMethod.DOTS else None
            places = disclosure.publish_votes(points, voters, board.threshold_k, dots)
            out.append(VoteResult(ballot, places))
    return out


def _generated_items(session: Session, summary: Summary) -> list[SummaryItem]:
    """A finding per service rated in the period, and each action the children voted on
    with its place: made again until the summary is published, then kept."""
    board = summary.board
    items = [
        SummaryItem(kind=ItemKind.FINDING, service_id=service.id)
        for service in rating_counts(session, board, summary.month, summary.months)
    ]
    for result in vote_results(session, board, summary.month, summary.months):
        if result.places is None:
            items += [
                SummaryItem(kind=ItemKind.ACTION, action_id=a.id, text=a.title)
                for a in result.ballot.options
            ]
            continue
        for place in result.places:
            items.append(
                SummaryItem(
                    kind=ItemKind.ACTION,
                    action_id=place.key.id,
                    text=place.key.title,
                    rank=place.rank,
                    points=place.points.value,
                    points_small=place.points.small,
                )
            )
    return items


def _arrange(summary: Summary, generated: list[SummaryItem], written: list[SummaryItem]) -> None:
    summary.items = generated + written
    for position, item in enumerate(summary.items):
        item.position = position


def _refresh(session: Session, summary: Summary) -> None:
    written = [i for i in summary.items if i.kind in (ItemKind.RECOMMENDATION, ItemKind.QUOTE)]
    _arrange(summary, _generated_items(session, summary), written)


def _overlaps(a_start: date, a_months: int, b_start: date, b_months: int) -> bool:
    a_end, b_end = month_span(a_start, a_months)[1], month_span(b_start, b_months)[1]
    return a_start < b_end and b_start < a_end


def _summary_covering(session: Session, board: Board, month: date, months: int) -> Summary | None:
    """The board's summary of exactly this period; SummaryError when another one covers part
    of it."""
    existing = session.scalars(sa.select(Summary).where(Summary.board_id == board.id)).all()
    for summary in existing:
        if summary.month == month and summary.months == months:
            return summary
        if _overlaps(summary.month, summary.months, month, months):
            raise SummaryError(
                _l(
                    "The summary of %(period)s already covers part of this period.",
                    period=summary.period,
                ),
                "month",
            )
    return None


def start_summary(session: Session, actor, board: Board, month: date, months: int = 1) -> Summary:
    """The board's summary of a month or a calendar quarter (a draft the first time). A
    board's periods never overlap: otherwise one period taken from another could show a
    figure that disclosure control hid.

    The rule holds in the database (migration 5b1e0c7d2a94), and requests for one board
    take turns: the check and the insert run behind a write on the board's row. On SQLite
    that write takes the one write lock (what BEGIN IMMEDIATE would do) and makes the
    savepoint below sit inside a real transaction; on PostgreSQL it locks the board's row,
    so a second request waits and then sees the first's period. Without it, two inserts
    checked by the exclusion constraint at once each waited for the other: a deadlock."""
    month = month.replace(day=1)
    if months not in PERIOD_MONTHS:
        raise SummaryError(_l("A summary covers a month or a quarter."), "months")
    if months == 3 and month.month not in (1, 4, 7, 10):
        raise SummaryError(_l("A quarter starts in January, April, July or October."), "month")
    session.execute(sa.update(Board.__table__).where(Board.id == board.id).values(id=Board.id))
    found = _summary_covering(session, board, month, months)
    if found is not None:
        return found
    summary = Summary(board=board, month=month, months=months)
    try:
        with session.begin_nested():
            session.add(summary)
            session.flush()
    except sa.exc.IntegrityError:
        # Another request wrote an overlapping (or the same) period since the check: the
        # database refused this one (the savepoint's rollback took it out of the session).
        # Say which, as the check would have.
        found = _summary_covering(session, board, month, months)
        if found is not None:
            return found
        raise
    _refresh(session, summary)
    session.flush()
    record(session, actor, "summary.create", summary, board_id=board.id, detail=summary.period)
    return summary


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


def _quote(key: str, text: str, month: date) -> SummaryItem:
    """A copy of approved words, linked to its source so a concern or the purge reaches it."""
    feedback_id, field = key.split(":")
    return SummaryItem(
        kind=ItemKind.QUOTE,
        text=text,
        month=month,
        feedback_id=int(feedback_id),
        source_field=field,
    )


def _recheck_quotes(session: Session, summary: Summary) -> int:
    """Drop every quote whose words are no longer approved words of the period (raised as
    a concern, purged, or unlinked) since the draft was saved. Returns how many."""
    allowed = {key: text for key, text, _month in quotable(session, summary)}
    dropped = [
        item
        for item in summary.items
        if item.kind is ItemKind.QUOTE
        and (item.gone is not None or allowed.get(item.source_key or "") != item.text)
    ]
    for item in dropped:
        summary.items.remove(item)
    return len(dropped)


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
    allowed = {key: (text, month) for key, text, month in quotable(session, summary)}
    if any(key not in allowed for key in quotes):
        raise SummaryError(_l("Only approved words of this period can be quoted."), "quotes")
    summary.narrative = sanitize_html(narrative)
    written = [
        SummaryItem(kind=ItemKind.RECOMMENDATION, text=text.strip()[:1000])
        for text in recommendations
        if text.strip()
    ]
    written += [_quote(key, *allowed[key]) for key in quotes]
    _arrange(summary, _generated_items(session, summary), written)
    session.flush()
    record(session, actor, "summary.update", summary, board_id=summary.board_id)


def publish(session: Session, actor, summary: Summary) -> list[Organisation]:
    """Send it to the partners named to the children at the period's meetings, no one
    else; its figures are kept as published."""
    if summary.published:
        raise SummaryError(_l("This summary is published already."))
    recipients: dict[int, Organisation] = {}
    for meeting in _period_meetings(session, summary.board, summary.month, summary.months):
        for organisation in meeting.recipients:
            recipients[organisation.id] = organisation
    if not recipients:
        raise SummaryError(
            _l("No partner was named to the children in this period, so nobody can receive it.")
        )
    # Only words approved now leave the room, whatever happened since the draft was saved.
    _recheck_quotes(session, summary)
    # The k goes with the figures: a "<5" stays "<5" if the board later lowers its k.
    summary.threshold_k = summary.board.threshold_k
    _refresh(session, summary)
    table = summary_table(session, summary)
    summary.figures = [
        SummaryFigure(
            position=position,
            service_id=row.key.id,
            name=row.key.name,
            category=row.key.category.value,
            total=row.total.value,
            total_small=row.total.small,
            median=row.median,
            **{f"r{i}": figure.value for i, figure in enumerate(row.counts, start=1)},
        )
        for position, row in enumerate(table.rows)
    ]
    present = summary_attendance(session, summary)
    summary.attendance, summary.attendance_small = present.value, present.small
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


@dataclass(frozen=True)
class Change:
    """A service against the previous summary: its published ratings and median then, and
    the median's change when both medians were published."""

    total: disclosure.Figure
    median: float | None
    median_change: float | None
    k: int  # the previous summary's own k, which its "<k" keeps


def changes(
    session: Session, summary: Summary, table: disclosure.Table
) -> tuple[Summary | None, dict[int, Change]]:
    """Per service id, from published figures only, so nothing new is disclosed."""
    before = previous(session, summary)
    if before is None:
        return None, {}
    then = {f.service_id: f for f in before.figures if f.service_id is not None}
    out = {}
    for row in table.rows:
        key = row.key
        service_id = key.service_id if isinstance(key, SummaryFigure) else key.id
        old = then.get(service_id)
        if old is None:
            continue
        delta = None
        if row.median is not None and old.median is not None:
            delta = round(row.median - old.median, 1)
        total = disclosure.Figure(old.total, old.total_small)
        out[service_id] = Change(total, old.median, delta, before.k)
    return before, out


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
