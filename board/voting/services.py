"""Opening, casting and closing ballots. Services flush; views commit."""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from board.actions.models import Action, ActionStatus
from board.audit.services import record
from board.db import utcnow
from board.meetings.models import Meeting
from board.moderation.models import ModerationState
from board.rules import RuleError
from board.voting.models import Ballot, BallotCast, BallotMethod, BallotState, BallotTally


class VoteError(RuleError):
    """A vote or ballot that can't be taken; the message is translated."""


def open_ballot(
    session: Session,
    actor,
    meeting: Meeting,
    actions: list[Action],
    *,
    method: BallotMethod,
    dots: int = 5,
) -> Ballot:
    """Put shortlisted actions to the vote in an open meeting (one ballot open at a time)."""
    if not meeting.is_open:
        raise VoteError(_l("Open the meeting first."))
    if current_ballot(session, meeting) is not None:
        raise VoteError(_l("A vote is open already. Close it first."))
    if len(actions) < 2:
        raise VoteError(_l("Choose at least two actions for the vote."))
    for action in actions:
        if (
            action.board_id != meeting.board_id
            or action.status is not ActionStatus.SHORTLISTED
            or action.moderation is not ModerationState.APPROVED
        ):
            raise VoteError(_l("Only shortlisted actions of this board can go to the vote."))
    ballot = Ballot(meeting=meeting, method=method, dots=dots, options=list(actions))
    session.add(ballot)
    for action in actions:
        action.status = ActionStatus.ON_BALLOT
    session.flush()
    for action in actions:
        session.add(BallotTally(ballot_id=ballot.id, action_id=action.id, points=0))
    record(
        session,
        actor,
        "ballot.open",
        ballot,
        board_id=meeting.board_id,
        detail=f"{method.value}, {len(actions)} actions",
    )
    session.flush()
    return ballot


def current_ballot(session: Session, meeting: Meeting) -> Ballot | None:
    return session.scalar(
        sa.select(Ballot).where(Ballot.meeting_id == meeting.id, Ballot.state == BallotState.OPEN)
    )


def latest_ballot(session: Session, meeting: Meeting) -> Ballot | None:
    return session.scalar(
        sa.select(Ballot).where(Ballot.meeting_id == meeting.id).order_by(Ballot.id.desc()).limit(1)
    )


def voter_key(meeting: Meeting, ballot: Ballot, session_token: str) -> str:
    """HMAC(vote key, ballot, token): the same tablet session always gives the same value."""
    if meeting.vote_key is None:
        raise VoteError(_l("This vote is closed."))
    message = f"{ballot.id}:{session_token}".encode()
    return hmac.new(meeting.vote_key, message, hashlib.sha256).hexdigest()


def has_voted(session: Session, meeting: Meeting, ballot: Ballot, session_token: str) -> bool:
    if meeting.vote_key is None:
        return False
    key = voter_key(meeting, ballot, session_token)
    return session.get(BallotCast, (ballot.id, key)) is not None


def cast_vote(
    session: Session,
    meeting: Meeting,
    ballot: Ballot,
    session_token: str,
    points: dict[int, int],
) -> None:
    """Record one tablet session's vote: a keyed hash in one table, the points added to the
    tallies in another. ``points`` maps action ids to 1 (approval) or dots."""
    if ballot.meeting_id != meeting.id or not ballot.is_open or not meeting.is_open:
        raise VoteError(_l("This vote is closed."))
    options = {action.id for action in ballot.options}
    if any(action_id not in options for action_id in points):
        raise VoteError(_l("Something in your vote was not right. Please try again."))
    if any(value < 0 for value in points.values()):
        raise VoteError(_l("Something in your vote was not right. Please try again."))
    if ballot.method is BallotMethod.APPROVAL and any(v > 1 for v in points.values()):
        raise VoteError(_l("Something in your vote was not right. Please try again."))
    if ballot.method is BallotMethod.DOTS and sum(points.values()) > ballot.dots:
        raise VoteError(_l("You can share %(n)d dots, not more.", n=ballot.dots))
    key = voter_key(meeting, ballot, session_token)
    if session.get(BallotCast, (ballot.id, key)) is not None:
        raise VoteError(_l("You have voted already. Thank you!"))
    session.add(BallotCast(ballot_id=ballot.id, voter=key))
    # The unique key on (ballot, voter) stops a second vote sent at the same moment.
    session.flush()
    for action_id, value in points.items():
        if value:
            session.execute(
                sa.update(BallotTally)
                .where(BallotTally.ballot_id == ballot.id, BallotTally.action_id == action_id)
                .values(points=BallotTally.points + value)
            )


def close_ballot(session: Session, actor, ballot: Ballot) -> None:
    if not ballot.is_open:
        return
    ballot.state = BallotState.CLOSED
    ballot.closed_at = utcnow()
    record(
        session,
        actor,
        "ballot.close",
        ballot,
        board_id=ballot.meeting.board_id,
        detail=f"{count_votes(session, ballot)} votes",
    )
    session.flush()


def count_votes(session: Session, ballot: Ballot) -> int:
    return session.scalar(
        sa.select(sa.func.count()).select_from(BallotCast).where(BallotCast.ballot_id == ballot.id)
    )


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
