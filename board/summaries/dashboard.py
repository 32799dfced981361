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
from board.disclosure import RATINGS
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
    """Published figures added up. ``counts`` and ``base`` come from the rows whose
    distribution was published; ``withheld`` counts rows whose number of ratings was not."""

    key: object
    label: str
    ratings: int
    counts: tuple[int, ...]
    base: int
    withheld: int

    @property
    def percents(self) -> tuple[int | None, ...]:
        return tuple(round(100 * c / self.base) if self.base else None for c in self.counts)

    @property
    def good(self) -> int | None:
        """Share of "good" and "very good" among the published distributions, in %."""
        return round(100 * (self.counts[3] + self.counts[4]) / self.base) if self.base else None

    @property
    def mean(self) -> float | None:
        weighted = sum(r * c for r, c in zip(RATINGS, self.counts, strict=True))
        return round(weighted / self.base, 2) if self.base else None


@dataclass(frozen=True)
class Dashboard:
    overall: Total
    by_period: list[Total]
    by_category: list[Total]
    by_board: list[Total]
    summaries: int


def _sums() -> list[sa.ColumnElement]:
    f = SummaryFigure
    return [
        sa.func.coalesce(sa.func.sum(f.total), 0),
        *[sa.func.coalesce(sa.func.sum(getattr(f, f"r{r}")), 0) for r in RATINGS],
        sa.func.coalesce(sa.func.sum(sa.case((f.r1.is_not(None), f.total))), 0),
        sa.func.coalesce(sa.func.sum(sa.case((f.total.is_(None), 1), else_=0)), 0),
    ]


def _total(key, label, sums) -> Total:
    ratings, *rest = (int(v) for v in sums)
    counts, base, withheld = tuple(rest[:5]), rest[5], rest[6]
    return Total(key, label, ratings, counts, base, withheld)


def _add(into: dict, key, sums) -> None:
    held = into.get(key)
    into[key] = sums if held is None else [a + b for a, b in zip(held, sums, strict=True)]


def build(session: Session, audience: Audience, filters: Filters) -> Dashboard:
    """One pass over the published rows, summed per summary and kind of service in SQL,
    then rolled up here into the four views."""
    rows = session.execute(
        sa.select(
            Summary.id,
            Summary.month,
            Summary.months,
            Board.id,
            Board.name,
            Board.country,
            SummaryFigure.category,
            *_sums(),
        )
        .select_from(SummaryFigure)
        .join(Summary, SummaryFigure.summary_id == Summary.id)
        .join(Board, Summary.board_id == Board.id)
        .where(audience.condition(), *filters.condition())
        .group_by(Summary.id, Board.id, SummaryFigure.category)
    ).all()
    overall: dict[None, list[int]] = {}
    periods: dict[tuple[date, int], list[int]] = {}
    categories: dict[str, list[int]] = {}
    boards: dict[int, list[int]] = {}
    names = {}
    for _id, month, months, board_id, name, country, category, *sums in rows:
        sums = [int(v) for v in sums]
        _add(overall, None, sums)
        _add(periods, (month, months), sums)
        _add(categories, category, sums)
        _add(boards, board_id, sums)
        names[board_id] = f"{name} ({country})"
    by_category = [
        _total(key, str(ServiceCategory(key).label), sums) for key, sums in categories.items()
    ]
    return Dashboard(
        overall=_total(None, "", overall.get(None, [0] * 8)),
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
