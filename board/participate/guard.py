"""What one tablet session may send: each form once, one answer per service, one help call a
minute.

The session lives in the tablet's cookie, and a cookie can be copied and sent again as it
was (an older copy too), so none of these limits can be kept in the cookie itself. They are
kept in the ephemeral store of board.ended (memory, or the Redis every instance shares),
under hashes of the session's random token, with a time to live. Nothing here enters the
database or names an answer.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from limits.storage import Storage

from board.participate.offline import PASS_SECONDS

# A form stays usable as long as its pass (board.participate.offline): a form written on a
# tablet without a network may arrive hours later, and its token must still be known then,
# spent or not, or a copy sent again would count twice.
ONCE_SECONDS = PASS_SECONDS + 3600
# What a token holds once issued: a spend adds 1, so only the first spend after issuing
# reads ISSUED + 1. A made-up token starts from 0 and could never count up to it.
ISSUED = 2**40
HELP_SECONDS = 60
# A service answered in this session: remembered as long as one of its forms may arrive.
ANSWER_SECONDS = PASS_SECONDS + 3600


def _store() -> Storage:
    return current_app.extensions["ended_sessions"]


def _key(kind: str, *parts: object) -> str:
    joined = "\0".join(str(part) for part in parts)
    return f"{kind}:" + hashlib.sha256(joined.encode()).hexdigest()


def issue_once(token: str) -> str:
    """A form's once-token, issued to this session when the form is shown."""
    once = secrets.token_urlsafe(12)
    _store().incr(_key("once", token, once), ONCE_SECONDS, amount=ISSUED)
    return once


def spend_once(token: str, once: str | None) -> bool:
    """True the first time a token issued to this session comes back; False for one sent
    again (a double tap, an old copy of the page) or one the server never issued."""
    if not once or len(once) > 64:
        return False
    return _store().incr(_key("once", token, once), ONCE_SECONDS) == ISSUED + 1


def unspend_once(token: str, once: str) -> None:
    """The answer could not be stored (the database refused it): the same form may be sent
    again, as the error page offers."""
    _store().incr(_key("once", token, once), ONCE_SECONDS, amount=-1)


@contextmanager
def once_spent(token: str, once: str | None) -> Iterator[bool]:
    """Spend a form's once-token around storing its answer: the block learns whether the
    form is fresh (False: sent twice, or never issued, so nothing is to be stored); if the
    block fails, the token is given back."""
    if not once or not spend_once(token, once):
        yield False
        return
    try:
        yield True
    except Exception:
        unspend_once(token, once)
        raise


def _answer(token: str, meeting_id: int, service_id: int) -> str:
    return _key("answered", token, meeting_id, service_id)


def has_answered(token: str, meeting_id: int, service_id: int) -> bool:
    return bool(_store().get(_answer(token, meeting_id, service_id)))


def answered(token: str, meeting_id: int, service_id: int) -> None:
    _store().incr(_answer(token, meeting_id, service_id), ANSWER_SECONDS)


def took_back(token: str, meeting_id: int, service_id: int) -> None:
    _store().clear(_answer(token, meeting_id, service_id))


def may_call_for_help(token: str, meeting_id: int, *, admitted: bool) -> bool:
    """One call a minute per session: the first one reaches the facilitator, the next ones
    in that minute would only bury another child's call on the room screen.

    A child still waiting to be let in may call too, but re-joining makes new sessions at
    will, so all the waiting tablets of a meeting share one call a minute.
    """
    store = _store()
    if store.incr(_key("help", token), HELP_SECONDS) != 1:
        return False
    return admitted or store.incr(_key("help-door", meeting_id), HELP_SECONDS) == 1
