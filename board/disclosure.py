"""Disclosure control: the one place that turns counts into figures anyone outside the
room may see (CHILD-SAFETY rule 16). Pure functions; pages, CSV, JSON and print all use
``publish``. Nothing finer than one board's month ever comes in.

The rules, for a table of counts (rows: services; columns: the five ratings):

- A row's total is shown only when at least k; otherwise "fewer than k".
- A row's distribution (the count per rating, their percentages, the median) is shown
  only when the total is at least k, every count in it is 0 or at least k, and no rating
  holds everyone or all but one of the group. Otherwise all of its counts are hidden
  together, never one alone.
- The month's distribution over all services, and its grand total, are shown only when
  every row's distribution (for the distribution) or every row's total (for the grand
  total) is shown. A hidden figure then never sits in a published sum with all its
  neighbours known, so no hidden count can be worked out from totals: this is the
  complementary suppression, done by withholding the margin.
- A percentage is shown only where its count and its total are both at least k.

Homogeneous groups (unanimity). Rule 16 keeps a group in which everyone, or all but one,
gave the same answer from being shown finer than the board's month. We go further and show
it at no level at all, whatever the group's size: "15 of 15 said very bad" tells anyone who
knows a child was there what that child said, and a group of 200 that all but agrees still
gives away every child but one, to whoever knows the one. What counts as a child's answer:

- ratings: the rating. A distribution with one rating holding all or all but one of the
  group is hidden (the number of ratings stays: it says nothing about what was said; the
  median, a percentage or a "most children" would say it all, so they go too). Knowing
  that nobody chose a rating is not knowing anyone's rating, so a 0 in a mixed row stays.
- approval votes: each action's tick, yes or no. With v voters and a ticks, everyone
  agreed when a is 0 or v, all but one when a is 1 or v - 1. An action's count is shown
  only when both sides hold at least k children (k <= a <= v - k), which also keeps
  the children who did not tick it from being a group under k.
- dot votes (up to d dots each): the dots a child gave each action. An action's points p
  are shown only when k <= p <= d * v - k: both the dots it got and the dots it could
  still have got are at least k, which keeps every child from having given it the same.

The number of voters is never published, but the attendance is and bounds it, so these
checks take the number of voters as known to the reader: the worst case. Complementary
suppression for votes: a vote's points are shown for every action or for none (a "-"
beside published numbers would tell which side of the limit it lies), and places alone,
when the points are withheld, only where the order cannot pin down an action either
(approval: at least 4 voters and fewer distinct places than voters; dots: never, since
the shared budget of dots makes orders far more telling). Fewer than k voters: nothing.
``tests/test_disclosure.py`` checks all of it by brute force over random tables: for
every action and every service, some other table that publishes the same figures has a
group that is not unanimous there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

MIN_K = 3
RATINGS = (1, 2, 3, 4, 5)


K = TypeVar("K")  # what a row or a place stands for: a service, an action, ...


@dataclass(frozen=True)
class Figure:
    """A count as published: ``value`` when shown, else None (shown as "fewer than k"
    when ``small`` is true, "not shown" otherwise)."""

    value: int | None
    small: bool = False

    @property
    def shown(self) -> bool:
        return self.value is not None

    @property
    def count(self) -> int:
        """The value of a figure known to be shown."""
        if self.value is None:
            raise ValueError("a hidden figure has no count")
        return self.value


@dataclass(frozen=True)
class Row(Generic[K]):
    key: K
    total: Figure
    counts: tuple[Figure, ...]  # one per rating, all shown or all hidden
    percents: tuple[int | None, ...]
    median: float | None

    @property
    def distribution_shown(self) -> bool:
        return all(f.shown for f in self.counts)


@dataclass(frozen=True)
class Table(Generic[K]):
    k: int
    rows: tuple[Row[K], ...]
    total: Figure
    counts: tuple[Figure, ...]  # the month over all rows
    percents: tuple[int | None, ...]
    median: float | None


def _threshold(k: int) -> int:
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K}")
    return k


def _distribution_ok(counts: list[int], k: int) -> bool:
    total = sum(counts)
    if total < k or any(0 < c < k for c in counts):
        return False
    return not unanimous(counts)


def unanimous(counts: list[int]) -> bool:
    """Everyone, or all but one, in one category: at any size (see the module's text)."""
    return max(counts) >= sum(counts) - 1


def _median(counts: list[int]) -> float:
    """Median rating of a distribution (the mean of the two middle ratings if even)."""
    ordered = [rating for rating, n in zip(RATINGS, counts, strict=True) for _ in range(n)]
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def _percents(counts: list[int], k: int) -> tuple[int | None, ...]:
    total = sum(counts)
    return tuple(round(100 * c / total) if c >= k and total >= k else None for c in counts)


def _hidden(count: int, k: int) -> Figure:
    return Figure(None, small=0 < count < k)


def _shown_or_hidden(counts: list[int], k: int, ok: bool):
    """The counts, their percentages and median, or all hidden together. Nobody counted
    (all zeros) is shown as zeros: there is no child behind it."""
    if not any(counts):
        return tuple(Figure(0) for _ in counts), tuple(None for _ in counts), None
    if ok:
        return tuple(Figure(c) for c in counts), _percents(counts, k), _median(counts)
    return tuple(Figure(None) for _ in counts), tuple(None for _ in counts), None


def publish(rows: dict[K, list[int]], k: int) -> Table[K]:
    """The publishable figures of one board's period: ``rows`` maps a key (a service) to
    its five counts, ratings 1 to 5."""
    k = _threshold(k)
    published: list[Row[K]] = []
    for key, counts in rows.items():
        counts = list(counts)
        if len(counts) != len(RATINGS) or any(c < 0 for c in counts):
            raise ValueError("five non-negative counts per row")
        total = sum(counts)
        total_figure = Figure(total) if total >= k or total == 0 else _hidden(total, k)
        cells, percents, median = _shown_or_hidden(counts, k, _distribution_ok(counts, k))
        published.append(Row(key, total_figure, cells, percents, median))
    return assemble(published, k)


def restore(key: K, total: Figure, counts: Sequence[int | None], median, k: int) -> Row[K]:
    """A row as it was published (kept figures), with its percentages worked out again."""
    cells = tuple(Figure(c) for c in counts)
    shown = [c for c in counts if c is not None]
    percents = _percents(shown, k) if len(shown) == len(counts) else tuple(None for _ in counts)
    return Row(key, total, cells, percents, median)


def assemble(published: list[Row[K]], k: int) -> Table[K]:
    """The table of published rows, with the margins over all of them. The margins are
    worked out from published figures only, so a summary kept as published shows the same
    margins again."""
    every_total = all(r.total.shown for r in published)
    every_row = all(r.distribution_shown for r in published)
    # Withheld to protect a hidden row, the grand total is "not shown", never "fewer than
    # k": saying it is small could pin down the small rows inside it.
    total = Figure(sum(r.total.count for r in published)) if every_total else Figure(None)
    if every_row:
        month = [sum(r.counts[i].count for r in published) for i in range(len(RATINGS))]
        cells, percents, median = _shown_or_hidden(month, k, _distribution_ok(month, k))
    else:
        cells = tuple(Figure(None) for _ in RATINGS)
        percents, median = tuple(None for _ in RATINGS), None
    return Table(k, tuple(published), total, cells, percents, median)


def describe(figure: Figure, k: int) -> str:
    """A figure for a page or an export, untranslated: the number, "<k" or "-"."""
    if figure.shown:
        return str(figure.value)
    return f"<{k}" if figure.small else "-"


@dataclass(frozen=True)
class Place(Generic[K]):
    """One action's place in a closed vote: its rank (ties share one), and its points,
    shown only when every action's points pass (see the module's text)."""

    key: K
    rank: int
    points: Figure


def _points_ok(value: int, most: int, k: int) -> bool:
    return k <= value <= most - k


def _places_alone_ok(points: dict[K, int], voters: int, dots: int | None) -> bool:
    """Whether the order of an approval vote can be shown without its points: each of the
    m distinct places can then still hold a count between 2 and v - 2 (place j of m can
    hold any count from m - j to v - j + 1), so no action is pinned to everyone, no one or
    all but one."""
    if dots is not None:
        return False
    distinct = len(set(points.values()))
    return voters >= 4 and distinct <= voters - 1


def publish_votes(
    points: dict[K, int], voters: int, k: int, dots: int | None = None
) -> tuple[Place[K], ...] | None:
    """A vote's results as publishable, best first; None when not even the order can be
    shown (fewer than k voters, or an order that would tell how children voted). ``dots``
    is the number of dots each child could share, None for an approval vote. The number
    of voters itself is never published."""
    k = _threshold(k)
    if voters < k:
        return None
    most = voters * (dots if dots is not None else 1)
    if any(p < 0 or p > most for p in points.values()):
        raise ValueError("points beyond what the voters could give")
    shown = all(_points_ok(p, most, k) for p in points.values())
    if not shown and not _places_alone_ok(points, voters, dots):
        return None
    ordered = sorted(points.items(), key=lambda pair: -pair[1])
    places = []
    for key, value in ordered:
        rank = 1 + sum(1 for other in points.values() if other > value)
        # Withheld points all read "-", never "<k": the two marks side by side would tell
        # which end of the range each lies at.
        places.append(Place(key, rank, Figure(value) if shown else Figure(None)))
    return tuple(places)
