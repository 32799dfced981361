"""Opening, casting and closing ballots. Services flush; views commit."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections import Counter
from collections.abc import Mapping

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from board import disclosure
from board.actions.models import Action, ActionStatus
from board.audit.services import record
from board.db import utcnow
from board.meetings.models import Meeting
from board.rules import RuleError
from board.states import ModerationState
from board.voting import box as ballot_box
from board.voting.box import Cast
from board.voting.models import Ballot, BallotBatch, BallotMethod, BallotState, BallotTally
from board.voting.queries import (  # noqa: F401  (reads that callers know as services')
    Result,
    box_name,
    count_votes,
    current_ballot,
    latest_ballot,
    results,
)

log = logging.getLogger(__name__)


class VoteError(RuleError):
    """A vote or ballot that can't be taken; the message is translated."""


class AlreadyVoted(VoteError):
    """This session's ballot is in already (a copy of the form sent at the same moment)."""


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
    if meeting.reopened_at is not None:
        # The close destroyed the ballot key and forgot who voted: a new vote now would let
        # every child vote twice.
        raise VoteError(_l("This meeting was closed and opened again: its vote stays closed."))
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


def _box_seconds() -> int:
    return int(current_app.config["BALLOT_BOX_SECONDS"])


def _voter(salt: str, ballot: Ballot, session_token: str) -> str:
    """HMAC(key, ballot, token), the key derived from the app's secret and the ballot's salt:
    the same session always gives the same value while the vote is open; the salt is gone
    at close, and the store alone (without the secret) cannot test a token."""
    key = hmac.new(
        current_app.config["SECRET_KEY"].encode(),
        b"ballot-voters:" + bytes.fromhex(salt),
        hashlib.sha256,
    ).digest()
    return hmac.new(key, f"{ballot.id}:{session_token}".encode(), hashlib.sha256).hexdigest()


def has_voted(session: Session, meeting: Meeting, ballot: Ballot, session_token: str) -> bool:
    if not ballot.is_open:
        return False
    box, name = ballot_box.current(), box_name(ballot)
    salt = box.salt(name, _box_seconds(), create=False)
    return salt is not None and box.has_voted(name, _voter(salt, ballot, session_token))


def _encode(points: dict[int, int]) -> str:
    """One ballot as the box keeps it: a random nonce (so equal ballots stay two), then the
    choices. Nothing about who or when."""
    choices = ",".join(f"{a}:{v}" for a, v in sorted(points.items()) if v)
    return f"{secrets.token_hex(8)} {choices}"


def _decode(ballot: str) -> dict[int, int]:
    _nonce, _, choices = ballot.partition(" ")
    return {int(a): int(v) for a, v in (c.split(":") for c in choices.split(",") if c)}


def _after_commit(session: Session, job) -> None:
    session.info.setdefault("after_commit", []).append(job)


@sa.event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for job in session.info.pop("after_commit", []):
        try:
            job()
        except Exception:  # the store is down: the claims expire, or the close skips them
            log.warning("ballot box: counted batches not forgotten yet", exc_info=True)


@sa.event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop("after_commit", None)


def _count(session: Session, ballot: Ballot, batches: dict[str, list[str]]) -> None:
    """Add batches of ballots to the tallies: one UPDATE per action carrying their sum, and
    a row per batch (its random id, how many ballots). One transaction, the view commits."""
    totals: Counter[int] = Counter()
    for ballots in batches.values():
        for one in ballots:
            totals.update(_decode(one))
    for action_id, value in sorted(totals.items()):
        if value:
            session.execute(
                sa.update(BallotTally)
                .where(BallotTally.ballot_id == ballot.id, BallotTally.action_id == action_id)
                .values(points=BallotTally.points + value)
            )
    for batch, ballots in batches.items():
        session.add(BallotBatch(id=batch, ballot_id=ballot.id, ballots=len(ballots)))
    session.flush()
    box, name = ballot_box.current(), box_name(ballot)
    _after_commit(session, lambda: box.settle(name, list(batches)))


