"""Facilitators open a vote."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from board.forms import BaseForm, CheckboxesField, choices
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
