"""A board that meets monthly publishes its month over all services every month and each
service's ratings once a quarter, in the summary of the quarter's last month: groups per
service and month are too small to show, per quarter they often are not. The two tables
never overlap in period, and neither gives the other away (tests/test_disclosure.py audits
that in general; here it is the product's path through the services)."""

from __future__ import annotations

from datetime import date

import pytest

from board.auth.models import Role
from board.disclosure import Level
from board.summaries import figures
from board.summaries.models import Summary


@pytest.fixture
def board(make):
    city = make.organisation(name="City hall")
    board = make.board(partners=[city], threshold_k=5, service_months=3)
    board.clinic = make.service(board, name="Clinic")
    board.school = make.service(board, name="School")
    return board


# Per month, neither service holds five on either side of "good against the rest": over the
# quarter both do.
MONTHS = {
    1: {"clinic": [2, 3, 4, 5], "school": [1, 2, 3, 4, 5, 5]},
    2: {"clinic": [1, 3, 4, 4, 5], "school": [2, 3, 3, 4, 4]},
    3: {"clinic": [2, 2, 4, 5, 5], "school": [1, 3, 3, 5, 5]},
}


def _hold(make, board, month: int):
    ratings = {getattr(board, name): given for name, given in MONTHS[month].items()}
    make.held(board, date(2030, month, 9), ratings)


def _levels(summary: Summary):
    overall = next(Level(f.level) for f in summary.figures if f.overall)
    return overall, {f.name: Level(f.level) for f in summary.figures if not f.overall}


def test_service_rows_wait_for_the_quarter(session, make, board):
    summaries = {}
    for month in (1, 2, 3):
        _hold(make, board, month)
        summaries[month] = make.summary(board, date(2030, month, 1), publish=True)
    for month in (1, 2):
        summary = summaries[month]
        assert summary.rows_month is None and summary.rows_months is None
        overall, rows = _levels(summary)
        assert rows == {} and overall.split  # 9 ratings: good against the rest, or finer
    march = summaries[3]
    assert (march.rows_month, march.rows_months) == (date(2030, 1, 1), 3)
    overall, rows = _levels(march)
    assert overall.split
    assert rows == {"Clinic": Level.TWO, "School": Level.TWO}
    # Alone, a month of the clinic shows no split at all.
    alone = figures.rating_counts(session, board, date(2030, 1, 1))
    from board import disclosure

    assert not disclosure.finest(alone[board.clinic], 5).split


def test_the_page_names_the_quarter_the_rows_cover(client, auth, session, make, board):
    for month in (1, 2, 3):
        _hold(make, board, month)
        make.summary(board, date(2030, month, 1), publish=True)
    march = session.query(Summary).filter_by(month=date(2030, 3, 1)).one()
    january = session.query(Summary).filter_by(month=date(2030, 1, 1)).one()
    partner = make.user(Role.PARTNER, organisation=board.partners[0])
    session.commit()
    auth.as_user(partner)
    page = client.get(f"/summaries/{march.id}").get_data(as_text=True)
    assert "Each service over January" in page and "March 2030</th>" in page
    assert "the rest:" in page  # good against the rest, per service
    page = client.get(f"/summaries/{january.id}").get_data(as_text=True)
    assert "once a quarter" in page and "Each service over" not in page
    document = client.get(f"/summaries/{march.id}.json").json
    assert document["services_period"] == "2030-01 – 2030-03"
    assert {s["service"]: s["shown_as"] for s in document["services"]} == {
        "Clinic": "good against the rest",
        "School": "good against the rest",
    }


def test_a_month_published_after_its_quarter_keeps_the_rows_safe(session, make, board):
    """January's summary is written late, after March carried the quarter's rows: its
    month over all services is shown no finer than the rows allow."""
    for month in (1, 2, 3):
        _hold(make, board, month)
    make.summary(board, date(2030, 2, 1), publish=True)
    march = make.summary(board, date(2030, 3, 1), publish=True)
    assert march.rows_months == 3
    january = make.summary(board, date(2030, 1, 1), publish=True)
    overall, rows = _levels(january)
    assert rows == {}
    counts = figures.rating_counts(session, board, date(2030, 1, 1))
    from board import disclosure

    month = [sum(c[i] for c in counts.values()) for i in range(5)]
    assert overall <= disclosure.finest(month, 5)


def test_the_administrator_chooses_quarterly_rows(client, auth, session, make):
    admin = make.user(Role.ADMINISTRATOR)
    board = make.board(name="Durrës")
    session.commit()
    auth.as_user(admin)
    page = client.get(f"/admin/boards/{board.id}").get_data(as_text=True)
    assert "Every quarter, with the summary of the quarter" in page


def _raise_concern_in(session, board, month: int) -> None:
    """An answer of the month raised as a safeguarding concern: out of the tallies."""
    import sqlalchemy as sa

    from board.feedback import tallies
    from board.feedback.models import Feedback
    from board.states import ModerationState

    item = session.scalars(
        sa.select(Feedback).where(
            Feedback.day >= date(2030, month, 1), Feedback.day < date(2030, month + 1, 1)
        )
    ).first()
    item.moderation = ModerationState.SAFEGUARDING
    tallies.rebuild(session)
    session.flush()


def test_a_quarter_whose_published_month_changed_since_keeps_its_rows_back(session, make, board):
    """January went out; an answer of it was then raised as a concern. The quarter's rows
    beside January's published figure would tell what was taken out: they stay back."""
    for month in (1, 2, 3):
        _hold(make, board, month)
    for month in (1, 2):
        make.summary(board, date(2030, month, 1), publish=True)
    _raise_concern_in(session, board, 1)
    march = make.summary(board, date(2030, 3, 1))
    table = figures.summary_table(session, march)
    assert table.changed and table.rows == () and table.rows_period is None
    assert table.overall.level.split  # March itself is shown


def test_a_late_month_after_a_change_is_not_shown(session, make, board):
    for month in (1, 2, 3):
        _hold(make, board, month)
    make.summary(board, date(2030, 2, 1), publish=True)
    make.summary(board, date(2030, 3, 1), publish=True)  # carries the quarter's rows
    _raise_concern_in(session, board, 1)
    january = make.summary(board, date(2030, 1, 1), publish=True)
    overall, rows = _levels(january)
    assert overall is Level.NONE and rows == {}
