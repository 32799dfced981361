"""The demo network: seeded once, idempotent, resettable, never over other data."""

from __future__ import annotations

import sqlalchemy as sa

from board.auth.models import Role, User
from board.boards.models import Board, Organisation, OrganisationKind
from board.demo import ADMIN_EMAIL, DEMO_PASSWORD


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


def test_demo_is_idempotent_and_resettable(runner, session):
    runner.invoke(args=["demo"])
    users = _count(session, User)
    again = runner.invoke(args=["demo"])
    assert "present already" in again.output and _count(session, User) == users
    reset = runner.invoke(args=["demo", "--reset"])
    assert reset.exit_code == 0 and "seeded" in reset.output
    assert _count(session, User) == users and _count(session, Board) == 5


def test_demo_leaves_a_real_network_alone(runner, session, make):
    make.organisation(name="A real NGO")
    make.commit()
    result = runner.invoke(args=["demo"])
    assert "no demo seeded" in result.output
    assert _count(session, Board) == 0
