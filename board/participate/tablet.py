"""A child's session on a shared tablet: a random token in the encrypted session cookie
(board.cookie), scoped to one meeting. Nothing about it is stored on the server
(pseudonymous, CHILD-SAFETY rule 3)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field, fields
from functools import wraps

from flask import flash, g, redirect, request, session, url_for
from flask_babel import LazyString, refresh
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from board.db import db
from board.ended import has_ended, remember
from board.i18n import use_board_languages
from board.meetings.models import Meeting
from board.participate import admission
from board.web import id_from

KEY = "tablet"
# A tablet sent back from the idle warning a little late still counts as idle.
IDLE_SLACK_SECONDS = 5
# While a child types, the page tells the server at most this often (``/meeting/here``), so
# the server's idle check, which only sees requests, agrees with the page's, which sees
# every touch. The answer the idle reset sends (``finish``) may come that much later.
STILL_HERE_SECONDS = 30
# Answers and ideas a child can still see and take back in one session: the newest ones.
# More would only grow the cookie (browsers drop cookies over 4 KB, and the session with it).
MAX_GIVEN = 30
# A finished session stays finished even when a copy of its cookie, taken before "I am
# finished", is sent again (board.ended), for as long as such a cookie could still pass the
# idle check (a board's longest idle time is 1800 s); after that the idle check refuses it.
FINISHED_MEMORY_SECONDS = 1800 + IDLE_SLACK_SECONDS + 60


@dataclass
class Tablet:
    meeting_id: int
    token: str
    ready: bool = False  # has read the explanation
    seen: float = 0.0  # last request, epoch seconds (in the cookie only)
    # What this child gave, so they can see it and take it back: ids, in the cookie only.
    feedback: list[int] = field(default_factory=list)
    proposals: list[int] = field(default_factory=list)
    # Form tokens are issued and spent in the ephemeral store (board.participate.guard): a
    # list of them here could be replayed from an older copy of the cookie.

    def gave_feedback(self, feedback_id: int, replacing: int | None = None) -> None:
        kept = [given for given in self.feedback if given != replacing]
        self.feedback = [*kept[-(MAX_GIVEN - 1) :], feedback_id]

    def gave_idea(self, action_id: int) -> None:
        self.proposals = [*self.proposals[-(MAX_GIVEN - 1) :], action_id]


def _forget_current() -> None:
    """Remember the current session's token as finished, so no copy of its cookie works."""
    raw = session.get(KEY)
    if isinstance(raw, dict) and raw.get("token"):
        forget(id_from(str(raw.get("meeting_id", ""))), str(raw["token"]))


def forget(meeting_id: int | None, token: str) -> None:
    """A session ended, by its cookie or by its token alone ("I am finished" pressed while
    offline, arriving later from the tablet's queue): no copy of its cookie works again."""
    remember(token, FINISHED_MEMORY_SECONDS)
    if meeting_id is not None:
        admission.forget(meeting_id, token)


def start(meeting: Meeting) -> Tablet:
    """A fresh session for a new child on this meeting (ending the previous one, if any)."""
    _forget_current()
    tablet = Tablet(meeting_id=meeting.id, token=secrets.token_urlsafe(32), seen=time.time())
    save(tablet)
    session.pop("lang", None)
    return tablet


def save(tablet: Tablet) -> None:
    # Lists travel as one space-separated string each: the cookie is rebuilt on every
    # request, and a list costs the session serializer a tag per item.
    session[KEY] = {
        f.name: " ".join(map(str, value))
        if isinstance(value := getattr(tablet, f.name), list)
        else value
        for f in fields(tablet)
    }


def end() -> None:
    """Wipe the child's part of the session: the next child starts fresh."""
    _forget_current()
    session.pop(KEY, None)
    session.pop("lang", None)


def _items(value) -> list[str]:
    """A list kept as one space-separated string (or, in a cookie from before, as a list)."""
    if isinstance(value, list):
        return [str(item) for item in value]
    return str(value or "").split()


def load() -> Tablet | None:
    raw = session.get(KEY)
    if not isinstance(raw, dict):
        return None
    try:
        tablet = Tablet(
            meeting_id=int(raw["meeting_id"]),
            token=str(raw["token"]),
            ready=bool(raw.get("ready")),
            seen=float(raw.get("seen", 0)),
            feedback=[int(i) for i in _items(raw.get("feedback"))],
            proposals=[int(i) for i in _items(raw.get("proposals"))],
        )
    except (KeyError, TypeError, ValueError):
        return None
    return None if has_ended(tablet.token) else tablet


def _back_to_join(code: str | None, message: LazyString | None):
    end()
    if message:
        # Said in the language of the join page it is shown on (the tablet's own, now that
        # the child's is forgotten), not in the child's: one page, one language.
        refresh()
        flash(str(message), "info")
    return redirect(url_for("participate.join", code=code) if code else url_for("participate.join"))


def _idle_limit(meeting: Meeting) -> int:
    limit = meeting.board.idle_seconds + IDLE_SLACK_SECONDS
    if request.method == "POST" and request.form.get("finish"):
        limit += STILL_HERE_SECONDS + IDLE_SLACK_SECONDS
    return limit


def _before_reopening(tablet: Tablet, meeting: Meeting) -> bool:
    """A session last seen before its meeting's close was undone: it ended at the close
    (its tablet was sent out) and stays ended; the child joins again with the new code."""
    reopened = meeting.reopened_at
    return reopened is not None and tablet.seen < reopened.timestamp()


def tablet_required(ready: bool = True, admitted: bool = True):
    """Child pages: a live session of an open meeting, not idle for too long, and (unless
    ``admitted`` is False) let in by the facilitator (board.participate.admission).

    Sets ``g.tablet``, ``g.meeting`` and the board's languages for the locale choice.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            tablet = load()
            if tablet is None:
                return _back_to_join(None, None)
            meeting = db.get(Meeting, tablet.meeting_id, options=[joinedload(Meeting.board)])
            if meeting is None or not meeting.is_open or _before_reopening(tablet, meeting):
                return _back_to_join(None, _l("This meeting has ended. Thank you for coming."))
            if time.time() - tablet.seen > _idle_limit(meeting):
                return _back_to_join(meeting.join_code, None)
            g.tablet, g.meeting = tablet, meeting
            use_board_languages(meeting.board.language_codes, remember=True)
            if ready and not tablet.ready:
                if "lang" not in session:
                    return redirect(url_for("participate.language"))
                return redirect(url_for("participate.welcome"))
            g.admitted = admission.is_admitted(tablet.token)
            if admitted and not g.admitted:
                return redirect(url_for("participate.waiting"))
            tablet.seen = time.time()
            save(tablet)
            return view(*args, **kwargs)

        return wrapped

    return decorator