def cast_vote(
    session: Session,
    meeting: Meeting,
    ballot: Ballot,
    session_token: str,
    points: dict[int, int],
) -> None:
    """Take one tablet session's ballot. ``points`` maps action ids to 1 (approval) or dots.

    How the ballot travels (CHILD-SAFETY rule 23, by construction):

    1. The ballot box (board.voting.box: memory, or the Redis the workers share), in one
       atomic step, adds HMAC(key, ballot, session token) to the ballot's "who voted" set and
       the choices, with a random nonce, to its waiting ballots; or refuses a second ballot
       from the same session. The key is derived from the app's secret and a random salt that
       exists only in the box. Nothing is written to the database.
    2. When 2k ballots wait (k: the board's disclosure threshold), k of them, picked at
       random, are claimed and their sum is added to the tallies in one write, with a row
       saying "a batch of n". The k left waiting mean the last write, at close, carries at
       least k too.
    3. Closing the vote (or the meeting) deletes the salt and the "who voted" set, and adds
       every remaining ballot in one write, in the same transaction that closes it.

    What someone can learn, holding:

    - the database files, the SQLite ``-wal``, PostgreSQL's dead row versions and ``xmin``,
      backups, at any moment: the tallies after each batch, so the sum of k or more ballots
      at a time, and how many ballots each batch had. Never a single ballot (unless fewer
      than k children voted in all: then the totals are those few ballots, and disclosure
      control withholds them from every output), never who voted, never the order of
      voting inside a batch. There is no session token, HMAC, key or salt to find.
    - the same and a tablet's cookie (its session token): nothing more; the database holds
      nothing that token can be compared with.
    - the ballot box's contents (a Redis dump) while the vote is open: the ballots waiting
      (choices only, in no order of arrival), and as many HMACs as children voted; with a
      cookie too, still not whether that session voted, as the HMAC key also needs the app's
      secret key. Someone with the secret key, the box and a cookie, during the vote, learns
      whether that session voted, not how. Someone reading the box live, again and again,
      while watching the room, sees each ballot arrive: that is looking over a child's
      shoulder, and no storage design prevents it.
    - the box after the close: a "closed" marker, nothing else (counted claims are forgotten
      after the commit; the rest expires after ``BALLOT_BOX_SECONDS``).
    """
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
    box, name, seconds = ballot_box.current(), box_name(ballot), _box_seconds()
    salt = box.salt(name, seconds, create=True)
    if salt is None:
        raise VoteError(_l("This vote is closed."))
    outcome = box.cast(name, salt, _voter(salt, ballot, session_token), _encode(points), seconds)
    if outcome is Cast.AGAIN:
        raise AlreadyVoted(_l("You have voted already. Thank you!"))
    if outcome is Cast.CLOSED:
        raise VoteError(_l("This vote is closed."))
    k = batch_size(ballot)
    batch = secrets.token_hex(16)
    taken = box.claim(name, batch, size=k, keep=k, seconds=seconds)
    if taken:
        _count(session, ballot, {batch: taken})


def read_points(values: Mapping[str, str], ballot: Ballot) -> dict[int, int]:
    """A child's choices as the tablet's form sends them (``a<action id>``: a tick or a
    number of dots), for the ballot's own actions only; anything else counts as nothing."""
    points = {}
    for action in ballot.options:
        raw = values.get(f"a{action.id}", "0")
        try:
            points[action.id] = max(0, min(int(raw), 99))
        except ValueError:
            points[action.id] = 0
    return points


def adjust_points(points: dict[int, int], adjust: str, ballot: Ballot) -> dict[int, int]:
    """A + or - button without JavaScript (``plus:<id>``, ``minus:<id>``): one dot more or
    less, within the dots the ballot gives."""
    sign, _sep, raw_id = adjust.partition(":")
    try:
        action_id = int(raw_id)
    except ValueError:
        return points
    if action_id not in points:
        return points
    if sign == "plus" and sum(points.values()) < ballot.dots:
        points[action_id] += 1
    elif sign == "minus" and points[action_id] > 0:
        points[action_id] -= 1
    return points


def batch_size(ballot: Ballot) -> int:
    """The board's k: no write to the tallies carries fewer ballots (but a whole vote of
    fewer than k)."""
    return max(ballot.meeting.board.threshold_k, disclosure.MIN_K)


def close_ballot(session: Session, actor, ballot: Ballot) -> None:
    """Close the vote: the box forgets who voted, and every ballot still waiting (and any
    batch whose write failed before) is counted now, in one write, in this transaction."""
    if not ballot.is_open:
        return
    box, name = ballot_box.current(), box_name(ballot)
    claims = box.close(name, secrets.token_hex(16), _box_seconds())
    counted = set(
        session.scalars(sa.select(BallotBatch.id).where(BallotBatch.id.in_(list(claims))))
    )
    left = {batch: ballots for batch, ballots in claims.items() if batch not in counted}
    if left:
        _count(session, ballot, left)
    if counted:
        _after_commit(session, lambda: box.settle(name, list(counted)))
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
