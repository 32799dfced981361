"""Facilitators open a vote."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from wtforms import IntegerField, RadioField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from board.actions import queries as action_queries
from board.actions.models import Action
from board.forms import BaseForm, CheckboxesField, choices
from board.meetings.models import Meeting
from board.voting.models import BallotMethod


class BallotForm(BaseForm):
    action_ids = CheckboxesField(_l("Actions to vote on"), coerce=int)
    method = RadioField(
        _l("How children vote"),
        choices=choices((m.value, m.label) for m in BallotMethod),
        default=BallotMethod.APPROVAL.value,
        validators=[InputRequired()],
    )
    dots = IntegerField(
        _l("Dots per child"), default=5, validators=[InputRequired(), NumberRange(min=1, max=20)]
    )
    submit = SubmitField(_l("Open the vote"))

    def chosen(self, session: Session, meeting: Meeting) -> list[Action]:
        """The shortlisted actions ticked, in the shortlist's order."""
        ticked = set(self.action_ids.data or [])
        return [a for a in action_queries.shortlisted(session, meeting.board) if a.id in ticked]


def ballot_form(session: Session, meeting: Meeting) -> BallotForm:
    """The form, offering the board's shortlisted actions."""
    form = BallotForm()
    form.action_ids.choices = choices(
        (a.id, a.title) for a in action_queries.shortlisted(session, meeting.board)
    )
    return form
