"""Translated error pages, without stack traces."""

from __future__ import annotations

import math

import sqlalchemy as sa
from flask import Flask, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from board import db as database

MESSAGES = {
    400: (_l("Something in the request was not right"), _l("Please go back and try again.")),
    403: (_l("You cannot open this page"), _l("Your account does not give access to it.")),
    404: (_l("Page not found"), _l("The address may be wrong, or the page was removed.")),
    405: (_l("This action is not possible here"), _l("Please go back and try again.")),
    409: (_l("This was done already"), _l("Nothing was done again.")),
    410: (_l("This link no longer works"), _l("Ask for a new one.")),
    413: (_l("Too much was sent at once"), _l("Please send less and try again.")),
    429: (_l("Too many tries"), _l("Please wait a few minutes and try again.")),
    500: (_l("Something went wrong on our side"), _l("Please try again in a moment.")),
    503: (_l("The service is not available right now"), _l("Please try again in a moment.")),
}


def render_error(code: int, detail: str | None = None):
    """The error page for ``code``, with an optional more precise sentence."""
    title, hint = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "error.html", code=code, title=title, hint=detail or hint, error_page=True
    ), code


def _handle_http(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.code == 429 and request.blueprint == "participate":
        return _child_too_many(error)
    return render_error(error.code)


def _child_too_many(error: HTTPException):
    """Too many tries, said to a child: how long to wait, and the way back to the code (never
    the staff sign-in that the staff page leads to)."""
    limit = getattr(getattr(error, "limit", None), "limit", None)
    seconds = limit.get_expiry() if limit is not None else 60
    return render_template(
        "participate/too_many.html",
        minutes=max(1, math.ceil(seconds / 60)),
        wrong_codes=request.endpoint == "participate.join",
    ), 429


def _handle_csrf(error: CSRFError):
    # Why, for whoever runs the server (missing, expired, not matching): nothing about who.
    current_app.logger.warning("form refused: %s", error.description)
    return render_error(
        400, str(_l("The form had expired or was sent twice. Please fill it in again."))
    )


def _handle_unexpected(error: Exception):
    # Flask has logged it already (through board.logs.NoDatabaseValues).
    return render_error(500)


# What staff read when the database fails them: what is wrong, and whom to tell.
TROUBLE = {
    database.UNWRITABLE: _l(
        "The database cannot be written to: the disk is full or read-only. Tell your administrator."
    ),
    database.UNREACHABLE: _l("The database cannot be reached. Tell your administrator."),
}
# Child pages: the child's own form fields that the error page keeps, to send them again.
_NEVER_KEPT = {"submit"}


def _staff_page(trouble: str):
    from flask_login import current_user

    from board.extensions import login_manager

    try:  # the layout asks who is signed in, which may need the database that just failed
        current_user.is_authenticated  # noqa: B018
    except sa.exc.SQLAlchemyError:
        g._login_user = login_manager.anonymous_user()
    return render_error(503, str(TROUBLE[trouble]) if trouble in TROUBLE else None)


def _child_page():
    """Calm words for a child, the child's answers kept in the page to send again, and the
    helpline; nothing on this page needs the database."""
    meeting = g.pop("meeting", None)
    try:
        g.helpline = meeting.board.helpline if meeting is not None else None
    except sa.exc.SQLAlchemyError:
        g.helpline = None
    kept = []
    if request.method == "POST":
        kept = [
            (name, value)
            for name, values in request.form.lists()
            if name not in _NEVER_KEPT
            for value in values
        ]
    return render_template("participate/unavailable.html", kept=kept), 503


def _handle_database(error: sa.exc.DBAPIError):
    """The database is down, full or read-only: say so, calmly to children and precisely to
    staff. Any other database error is a bug and goes on to the 500 page."""
    trouble = database.trouble_of(error)
    if trouble is None:
        raise error
    if trouble == database.UNWRITABLE:
        database.note_unwritable()
    # Through board.logs.NoDatabaseValues: the statement is logged, never its values.
    current_app.logger.error("database %s at %s", trouble, request.endpoint, exc_info=error)
    session = g.get("db_session")
    try:  # the page may read (who is signed in, the board's helpline): a fresh transaction
        if session is not None:
            session.rollback()
    except sa.exc.SQLAlchemyError:
        pass
    try:
        if request.blueprint == "participate":
            return _child_page()
        return _staff_page(trouble)
    except Exception:  # the error page must not fail in its turn
        current_app.logger.exception("error page for database %s failed", trouble)
        return "Service unavailable", 503, {"Content-Type": "text/plain; charset=utf-8"}


def database_warning():
    """For staff pages: what is wrong with the database, in words, or None. Reads only."""
    return TROUBLE.get(database.database_trouble())


def init_app(app: Flask) -> None:
    """Register the handlers, and the staff layout's warning about the database."""
    app.jinja_env.globals["database_warning"] = database_warning
    app.register_error_handler(sa.exc.OperationalError, _handle_database)
    app.register_error_handler(sa.exc.InternalError, _handle_database)
    app.register_error_handler(CSRFError, _handle_csrf)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(InternalServerError, _handle_unexpected)
