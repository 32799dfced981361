"""The demo network: seeded once, idempotent, resettable, never over other data; its reset
never empties a real database; its figures are what the services made of its children's
answers and votes."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from board.audit.models import AuditEntry
from board.audit.services import record
from board.auth.models import Role, User
from board.boards.models import Board, Organisation, OrganisationKind
from board.db import Base
from board.demo import ADMIN_EMAIL, DEMO_PASSWORD, NETWORK, strangers
from board.feedback.models import Feedback, RatingTally
from board.meetings.models import Meeting, MeetingState
from board.meetings.services import in_board_zone
from board.states import ModerationState
from board.voting.models import Ballot, BallotBatch, BallotState, BallotTally


def _count(session, model):
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_seeds_five_boards_and_prints_logins(runner, session, client, auth):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert (
        "seeded" in result.output
        and ADMIN_EMAIL in result.output
        and DEMO_PASSWORD in result.output
    )
    boards = session.scalars(sa.select(Board).order_by(Board.city)).all()
    assert [b.city for b in boards] == ["Bucharest", "Prishtina", "Sofia", "Tirana", "Warsaw"]
    assert all(len(b.services) >= 6 and b.partners for b in boards)
    kinds = {o.kind for o in session.scalars(sa.select(Organisation))}
    assert kinds == set(OrganisationKind)
    users = session.scalars(sa.select(User)).all()
    for board in boards:
        assert any(board.id in u.board_ids(Role.FACILITATOR) for u in users)
        assert any(board.id in u.board_ids(Role.SAFEGUARDING_LEAD) for u in users)
    assert sum(u.is_partner for u in users) >= 3
    assert auth.login(ADMIN_EMAIL, DEMO_PASSWORD).status_code == 302


def test_every_demo_summary_shows_the_board_and_a_service(runner, session):
    """Partners reading the demo see what the product is for: each published summary
    splits the board's month over all services, and at least one service's ratings."""
    from board.disclosure import Level
    from board.summaries.models import Summary, SummaryState

    assert runner.invoke(args=["demo"]).exit_code == 0
    published = session.scalars(
        sa.select(Summary).where(Summary.state == SummaryState.PUBLISHED)
    ).all()
    assert len(published) >= 25
    for summary in published:
        overall = [Level(f.level) for f in summary.figures if f.overall]
        rows = [Level(f.level) for f in summary.figures if not f.overall]
        assert overall[0].split and any(level.split for level in rows), (
            summary.board.name,
            summary.period,
            overall,
            rows,
        )


def test_demo_is_idempotent_and_resettable(runner, session):
    runner.invoke(args=["demo"])
    users = _count(session, User)
    again = runner.invoke(args=["demo"])
    assert "present already" in again.output and _count(session, User) == users
    reset = runner.invoke(args=["demo", "--reset"], input="y\n")
    assert reset.exit_code == 0 and "seeded" in reset.output
    assert _count(session, User) == users and _count(session, Board) == 5


def test_demo_leaves_a_real_network_alone(runner, session, make):
    make.organisation(name="A real NGO")
    make.commit()
    result = runner.invoke(args=["demo"])
    assert "no demo seeded" in result.output
    assert _count(session, Board) == 0


# `demo --reset` deletes every row of every table (issue 14, item 2) ----------------------


def _rows(session) -> dict[str, int]:
    session.expire_all()
    return {
        table.name: session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def _real_organisation(make):
    make.organisation(name="A real NGO")


def _real_board(make):
    make.board(name="Skopje children's board", organisation=make.organisation(name=NETWORK))


def _real_service(make):
    ngo = make.organisation(name="Tirana Child Protection Centre")
    make.service(make.board(name="Tirana children's board", organisation=ngo), name="Skopje clinic")


def _real_account(make):
    make.user(email="nora@real-ngo.example.org", organisation=make.organisation(name=NETWORK))


def _real_audit_entry(make):
    network = make.organisation(name=NETWORK)
    record(make.session, None, "organisation.update", network, detail=NETWORK)


@pytest.mark.parametrize(
    "arrange, named",
    [
        (_real_organisation, "A real NGO"),
        (_real_board, "Skopje children's board"),
        (_real_service, "Skopje clinic"),
        (_real_account, "nora@real-ngo.example.org"),
        (_real_audit_entry, "1 audit log entries"),
    ],
    ids=["organisation", "board", "service", "account", "audit-entry"],
)
def test_reset_refuses_a_database_with_anything_the_demo_did_not_make(
    runner, session, make, arrange, named
):
    arrange(make)
    make.commit()
    before = _rows(session)
    result = runner.invoke(args=["demo", "--reset", "--yes"])
    assert result.exit_code != 0
    assert "Refusing to reset" in result.output and named in result.output
    assert "Nothing was deleted" in result.output and "audit log" in result.output
    assert _rows(session) == before


def test_reset_refuses_a_demo_with_a_real_safeguarding_concern(app, runner, session):
    """A facilitator raised a concern on a demo board: it is not the demo's, so it stays."""
    from board.moderation.services import raise_concern_in_room

    runner.invoke(args=["demo"])
    assert strangers(session) == []
    facilitator = session.scalar(
        sa.select(User).where(User.email == "facilitator.tirana@example.org")
    )
    meeting = session.scalar(sa.select(Meeting).where(Meeting.state == MeetingState.OPEN))
    with app.app_context():
        raise_concern_in_room(
            session, facilitator, meeting, "A man waits outside for a girl.", urgency="today"
        )
    session.commit()
    before = _rows(session)
    result = runner.invoke(args=["demo", "--reset", "--yes"])
    assert result.exit_code != 0
    assert "Refusing to reset" in result.output and "1 safeguarding concerns" in result.output
    assert _rows(session) == before


