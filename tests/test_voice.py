"""A child's feedback, ideas and votes on the tablet; taking back; bad input; unlinkability."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from board.actions.models import Action, ActionStatus, Proposer
from board.db import Base
from board.feedback.models import Feedback
from board.meetings.models import Meeting
from board.room import services as room
from board.states import ModerationState
from board.voting import services as voting
from board.voting.models import BallotBatch, BallotMethod, BallotTally
from tests.factories import join, once, tablet


@pytest.fixture
def meeting(session, make):
    """An open meeting with the Clinic on the agenda, a Shelter and a closed service beside."""
    board = make.board(languages="en ar sq", watch_names="Dritan")
    clinic = make.service(board, name="Clinic")
    make.service(board, name="Shelter")
    make.service(board, name="Closed service", active=False)
    meeting = make.meeting(board, services=[clinic])
    session.commit()
    return meeting


def joined(app, meeting, lang="en"):
    return join(tablet(app), meeting, lang)


def _all(session, model):
    session.expire_all()
    return session.scalars(sa.select(model)).all()


def test_agenda_services_come_first_and_inactive_ones_never(app, meeting):
    page = joined(app, meeting).get("/meeting/services").get_data(as_text=True)
    assert page.index("Clinic") < page.index("Shelter")
    assert "Closed service" not in page


def test_feedback_is_stored_with_the_day_and_nothing_else(app, session, meeting):
    client = joined(app, meeting, lang="ar")
    service = meeting.services[0]
    path = f"/meeting/services/{service.id}"
    page = client.get(path).get_data(as_text=True)
    assert "checked" not in page  # nothing pre-selected
    response = client.post(
        path,
        data={
            "rating": "4",
            "happened": "Dritan helped me",
            "better": "",
            "once": once(client, path),
        },
    )
    assert response.headers["Location"] == "/meeting/thanks"
    (feedback,) = _all(session, Feedback)
    assert (feedback.rating, feedback.happened, feedback.better) == (4, "Dritan helped me", None)
    assert feedback.language == "ar" and isinstance(feedback.day, date)
    assert feedback.moderation is ModerationState.PENDING
    assert feedback.happened_spans == [[0, 6, "name"]]  # from the board's list of names
    assert set(Feedback.__table__.columns.keys()) == {
        "id",
        "meeting_id",
        "service_id",
        "rating",
        "happened",
        "better",
        "language",
        "day",
        "moderation",
        "happened_spans",
        "better_spans",
        "moderator_note",
    }


def test_everything_skipped_is_accepted(app, session, meeting):
    client = joined(app, meeting)
    path = f"/meeting/services/{meeting.services[0].id}"
    assert client.post(path, data={"once": once(client, path)}).status_code == 302
    (feedback,) = _all(session, Feedback)
    assert feedback.rating is None and not feedback.has_text
    assert feedback.moderation is ModerationState.APPROVED  # nothing to moderate


def test_a_refreshed_form_is_stored_once(app, session, meeting):
    client = joined(app, meeting)
    path = f"/meeting/services/{meeting.services[0].id}"
    data = {"rating": "2", "once": once(client, path)}
    client.post(path, data=data)
    client.post(path, data=data)
    assert len(_all(session, Feedback)) == 1


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"rating": "6"}, 400),
        ({"rating": "0"}, 400),
        ({"rating": "abc"}, 400),
        ({"happened": "x" * 1001}, 400),
    ],
)
def test_bad_feedback_is_refused_kindly(app, session, meeting, data, status):
    client = joined(app, meeting)
    path = f"/meeting/services/{meeting.services[0].id}"
    response = client.post(path, data={**data, "once": once(client, path)})
    assert response.status_code == status
    assert _all(session, Feedback) == []
    if "happened" in data:
        assert "This is a bit long" in response.get_data(as_text=True)


def test_forged_service_ids_are_404(app, session, make, meeting):
    other = make.service(make.board(), name="Elsewhere")
    make.commit()
    client = joined(app, meeting)
    assert client.get(f"/meeting/services/{other.id}").status_code == 404
    assert client.get("/meeting/services/99999").status_code == 404
    inactive = next(s for s in meeting.board.services if not s.active)
    assert client.get(f"/meeting/services/{inactive.id}").status_code == 404


def test_take_back_deletes_and_only_ones_own(app, session, meeting):
    first, second = joined(app, meeting), joined(app, meeting)
    path = f"/meeting/services/{meeting.services[0].id}"
    first.post(path, data={"happened": "mine", "once": once(first, path)})
    second.post(path, data={"happened": "theirs", "once": once(second, path)})
    mine = next(f for f in _all(session, Feedback) if f.happened == "mine")
    theirs = next(f for f in _all(session, Feedback) if f.happened == "theirs")
    page = first.get("/meeting/mine").get_data(as_text=True)
    assert "mine" in page and "theirs" not in page
    assert first.post(f"/meeting/mine/feedback/{theirs.id}/delete").status_code == 404
    first.post(f"/meeting/mine/feedback/{mine.id}/delete")
    assert [f.happened for f in _all(session, Feedback)] == ["theirs"]
    # The list lives in the cookie only: after "I am finished" it is gone.
    second.post("/finish")
    assert second.get("/meeting/mine").headers["Location"] == "/join"


def test_a_child_proposes_an_action_that_waits_for_moderation(app, session, meeting):
    client = joined(app, meeting, lang="sq")
    response = client.post(
        "/meeting/propose",
        data={
            "title": "More football",
            "description": "",
            "once": once(client, "/meeting/propose"),
        },
    )
    assert response.status_code == 302
    (action,) = _all(session, Action)
    assert action.proposed_by is Proposer.CHILD and action.moderation is ModerationState.PENDING
    assert action.language == "sq"
    empty = client.post("/meeting/propose", data={"title": " ", "once": "x"})
    assert empty.status_code == 400
    assert 'id="title-error"' in empty.get_data(as_text=True)  # in Albanian, next to the field
    client.post(f"/meeting/mine/idea/{action.id}/delete")
    assert _all(session, Action) == []


# Voting -----------------------------------------------------------------------------------


@pytest.fixture
def ballot_actions(session, make, meeting):
    actions = make.actions(meeting.board, "Idea A", "Idea B", "Idea C")
    session.commit()
    return actions


def _open(session, meeting, actions, method=BallotMethod.APPROVAL, dots=5):
    ballot = voting.open_ballot(session, None, meeting, actions, method=method, dots=dots)
    session.commit()
    return ballot


def _tallies(session, ballot):
    session.expire_all()
    return {
        t.action_id: t.points
        for t in session.scalars(sa.select(BallotTally).where(BallotTally.ballot_id == ballot.id))
    }


def test_approval_vote_once_per_child(app, session, meeting, ballot_actions):
    a, b, c = ballot_actions
    ballot = _open(session, meeting, ballot_actions)
    client = joined(app, meeting)
    page = client.get("/meeting/vote").get_data(as_text=True)
    assert "Idea A" in page and "checked" not in page
    response = client.post("/meeting/vote", data={f"a{a.id}": "1", f"a{c.id}": "1"})
    assert response.status_code == 302
    assert "Your vote is counted" in client.get("/meeting/vote").get_data(as_text=True)
    again = client.post("/meeting/vote", data={f"a{b.id}": "1"})
    assert "Your vote is counted" in again.get_data(as_text=True)
    with app.app_context():
        assert voting.count_votes(session, ballot) == 1
        # One ballot waits in the box for its batch: no write carries it alone.
        assert _tallies(session, ballot) == {a.id: 0, b.id: 0, c.id: 0}
        voting.close_ballot(session, None, ballot)
        session.commit()
        assert voting.count_votes(session, ballot) == 1
    assert _tallies(session, ballot) == {a.id: 1, b.id: 0, c.id: 1}


def test_dots_with_plus_and_minus_without_javascript(app, session, meeting, ballot_actions):
    a, b, _c = ballot_actions
    ballot = _open(session, meeting, ballot_actions, method=BallotMethod.DOTS, dots=3)
    client = joined(app, meeting)
    form = {f"a{x.id}": "0" for x in ballot_actions}
    page = client.post("/meeting/vote", data={**form, "adjust": f"plus:{a.id}"}).get_data(
        as_text=True
    )
    assert f'name="a{a.id}" value="1"' in page and "<strong data-dots-left>2</strong>" in page
    form[f"a{a.id}"] = "3"
    page = client.post("/meeting/vote", data={**form, "adjust": f"plus:{b.id}"}).get_data(
        as_text=True
    )
    assert f'name="a{b.id}" value="0"' in page  # no dot left to give
    too_many = client.post("/meeting/vote", data={**form, f"a{b.id}": "2"})
    assert too_many.status_code == 400 and "You can share 3 dots" in too_many.get_data(as_text=True)
    assert _tallies(session, ballot)[a.id] == 0
    client.post("/meeting/vote", data={**form, f"a{a.id}": "2", f"a{b.id}": "1"})
    with app.app_context():
        voting.close_ballot(session, None, ballot)
        session.commit()
    assert _tallies(session, ballot) == {a.id: 2, b.id: 1, ballot_actions[2].id: 0}


def test_results_stay_hidden_until_the_ballot_closes_and_ties_stay_ties(
    app, session, meeting, ballot_actions
):
    a, b, c = ballot_actions
    ballot = _open(session, meeting, ballot_actions)
    for choice in ({a.id}, {b.id}, {a.id, b.id, c.id}):
        client = joined(app, meeting)
        client.post("/meeting/vote", data={f"a{i}": "1" for i in choice})
    assert voting.results(session, ballot) == []
    assert "Results" not in client.get("/meeting/vote").get_data(as_text=True)
    with app.app_context():
        voting.close_ballot(session, None, ballot)
    session.commit()
    results = voting.results(session, ballot)
    # Tied actions in any order: their ids are random (board.ids).
    assert sorted((r.action.title, r.points, r.rank, r.tied) for r in results) == [
        ("Idea A", 2, 1, True),
        ("Idea B", 2, 1, True),
        ("Idea C", 1, 3, False),
    ]
    page = client.get("/meeting/vote").get_data(as_text=True)
    assert "Results of the vote" in page and "equal" in page


def test_votes_on_closed_or_foreign_ballots_are_refused(
    app, session, make, meeting, ballot_actions
):
    ballot = _open(session, meeting, ballot_actions)
    other = make.meeting(meeting.board, date(2030, 2, 9), duration_minutes=60)
    with pytest.raises(voting.VoteError):
        voting.cast_vote(session, other, ballot, "token", {ballot_actions[0].id: 1})
    with pytest.raises(voting.VoteError):
        voting.cast_vote(session, meeting, ballot, "token", {99999: 1})
    with app.app_context():
        voting.close_ballot(session, None, ballot)
    with pytest.raises(voting.VoteError):
        voting.cast_vote(session, meeting, ballot, "token", {ballot_actions[0].id: 1})


def test_only_shortlisted_actions_of_the_board_go_to_the_vote(
    session, make, meeting, ballot_actions
):
    proposed = make.action(meeting.board, "Not yet", status=ActionStatus.PROPOSED)
    with pytest.raises(voting.VoteError):
        voting.open_ballot(
            session, None, meeting, [ballot_actions[0], proposed], method=BallotMethod.APPROVAL
        )
    with pytest.raises(voting.VoteError):
        voting.open_ballot(
            session, None, meeting, [ballot_actions[0]], method=BallotMethod.APPROVAL
        )


def test_nothing_links_a_ballot_to_a_session(app, session, meeting, ballot_actions):
    """After the meeting closes: no table knows who voted, choices are totals, the count is
    a number of ballots per batch."""
    ballot = _open(session, meeting, ballot_actions)
    client = joined(app, meeting)
    client.post("/meeting/vote", data={f"a{ballot_actions[0].id}": "1"})
    with app.app_context():
        room.close_meeting(session, None, meeting)
        session.commit()
    session.expire_all()
    assert "vote_key" not in Meeting.__table__.columns
    assert "ballot_cast" not in Base.metadata.tables
    assert set(BallotBatch.__table__.columns.keys()) == {"id", "ballot_id", "ballots"}
    assert set(BallotTally.__table__.columns.keys()) == {"ballot_id", "action_id", "points"}
    # No table has a session token.
    token = client.get_cookie("board_session").value
    for table in Base.metadata.sorted_tables:
        for row in session.execute(sa.select(table)):
            assert token not in " ".join(map(str, row))
    assert voting.count_votes(session, ballot) == 1
    # The ballot closed with the meeting, so its results can be shown.
    assert not voting.latest_ballot(session, session.get(Meeting, meeting.id)).is_open


def test_you_said_we_did_in_the_childs_language(app, session, make, meeting):
    make.action(
        meeting.board,
        "Sunday opening",
        proposed_by=Proposer.CHILD,
        status=ActionStatus.DONE,
        outcome="Open on Sundays now.",
        outcome_reason="Money found.",
        child_texts={"sq": {"title": "Hapur të dielën", "outcome": "Tani është hapur të dielën."}},
    )
    make.action(meeting.board, "Still open question")
    session.commit()
    english = joined(app, meeting).get("/meeting/outcomes").get_data(as_text=True)
    assert "Open on Sundays now." in english and "Still open question" not in english
    albanian = joined(app, meeting, lang="sq").get("/meeting/outcomes").get_data(as_text=True)
    assert "Tani është hapur të dielën." in albanian and "Sunday opening" not in albanian
