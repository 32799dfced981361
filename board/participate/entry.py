"""The way in: which codes count against the limit on wrong join codes, and which pass.

A room's tablets share one address (the organisation's Wi-Fi), so the limit
(``JOIN_LIMIT_PER_CLIENT``) is per room, not per child. Its figures are in
board.meetings.codes: thirty children mistyping twice in a minute stay under it, and from
one address guessing an open meeting's code takes years. What the limit applies to:

- Input that cannot be any code (wrong length, a character no code has) is refused without a
  look-up and not counted: it tells a guesser nothing.
- A code that comes with the QR code's key (board.meetings.codes.key_for) is not limited:
  nobody without the app's secret key can make a key.
- A code this address has already joined with is not limited, even once the limit is
  reached: the room, once its first tablet is in, can never lock itself out, nor can "I am
  finished" send its next child to a "too many tries" page.
- Every other code is looked up, and a wrong one counts.

Why the right code does not simply always pass: once over the limit, a guesser would still
tell the right code from wrong ones (one opens the meeting, the others get the 429 page),
and the limit would stop nothing. An address that already got in with a code learns nothing
by getting in again. Deciding whether a request is limited reads no database, so the answer
takes the same time whether a guess is right or wrong.

The addresses that got in are kept as keyed hashes of (address, code), in the ephemeral
store of board.ended (memory, or the Redis every instance shares) for ``ROOM_SECONDS``;
never in the database or the logs (CHILD-SAFETY rules 1 and 2).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from limits.storage import Storage

from board.db import db
from board.meetings import codes
from board.meetings import services as meetings
from board.meetings.models import Meeting

# Longer than any meeting (at most 600 minutes): the room is known for as long as it meets.
ROOM_SECONDS = 12 * 3600


def _store() -> Storage:
    return current_app.extensions["ended_sessions"]


def _typed() -> tuple[str | None, str | None]:
    """The code and key of this request: the form's when posted, the address's otherwise."""
    values = request.form if request.method == "POST" else request.args
    return codes.read(values.get("code", "")[:100]), values.get("key")


def _room_key(code: str) -> str:
    secret = current_app.secret_key or b""
    secret = secret.encode() if isinstance(secret, str) else bytes(secret)
    message = f"{get_remote_address()}\0{code}".encode()
    return "joined-room:" + hmac.new(secret, message, hashlib.sha256).hexdigest()


def not_limited() -> bool:
    """For the limiter: this request guesses nothing (see the module's docstring)."""
    code, key = _typed()
    return code is None or codes.key_fits(code, key) or bool(_store().get(_room_key(code)))


def counted(_response) -> bool:
    """For the limiter: this request looked up a code that opens no meeting."""
    return bool(g.get("wrong_join_code"))


def find(typed: str | None) -> Meeting | None:
    """The open meeting of a typed or scanned code; a look-up that finds none is marked, to
    count against the limit."""
    if codes.read(typed) is None:
        return None
    meeting = meetings.find_open_meeting(db, typed or "")
    if meeting is None:
        g.wrong_join_code = True
    return meeting


def remember_room(meeting: Meeting) -> None:
    """A tablet at this address got in with the meeting's code: the address may use that
    code past the limit from now on."""
    if meeting.join_code:
        _store().incr(_room_key(meeting.join_code), ROOM_SECONDS)
