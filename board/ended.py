"""Sessions ended on purpose: a child's "I am finished", a person's "Sign out".

Sessions live in signed cookies, so the server cannot take one back: a copy of the cookie
taken before the end would still be accepted. So the random token of an ended session is
remembered, hashed, in the rate limiter's kind of storage (memory, or the Redis every
instance shares), for as long as a copy of its cookie could still be accepted; after that,
the cookie is refused anyway. Nothing else about the session is kept.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app
from limits.storage import Storage, storage_from_string


def init_app(app: Flask) -> None:
    """The store, made from the limiter's setting, so that it works even where rate limits
    are switched off."""
    app.extensions["ended_sessions"] = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])


def _store() -> Storage:
    return current_app.extensions["ended_sessions"]


def _key(token: str) -> str:
    return "ended-session:" + hashlib.sha256(token.encode()).hexdigest()


def remember(token: str, seconds: int) -> None:
    """This session has ended: refuse any copy of it for ``seconds``."""
    _store().incr(_key(token), seconds)


def has_ended(token: str) -> bool:
    return bool(_store().get(_key(token)))
