"""Disclosure control: the one place that turns counts into figures anyone outside the
room may see (CHILD-SAFETY rule 16). Pure functions; pages, CSV, XLSX, JSON and print all
use what ``publish`` decided. Nothing finer than one board's month ever comes in.

Ratings: coarser before hidden
------------------------------
A row (one service, or the board over all services) counts the children's ratings, 1 to 5.
It is shown at the finest *level* its counts allow, in this cascade:

- FIVE: the five ratings;
- THREE: bad (1-2), okay (3), good (4-5);
- TWO: good or very good (4-5) against the rest (1-3);
- COUNT: the number of ratings only;
- SMALL: "fewer than k" (1 to k-1 ratings); NONE: not shown at all ("-").

A level with a split (FIVE, THREE, TWO) is allowed when the row holds at least k ratings,
every group of the split holds 0 or at least k, and no group holds everyone or all but one,
neither at this level nor at a coarser split it implies (unanimity: "15 of 15 said very
bad" tells anyone who knows a child was there what that child said, at any size; five
ratings of [0, 0, 0, 4, 4] tell that every child said good or very good). COUNT needs at
least k ratings. Knowing that nobody chose a group is not knowing anyone's rating, so a 0
in a mixed split stays. A percentage goes with a shown group of at least k; a median only
with the five ratings.

Margins and secondary suppression. Two kinds of tables are published:

1. ``publish``: rows and their margin of the same period (a summary's services with the
   board's period over all services). The margin is shown at its own finest level, first:
   partners read the board's month before any one service. The margin then equals the sum
   of the rows, so for every level L at which the margin is shown, the rows shown coarser
   than L (set A) have a sum at L that anyone can work out: margin minus the other rows.
   That sum must itself pass the rule at L, unless A holds every row (then it is the
   margin itself). Where it does not, the smallest row still shown at L or finer is moved
   below L, and the check runs again, until every level passes.
   Only where no row is left to give way (every row already below L, or a "<k" that
   would be pinned, turned into "-") does the margin itself come down a level.
2. ``publish_rows``: rows of a quarter whose margin is published elsewhere, in parts: the
   board's month over all services, in each month's summary. The months are not sums of
   these rows, so at each level L two unknowns meet: the rows shown coarser than L (A) and
   the months shown coarser than L (B), with sum(A) - sum(B) known at L. When A is empty
   the rows add up to the quarter at L and hand out sum(B): if that may not be worked out,
   the smallest row moves below L. When A is neither empty nor every row, its sum must
   pass, as above. ``part_level`` applies the same checks to a month published after its
   quarter's rows, moving the month down instead.

A sum that passes can still pin a member down at the edge of what it could hold: two rows
of "<5" that add up to 8 both held 4. So a worked-out sum must also stay clear of the
most its members could hold together (k-1 for "<k", a row's own total or group for a row
shown coarser) and, for a number, of the least (1 for "<k", k for "-").

Every figure that can be worked out from any combination of a board's published tables is
then 0, at least k, or already published; ``tests/test_disclosure.py`` checks this exactly,
with integer programming over every table consistent with what was published.

Votes
-----
What counts as a child's answer in a vote:

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

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

MIN_K = 3
RATINGS = (1, 2, 3, 4, 5)

K = TypeVar("K")  # what a row or a place stands for: a service, an action, ...


class Level(enum.IntEnum):
    """How much of a row is shown, coarsest first."""

    NONE = 0  # nothing, not even whether it is small: "-"
    SMALL = 1  # fewer than k ratings: "<k"
    COUNT = 2  # the number of ratings
    TWO = 3  # good or very good (4-5) against the rest (1-3)
    THREE = 4  # bad (1-2), okay (3), good (4-5)
    FIVE = 5  # the five ratings

    @property
    def groups(self) -> tuple[tuple[int, ...], ...]:
        """The ratings (as indexes 0-4) each shown count adds up; () below COUNT."""
        return _GROUPS.get(self, ())

    @property
    def split(self) -> bool:
        """Whether the level shows how ratings divide, not only how many there are."""
        return self >= Level.TWO


_GROUPS = {
    Level.FIVE: ((0,), (1,), (2,), (3,), (4,)),
    Level.THREE: ((0, 1), (2,), (3, 4)),
    Level.TWO: ((0, 1, 2), (3, 4)),
    Level.COUNT: ((0, 1, 2, 3, 4),),
}
# The levels a row or a margin can be checked at, finest first; those with a split.
CHECKED = (Level.FIVE, Level.THREE, Level.TWO, Level.COUNT)
SPLITS = (Level.FIVE, Level.THREE, Level.TWO)


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


def project(counts: Sequence[int], level: Level) -> tuple[int, ...]:
    """The five counts added up into the level's groups."""
    return tuple(sum(counts[i] for i in group) for group in level.groups)


