"""Facilitators' form for an advocacy action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from board.actions.models import ActionStatus
from board.boards.models import ServiceCategory
from board.forms import BaseForm, choices


class ActionForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=160)])
    description = TextAreaField(_l("Short description"), validators=[Optional(), Length(max=1000)])
    language = SelectField(_l("Written in"))
    pictogram = SelectField(
        _l("Picture"), choices=choices((c.value, c.label) for c in ServiceCategory)
    )
    status = SelectField(_l("State"), choices=choices((s.value, s.label) for s in ActionStatus))
    outcome = TextAreaField(
        _l("What came of it"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Needed to close the action (not chosen, done or stopped)."),
    )
    outcome_reason = TextAreaField(
        _l("Why"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Needed to close the action."),
    )
    submit = SubmitField(_l("Save the action"))
