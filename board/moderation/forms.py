"""Moderation and safeguarding forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from board.confirm import ConfirmStepForm
from board.forms import BaseForm, choices
from board.moderation.models import RejectionReason


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
    concern_reason = TextAreaField(
        _l("Why this may be a safeguarding concern"), validators=[Optional(), Length(max=4000)]
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


class ApproveAllForm(ConfirmStepForm):
    confirm = BooleanField(
        _l("I have read every item without highlights and they can be approved as they are."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Approve all items without highlights"))


class RoomConcernForm(BaseForm):
    reason = TextAreaField(
        _l("What you saw or heard"), validators=[DataRequired(), Length(max=4000)]
    )
    submit = SubmitField(_l("Raise a safeguarding concern"))


class CloseConcernForm(BaseForm):
    action_taken = TextAreaField(_l("What was done"), validators=[Optional(), Length(max=4000)])
    referral = TextAreaField(
        _l("Referral (to the child's case worker, the authorities)"),
        validators=[Optional(), Length(max=4000)],
    )
    note = TextAreaField(
        _l("Closing note"),
        validators=[DataRequired(message=_l("Write a closing note.")), Length(max=4000)],
    )
    submit = SubmitField(_l("Close the concern"))


class WatchNamesForm(BaseForm):
    watch_names = TextAreaField(
        _l("Names to look for in children's text"),
        validators=[Optional(), Length(max=10000)],
        description=_l("One per line: staff, places, people. They are marked for the moderator."),
    )
    submit = SubmitField(_l("Save"))
