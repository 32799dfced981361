"""Response headers that every page carries, and input no page accepts."""

from __future__ import annotations

from flask import Flask, Response, abort, request

# Nothing inline and nothing from anywhere else: no CDN, no web fonts, no third party.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # Join codes and tokens travel in URLs: never leak them to another site.
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    # Pages, exports (CSV, JSON) and every /api/v1 answer hold what partners and staff may
    # read, not the next user of a shared computer or a proxy: nothing made from the
    # database is kept in a cache. Only the static files (icons, styles, scripts) may be.
    if request.endpoint != "static":
        headers.setdefault("Cache-Control", "no-store")
    return response


def _has_nul(pairs) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def refuse_nul() -> None:
    """400 for a NUL character in the path, the query or the form: nobody types one, and
    PostgreSQL cannot store it (it would be a 500 deep in a query instead)."""
    if (
        "\x00" in request.path
        or _has_nul(request.args.items(multi=True))
        or (request.method == "POST" and _has_nul(request.form.items(multi=True)))
    ):
        abort(400)


def init_app(app: Flask) -> None:
    """Refuse NUL characters; add the headers to every response."""
    app.before_request(refuse_nul)
    app.after_request(_headers)
