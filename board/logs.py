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


def _install(logger_name: str, kind: type[logging.Filter]) -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, kind) for f in logger.filters):
        logger.addFilter(kind())


def init_app(app) -> None:
    """Install the filters: the development server's request lines and Flask-Limiter's
    messages (gunicorn's access log is off: see gunicorn.conf.py)."""
    _install("werkzeug", NoClientAddress)
    _install("flask-limiter", NoLimiterKey)
    if not any(isinstance(f, NoDatabaseValues) for f in app.logger.filters):
        app.logger.addFilter(NoDatabaseValues())
