"""Pages compressed (Brotli or gzip, Flask-Compress) when the browser accepts it, and only
when no one else could have made the browser ask for them.

A child page is 5 to 30 KB of HTML and a fifth of that compressed: on a tablet's 400 kbit/s
link that is most of a page's time. gunicorn serves the app with no proxy in front, so the
app compresses its own responses (static files come precompressed, see board.assets).

BREACH: a compressed response's length tells how well its parts repeat each other. A page
that holds a secret (the CSRF token, a child's own answers on "What I gave today", a staff
page's data) and also reflects what the request said (``/join?code=...`` puts the code in
the input; a form sent back with its errors) lets an attacker who sees the encrypted traffic,
and can make the victim's browser send many such requests, guess the secret a character at a
time. That needs requests made by another site with the victim's cookies.

Chosen: compress only a request that the browser says no other site started:
``Sec-Fetch-Site: same-origin`` (our own links and forms) or ``none`` (an address typed,
a bookmark, the QR code's link). ``cross-site`` and ``same-site`` requests get the page
uncompressed. This covers every secret on every page at once (masking the CSRF token per
response would leave a child's answers and staff data exposed; a random padding only slows
the attack), costs nothing, and keeps compression for everything a tablet really asks for,
every child page included. Browsers send ``Sec-Fetch-Site`` only to secure origins (HTTPS,
or localhost): over plain HTTP (a room's LAN) there is no header, and no secret from someone
who can read the traffic anyway, so those are compressed; a request over HTTPS without the
header (an old browser, a script) is not.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

compress = Compress()
# What a browser sends (Sec-Fetch-Site) when the request is not another site's doing.
OWN_REQUESTS = frozenset({"same-origin", "none"})


def may_compress() -> bool:
    """True when compressing this request's response cannot help a BREACH attack."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is None:
        return not request.is_secure
    return site in OWN_REQUESTS


def _compress(response: Response) -> Response:
    if may_compress():
        return compress.after_request(response)
    response.vary.add("Accept-Encoding")
    return response


def init_app(app: Flask) -> None:
    """Compress responses; call it before any other extension registers an after_request
    (Flask runs them last registered first), so that compression runs last."""
    app.config.setdefault("COMPRESS_REGISTER", False)
    compress.init_app(app)
    app.after_request(_compress)
