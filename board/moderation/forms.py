"""Moderation and safeguarding forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from board.confirm import ConfirmStepForm
from board.forms import BaseForm, choices, sane_day
from board.moderation.models import FREE_NOTE_KINDS, ConcernUrgency, RejectionReason


def _id_or_none(value) -> int | None:
    """A record's id from the address, or None for "all" (anything else fails the choice)."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # never a choice: "Not a valid choice."


class DecisionForm(BaseForm):
    note = TextAreaField(
        _l("Facilitator's note (kept apart from the child's words)"),
        validators=[Optional(), Length(max=2000)],
    )
    reason = SelectField(
        _l("Reason for rejecting"),
        choices=choices((r.value, r.label) for r in RejectionReason),
        # Only a rejection needs a reason; the view checks it then.
        validate_choice=False,
    )


class QueueFilterForm(BaseForm):
    """The queue of one meeting and/or one service (a GET form: no CSRF, works without
    JavaScript; the home page links to ``?meeting=<id>``)."""

    class Meta(BaseForm.Meta):
        csrf = False

    meeting = SelectField(_l("Meeting"), coerce=_id_or_none, validate_choice=True)
    service = SelectField(_l("Service"), coerce=_id_or_none, validate_choice=True)
    submit = SubmitField(_l("Show"))

    def offer(self, meetings, services, day) -> QueueFilterForm:
        everything = [("", _l("All"))]
        self.meeting.choices = choices(
            everything + [(m.id, f"{day(m)}{' · ' + m.place if m.place else ''}") for m in meetings]
        )
        self.service.choices = choices(everything + [(s.id, s.name) for s in services])
        return self

    def chosen(self) -> tuple[int | None, int | None]:
        """The meeting and service chosen, or None for each when the choice was not valid."""
        if self.meeting.errors or self.service.errors:
            return (
                None if self.meeting.errors else self.meeting.data,
                None if self.service.errors else self.service.data,
            )
        return self.meeting.data, self.service.data

    def described(self) -> str:
        """The meeting and service chosen, in words ("" when the whole queue is shown)."""
        chosen = self.chosen()
        return " · ".join(
            str(choice.label)
            for field, value in zip((self.meeting, self.service), chosen, strict=True)
            if value is not None
            for choice in field.choices
            if choice.value == value
        )


class ApproveAllForm(ConfirmStepForm):
    confirm = BooleanField(
        _l("I have read every item without highlights and they can be approved as they are."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Approve all items without highlights"))


class ConcernForm(BaseForm):
    """Raising a concern, from every place one is raised. Which fields are needed is the
    service's rule (``services.raise_concern``); the view shows its messages at the fields.
    In the moderation queue its names start with "concern_" (``prefix``), beside the
    decision's own."""

    words = TextAreaField(
        _l("What the child said"),
        validators=[Optional(), Length(max=4000)],
        description=_l("In the child's own words, as far as you remember them."),
    )
    urgency = RadioField(
        _l("How urgent is it?"),
        choices=choices((u.value, u.label) for u in ConcernUrgency),
        validators=[Optional()],
    )
    reason = TextAreaField(
        _l("Why you raise this concern"), validators=[Optional(), Length(max=4000)]
    )
    occurred_on = DateField(_l("Date"), validators=[Optional(), sane_day])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Raise a safeguarding concern"))

    def data_for_service(self) -> dict:
        return {
            "reason": self.reason.data or "",
            "urgency": self.urgency.data,
            "words": self.words.data or "",
            "occurred_on": self.occurred_on.data,
            "place": self.place.data or "",
        }


class NoteForm(BaseForm):
    kind = RadioField(
        _l("What happened"),
        choices=choices((k.value, k.label) for k in FREE_NOTE_KINDS),
        validators=[Optional()],
    )
    text = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Whom you contacted, to whom you referred the child, what you did."),
    )
    submit = SubmitField(_l("Add to the timeline"))


class CloseConcernForm(BaseForm):
    outcome = TextAreaField(_l("Outcome"), validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Close the concern"))


class ExportForm(BaseForm):
    submit = SubmitField(_l("Make a file for the case system"))


class WatchNamesForm(BaseForm):
    watch_names = TextAreaField(
        _l("Names to look for in children's text"),
        validators=[Optional(), Length(max=10000)],
        description=_l("One per line: staff, places, people. They are marked for the moderator."),
    )
    submit = SubmitField(_l("Save"))