def unanimous(counts: Sequence[int]) -> bool:
    """Everyone, or all but one, in one group: at any size (see the module's text)."""
    return max(counts) >= sum(counts) - 1


def passes(counts: Sequence[int], level: Level, k: int) -> bool:
    """Whether five counts may be shown at ``level`` (see the module's text)."""
    shares = project(counts, level)
    total = sum(shares)
    if level is Level.COUNT:
        return total >= k
    if total < k or any(0 < c < k for c in shares):
        return False
    # Nor may it tell that everyone, or all but one, is in one group of a coarser split
    # it implies: five ratings of [0, 0, 0, 4, 4] say that every child said 4 or 5.
    return not any(unanimous(project(counts, split)) for split in SPLITS if split <= level)


def finest(counts: Sequence[int], k: int, below: Level | None = None) -> Level:
    """The finest level the counts allow, coarser than ``below`` when given. Nobody
    counted (all zeros) is shown in full: there is no child behind it."""
    if not any(counts):
        return Level.FIVE
    for level in CHECKED:
        if (below is None or level < below) and passes(counts, level, k):
            return level
    small = sum(counts) < k and (below is None or below > Level.SMALL)
    return Level.SMALL if small else Level.NONE


def _median(counts: Sequence[int]) -> float:
    """Median rating of a distribution (the mean of the two middle ratings if even)."""
    ordered = [rating for rating, n in zip(RATINGS, counts, strict=True) for _ in range(n)]
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class Row(Generic[K]):
    """A row as published: its level, its number of ratings and, at a level with a split,
    the counts of the level's groups (``shares``). Nothing finer is kept."""

    key: K
    level: Level
    total: Figure
    shares: tuple[int, ...] | None = None
    median: float | None = None  # with the five ratings only

    @property
    def counts(self) -> tuple[Figure, ...]:
        """The five ratings, shown only at FIVE."""
        if self.level is Level.FIVE and self.shares is not None:
            return tuple(Figure(c) for c in self.shares)
        return tuple(Figure(None) for _ in RATINGS)

    @property
    def distribution_shown(self) -> bool:
        return self.level is Level.FIVE

    @property
    def percents(self) -> tuple[int | None, ...]:
        """Each shown group's share of the row, in %, where the group holds at least one
        child (a 0 reads as 0, not as a percentage)."""
        if self.shares is None or not self.total.value:
            return ()
        total = self.total.value
        return tuple(round(100 * c / total) if c else None for c in self.shares)

    @property
    def good(self) -> int | None:
        """Ratings of 4 or 5, where the level shows them."""
        if self.shares is None or not self.level.split:
            return None
        return self.shares[-1] if self.level is not Level.FIVE else sum(self.shares[3:])

    def share(self, group: int) -> Figure:
        """One group's count at the row's level, or hidden."""
        if self.shares is None:
            return Figure(None)
        return Figure(self.shares[group])


def shown_row(key: K, counts: Sequence[int], level: Level, k: int) -> Row[K]:
    """A row shown at ``level`` (already decided): its figures, nothing finer."""
    total = sum(counts)
    if level is Level.NONE:
        return Row(key, level, Figure(None))
    if level is Level.SMALL:
        return Row(key, level, Figure(None, small=True))
    shares = project(counts, level) if level.split else None
    median = _median(counts) if level is Level.FIVE and total else None
    return Row(key, level, Figure(total), shares, median)


