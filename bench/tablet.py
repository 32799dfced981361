"""A tablet as the server sees it: one keep-alive HTTP connection, its own cookie jar, the
forms fetched and their CSRF tokens sent back, as a browser would. Standard library only,
so that the load generator adds no dependency and tests can drive gunicorn with it."""

from __future__ import annotations

import http.client
import re
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

# Distinctive, so that the anonymity check can look for it in every table and log line.
USER_AGENT = "board-loadgen/1.0 (tablet-simulator; ua-marker-7f3c9e)"
IDLE_REUSE = 1.5  # seconds

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_ONCE = re.compile(r'name="once"[^>]*value="([^"]+)"')
_VOTE_OPTION = re.compile(r'name="a(\d+)"')
_SERVICE_LINK = re.compile(r'href="/meeting/services/(\d+)"')
_LANGUAGE = re.compile(r'name="lang" value="([^"]+)"')
_EXPIRED = re.compile(r"max-age=0\b|expires=[^;]*\b1970\b", re.IGNORECASE)
_PARAGRAPH = re.compile(r"<p[^>]*>([^<]*)</p>")


@dataclass
class Response:
    status: int
    location: str
    body: str
    ms: float


class RequestFailed(Exception):
    """The request got no HTTP answer (refused, reset, timed out)."""


def _first(pattern: re.Pattern, text: str) -> str | None:
    match = pattern.search(text)
    if match is None:
        return None
    return match[1]


@dataclass
class Tablet:
    """One shared tablet: a connection and a cookie jar, reset between children."""

    host: str
    port: int
    timeout: float = 30.0
    cookies: dict[str, str] = field(default_factory=dict)
    _connection: http.client.HTTPConnection | None = None
    _last_used: float = 0.0

    def _connect(self) -> http.client.HTTPConnection:
        # gunicorn closes a keep-alive connection idle for 2 s (its default): open a new one
        # rather than race the server's close, as browsers do with their idle sockets.
        if self._connection is not None and time.monotonic() - self._last_used > IDLE_REUSE:
            self.close()
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        headers = {"User-Agent": USER_AGENT, "Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        for attempt in (1, 2):
            previous, reused = self._connection, False
            try:
                connection = self._connect()
                reused = attempt == 1 and previous is connection
                connection.request(method, path, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                # A reused keep-alive connection that the server had closed: the request never
                # reached the application, and a browser sends it again once on a new one.
                self.close()
                if not reused:
                    raise RequestFailed(str(e)) from e
            except (OSError, http.client.HTTPException) as e:
                # Refused, timed out, or cut off mid-answer (a server killed while writing).
                self.close()
                raise RequestFailed(f"{type(e).__name__}: {e}") from e
        self._last_used = time.monotonic()
        ms = (time.perf_counter() - started) * 1000
        for header, value in answer.getheaders():
            if header.lower() == "set-cookie":
                keep_cookie(self.cookies, value)
        if answer.getheader("Connection", "").lower() == "close":
            self.close()
        location = urlsplit(answer.getheader("Location") or "")
        path_only = location.path + (f"?{location.query}" if location.query else "")
        return Response(answer.status, path_only, data.decode("utf-8", "replace"), ms)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Response:
        return self.request("POST", path, form)


def keep_cookie(jar: dict[str, str], set_cookie: str) -> None:
    """Store or delete one cookie as a browser would, from a Set-Cookie header's value."""
    name, _, rest = set_cookie.partition("=")
    value, _, attributes = rest.partition(";")
    # A deletion shows in the attributes only. (Looking in the whole header, a signed value
    # that happened to contain "1970", about 1 in 18,000, was taken for a deletion, and that
    # tablet's session was lost.)
    if value and not _EXPIRED.search(attributes):
        jar[name.strip()] = value
    else:
        jar.pop(name.strip(), None)


def csrf_token(html: str) -> str:
    token = _first(_CSRF, html)
    if token is None:
        raise ValueError("no CSRF token in the page")
    return token


def once_token(html: str) -> str | None:
    return _first(_ONCE, html)


def service_ids(html: str) -> list[int]:
    return sorted({int(i) for i in _SERVICE_LINK.findall(html)})


def vote_options(html: str) -> list[int]:
    return sorted({int(i) for i in _VOTE_OPTION.findall(html)})


def languages(html: str) -> list[str]:
    return _LANGUAGE.findall(html)


def new_once() -> str:
    """A fresh form token, in the server's own format (board.participate.tablet.new_once)."""
    return secrets.token_urlsafe(12)


def error_text(html: str) -> str:
    """The sentence an error page gives (its first paragraph), to say what went wrong."""
    return (_first(_PARAGRAPH, html) or "").strip()
