"""Moderation and safeguarding forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from board.forms import BaseForm, choices
from board.moderation.models import RejectionReason


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


class ApproveAllForm(BaseForm):
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
