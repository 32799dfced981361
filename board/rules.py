"""The one error type services raise when a rule of the product is broken."""

from __future__ import annotations


class RuleError(ValueError):
    """A rule was broken. ``message`` is translated for the person who acted; ``field``
    names the form input it concerns, if any (views show it there)."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
