"""Races (issue 13, item 8): requests that arrive at the same moment, each on its own
connection, cannot both pass a rule that a check made before the write would let through.

Each test starts its racers together (a threading.Barrier) and holds them, just before the
write, at a second meeting point: on the old code every racer reached it having passed the
check, so all of them wrote. A racer that the database makes wait never arrives there; the
others give up waiting after a moment and go on.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import date

import pytest
import sqlalchemy as sa

from board.auth import services as accounts
from board.auth.models import Invitation, Role, User
from board.summaries import services as summaries
from board.summaries.models import Summary

HOLD_SECONDS = 2.0


def _race(n: int, work) -> list:
    """Run ``work(i)`` in ``n`` threads released at the same moment; their results."""
    start = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def run(i):
        try:
            start.wait(timeout=10)
            results[i] = work(i)
        except Exception as error:  # noqa: BLE001 (reported below, in the test's thread)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def _hold(monkeypatch, module, name: str, parties: int) -> None:
    """Make every racer wait for the others just before calling ``module.name``, for at
    most HOLD_SECONDS: racers the database keeps back do not come."""
    meeting = threading.Barrier(parties)
    original = getattr(module, name)

    def held(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait(timeout=HOLD_SECONDS)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, held)


# A month and its quarter, posted at the same moment -----------------------------------------


@pytest.fixture
def board(make):
    board = make.board(threshold_k=3)
    board.clinic = make.service(board, name="Clinic")
    return board


def test_a_month_and_its_quarter_posted_at_once_make_one_summary(
    app, session, make, board, monkeypatch
):
    make.held(board, date(2030, 2, 9), {board.clinic: [4, 5, 5]})
    facilitator = make.user(Role.FACILITATOR, board)
    session.commit()
    _hold(monkeypatch, summaries, "_refresh", 2)
    periods = ["2030-02-01/1", "2030-01-01/3"]

    def post(i):
        client = app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"] = facilitator.get_id()
        return client.post(f"/boards/{board.id}/summaries", data={"period": periods[i]})

    responses = _race(2, post)
    assert sorted(r.status_code for r in responses) == [302, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert "already covers part of this period" in refused.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(Summary)) == 1


def test_the_database_itself_refuses_overlapping_periods(session, make, board):
    """Whatever writes the row (a script, a future code path), the rule holds."""
    other = make.board()
    session.add(Summary(board=board, month=date(2030, 2, 1), months=1))
    session.add(Summary(board=other, month=date(2030, 1, 1), months=3))  # another board: fine
    session.commit()
    for month, months in ((date(2030, 1, 1), 3), (date(2030, 2, 1), 3), (date(2029, 12, 1), 3)):
        with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
            session.add(Summary(board=board, month=month, months=months))
        session.rollback()
    quarter = Summary(board=board, month=date(2030, 4, 1), months=3)  # touching, not overlapping
    session.add(quarter)
    session.commit()
    with pytest.raises(sa.exc.IntegrityError):  # moved onto the month
        quarter.month = date(2030, 1, 1)
        session.commit()
    session.rollback()


def test_a_refusal_by_the_database_gets_the_same_message(session, make, board, monkeypatch):
    """If the check ever misses an overlap, the constraint refuses the row and the person
    reads the usual sentence, not an error page."""
    make.held(board, date(2030, 2, 9), {board.clinic: [4, 5, 5]})
    summaries.start_summary(session, None, board, date(2030, 2, 1))
    session.commit()
    real = summaries._summary_covering
    calls = []

    def blind_once(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(summaries, "_summary_covering", blind_once)
    with pytest.raises(summaries.SummaryError, match="already covers part of this period"):
        summaries.start_summary(session, None, board, date(2030, 1, 1), 3)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Summary)) == 1


# One invitation link, used eight times at once ----------------------------------------------


@pytest.mark.slow  # eight threads at once
def test_one_invitation_link_used_eight_times_at_once_is_accepted_once(
    app, session, make, monkeypatch
):
    user, token = accounts.invite_user(
        session, None, email="new@example.org", name="New Person", organisation=make.organisation()
    )
    session.commit()
    _hold(monkeypatch, accounts, "set_password", 8)

    def accept(i):
        password = f"racer number {i} passphrase"
        response = app.test_client().post(
            f"/invite/{token}", data={"password": password, "confirm": password}
        )
        return response.status_code, response.get_data(as_text=True)

    results = _race(8, accept)
    codes = sorted(code for code, _body in results)
    assert codes == [302] + [410] * 7
    for code, body in results:
        if code == 410:
            assert "used already" in body
    session.expire_all()
    assert session.get(User, user.id).session_epoch == 1  # one password was set, once
    invitation = session.scalar(sa.select(Invitation).where(Invitation.user_id == user.id))
    assert invitation.used_at is not None


# Two administrators deactivating each other at the same moment ------------------------------


def test_two_administrators_deactivating_each_other_at_once_leave_one(
    app, session, make, monkeypatch
):
    """Each sees the other as the administrator left; the rows they count are locked, so
    the second counts again once the first is done, and is refused."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time: no two counts pass together")
    first = make.user(Role.ADMINISTRATOR, name="First admin")
    second = make.user(Role.ADMINISTRATOR, name="Second admin")
    make.commit()
    pairs = [(first, second), (second, first)]
    _hold(monkeypatch, accounts, "record", 2)

    def deactivate(i):
        actor, target = pairs[i]
        client = app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"] = actor.get_id()
        return client.post(f"/admin/accounts/{target.id}/active", data={"active": "0"})

    responses = _race(2, deactivate)
    assert sorted(r.status_code for r in responses) == [302, 409]
    refused = next(r for r in responses if r.status_code == 409)
    assert "needs at least one administrator who can sign in" in refused.get_data(as_text=True)
    session.expire_all()
    assert [session.get(User, u.id).active for u in (first, second)].count(True) == 1
