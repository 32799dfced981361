"""Translated error pages, without stack traces."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: (_l("Something in the request was not right"), _l("Please go back and try again.")),
    403: (_l("You cannot open this page"), _l("Your account does not give access to it.")),
    404: (_l("Page not found"), _l("The address may be wrong, or the page was removed.")),
    405: (_l("This action is not possible here"), _l("Please go back and try again.")),
    410: (_l("This link no longer works"), _l("Ask for a new one.")),
    413: (_l("Too much was sent at once"), _l("Please send less and try again.")),
    429: (_l("Too many tries"), _l("Please wait a few minutes and try again.")),
    500: (_l("Something went wrong on our side"), _l("Please try again in a moment.")),
    503: (_l("The service is not available right now"), _l("Please try again in a moment.")),
}


def render_error(code: int, detail: str | None = None):
    """The error page for ``code``, with an optional more precise sentence."""
    title, hint = MESSAGES.get(code, MESSAGES[500])
    return render_template("error.html", code=code, title=title, hint=detail or hint), code


def _handle_http(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    return render_error(error.code)


def _handle_csrf(error: CSRFError):
    return render_error(
        400, str(_l("The form had expired or was sent twice. Please fill it in again."))
    )


def _handle_unexpected(error: Exception):
    # Flask has logged it already (through board.logs.NoDatabaseValues).
    return render_error(500)


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, _handle_csrf)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(InternalServerError, _handle_unexpected)
