"""Signing staff in and out of this browser.

A sign-in puts a random token in the session cookie. Signing out remembers that token as
ended (board.ended), so a copy of the cookie taken before "Sign out" signs nobody in, while
the person's other browsers stay signed in. (A new password ends every session of the
account: board.auth.services bumps its epoch.)

With two-factor sign-in (board.auth.two_factor), the right password only puts a *pending*
sign-in in the session (who, their epoch, when, where to go next): nobody is signed in, and
Flask-Login's ``current_user`` stays anonymous, until the code (or the enrolment) is done.
A pending sign-in lasts TWO_FACTOR_PENDING_SECONDS and ends with a new password, or when too
many wrong codes pause the account's second step (board.auth.throttle).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from flask import Flask, current_app, session
from flask_login import login_user, logout_user

from board.auth import services, throttle
from board.auth.models import User
from board.db import db
from board.ended import has_ended, remember

KEY = "signin"
PENDING = "signin_pending"
# A child's tablet session (board.participate.tablet.KEY). A browser that carries one is a
# child's tablet: no staff page opens there (CHILD-SAFETY rules 1, 13), whatever sign-in
# the cookie still holds; signing in again ends the child's session first.
TABLET_KEY = "tablet"


def init_app(app: Flask, end_tablet: Callable[[], None]) -> None:
    """``end_tablet`` ends a child's tablet session (board.participate.tablet.end): handed in
    by the app factory, since accounts sit below the pages children use."""
    app.extensions["end_tablet_session"] = end_tablet


def carries_tablet() -> bool:
    return TABLET_KEY in session


def sign_in(user: User) -> None:
    if carries_tablet():
        current_app.extensions["end_tablet_session"]()
    session.pop(PENDING, None)
    login_user(user)
    session[KEY] = secrets.token_urlsafe(16)


def begin_second_step(user: User, next_path: str) -> None:
    """The password was right; the code (or the enrolment) is still to come."""
    if carries_tablet():
        current_app.extensions["end_tablet_session"]()
    session[PENDING] = {
        "user": user.id,
        "epoch": user.session_epoch,
        "at": int(time.time()),
        "next": next_path,
    }


def pending_user() -> User | None:
    """The account whose password this browser gave, if it was recent; else None."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    age = time.time() - float(pending.get("at", 0))
    if not 0 <= age <= current_app.config["TWO_FACTOR_PENDING_SECONDS"]:
        session.pop(PENDING, None)
        return None
    user = services.load_user(db, f"{pending.get('user')}:{pending.get('epoch')}")
    if user is not None and float(pending.get("at", 0)) <= throttle.paused_since(user.email):
        session.pop(PENDING, None)  # too many wrong codes for the account ended it
        return None
    return user


def end_second_step() -> None:
    """Forget the pending sign-in: the password is asked again."""
    session.pop(PENDING, None)


def finish_second_step(user: User) -> str:
    """Sign in after the second step; returns where the person was going."""
    pending = session.get(PENDING)
    next_path = pending.get("next", "") if isinstance(pending, dict) else ""
    sign_in(user)
    return str(next_path)


def sign_out() -> None:
    session.pop(PENDING, None)
    token = session.pop(KEY, None)
    if token:
        lifetime = current_app.permanent_session_lifetime.total_seconds()
        remember(str(token), int(lifetime) + 60)
    logout_user()


def load(user_id: str) -> User | None:
    """Flask-Login's loader: nobody, for a copy of a session that signed out."""
    token = session.get(KEY)
    if token and has_ended(str(token)):
        return None
    if carries_tablet():
        return None
    return services.load_user(db, user_id)


# A refused code, wherever one is asked for (the second step, new recovery codes, lowering the
# network's two-factor rule) -----------------------------------------------------------------


def code_failed(user: User, error, address: str) -> bool:
    """A refused code (``two_factor.TwoFactorError``): in the audit log (the reason, never
    the code) and counted, for this address and for the account. True when it paused the
    account's second step: then the pending sign-in has ended, the pause is audited and the
    holder mailed. Rolls back what the request did, and commits the record of the failure."""
    from board.audit.services import record
    from board.auth import two_factor

    db.rollback()
    paused = throttle.note_code_failure(user.email, address)
    record(db, user, "signin.second_step_failed", user, detail=error.reason)
    if paused:
        two_factor.pause_second_step(db, user)
    db.commit()
    return paused


def code_wait(user: User, address: str):
    """The 429 for an address (or, paused, an account) that must wait before a code."""
    from board.auth import two_factor
    from board.errors import render_error

    wait, paused = throttle.code_wait_left(user.email, address)
    if not wait:
        return None
    page, code = render_error(429, str(two_factor.PAUSED) if paused else None)
    return page, code, {"Retry-After": str(wait)}
