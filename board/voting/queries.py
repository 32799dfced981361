"""Reads about a meeting's votes: its ballots, how many voted, the results. The meeting
page and the room screen show them; summaries count them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from board.actions.models import Action
from board.meetings.models import Meeting
from board.voting import box as ballot_box
from board.voting.models import Ballot, BallotBatch, BallotState, BallotTally


def current_ballot(session: Session, meeting: Meeting) -> Ballot | None:
    return session.scalar(
        sa.select(Ballot).where(Ballot.meeting_id == meeting.id, Ballot.state == BallotState.OPEN)
    )


def latest_ballot(session: Session, meeting: Meeting) -> Ballot | None:
    return session.scalar(
        sa.select(Ballot).where(Ballot.meeting_id == meeting.id).order_by(Ballot.id.desc()).limit(1)
    )


def box_name(ballot: Ballot) -> str:
    """The ballot box's key for who voted and the waiting ballots: never stored in the
    database."""
    return f"board-ballot:{ballot.id}:{ballot.box}"


def count_votes(session: Session, ballot: Ballot) -> int:
    """Ballots cast: while the vote is open, the box's count of who voted; afterwards, the
    sum of the batches."""
    if ballot.is_open:
        return ballot_box.current().voters(box_name(ballot))
    return session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(BallotBatch.ballots), 0)).where(
            BallotBatch.ballot_id == ballot.id
        )
    ).scalar_one()


@dataclass(frozen=True)
class Result:
    action: Action
    points: int
    rank: int  # 1 for the top; equal points share a rank (ties stay ties)
    tied: bool


def results(session: Session, ballot: Ballot) -> list[Result]:
    """Points per action, best first; only once the ballot is closed."""
    if ballot.is_open:
        return []
    tallies = {
        t.action_id: t.points
        for t in session.scalars(sa.select(BallotTally).where(BallotTally.ballot_id == ballot.id))
    }
    ordered = sorted(ballot.options, key=lambda a: (-tallies.get(a.id, 0), a.id))
    counts = Counter(tallies.get(action.id, 0) for action in ordered)
    out, rank, previous = [], 0, None
    for position, action in enumerate(ordered, start=1):
        points = tallies.get(action.id, 0)
        if points != previous:
            rank, previous = position, points
        out.append(Result(action, points, rank, counts[points] > 1))
    return out


@dataclass(frozen=True)
class MeetingVote:
    """What the meeting page and the room screen show of a meeting's vote."""

    ballot: Ballot | None  # the latest, open or closed
    votes: int
    results: list[Result]  # once closed


def meeting_vote(session: Session, meeting: Meeting) -> MeetingVote:
    ballot = latest_ballot(session, meeting)
    if ballot is None:
        return MeetingVote(None, 0, [])
    return MeetingVote(ballot, count_votes(session, ballot), results(session, ballot))
