"""Small helpers that views share."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, redirect, request, url_for
from werkzeug.routing import IntegerConverter

from board.db import MAX_ID, db


class IdConverter(IntegerConverter):
    """``<int:...>`` in URLs, capped at the largest id a column holds: a larger number is a
    404, not a database error (SQLite overflows, PostgreSQL says out of range). Written in
    the digits 0-9 alone: werkzeug's own pattern (a regex digit class) also takes "١" and
    "１", which would give one record several addresses."""

    regex = r"[0-9]+"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def whole_number(value: str | None, maximum: int) -> int | None:
    """``value`` as a whole number if it is written in the digits 0-9 alone and is at most
    ``maximum``; else None. (``str.isdigit`` also takes "²" and "١٢", which ``int`` refuses
    or reads; and a number too long for a column is an error in the database, not a miss.)"""
    if not value or not value.isascii() or not value.isdigit():
        return None
    if len(value) > len(str(maximum)) or int(value) > maximum:
        return None
    return int(value)


def id_from(value: str | None) -> int | None:
    """A record's id from a query or form value (1 … MAX_ID), or None if it cannot be one."""
    return whole_number(value, MAX_ID) or None


def safe_path(target: str | None, default: str = "home.index") -> str:
    """``target`` if it is a path on this site, else the URL of ``default`` (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for(default)


def redirect_back(default: str = "home.index"):
    """Redirect to the form's or query's ``next`` if it is safe."""
    return redirect(safe_path(request.values.get("next"), default))


def get_or_404(model, ident, options=()):
    """The row of ``model`` with primary key ``ident`` (loaded with ``options``), or a 404."""
    # No id at all (``/actions/0`` falls through to a missing board id): nothing to load.
    row = db.get(model, ident, options=list(options)) if ident is not None else None
    if row is None:
        abort(404)
    return row


def get_allowed(model, ident, allowed, options=(), *, secret=None):
    """The row of ``model`` (loaded with ``options``) if ``allowed(row)``: 404 when unknown,
    403 when not one's own, 404 too when ``secret(row)`` says even that it exists is not
    to be told (a draft)."""
    row = get_or_404(model, ident, options)
    if not allowed(row):
        abort(404 if secret is not None and secret(row) else 403)
    return row