def test_reset_asks_first_and_yes_is_for_scripts(app, runner, session):
    """On the demo alone (a visitor's clicks included), reset asks; no keeps everything,
    --yes skips the question."""
    from board.meetings.services import regenerate_code

    runner.invoke(args=["demo"])
    facilitator = session.scalar(
        sa.select(User).where(User.email == "facilitator.tirana@example.org")
    )
    meeting = session.scalar(sa.select(Meeting).where(Meeting.state == MeetingState.OPEN))
    regenerate_code(session, facilitator, meeting)  # a visitor tries the demo
    session.commit()
    assert strangers(session) == []
    before = _rows(session)

    declined = runner.invoke(args=["demo", "--reset"], input="n\n")
    assert "Delete the demo network" in declined.output
    assert declined.exit_code != 0 and "Nothing was deleted" in declined.output
    assert _rows(session) == before

    done = runner.invoke(args=["demo", "--reset", "--yes"])
    assert done.exit_code == 0, done.output
    assert "Delete the demo network" not in done.output and "seeded" in done.output
    visits = sa.select(sa.func.count()).where(AuditEntry.action == "meeting.new_code")
    assert session.scalar(visits) == 0
    assert _count(session, Board) == 5 and strangers(session) == []


def test_development_mode_resets_a_database_with_other_data(runner, make, session, monkeypatch):
    """In development (``flask --debug``, which sets FLASK_DEBUG) the reset is allowed over
    other data, after a question that says what would go."""
    _real_organisation(make)
    make.commit()
    monkeypatch.setenv("FLASK_DEBUG", "1")
    declined = runner.invoke(args=["demo", "--reset"], input="n\n")
    assert "A real NGO" in declined.output and declined.exit_code != 0
    assert _count(session, Organisation) == 1

    result = runner.invoke(args=["demo", "--reset"], input="y\n")
    assert result.exit_code == 0, result.output
    assert "A real NGO" in result.output and "seeded" in result.output
    names = set(session.scalars(sa.select(Organisation.name)))
    assert "A real NGO" not in names and NETWORK in names


# Seeding goes through the services: the figures agree with what children gave ------------


def test_seeding_leaves_consistent_tallies(runner, session):
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert strangers(session) == []

    # Rating tallies are the answers counted from the feedback (a concern's rating left them).
    answers = session.scalars(sa.select(Feedback).where(Feedback.rating.is_not(None))).all()
    counted = Counter(
        (f.service_id, f.day.replace(day=1), f.rating)
        for f in answers
        if f.moderation is not ModerationState.SAFEGUARDING
    )
    tallies = {
        (t.service_id, t.month, t.rating): t.count
        for t in session.scalars(sa.select(RatingTally))
        if t.count
    }
    assert tallies == dict(counted)
    assert any(f.moderation is ModerationState.SAFEGUARDING for f in answers)

    # Each answer is dated on its meeting's day, and no service got more answers than
    # children were let in at the door.
    per_service = Counter((f.meeting_id, f.service_id) for f in answers)
    for feedback in answers:
        meeting = feedback.meeting
        assert feedback.day == in_board_zone(meeting.board, meeting.starts_at).date()
        assert per_service[(meeting.id, feedback.service_id)] <= meeting.attendance

    # Ballot tallies: every closed vote came through the box in batches of at least k (or
    # one batch, when fewer voted), within the attendance; each voter ticked at least one.
    ballots = session.scalars(sa.select(Ballot)).all()
    assert {b.state for b in ballots} == {BallotState.CLOSED, BallotState.OPEN}
    for ballot in ballots:
        batches = [
            b.ballots
            for b in session.scalars(sa.select(BallotBatch).filter_by(ballot_id=ballot.id))
        ]
        points = {
            t.action_id: t.points
            for t in session.scalars(sa.select(BallotTally).filter_by(ballot_id=ballot.id))
        }
        assert set(points) == {action.id for action in ballot.options}
        if ballot.state is BallotState.OPEN:
            assert batches == [] and set(points.values()) == {0}
            continue
        voters, k = sum(batches), ballot.meeting.board.threshold_k
        assert 6 <= voters <= ballot.meeting.attendance
        assert all(size >= min(k, voters) for size in batches)
        assert all(0 < p <= voters for p in points.values()) and sum(points.values()) >= voters
        by_title = {a.title: points[a.id] for a in ballot.options}
        assert by_title["Free bus tickets for school"] < min(
            v for t, v in by_title.items() if t != "Free bus tickets for school"
        )
