"""What feeds disclosure control: the counts of a board's period (ratings, attendance,
votes), gathered from the kept tallies and handed to board.disclosure, which decides what
may be shown; and a published summary's figures, read back as they were sent. Nothing
here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from board import disclosure
from board.boards.models import Board, Service
from board.feedback.models import RatingTally
from board.summaries.models import Summary, SummaryFigure, month_span
from board.summaries.queries import period_meetings, previous
from board.voting import services as voting
from board.voting.models import Ballot, BallotMethod, BallotState


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


def ratings(session: Session, board: Board, month: date, months: int = 1) -> disclosure.Table:
    """The ratings of the board's period, as publishable."""
    return disclosure.publish(rating_counts(session, board, month, months), board.threshold_k)


def summary_table(session: Session, summary: Summary) -> disclosure.Table:
    """A summary's figures: as kept when it was published, worked out now for a draft."""
    k = summary.k
    if not summary.published:
        return ratings(session, summary.board, summary.month, summary.months)
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


def attendance(session: Session, board: Board, month: date, months: int = 1) -> disclosure.Figure:
    """Tablets that joined the period's meetings, as publishable."""
    total = sum(m.attendance for m in period_meetings(session, board, month, months))
    return disclosure.publish({"all": [total, 0, 0, 0, 0]}, board.threshold_k).rows[0].total


def summary_attendance(session: Session, summary: Summary) -> disclosure.Figure:
    """A summary's attendance: as kept when it was published, worked out now for a draft."""
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
    """The closed votes of the board's period, in order."""
    out = []
    for meeting in period_meetings(session, board, month, months):
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
    out: dict[int, Change] = {}
    for row in table.rows:
        key = row.key
        service_id = key.service_id if isinstance(key, SummaryFigure) else key.id
        old = then.get(service_id) if service_id is not None else None
        if service_id is None or old is None:
            continue
        delta = None
        if row.median is not None and old.median is not None:
            delta = round(row.median - old.median, 1)
        total = disclosure.Figure(old.total, old.total_small)
        out[service_id] = Change(total, old.median, delta, before.k)
    return before, out
