"""Acts that cannot be taken back are confirmed, once.

Closing a meeting, publishing a summary, approving many texts at once, making someone an
administrator, revoking an API token: each is asked for first, on a page (or the part of a
page) that says what will happen, and the answer carries a one-time token made for that act
on that record. Sent again (a double click, the back button, an old tab), the token is
refused with 409 and nothing is done twice; a token made for another act or record, or too
old, is refused with 400 and the question is asked again.

A record that changes under a question makes its answer out of date: the token also names
the record's version (``stamp``: e.g. when a meeting was last opened, when it was closed, the
address being invited), and an answer given to an earlier version is refused with 400 (a close
confirmed in an old tab does not close the meeting reopened since; the undo of a first close
does not reopen a second one).

The token is signed (it names the act, the record, its version and a random nonce) and spent in the
ephemeral store of board.ended (memory, or the Redis every instance shares): the database
keeps nothing of it. Without JavaScript the question is a page of its own; nothing here
needs a script.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits.storage import Storage
from wtforms import HiddenField, SubmitField

from board.forms import BaseForm
from board.rules import RuleError

# How long a question stays answerable, and its spent token remembered (longer than that
# is harmless: an older token is refused as out of date anyway).
SECONDS = 3600


class ConfirmError(RuleError):
    """The answer to a question cannot be taken; ``status`` is 409 (answered already) or
    400 (out of date, or made for something else)."""

    def __init__(self, message, status: int):
        super().__init__(message, field="once")
        self.status = status


class ConfirmStepForm(BaseForm):
    """The answer to a question: its one-time token and the button."""

    once = HiddenField()
    submit = SubmitField(_l("Confirm"))

    def ask(self, act: str, target: int, version: str = "") -> ConfirmStepForm:
        """Give the form a fresh token for ``act`` on record ``target`` as it is now
        (``version``, see ``stamp``)."""
        self.once.data = issue(act, target, version)
        return self

    def answer(self, act: str, target: int, version: str = "") -> None:
        """Spend the answer's token (raises ConfirmError if it is not a fresh one for this)."""
        spend(act, target, self.once.data, version)


def stamp(*parts: datetime | str | None) -> str:
    """The version of a record a question was asked about: its moments (or words), so an
    answer to an older state of it no longer fits."""
    return "|".join(
        "" if part is None else part.isoformat() if isinstance(part, datetime) else part
        for part in parts
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="board.confirm")


def _store() -> Storage:
    return current_app.extensions["ended_sessions"]


def issue(act: str, target: int, version: str = "") -> str:
    return _serializer().dumps([act, int(target), version, secrets.token_urlsafe(12)])


def spend(act: str, target: int, token: str | None, version: str = "") -> None:
    """Take a token once. Out of date (too old, or made for an earlier version of the
    record), forged or made for another act: 400; spent: 409."""
    try:
        value = _serializer().loads(token or "", max_age=SECONDS)
        fits = value[:2] == [act, int(target)]
        changed = fits and value[2] != version
    except (BadSignature, TypeError, ValueError, IndexError):
        fits = changed = False
    if changed:
        raise ConfirmError(
            _l(
                "This changed since the question was asked (someone may have acted in the"
                " meantime). Read what will happen now and confirm again."
            ),
            400,
        )
    if not fits:
        raise ConfirmError(
            _l("This confirmation is out of date. Read what will happen and confirm again."),
            400,
        )
    key = "confirm:" + hashlib.sha256((token or "").encode()).hexdigest()
    if _store().incr(key, SECONDS) != 1:
        raise ConfirmError(_l("This was confirmed already: nothing was done again."), 409)


def question(
    *,
    title: str,
    happens: list[str],
    form: ConfirmStepForm,
    action: str,
    button: str,
    back: str,
    status: int = 200,
    **context,
):
    """The page that asks: what will happen (``happens``, one sentence each), the button
    that confirms it (a danger button) and the way back."""
    return render_template(
        "confirm.html",
        title=title,
        happens=happens,
        form=form,
        action=action,
        button=button,
        back=back,
        **context,
    ), status
