"""What feeds disclosure control: the counts of a board's period (ratings, attendance,
votes), gathered from the kept tallies and handed to board.disclosure, which decides what
may be shown; and a published summary's figures, read back as they were sent. Nothing
here writes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from board import disclosure
from board.boards.models import Board, Service
from board.feedback.models import RatingTally
from board.summaries.models import (
    Summary,
    SummaryFigure,
    SummaryState,
    month_span,
    overlaps,
    period_label,
)
from board.summaries.queries import period_meetings
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


def _total(counts: dict[Service, list[int]]) -> list[int]:
    return [sum(row[i] for row in counts.values()) for i in range(len(disclosure.RATINGS))]


def quarter_of(month: date) -> date:
    return month.replace(month=(month.month - 1) // 3 * 3 + 1, day=1)


@dataclass(frozen=True)
class Ratings:
    """What a summary shows of ratings: the board's period over all services, and the
    service rows of ``rows_period`` (its own period, or the quarter its month ends), each
    at the level disclosure control chose."""

    k: int
    overall: disclosure.Row
    rows: tuple[disclosure.Row, ...]
    rows_period: tuple[date, int] | None
    # The quarter's rows were due but withheld: a month of it changed since it was published.
    changed: bool = False

    @property
    def rows_label(self) -> str | None:
        return period_label(*self.rows_period) if self.rows_period else None


def _published_rows_periods(session: Session, board: Board) -> list[tuple[date, int]]:
    found = session.execute(
        sa.select(Summary.rows_month, Summary.rows_months).where(
            Summary.board_id == board.id,
            Summary.state == SummaryState.PUBLISHED,
            Summary.rows_month.is_not(None),
        )
    ).all()
    return [(month, months) for month, months in found if month and months]


def rows_period(session: Session, summary: Summary) -> tuple[date, int] | None:
    """The period of the service rows a summary carries: its own, unless the board
    publishes them quarterly and this is a month's summary; then the quarter, carried by
    the summary of its last month. None where no rows go out (another summary covered
    part of that period already)."""
    own = (summary.month, summary.months)
    period: tuple[date, int] | None = own
    if summary.months == 1 and summary.board.service_months == 3:
        quarter = quarter_of(summary.month)
        last = quarter + relativedelta(months=2)
        period = (quarter, 3) if summary.month == last else None
    if period is None:
        return None
    if summary.published:
        return period
    taken = [p for p in _published_rows_periods(session, summary.board) if p != period]
    return None if any(overlaps(period, p) for p in taken) else period


def _still_as_published(figure: SummaryFigure, counts: list[int], k: int) -> bool:
    """Whether counts of today still give what ``figure`` published (an answer raised as a
    safeguarding concern since leaves the tallies, not the published figure)."""
    level = disclosure.Level(figure.level)
    if level is disclosure.Level.SMALL:
        return 0 < sum(counts) < k
    if level is disclosure.Level.NONE:
        return True
    if level is disclosure.Level.COUNT:
        return figure.total == sum(counts)
    return figure.shares == disclosure.project(counts, level)


def _month_parts(
    session: Session, board: Board, quarter: date, now: tuple[date, disclosure.Level] | None
) -> list[tuple[list[int], disclosure.Level]] | None:
    """Each month of a quarter over all services, with the level it was published at
    (NONE when it was not); ``now`` is the month being published and its level. None when
    a published month no longer adds up to what it showed: an answer of it was raised as a
    safeguarding concern since, and the quarter's rows beside it would tell which."""
    published = {
        summary.month: next((f for f in summary.figures if f.overall), None)
        for summary in session.scalars(
            sa.select(Summary).where(
                Summary.board_id == board.id,
                Summary.state == SummaryState.PUBLISHED,
                Summary.months == 1,
                Summary.month >= quarter,
                Summary.month < quarter + relativedelta(months=3),
            )
        )
    }
    parts = []
    for step in range(3):
        month = quarter + relativedelta(months=step)
        counts = _total(rating_counts(session, board, month))
        kept = published.get(month)
        if now is not None and month == now[0]:
            level = now[1]
        elif kept is None:
            level = disclosure.Level.NONE
        elif not _still_as_published(kept, counts, board.threshold_k):
            return None  # rows beside it would tell what changed since
        else:
            level = disclosure.Level(kept.level)
        parts.append((counts, level))
    return parts


def _overall_level(session: Session, summary: Summary, counts: list[int]) -> disclosure.Level:
    """A month's level over all services: its own finest, or coarser where the quarter's
    service rows, published already, would otherwise give a row away."""
    k, board = summary.k, summary.board
    if summary.months != 1:
        return disclosure.finest(counts, k)
    quarter = quarter_of(summary.month)
    carrier = session.scalar(
        sa.select(Summary).where(
            Summary.board_id == board.id,
            Summary.state == SummaryState.PUBLISHED,
            Summary.rows_month == quarter,
            Summary.rows_months == 3,
        )
    )
    if carrier is None or carrier.id == summary.id:
        return disclosure.finest(counts, k)
    raw = rating_counts(session, board, quarter, 3)
    kept = {f.service_id: f for f in carrier.figures if not f.overall}
    parts = _month_parts(session, board, quarter, None)
    if parts is None or any(
        s.id in kept and not _still_as_published(kept[s.id], raw[s], carrier.k) for s in raw
    ):
        return disclosure.Level.NONE  # the quarter changed since: this month would tell how
    rows = [
        (raw[s], disclosure.Level(kept[s.id].level) if s.id in kept else disclosure.Level.NONE)
        for s in raw
    ]
    others = [
        part
        for step, part in enumerate(parts)
        if quarter + relativedelta(months=step) != summary.month
    ]
    return disclosure.part_level(counts, k, rows, others)


