"""Logging that never records who a visitor is (CHILD-SAFETY rule 2)."""

from __future__ import annotations

import logging
import re

# Werkzeug's development server starts each request line with the client's address.
_ADDRESS_PREFIX = re.compile(r"^\S+ - - ")


class NoClientAddress(logging.Filter):
    """Replaces the client address at the start of a request log line with a dash."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and _ADDRESS_PREFIX.match(record.msg):
            record.msg = _ADDRESS_PREFIX.sub("- - - ", record.msg, count=1)
        return True


def init_app(app) -> None:
    """Install the filter on the development server's logger (gunicorn: see gunicorn.conf.py)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, NoClientAddress) for f in logger.filters):
        logger.addFilter(NoClientAddress())
