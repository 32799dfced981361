"""The audit log's filters, read from the query string (no CSRF: reading changes nothing)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SubmitField
from wtforms.validators import Optional

from board.audit.models import ACTION_LABELS
from board.audit.queries import AuditFilter
from board.forms import BaseForm, choices, sane_day
from board.web import whole_number

# Pages beyond this are refused as a page number (the log would need 5 million entries).
MAX_PAGE = 100_000


class AuditFilterForm(BaseForm):
    """A board, a person or an action not in the lists, a day that is no day, or a last
    day before the first: a message at the field, and no entries (never a guess)."""

    class Meta(BaseForm.Meta):
        csrf = False

    start = DateField(_l("From (day)"), validators=[Optional(), sane_day])
    end = DateField(_l("To (day, included)"), validators=[Optional(), sane_day])
    board = SelectField(_l("Board"), validators=[Optional()])
    actor = SelectField(_l("Person"), validators=[Optional()])
    action = SelectField(_l("Action"), validators=[Optional()])
    submit = SubmitField(_l("Filter"))

    def offer(self, boards: Iterable[Any], people: Iterable[Any], actions: Iterable[str]):
        """Fill the lists: ``boards`` and ``people`` have ``id`` and ``name``; ``actions``
        are the codes recorded so far and every code the log knows a label for."""
        everything = [("", _l("All"))]
        self._zones = {str(b.id): b.timezone for b in boards}
        self.board.choices = choices(everything + [(str(b.id), b.name) for b in boards])
        self.actor.choices = choices(everything + [(str(p.id), p.name) for p in people])
        codes = set(actions) | set(ACTION_LABELS)
        labelled = sorted((str(ACTION_LABELS.get(c, c)), c) for c in codes)
        self.action.choices = choices(everything + [(c, label) for label, c in labelled])
        return self

    @property
    def zone(self) -> str:
        """The zone days are counted in: the chosen board's, else UTC."""
        return self._zones.get(self.board.data or "", "UTC")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.start.data and self.end.data and self.start.data > self.end.data:
            self.end.errors.append(_l("The last day comes before the first."))
            return False
        return valid

    def filters(self, page: str | None = None) -> AuditFilter:
        """The validated filters; a page number that is not one (or beyond the last there
        can be) is the first page."""
        number = whole_number(page, MAX_PAGE) or 1
        return AuditFilter(
            board_id=int(self.board.data) if self.board.data else None,
            actor_id=int(self.actor.data) if self.actor.data else None,
            action=self.action.data or None,
            start=self.start.data,
            end=self.end.data,
            zone=self.zone,
            page=number,
        )
