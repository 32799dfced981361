"""The partners' dashboard: published figures added up across boards, countries, service
categories and periods.

Only summaries published to the reader go in, and of them only the figures that
disclosure control let out (the kept ``summary_figure`` rows, where a hidden count is
NULL, which SQL's SUM leaves out). Every sum here can therefore be worked out from
published summaries alone, so the dashboard discloses nothing new, however it is
filtered: no differencing of two views can reach a hidden count. What was withheld is
counted and said, never estimated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import Session

from board.boards.models import Board, ServiceCategory
from board.disclosure import RATINGS, Level
from board.summaries.models import Summary, SummaryFigure, SummaryState, period_label


@dataclass(frozen=True)
class Audience:
    """Whose published summaries count: an organisation's (a partner or an API token),
    some boards' (their facilitators), or every one (administrators)."""

    organisation_id: int | None = None
    board_ids: frozenset[int] | None = None
    everything: bool = False

    def condition(self) -> sa.ColumnElement[bool]:
        published = Summary.state == SummaryState.PUBLISHED
        if self.everything:
            return published
        if self.organisation_id is not None:
            return sa.and_(published, Summary.recipients.any(id=self.organisation_id))
        return sa.and_(published, Summary.board_id.in_(self.board_ids or ()))


@dataclass(frozen=True)
class Filters:
    country: str | None = None
    board_id: int | None = None
    category: str | None = None
    start: date | None = None  # first month, included
    end: date | None = None  # last month, included

    def condition(self) -> list[sa.ColumnElement[bool]]:
        out = []
        if self.country:
            out.append(Board.country == self.country)
        if self.board_id:
            out.append(Summary.board_id == self.board_id)
        if self.category:
            out.append(SummaryFigure.category == self.category)
        if self.start:
            out.append(Summary.month >= self.start.replace(day=1))
        if self.end:
            out.append(Summary.month < self.end.replace(day=1) + relativedelta(months=1))
        return out


@dataclass(frozen=True)
class Total:
    """Published figures added up, each from the rows that show it:

    - ``ratings``: every row whose number of ratings was shown;
    - ``good`` of ``split``: ratings of 4 or 5 among the rows shown at least as "good or
      very good against the rest" (the coarsest split, so that few rows are left out);
    - ``counts`` of ``five``: the five ratings, among the rows that showed them;
    - ``unsplit``: ratings in rows shown as a number only (groups too small, or too
      alike, to break down); ``withheld``: rows whose number was not shown either."""

    key: object
    label: str
    ratings: int
    split: int
    good_count: int
    five: int
    counts: tuple[int, ...]
    unsplit: int
    withheld: int

    @property
    def base(self) -> int:
        return self.five

    @property
    def percents(self) -> tuple[int | None, ...]:
        return tuple(round(100 * c / self.five) if self.five else None for c in self.counts)

    @property
    def good(self) -> int | None:
        """Share of "good" and "very good" among the ratings in published splits, in %."""
        return round(100 * self.good_count / self.split) if self.split else None

    @property
    def mean(self) -> float | None:
        """The mean rating over the rows that showed all five."""
        weighted = sum(r * c for r, c in zip(RATINGS, self.counts, strict=True))
        return round(weighted / self.five, 2) if self.five else None


@dataclass(frozen=True)
class Dashboard:
    overall: Total
    by_period: list[Total]
    by_category: list[Total]
    by_board: list[Total]
    summaries: int


def _sums() -> list[sa.ColumnElement]:
    f = SummaryFigure

    def when(condition, value) -> sa.ColumnElement:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)

    return [
        when(f.level >= Level.COUNT, f.total),
        when(f.level >= Level.TWO, f.total),
        when(f.level >= Level.TWO, f.good),
        when(f.level == Level.FIVE, f.total),
        *[when(f.level == Level.FIVE, getattr(f, f"r{r}")) for r in RATINGS],
        when(f.level == Level.COUNT, f.total),
        when(f.level < Level.COUNT, 1),
    ]


def _total(key, label, sums) -> Total:
    ratings, split, good, five, *rest = (int(v) for v in sums)
    counts, unsplit, withheld = tuple(rest[:5]), rest[5], rest[6]
    return Total(key, label, ratings, split, good, five, counts, unsplit, withheld)


def _add(into: dict, key, sums) -> None:
    held = into.get(key)
    into[key] = sums if held is None else [a + b for a, b in zip(held, sums, strict=True)]


EMPTY = [0] * 12


def build(session: Session, audience: Audience, filters: Filters) -> Dashboard:
    """One pass over the published rows, summed per summary, kind of service and kind of
    row in SQL, then rolled up here. The board's own rows over all services give the
    totals per board and period; service rows give the kinds of service (and everything,
    when a kind of service is chosen)."""
    rows = session.execute(
        sa.select(
            Summary.id,
            Summary.month,
            Summary.months,
            Board.id,
            Board.name,
            Board.country,
            SummaryFigure.category,
            SummaryFigure.overall,
            *_sums(),
        )
        .select_from(SummaryFigure)
        .join(Summary, SummaryFigure.summary_id == Summary.id)
        .join(Board, Summary.board_id == Board.id)
        .where(audience.condition(), *filters.condition())
        .group_by(Summary.id, Board.id, SummaryFigure.category, SummaryFigure.overall)
    ).all()
    overall: dict[None, list[int]] = {}
    periods: dict[tuple[date, int], list[int]] = {}
    categories: dict[str, list[int]] = {}
    boards: dict[int, list[int]] = {}
    names = {}
    for _id, month, months, board_id, name, country, category, whole, *sums in rows:
        sums = [int(v) for v in sums]
        if not whole:
            _add(categories, category, sums)
        if bool(whole) != bool(filters.category):
            _add(overall, None, sums)
            _add(periods, (month, months), sums)
            _add(boards, board_id, sums)
        names[board_id] = f"{name} ({country})"
    by_category = [
        _total(key, str(ServiceCategory(key).label), sums) for key, sums in categories.items()
    ]
    return Dashboard(
        overall=_total(None, "", overall.get(None, EMPTY)),
        by_period=[_total(key, period_label(*key), sums) for key, sums in sorted(periods.items())],
        by_category=sorted(by_category, key=lambda t: t.label),
        by_board=sorted(
            (_total(key, names[key], sums) for key, sums in boards.items()),
            key=lambda t: t.label,
        ),
        summaries=len({row[0] for row in rows}),
    )


def boards_for(session: Session, audience: Audience) -> list[Board]:
    """Boards with a summary the audience may read (for the filters)."""
    return list(
        session.scalars(
            sa.select(Board)
            .where(Board.id.in_(sa.select(Summary.board_id).where(audience.condition())))
            .order_by(Board.name)
        )
    )
