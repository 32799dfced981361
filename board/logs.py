"""Logging that never records who a visitor is (CHILD-SAFETY rule 2)."""

from __future__ import annotations

import logging
import re

from sqlalchemy.exc import DBAPIError

# Werkzeug's development server starts each request line with the client's address.
_ADDRESS_PREFIX = re.compile(r"^\S+ - - ")


class NoClientAddress(logging.Filter):
    """Replaces the client address at the start of a request log line with a dash."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and _ADDRESS_PREFIX.match(record.msg):
            record.msg = _ADDRESS_PREFIX.sub("- - - ", record.msg, count=1)
        return True


class NoLimiterKey(logging.Filter):
    """Flask-Limiter names the limit's key (the client address) when a limit is exceeded:
    keep the limit and the endpoint, drop the key."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            isinstance(record.args, tuple)
            and len(record.args) == 3
            and "exceeded" in str(record.msg)
        ):
            record.msg = "ratelimit %s exceeded at endpoint: %s"
            record.args = (record.args[0], record.args[2])
        return True


class NoDatabaseValues(logging.Filter):
    """A database error's message can repeat the row (PostgreSQL: "Failing row contains
    ..."), which may hold a child's words: log its kind and statement, not its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, DBAPIError):
            # The original message first: it is formatted with the original arguments.
            message = record.getMessage()
            record.msg = "%s; database error %s in: %s"
            record.args = (message, type(error.orig).__name__, error.statement)
            record.exc_info = None
            record.exc_text = None
        return True


# The development server's request time: "[20/Jun/2026 10:32:15]".
_REQUEST_TIME = re.compile(r"\[(\d{2}/\w{3}/\d{4} \d{2}:\d{2}):\d{2}\]")
# Where children's requests go (board.participate): the join code, the meeting's pages,
# help and "I am finished".
CHILD_PATHS = re.compile(r"^/(join|meeting|help|finish)(/|$|\?)")


def _to_the_minute(record: logging.LogRecord) -> None:
    """The record's own clock, to the minute: whatever format a handler uses (asctime,
    created, msecs, relativeCreated), it shows no second."""
    record.created = record.created - record.created % 60
    record.msecs = 0.0
    start = getattr(logging, "_startTime", record.created)
    record.relativeCreated = max(0.0, (record.created - start) * 1000)


def _in_child_request() -> bool:
    from flask import has_request_context, request

    return has_request_context() and (
        request.blueprint == "participate" or bool(CHILD_PATHS.match(request.path))
    )


class MinuteRequestTimes(logging.Filter):
    """A log line that names a child's route (the development server's request line, an
    error or a refused form during a child's request) carries the minute, not the second:
    a second beside "POST /meeting/services/3" would date that child's answer, and with
    the room's live counter tell whose it is (CHILD-SAFETY rules 1, 4). Request lines are
    cut to the minute whatever their route: the development server logs nothing else."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and _REQUEST_TIME.search(record.msg):
            record.msg = _REQUEST_TIME.sub(r"[\1]", record.msg, count=1)
            _to_the_minute(record)
        elif _in_child_request():
            _to_the_minute(record)
        return True


def _install(logger_name: str, kind: type[logging.Filter]) -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, kind) for f in logger.filters):
        logger.addFilter(kind())


def init_app(app) -> None:
    """Install the filters: the development server's request lines, Flask-Limiter's
    messages and the application's own (gunicorn's access log is off: see
    gunicorn.conf.py)."""
    _install("werkzeug", NoClientAddress)
    _install("werkzeug", MinuteRequestTimes)
    _install("flask-limiter", NoLimiterKey)
    _install("flask-limiter", MinuteRequestTimes)
    if not any(isinstance(f, NoDatabaseValues) for f in app.logger.filters):
        app.logger.addFilter(NoDatabaseValues())
    if not any(isinstance(f, MinuteRequestTimes) for f in app.logger.filters):
        app.logger.addFilter(MinuteRequestTimes())