def restore(
    key: K, level: Level, total: Figure, shares: Sequence[int] | None, median: float | None
) -> Row[K]:
    """A row as it was published and kept."""
    return Row(key, level, total, tuple(shares) if shares is not None else None, median)


@dataclass(frozen=True)
class Table(Generic[K]):
    """Rows and, for ``publish``, their margin (the board's period over all services);
    ``overall`` is None when the margin is published elsewhere (``publish_rows``)."""

    k: int
    rows: tuple[Row[K], ...]
    overall: Row | None = None


def _threshold(k: int) -> int:
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K}")
    return k


def _checked(rows: Mapping[K, Sequence[int]]) -> dict[K, list[int]]:
    out = {}
    for key, counts in rows.items():
        counts = list(counts)
        if len(counts) != len(RATINGS) or any(c < 0 for c in counts):
            raise ValueError("five non-negative counts per row")
        out[key] = counts
    return out


def _sum(rows: Iterable[Sequence[int]]) -> list[int]:
    out = [0] * len(RATINGS)
    for counts in rows:
        for i, c in enumerate(counts):
            out[i] += c
    return out


Shown = list[tuple[list[int], Level]]  # raw counts with the level they are shown at


def _bounds(counts: list[int], shown: Level, level: Level, k: int, unseen: int):
    """What a reader knows of one member's groups at ``level`` from how it was shown:
    per group, the most it can hold (None: no limit), and the least its total can be
    (``unseen``: the least for a member shown not at all)."""
    total = sum(counts)
    if shown >= Level.COUNT:
        # Every group of a finer level lies inside one group of the level shown.
        coarse = project(counts, shown)
        most = [
            next(c for c, outer in zip(coarse, shown.groups, strict=True) if set(g) <= set(outer))
            for g in level.groups
        ]
        return most, total
    if shown is Level.SMALL:
        return [k - 1] * len(level.groups), 1
    return [None] * len(level.groups), unseen


def _pinned(members: Shown, level: Level, k: int, unseen: int) -> bool:
    """Whether the sum of these members at ``level`` pins a member down: a group at the
    most the members could hold together, or a total at the least they could."""
    shares = project(_sum(counts for counts, _shown in members), level)
    known = [_bounds(counts, shown, level, k, unseen) for counts, shown in members]
    for index, share in enumerate(shares):
        limits = [most[index] for most, _least in known]
        if share and None not in limits and share >= sum(limits):
            return True
    return level is Level.COUNT and sum(shares) <= sum(least for _most, least in known)


def _sum_ok(members: Shown, level: Level, k: int, unseen: int) -> bool:
    """Whether the sum of these members at ``level`` may be worked out by a reader: it
    passes the rule, and pins none of them down at the edge of what they could hold."""
    total = _sum(counts for counts, _shown in members)
    if not any(total):
        return True
    return passes(total, level, k) and not _pinned(members, level, k, unseen)


def _residual_ok(rows: Shown, level: Level, k: int) -> bool:
    """Whether the rows shown coarser than ``level`` may have their sum at ``level``
    worked out: none of them; all of them (the sum is then the margin, published) unless
    it pins one down; or a sum that may be (``_sum_ok``). A row not shown ("-") may hold
    any number, even fewer than k (``_demote`` makes some "<k" a "-")."""
    hidden = [(counts, shown) for counts, shown in rows if shown < level]
    if not hidden:
        return True
    if len(hidden) == sum(1 for counts, _shown in rows if any(counts)):
        return not _pinned(hidden, level, k, unseen=0)
    return _sum_ok(hidden, level, k, unseen=0)