def ratings(session: Session, summary: Summary) -> Ratings:
    """The ratings of a summary's period as publishable now."""
    board, k = summary.board, summary.k
    period = rows_period(session, summary)
    own = (summary.month, summary.months)
    if period == own:
        table = disclosure.publish(rating_counts(session, board, *own), k)
        assert table.overall is not None
        return Ratings(k, table.overall, table.rows, period)
    counts = _total(rating_counts(session, board, *own))
    level = _overall_level(session, summary, counts)
    overall = disclosure.shown_row(None, counts, level, k)
    if period is None:
        return Ratings(k, overall, (), None)
    parts = _month_parts(session, board, period[0], (summary.month, level))
    if parts is None:
        return Ratings(k, overall, (), None, changed=True)
    table = disclosure.publish_rows(rating_counts(session, board, *period), k, parts)
    return Ratings(k, overall, table.rows, period)


def summary_table(session: Session, summary: Summary) -> Ratings:
    """A summary's ratings: as kept when it was published, worked out now for a draft."""
    if not summary.published:
        return ratings(session, summary)

    def kept(figure: SummaryFigure) -> disclosure.Row:
        total = disclosure.Figure(figure.total, figure.total_small)
        level = disclosure.Level(figure.level)
        return disclosure.restore(figure, level, total, figure.shares, figure.median)

    overall = next((kept(f) for f in summary.figures if f.overall), None)
    if overall is None:
        overall = disclosure.Row(None, disclosure.Level.NONE, disclosure.Figure(None))
    rows = tuple(kept(f) for f in summary.figures if not f.overall)
    period = (summary.rows_month, summary.rows_months) if summary.rows_month else None
    return Ratings(summary.k, overall, rows, period)  # type: ignore[arg-type]


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


class Trend(enum.StrEnum):
    BETTER = "better"
    SAME = "same"
    WORSE = "worse"
    NOT_COMPARABLE = "not comparable"

    @property
    def label(self) -> str:
        return {
            Trend.BETTER: _l("better"),
            Trend.SAME: _l("the same"),
            Trend.WORSE: _l("worse"),
            Trend.NOT_COMPARABLE: _l("not comparable"),
        }[self]


@dataclass(frozen=True)
class Change:
    """A row against the same row of an earlier published summary, from published
    figures only (so nothing new is disclosed): better, the same or worse by the median
    where both showed the five ratings, else by the share of "good or very good" where both
    showed at least that (a change under ``SAME_WITHIN`` points is the same); or not
    comparable, with why."""

    trend: Trend
    then: float | None  # the median, or the share of good in %, then
    now: float | None
    measure: str = "median"  # or "good"
    why: str | None = None  # when not comparable


SAME_WITHIN = 10  # percentage points of "good or very good" that read as the same


def _good_share(total: int | None, good: int | None) -> int | None:
    return round(100 * good / total) if total and good is not None else None


def _change(now: disclosure.Row, then: SummaryFigure | None) -> Change:
    if then is None:
        return Change(Trend.NOT_COMPARABLE, None, None, why=str(_l("not rated then")))
    if then.median is not None and now.median is not None:
        if now.median == then.median:
            return Change(Trend.SAME, then.median, now.median)
        trend = Trend.BETTER if now.median > then.median else Trend.WORSE
        return Change(trend, then.median, now.median)
    before = _good_share(then.total, then.good) if then.level >= disclosure.Level.TWO else None
    after = _good_share(now.total.value, now.good)
    if before is not None and after is not None:
        if abs(after - before) < SAME_WITHIN:
            trend = Trend.SAME
        else:
            trend = Trend.BETTER if after > before else Trend.WORSE
        return Change(trend, before, after, "good")
    why = _l("too few ratings then to compare") if before is None else _l("too few ratings now")
    return Change(Trend.NOT_COMPARABLE, None, None, why=str(why))


def _earlier(session: Session, board: Board, before: date, rows: bool) -> Summary | None:
    """The board's last published summary before ``before``: of all of them, or of those
    that carried service rows."""
    query = sa.select(Summary).where(
        Summary.board_id == board.id, Summary.state == SummaryState.PUBLISHED
    )
    if rows:
        query = query.where(Summary.rows_month.is_not(None), Summary.rows_month < before)
    else:
        query = query.where(Summary.month < before)
    return session.scalar(query.order_by(Summary.month.desc()).limit(1))


@dataclass(frozen=True)
class Changes:
    """The overall row against the previous summary, each service row against the last
    summary that carried service rows (keyed by service id)."""

    overall_then: Summary | None
    overall: Change | None
    rows_then: Summary | None
    rows: dict[int, Change]


def _service_id(row: disclosure.Row) -> int | None:
    key = row.key
    return key.service_id if isinstance(key, SummaryFigure) else getattr(key, "id", None)


def changes(session: Session, summary: Summary, table: Ratings) -> Changes:
    board = summary.board
    overall_then = _earlier(session, board, summary.month, rows=False)
    overall = None
    if overall_then is not None:
        kept = next((f for f in overall_then.figures if f.overall), None)
        overall = _change(table.overall, kept)
    rows_then = None
    rows: dict[int, Change] = {}
    if table.rows_period is not None:
        rows_then = _earlier(session, board, table.rows_period[0], rows=True)
    if rows_then is not None:
        then = {f.service_id: f for f in rows_then.figures if not f.overall}
        for row in table.rows:
            service_id = _service_id(row)
            if service_id is not None:
                rows[service_id] = _change(row, then.get(service_id))
    return Changes(overall_then, overall, rows_then, rows)
