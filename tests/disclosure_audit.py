"""An attacker with every published table of a board: what can they work out?

The cells are x[s, m, r]: service s, month m, rating r. Every published figure is a sum of
cells (a row over its months, a month over all services, in the groups of its level), so
the tables consistent with what was published are the integer points of a polytope. For
any count a table could show (a service over the period, a month over all services, one
service in one month, in the groups of any level) the attacker learns its smallest and
largest possible values; integer programming (scipy's HiGHS) gives them exactly. Where the
two meet, the count is worked out: it must then be 0 or at least k. And no withheld split
may be worked out to hold everyone, or all but one, in one group.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from board.disclosure import CHECKED, Level, project

RATINGS = 5
CAP = 400  # no cell is larger: keeps every problem bounded


@dataclass(frozen=True)
class Shown:
    """One published row: which cells it adds up, at which level, with what values."""

    cells: tuple[tuple[int, int], ...]  # (service, month) pairs
    level: Level
    shares: tuple[int, ...] | None  # group counts at the level (COUNT: the total)
    name: str


def shown(name: str, cells, level: Level, counts: Sequence[int]) -> Shown:
    """A published row of these true counts at ``level``."""
    values = project(counts, level) if level >= Level.COUNT else None
    return Shown(tuple(cells), level, values, name)


class World:
    def __init__(self, services: int, months: int, k: int):
        self.services, self.months, self.k = services, months, k
        self.size = services * months * RATINGS
        self.rows: list[np.ndarray] = []
        self.low: list[float] = []
        self.high: list[float] = []

    def var(self, s: int, m: int, r: int) -> int:
        return (s * self.months + m) * RATINGS + r

    def vector(self, cells, group) -> np.ndarray:
        v = np.zeros(self.size)
        for s, m in cells:
            for r in group:
                v[self.var(s, m, r)] = 1
        return v

    def add(self, row: Shown) -> None:
        if row.level is Level.NONE:
            return
        if row.level is Level.SMALL:
            self.rows.append(self.vector(row.cells, range(RATINGS)))
            self.low.append(1)
            self.high.append(self.k - 1)
            return
        assert row.shares is not None
        for group, value in zip(row.level.groups, row.shares, strict=True):
            self.rows.append(self.vector(row.cells, group))
            self.low.append(value)
            self.high.append(value)

    def _extreme(self, objective: np.ndarray, sign: int) -> float:
        constraints = LinearConstraint(np.array(self.rows), self.low, self.high)
        result = milp(
            sign * objective,
            constraints=[constraints] if self.rows else [],
            integrality=np.ones(self.size),
            bounds=Bounds(0, CAP),
        )
        assert result.success, result.message
        return sign * result.fun

    def span(self, objective: np.ndarray) -> tuple[float, float]:
        return self._extreme(objective, 1), self._extreme(objective, -1)


def leaks(world: World, published: Sequence[Shown], truth: np.ndarray) -> list[str]:
    """What an attacker works out that they should not: a count under k, or a withheld
    split in which everyone, or all but one, is in one group."""
    for row in published:
        world.add(row)
    found = []
    levels = {row.cells: row.level for row in published}
    every = [(s, m) for s in range(world.services) for m in range(world.months)]
    targets = {tuple(sorted(row.cells)) for row in published}
    targets |= {((s, m),) for s, m in every}
    targets |= {tuple((s, m) for m in range(world.months)) for s in range(world.services)}
    targets |= {tuple((s, m) for s in range(world.services)) for m in range(world.months)}
    for cells in sorted(targets):
        level_shown = levels.get(cells, Level.NONE)
        total = world.vector(cells, range(RATINGS))
        if float(total @ truth) == 0 and world.span(total)[1] == 0:
            continue  # nobody there, and everyone can know it
        for level in CHECKED:
            if level <= level_shown:
                continue  # published as it is
            for group in level.groups:
                objective = world.vector(cells, group)
                # Only a count that is truly under k can be worked out to be: the others
                # need no solving.
                if 0 < float(objective @ truth) < world.k:
                    low, high = world.span(objective)
                    if low == high:
                        found.append(f"{cells} {level.name} {group}: exactly {int(low)}")
            if level.split and cells in levels:
                for group in level.groups:
                    others = total - world.vector(cells, group)
                    if float(others @ truth) < 2 and world.span(others)[1] < 2:
                        found.append(f"{cells} {level.name} {group}: everyone but at most one")
    return found


def cells_of(counts: dict[tuple[int, int], Sequence[int]], world: World) -> np.ndarray:
    truth = np.zeros(world.size)
    for (s, m), values in counts.items():
        for r, c in enumerate(values):
            truth[world.var(s, m, r)] = c
    return truth


def pairs(services: int, months: int):
    return itertools.product(range(services), range(months))
