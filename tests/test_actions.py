"""Facilitators keep advocacy actions and run the vote from the meeting page."""

from __future__ import annotations

from datetime import date, time

import pytest
import sqlalchemy as sa

from board.actions.models import Action, ActionStatus, Proposer
from board.auth.models import Role
from board.meetings import services as meetings
from board.states import ModerationState
from board.voting.models import Ballot, BallotState


@pytest.fixture
def board(make):
    board = make.board(languages="sq en")
    make.commit()
    return board


@pytest.fixture
def facilitator(make, board, auth):
    user = make.user(Role.FACILITATOR, board)
    make.commit()
    auth.as_user(user)
    return user


def _form(**overrides):
    data = {
        "title": "Sunday opening",
        "description": "",
        "language": "en",
        "pictogram": "drop_in_centre",
        "status": "proposed",
        "outcome": "",
        "outcome_reason": "",
    }
    data.update(overrides)
    return data


def test_add_an_action_with_wording_for_children(client, session, board, facilitator):
    response = client.post(
        f"/boards/{board.id}/actions/new",
        data=_form(**{"ct-sq-title": "Hapur të dielën", "ct-en-title": ""}),
    )
    assert response.status_code == 302
    action = session.scalar(sa.select(Action))
    assert action.proposed_by is Proposer.ADULT and action.status is ActionStatus.PROPOSED
    assert action.child_texts == {"sq": {"title": "Hapur të dielën"}, "en": {}}
    assert "Sunday opening" in client.get(f"/boards/{board.id}/actions").get_data(as_text=True)


@pytest.mark.parametrize("status", ["done", "dropped", "not_adopted"])
def test_closing_needs_an_outcome_and_a_reason(client, session, board, facilitator, status):
    response = client.post(f"/boards/{board.id}/actions/new", data=_form(status=status))
    assert response.status_code == 400
    assert "Write what came of it" in response.get_data(as_text=True)
    response = client.post(
        f"/boards/{board.id}/actions/new", data=_form(status=status, outcome="It is open now.")
    )
    assert response.status_code == 400 and "Write why" in response.get_data(as_text=True)
    assert "It is open now." in response.get_data(as_text=True)  # kept
    response = client.post(
        f"/boards/{board.id}/actions/new",
        data=_form(status=status, outcome="It is open now.", outcome_reason="The city paid."),
    )
    assert response.status_code == 302


def test_the_schema_refuses_a_closed_action_without_outcome(session, board):
    session.add(
        Action(
            board_id=board.id,
            title="x",
            language="en",
            proposed_by=Proposer.ADULT,
            status=ActionStatus.DONE,
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()


def test_unmoderated_proposals_are_not_listed_or_editable(client, session, board, facilitator):
    proposal = Action(
        board_id=board.id,
        title="From a tablet",
        language="sq",
        proposed_by=Proposer.CHILD,
        moderation=ModerationState.PENDING,
    )
    session.add(proposal)
    session.commit()
    assert "From a tablet" not in client.get(f"/boards/{board.id}/actions").get_data(as_text=True)
    response = client.post(f"/actions/{proposal.id}", data=_form())
    assert response.status_code == 400 and "moderated" in response.get_data(as_text=True)


def test_open_and_close_a_vote_from_the_meeting_page(client, session, board, facilitator):
    actions = [
        Action(
            board_id=board.id,
            title=f"Idea {n}",
            language="en",
            proposed_by=Proposer.ADULT,
            status=ActionStatus.SHORTLISTED,
        )
        for n in range(3)
    ]
    session.add_all(actions)
    meeting = meetings.schedule_meeting(
        session, None, board, day=date(2030, 1, 12), at=time(10), duration_minutes=60, place=""
    )
    session.flush()
    meetings.open_meeting(session, None, meeting)
    session.commit()
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Open the vote" in page and "Idea 2" in page
    client.post(
        f"/meetings/{meeting.id}/ballot",
        data={
            "action_ids": [str(actions[0].id), str(actions[1].id)],
            "method": "dots",
            "dots": "4",
        },
    )
    ballot = session.scalar(sa.select(Ballot))
    assert ballot.dots == 4 and ballot.state is BallotState.OPEN
    session.expire_all()
    assert session.get(Action, actions[0].id).status is ActionStatus.ON_BALLOT
    again = client.post(
        f"/meetings/{meeting.id}/ballot",
        data={"action_ids": [str(actions[2].id)], "method": "approval", "dots": "5"},
        follow_redirects=True,
    )
    assert "A vote is open already" in again.get_data(as_text=True)
    room = client.get(f"/meetings/{meeting.id}/room").get_data(as_text=True)
    assert "The vote is open on the tablets." in room
    client.post(f"/ballots/{ballot.id}/close")
    session.expire_all()
    assert session.get(Ballot, ballot.id).state is BallotState.CLOSED
    assert "Results of the vote" in client.get(f"/meetings/{meeting.id}/room").get_data(
        as_text=True
    )


def test_a_facilitator_of_another_board_cannot_touch_actions(client, session, make, board, auth):
    action = Action(board_id=board.id, title="Ours", language="en", proposed_by=Proposer.ADULT)
    session.add(action)
    stranger = make.user(Role.FACILITATOR, make.board())
    make.commit()
    auth.as_user(stranger)
    assert client.get(f"/actions/{action.id}").status_code == 403
    assert client.get(f"/boards/{board.id}/actions").status_code == 403
    assert client.post(f"/actions/{action.id}", data=_form()).status_code == 403
