"""Who is in the room: each new tablet session waits until a facilitator lets it in.

Threat: the join code is on the big screen, and every join makes a fresh session. Without a
door, one person re-joining from one device casts a ballot per session and rates every
service again per session (issue 13: 60 of 60 votes from one cookie jar). No check on the
device can stop that without identifying it, which rule 1 forbids. So the room does what it
does with paper ballots: a person hands one to each child present. Each new session (a child
joining, or the next child after "I am finished") waits on a calm page; the facilitator sees
the waiting tablets by a short random label that the tablet shows too ("Tablet 4F7"), and
the number let in against the number of children they say are present, and taps "Let in".
A board may switch the tap off for trusted rooms: then tablets are let in by themselves up
to the number present, and beyond it they wait for a tap.

What is kept, and where: the meeting row holds two numbers (children present, tablets let
in: the attendance). The waiting line and who was let in live in the ephemeral store that
board.ended uses (memory for one worker; Redis for several workers or instances, which all
must see the same line), keyed by a hash of the session's random token, with a time to live.
Nothing here links to an answer or a ballot, and nothing of it enters the database.

The store holds integers only (it is the rate limiter's storage), so the line is numbered:
a counter per meeting gives each waiting session a place; the place holds the session's
ticket (a number drawn from the hash of its token, from which the label is made); the
ticket remembers its place, so a page refresh does not queue it twice; a let-in ticket is
marked as in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from limits.storage import Storage
from sqlalchemy.orm import Session

from board.meetings.models import Meeting

# Longer than any meeting (at most 600 minutes) and its idle tablets: after that the
# session is refused anyway, and its line entries go away by themselves.
LINE_SECONDS = 12 * 3600
# The facilitator's page looks at this many latest places. A line longer than this means
# someone is flooding the door: the facilitator gives the room a new code.
SHOWN_PLACES = 300
LABEL_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no look-alikes, as the join code
LABEL_LENGTH = 3


@dataclass(frozen=True)
class Waiting:
    """A tablet at the door: its place in the line and the label it shows."""

    place: int
    label: str


def _store() -> Storage:
    return current_app.extensions["ended_sessions"]


def ticket_of(token: str) -> int:
    """A session's number in the line: from a hash of its token, never the token."""
    digest = hashlib.sha256(b"admission\0" + token.encode()).digest()
    return int.from_bytes(digest[:6], "big") + 1  # never 0: the store's "nothing"


def label_of(ticket: int) -> str:
    """Three characters a facilitator reads off the tablet's screen: "4F7"."""
    chars = []
    for _ in range(LABEL_LENGTH):
        ticket, index = divmod(ticket, len(LABEL_ALPHABET))
        chars.append(LABEL_ALPHABET[index])
    return "".join(chars)


def label_for(token: str) -> str:
    return label_of(ticket_of(token))


def _line(meeting_id: int) -> str:
    return f"admit-line:{meeting_id}"


def _place(meeting_id: int, place: int) -> str:
    return f"admit-place:{meeting_id}:{place}"


def _tap(meeting_id: int, place: int) -> str:
    return f"admit-tap:{meeting_id}:{place}"


def _where(ticket: int) -> str:
    return f"admit-where:{ticket}"


def _in(ticket: int) -> str:
    return f"admit-in:{ticket}"


def is_admitted(token: str) -> bool:
    return bool(_store().get(_in(ticket_of(token))))


def _queue(meeting_id: int, ticket: int) -> int:
    """The session's place in the line; a new one the first time it is seen."""
    store = _store()
    place = store.get(_where(ticket))
    if not place:
        place = store.incr(_line(meeting_id), LINE_SECONDS)
        store.incr(_place(meeting_id, place), LINE_SECONDS, amount=ticket)
        store.incr(_where(ticket), LINE_SECONDS, amount=place)
    return place


def _count_in(session: Session, meeting: Meeting, *, within_present: bool) -> bool:
    """One more tablet let in: a conditional update, so two workers never count one twice
    and never pass the number present when it is the limit."""
    statement = sa.update(Meeting).where(Meeting.id == meeting.id)
    if within_present:
        statement = statement.where(Meeting.attendance < Meeting.present)
    done = session.execute(statement.values(attendance=Meeting.attendance + 1))
    return done.rowcount == 1  # type: ignore[attr-defined]  # an UPDATE's Result is a CursorResult


def _admit(session: Session, meeting: Meeting, place: int, *, within_present: bool) -> bool:
    store = _store()
    ticket = store.get(_place(meeting.id, place))
    if not ticket or store.get(_in(ticket)):
        return False
    # Two taps (or a tap and the tablet's own refresh) at the same moment: one wins.
    if store.incr(_tap(meeting.id, place), LINE_SECONDS) != 1:
        return False
    if not _count_in(session, meeting, within_present=within_present):
        store.clear(_tap(meeting.id, place))
        return False
    store.incr(_in(ticket), LINE_SECONDS)
    store.clear(_place(meeting.id, place))
    return True


def wait(session: Session, meeting: Meeting, token: str) -> bool:
    """Put this session in the meeting's line (once); True if it is in the room now.

    With the tap switched off, it is let in at once while fewer tablets than children
    present are in. The caller commits.
    """
    ticket = ticket_of(token)
    if _store().get(_in(ticket)):
        return True
    place = _queue(meeting.id, ticket)
    if meeting.board.admit_by_tap:
        return False
    return _admit(session, meeting, place, within_present=True)


def let_in(session: Session, meeting: Meeting, place: int) -> bool:
    """A facilitator's tap: the tablet at this place comes in (False if it already did, or
    went away). The caller commits."""
    if not meeting.is_open or place < 1:
        return False
    return _admit(session, meeting, place, within_present=False)


def waiting(meeting: Meeting) -> list[Waiting]:
    """The tablets at the door, oldest first, by label only."""
    store = _store()
    last = store.get(_line(meeting.id))
    line = []
    for place in range(max(1, last - SHOWN_PLACES + 1), last + 1):
        ticket = store.get(_place(meeting.id, place))
        if ticket and not store.get(_in(ticket)):
            line.append(Waiting(place=place, label=label_of(ticket)))
    return line


def forget(meeting_id: int, token: str) -> None:
    """The session ended ("I am finished", idle, or a new join): out of the line and out of
    the room. Its attendance stays counted: a child came."""
    store = _store()
    ticket = ticket_of(token)
    place = store.get(_where(ticket))
    if place:
        store.clear(_place(meeting_id, place))
    store.clear(_where(ticket))
    store.clear(_in(ticket))
