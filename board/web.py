"""Small helpers that views share."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, redirect, request, url_for

from board.db import db


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
    row = db.get(model, ident, options=list(options))
    if row is None:
        abort(404)
    return row


def get_allowed(model, ident, allowed):
    """The row of ``model`` if ``allowed(row)``: 404 when unknown, 403 when not one's own."""
    row = get_or_404(model, ident)
    if not allowed(row):
        abort(403)
    return row
