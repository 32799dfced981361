"""Summaries of a month or a quarter: periods that never overlap, figures kept as
published, the change since the previous summary, and the votes' results."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from board import disclosure
from board.actions.models import Action, ActionStatus, Proposer
from board.feedback import tallies
from board.feedback.models import Feedback
from board.states import ModerationState
from board.summaries import figures, queries, services
from board.summaries.models import ItemKind, Summary
from board.voting.models import Ballot, BallotBatch, BallotMethod, BallotState, BallotTally
from tests.factories import after


@pytest.fixture
def publish(app, session):
    """Publishing mails the partners, which needs the application (for links)."""

    def send(summary):
        with app.app_context(), after(summary.month, summary.months):
            return services.publish(session, None, summary)

    return send


@pytest.fixture
def board(make):
    partner = make.organisation(name="City hall")
    board = make.board(partners=[partner], threshold_k=3)
    board.clinic = make.service(board, name="Clinic")
    return board


def test_a_quarter_pools_its_months(session, make, board):
    # Two children a month: too few for any month alone, enough for the quarter.
    for month in (1, 2, 3):
        make.held(board, date(2030, month, 9), {board.clinic: [4, 5]})
    january = figures.rating_counts(session, board, date(2030, 1, 1))
    assert not disclosure.publish(january, board.threshold_k).rows[0].total.shown
    quarter = services.start_summary(session, None, board, date(2030, 1, 1), 3)
    table = figures.summary_table(session, quarter)
    assert table.rows[0].total.value == 6
    assert quarter.period == "2030-01 – 2030-03"
    assert figures.summary_attendance(session, quarter).value == 30


def test_periods_of_a_board_never_overlap(session, make, board):
    make.held(board, date(2030, 2, 9), {board.clinic: [4, 5, 5]})
    month = services.start_summary(session, None, board, date(2030, 2, 1))
    assert services.start_summary(session, None, board, date(2030, 2, 1)) is month  # the same
    with pytest.raises(services.SummaryError, match="already covers"):
        services.start_summary(session, None, board, date(2030, 1, 1), 3)
    with pytest.raises(services.SummaryError, match="quarter starts"):
        services.start_summary(session, None, board, date(2030, 2, 1), 3)
    with pytest.raises(services.SummaryError, match="month or a quarter"):
        services.start_summary(session, None, board, date(2030, 2, 1), 2)
    services.start_summary(session, None, board, date(2030, 4, 1), 3)  # the next quarter


def test_overlap_is_refused_on_the_page(client, auth, session, make, board):
    from board.auth.models import Role

    make.held(board, date(2030, 2, 9), {board.clinic: [4, 5, 5]})
    services.start_summary(session, None, board, date(2030, 2, 1))
    facilitator = make.user(Role.FACILITATOR, board)
    session.commit()
    auth.as_user(facilitator)
    page = client.get(f"/boards/{board.id}/summaries").get_data(as_text=True)
    assert 'value="2030-01-01/3"' in page and 'value="2030-02-01/1"' in page
    response = client.post(f"/boards/{board.id}/summaries", data={"period": "2030-01-01/3"})
    assert response.status_code == 400
    assert "already covers part of this period" in response.get_data(as_text=True)
    bad = client.post(f"/boards/{board.id}/summaries", data={"period": "2031-05-01/1"})
    assert bad.status_code == 400  # not a period the board held meetings in
    assert session.scalar(sa.select(sa.func.count()).select_from(Summary)) == 1


def test_a_published_summary_keeps_its_figures(session, make, board, publish):
    meeting = make.held(board, date(2030, 3, 9), {board.clinic: [3, 3, 3, 4, 4, 4, 5, 5, 5]})
    summary = services.start_summary(session, None, board, date(2030, 3, 1))
    publish(summary)
    session.flush()
    # Later, one of the answers is raised as a concern and leaves the tallies.
    item = session.scalars(sa.select(Feedback).where(Feedback.rating == 5)).first()
    item.moderation = ModerationState.SAFEGUARDING
    tallies.rebuild(session)
    now = figures.rating_counts(session, board, date(2030, 3, 1))
    assert disclosure.publish(now, board.threshold_k).rows[0].total.value == 8
    kept = figures.summary_table(session, summary)
    assert kept.rows[0].total.value == 9 and kept.rows[0].median == 4.0
    assert [f.value for f in kept.rows[0].counts] == [0, 0, 3, 3, 3]
    assert kept.overall.total.value == 9 and kept.overall.median == 4.0  # kept as published
    assert kept.rows[0].percents == (None, None, 33, 33, 33)
    assert meeting.id  # the meeting stays; only the figures were kept


def test_change_since_the_previous_summary(client, auth, session, make, board, publish):
    from board.auth.models import Role

    make.held(board, date(2030, 1, 9), {board.clinic: [2, 2, 2, 3, 3, 3, 4, 4, 4]})
    make.held(board, date(2030, 2, 9), {board.clinic: [3, 3, 3, 4, 4, 4, 5, 5, 5]})
    january = services.start_summary(session, None, board, date(2030, 1, 1))
    publish(january)
    february = services.start_summary(session, None, board, date(2030, 2, 1))
    changes = figures.changes(session, february, figures.summary_table(session, february))
    assert changes.overall_then is january and changes.rows_then is january
    change = changes.rows[board.clinic.id]
    assert (change.trend, change.then, change.now) == (figures.Trend.BETTER, 3.0, 4.0)
    assert changes.overall.trend is figures.Trend.BETTER
    facilitator = make.user(Role.FACILITATOR, board)
    session.commit()
    auth.as_user(facilitator)
    page = client.get(f"/summaries/{february.id}").get_data(as_text=True)
    assert "Change since the previous summary" in page
    assert "better" in page and "median 3.0 then, 4.0 now" in page
    assert "ratings then" not in page


def test_change_by_the_share_of_good_where_no_median_was_shown(session, make, board, publish):
    """Shown as good against the rest both times: compared by that share (50 % then, 67 %
    now: better), never by a median that was not published."""
    make.held(board, date(2030, 1, 9), {board.clinic: [2, 2, 3, 4, 4, 4]})
    make.held(board, date(2030, 2, 9), {board.clinic: [1, 2, 3, 4, 4, 5, 5, 5, 5]})
    january = services.start_summary(session, None, board, date(2030, 1, 1))
    publish(january)
    february = services.start_summary(session, None, board, date(2030, 2, 1))
    table = figures.summary_table(session, february)
    assert table.rows[0].level is disclosure.Level.TWO and table.rows[0].median is None
    change = figures.changes(session, february, table).rows[board.clinic.id]
    assert (change.trend, change.measure, change.then, change.now) == (
        figures.Trend.BETTER,
        "good",
        50,
        67,
    )


def _vote(session, make, board, day, points: dict[str, int], voters: int):
    meeting = make.held(board, day)
    actions = {}
    for title in points:
        actions[title] = Action(
            board=board,
            title=title,
            language="en",
            proposed_by=Proposer.CHILD,
            status=ActionStatus.ON_BALLOT,
            moderation=ModerationState.APPROVED,
        )
    ballot = Ballot(
        meeting=meeting,
        method=BallotMethod.APPROVAL,
        state=BallotState.CLOSED,
        options=list(actions.values()),
    )
    session.add(ballot)
    session.flush()
    for title, value in points.items():
        session.add(BallotTally(ballot_id=ballot.id, action_id=actions[title].id, points=value))
    session.add(BallotBatch(id=f"b{ballot.id}", ballot_id=ballot.id, ballots=voters))
    session.flush()
    return ballot


def _places(session, summary):
    return [
        (i.text, i.rank, i.points, i.points_small)
        for i in summary.items
        if i.kind is ItemKind.ACTION
    ]


def test_vote_results_go_through_disclosure_control(session, make, board):
    _vote(session, make, board, date(2030, 1, 9), {"Sundays": 5, "Interpreter": 3}, voters=8)
    _vote(session, make, board, date(2030, 2, 9), {"Football": 4, "Wifi": 1}, voters=5)
    _vote(session, make, board, date(2030, 3, 9), {"Bus pass": 2, "Lockers": 1}, voters=2)
    january = services.start_summary(session, None, board, date(2030, 1, 1))
    assert _places(session, january) == [
        ("Sundays", 1, 5, False),
        ("Interpreter", 2, 3, False),
    ]
    february = services.start_summary(session, None, board, date(2030, 2, 1))
    # One option below k: the order stays, no points are shown, all alike ("-", not "<k",
    # which beside "-" would tell which end each lies at).
    assert _places(session, february) == [("Football", 1, None, False), ("Wifi", 2, None, False)]
    march = services.start_summary(session, None, board, date(2030, 3, 1))
    # Fewer than k voters: not even the order (the options in the order of their random ids).
    assert sorted(_places(session, march)) == [
        ("Bus pass", None, None, False),
        ("Lockers", None, None, False),
    ]


def test_ties_share_a_place(session, make, board):
    _vote(session, make, board, date(2030, 1, 9), {"A": 4, "B": 4, "C": 0}, voters=4)
    summary = services.start_summary(session, None, board, date(2030, 1, 1))
    # Tied actions in any order: their ids are random (board.ids).
    places = sorted((r, t) for t, r, _p, _s in _places(session, summary))
    assert places == [(1, "A"), (1, "B"), (3, "C")]


def test_quotes_carry_their_month_only(session, make, board):
    make.held(board, date(2030, 1, 9), {board.clinic: [4, 4, 4]}, texts=["Kind nurse."])
    make.held(board, date(2030, 2, 23), {board.clinic: [5, 5, 5]}, texts=["Long queue."])
    quarter = services.start_summary(session, None, board, date(2030, 1, 1), 3)
    keys = {text: key for key, text, _m in queries.quotable(session, quarter)}
    services.save_draft(
        session, None, quarter, narrative="", recommendations=[], quotes=list(keys.values())
    )
    quotes = [(i.text, i.month) for i in quarter.items if i.kind is ItemKind.QUOTE]
    assert quotes == [("Kind nurse.", date(2030, 1, 1)), ("Long queue.", date(2030, 2, 1))]
