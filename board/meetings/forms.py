"""Scheduling forms."""

from __future__ import annotations

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from board.confirm import ConfirmStepForm, stamp
from board.forms import BaseForm, CheckboxesField, choices, sane_day
from board.meetings.recurrence import RuleKind
from board.meetings.services import undo_until

ORDINALS = [
    (1, _l("first")),
    (2, _l("second")),
    (3, _l("third")),
    (4, _l("fourth")),
    (-1, _l("last")),
]


def weekday_choices():
    """Monday..Sunday in the page's language (from the CLDR, via Babel)."""
    names = get_day_names("wide", locale=get_locale())
    return choices((index, names[index]) for index in range(7))


def _duration():
    return IntegerField(
        _l("Duration (minutes)"),
        default=120,
        validators=[InputRequired(), NumberRange(min=15, max=600)],
    )


def _place():
    return StringField(_l("Place"), validators=[Optional(), Length(max=200)])


def _services():
    return CheckboxesField(_l("Services on the agenda"), coerce=int)


class MeetingForm(BaseForm):
    day = DateField(_l("Date"), validators=[InputRequired(), sane_day])
    at = TimeField(_l("Start time"), validators=[InputRequired()])
    duration_minutes = _duration()
    place = _place()
    service_ids = _services()
    notes = TextAreaField(
        _l("Notes for the facilitator"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Only staff of the board see these notes."),
    )
    submit = SubmitField(_l("Save the meeting"))


class SeriesForm(BaseForm):
    kind = RadioField(
        _l("Which day of the month"),
        choices=choices(
            [
                (RuleKind.NTH_WEEKDAY.value, _l("A weekday, such as the second Saturday")),
                (RuleKind.MONTH_DAY.value, _l("A date, such as the 15th")),
            ]
        ),
        default=RuleKind.NTH_WEEKDAY.value,
        validators=[InputRequired()],
    )
    ordinal = SelectField(_l("Which one"), coerce=int, choices=choices(ORDINALS), default=2)
    weekday = SelectField(_l("Weekday"), coerce=int, choices=weekday_choices, default=5)
    month_day = IntegerField(
        _l("Day of the month"),
        validators=[Optional(), NumberRange(min=1, max=31)],
        description=_l("In shorter months, the 29th to the 31st fall on the last day."),
    )
    start_date = DateField(_l("First possible date"), validators=[InputRequired(), sane_day])
    until = DateField(
        _l("Last possible date"),
        validators=[Optional(), sane_day],
        description=_l("Leave empty for twelve months."),
    )
    at = TimeField(_l("Start time"), validators=[InputRequired()])
    duration_minutes = _duration()
    place = _place()
    service_ids = _services()
    submit = SubmitField(_l("Save the series"))


class CancelForm(BaseForm):
    scope = RadioField(
        _l("What to cancel"),
        choices=choices(
            [("one", _l("This meeting only")), ("following", _l("This and all later meetings"))]
        ),
        default="one",
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Cancel the meeting"))


class PresentForm(BaseForm):
    """How many children are in the room: admission lets no more tablets in by itself."""

    present = IntegerField(
        _l("Children in the room"),
        validators=[InputRequired(), NumberRange(min=0, max=500)],
    )
    submit = SubmitField(_l("Save the number"))


REOPEN = "meeting.reopen"


def closed_version(meeting) -> str:
    """The close an undo answers: an undo asked for a first close does not reopen a second."""
    return stamp(meeting.closed_at)


def undo_close(meeting) -> dict | None:
    """The "Undo close" button of a meeting closed less than ten minutes ago (its control
    screen, the board's meetings): until when, and its one-time answer (board.confirm)."""
    until = undo_until(meeting)
    if until is None:
        return None
    return {
        "until": until,
        "form": ConfirmStepForm().ask(REOPEN, meeting.id, closed_version(meeting)),
    }