def _demote(levels: dict[K, Level], rows: dict[K, list[int]], level: Level, k: int) -> bool:
    """Move the smallest row shown at ``level`` or finer below it; failing that, turn the
    smallest "<k" into "-" (no longer bounded by k). False if neither is left."""
    shown = [key for key in rows if levels[key] >= level and any(rows[key])]
    if shown:
        smallest = min(shown, key=lambda key: sum(rows[key]))
        levels[smallest] = finest(rows[smallest], k, below=level)
        return True
    small = [key for key in rows if levels[key] is Level.SMALL]
    if small:
        levels[min(small, key=lambda key: sum(rows[key]))] = Level.NONE
        return True
    return False


def _margin_level(margin: list[int], k: int, rows: int, below: Level | None = None) -> Level:
    """The board's period over all services: its finest level, but never "<k" over more
    than one row (two rows under a margin of 2 held one each): "-" then."""
    level = finest(margin, k, below)
    return Level.NONE if level is Level.SMALL and rows > 1 else level


def publish(rows: Mapping[K, Sequence[int]], k: int) -> Table[K]:
    """The publishable figures of one board's period: ``rows`` maps a key (a service) to
    its five counts, ratings 1 to 5; the margin over all of them is published too."""
    k = _threshold(k)
    raw = _checked(rows)
    margin = _sum(raw.values())
    counted = sum(1 for counts in raw.values() if any(counts))
    top = _margin_level(margin, k, counted)
    levels = {key: finest(counts, k) for key, counts in raw.items()}
    while True:
        shown: Shown = [(raw[key], levels[key]) for key in raw]
        failing = next((L for L in CHECKED if top >= L and not _residual_ok(shown, L, k)), None)
        if failing is None:
            break
        if not _demote(levels, raw, failing, k):
            top = _margin_level(margin, k, counted, below=failing)  # the margin gives way
    return Table(
        k,
        tuple(shown_row(key, raw[key], levels[key], k) for key in raw),
        shown_row(None, margin, top, k),
    )


def _parts_violation(rows: Shown, parts: Shown, k: int) -> Level | None:
    """The first level at which rows of a period and the independently published parts
    of their margin give something away."""
    for level in reversed(CHECKED):  # coarsest first
        hidden_parts = [(counts, shown) for counts, shown in parts if shown < level]
        every_row_shows_it = all(shown >= level for _counts, shown in rows)
        if (
            every_row_shows_it and not _sum_ok(hidden_parts, level, k, unseen=0)
        ) or not _residual_ok(rows, level, k):
            return level
    return None


def publish_rows(
    rows: Mapping[K, Sequence[int]], k: int, parts: Sequence[tuple[Sequence[int], Level]]
) -> Table[K]:
    """Rows of a period whose margin is published elsewhere in ``parts``: the counts of
    each part (a month over all services) with the level it was, or will be, shown at. A
    part not published at all is given at Level.NONE."""
    k = _threshold(k)
    raw = _checked(rows)
    known: Shown = [(list(counts), level) for counts, level in parts]
    if _sum(raw.values()) != _sum(counts for counts, _level in known):
        raise ValueError("the parts do not add up to the rows")
    levels = {key: finest(counts, k) for key, counts in raw.items()}
    while (
        level := _parts_violation([(raw[key], levels[key]) for key in raw], known, k)
    ) is not None:
        if not _demote(levels, raw, level, k):
            break  # not reached: with every row below the level, the residual is all rows
    return Table(k, tuple(shown_row(key, raw[key], levels[key], k) for key in raw))


def part_level(
    counts: Sequence[int],
    k: int,
    rows: Sequence[tuple[Sequence[int], Level]],
    others: Sequence[tuple[Sequence[int], Level]],
) -> Level:
    """The level a part of a margin (a month over all services) may be shown at when the
    rows of its period were published already (at the levels given) beside the other
    parts: its own finest level, or coarser where that would give the rows away."""
    k = _threshold(k)
    shown_rows: Shown = [(list(c), level) for c, level in rows]
    known: Shown = [(list(c), level) for c, level in others]
    level = finest(counts, k)
    while level > Level.NONE and _parts_violation(shown_rows, [*known, (list(counts), level)], k):
        level = finest(counts, k, below=level)
    return level


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
