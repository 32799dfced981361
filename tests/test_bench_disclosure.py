"""The disclosure benchmark (bench/disclosure.py) on a small network: its table has the
figures it promises, each a percentage, and the cascade never shows fewer board-months
over all services than today's rule."""

from __future__ import annotations

import re

from bench import disclosure as bench

FIGURES = [
    "service x month rows with a split",
    "board-months with an overall split",
    "service x quarter rows with a split",
    "answers in a service split, monthly rows",
    "answers in any split, monthly rows",
    "answers in a service split, quarterly rows",
    "answers in any split, quarterly rows",
]
PERCENT = re.compile(r"(-?\d+\.\d) %")


def test_table_of_shares(capsys):
    bench.report(boards=2, months=6, seed=3)
    lines = capsys.readouterr().out.splitlines()
    shares = {}
    for label in FIGURES:
        [line] = [line for line in lines if line.startswith(label)]
        values = [float(v) for v in PERCENT.findall(line)]
        assert len(values) == 2 * len(bench.KS), line  # today and new, for each k
        assert all(0 <= v <= 100 for v in values), line
        shares[label] = values
    today, new = shares["board-months with an overall split"][:2]
    assert new >= today
    assert "target >= 90 %" in next(line for line in lines if line.startswith(FIGURES[1]))
    assert "target >= 80 %" in next(line for line in lines if line.startswith(FIGURES[2]))
    # the levels: every kind of row adds up to 100 % over the six levels
    start = next(i for i, line in enumerate(lines) if line.startswith("levels at k = 5"))
    level_rows = [line for line in lines[start + 3 :] if line.strip()]
    assert len(level_rows) == 9
    for line in level_rows:
        *_label, number, five, three, two, count, small, none = line.split()
        assert int(number) > 0
        assert abs(sum(map(float, (five, three, two, count, small, none))) - 100) < 0.5


def test_cascade_shows_every_board_month_today_shows():
    network = bench.simulate(boards=2, months=6, seed=4)
    for k in bench.KS:
        measure = bench.measure(network, k)
        board_months = next(f for f in measure.figures if f.label.startswith("board-months"))
        assert board_months.new >= board_months.old
        # the answers counted are the network's, once each
        assert measure.answers == sum(sum(map(sum, month)) for board in network for month in board)
