"""Wordings: per language, the share of the texts children read that have a wording in it
(issue 17, "Measured"; target for the demo network: 100 %).

The demo network is seeded into a temporary SQLite database; for every board, every text its
children read (board.wordings.queries: the active services' names, the actions to vote on and
on "You said, we did", the partners' answers approved for children) counts once in each
language the board offers, with a wording in that language or without. Beside it, the
interface: how many of the messages a child reads (flagged ``child`` in the catalogues) the
language's catalogue leaves untranslated.

    python -m bench.wordings
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import sqlalchemy as sa

from bench.history import bench_app
from board.boards.models import Board
from board.db import get_session
from board.demo import seed
from board.i18n import LANGUAGES
from board.wordings.queries import Coverage, coverage, interface_gaps

TARGET = 1.0  # the demo network: every text in every language its boards offer


def measure(session) -> dict[str, Coverage]:
    """Per language, the texts children read with a wording in it, over every board."""
    return coverage(session, session.scalars(sa.select(Board).order_by(Board.name)))


def table(found: dict[str, Coverage]) -> list[str]:
    """The printed table: one line per language offered by some board, in the order of
    board.i18n.LANGUAGES."""
    header = (
        f"{'language':<10} {'worded':>7} {'texts':>6} {'share':>8} {'target':>7} {'met':>4}"
        f" {'interface untranslated':>23}"
    )
    lines = [header, "-" * len(header)]
    for code in [c for c in LANGUAGES if c in found] + sorted(set(found) - set(LANGUAGES)):
        cover = found[code]
        met = "yes" if cover.share >= TARGET else "NO"
        lines.append(
            f"{code:<10} {cover.worded:>7} {cover.total:>6} {cover.share * 100:>7.1f} %"
            f" {TARGET * 100:>5.0f} % {met:>4} {interface_gaps(code):>23}"
        )
    return lines


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(f"sqlite:///{Path(folder) / 'wordings.sqlite3'}")
        with app.app_context():
            session = get_session()
            seed(session)
            session.commit()
            found = measure(session)
    print("\nwordings: texts children read with a wording in their language (demo network)")
    for line in table(found):
        print(line)


if __name__ == "__main__":
    main()
