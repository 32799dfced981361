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


def _install(logger: logging.Logger, kind: type[logging.Filter]) -> None:
    if not any(isinstance(f, kind) for f in logger.filters):
        logger.addFilter(kind())


# Other libraries' loggers that write during a request, and what each may give away.
LIBRARY_FILTERS: dict[str, tuple[type[logging.Filter], ...]] = {
    "werkzeug": (NoClientAddress, MinuteRequestTimes),  # the development server's lines
    "flask-limiter": (NoLimiterKey, MinuteRequestTimes),
}
# The application's own: app.logger ("board") and each module's logging.getLogger(__name__).
APPLICATION_FILTERS: tuple[type[logging.Filter], ...] = (NoDatabaseValues, MinuteRequestTimes)


def application_loggers(app) -> list[logging.Logger]:
    """app.logger and every module logger under it. A logger's filters see only the records
    logged on it, not those its children pass up: each needs its own."""
    prefix = app.logger.name + "."
    children = [
        logger
        for name, logger in list(logging.root.manager.loggerDict.items())
        if name.startswith(prefix) and isinstance(logger, logging.Logger)
    ]
    return [app.logger, *children]


def init_app(app) -> None:
    """The one place logging is set up; create_app calls it last, once every module (and
    its logger) is imported.

    - Filters that keep who a visitor is, and when a child answered, out of every line: the
      development server's request lines, Flask-Limiter's messages, the application's own.
    - The level of the application's loggers: LOG_LEVEL (``BOARD_LOG_LEVEL=INFO``, say)
      when set; otherwise Flask's default (DEBUG under ``flask run --debug``, else
      warnings and errors only).
    - Where lines go: Flask's handler, to standard error (gunicorn's error log), unless the
      process configured its own (``gunicorn --log-config``). No other module adds one.

    gunicorn's access log is off (gunicorn.conf.py)."""
    for name, kinds in LIBRARY_FILTERS.items():
        for kind in kinds:
            _install(logging.getLogger(name), kind)
    for logger in application_loggers(app):
        for kind in APPLICATION_FILTERS:
            _install(logger, kind)
    level = app.config.get("LOG_LEVEL")
    if level:
        app.logger.setLevel(str(level).upper())
