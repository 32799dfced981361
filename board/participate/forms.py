"""What a child fills in to join."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from board.feedback.models import MAX_TEXT, RATINGS
from board.forms import BaseForm, choices

# i18n: a child typed a wrong code; kind, no blame.
WRONG_CODE = _l("This code does not work. Look at the big screen and try again.")


class JoinForm(BaseForm):
    code = StringField(
        # i18n: the short code shown on the big screen in the room.
        _l("Code"),
        validators=[
            InputRequired(message=_l("Please type the code from the big screen.")),
            Length(max=20, message=WRONG_CODE),
        ],
    )
    # The QR code's key for the code in its link (board.meetings.codes.key_for), kept while
    # the child presses "Go in": a scanned code is not limited like a typed one. A label of
    # its own, or WTForms would translate a default one as the form is made, fixing the
    # page's language before the view knows the board's languages.
    key = HiddenField(label="")
    # i18n: the button to go into the meeting.
    submit = SubmitField(_l("Go in"))


def _text(label):
    return TextAreaField(
        label,
        validators=[Optional(), Length(max=MAX_TEXT, message=TOO_LONG)],
        # A child may write in another script than the page's (Arabic on an Albanian page):
        # the box takes the direction of what is typed.
        render_kw={"maxlength": MAX_TEXT, "rows": 4, "dir": "auto"},
    )


# i18n: the limit on a child's text; shown when it is over the limit.
TOO_LONG = _l("This is a bit long. Please write less.")


class FeedbackForm(BaseForm):
    # Nothing pre-selected: no default, and a missing answer is fine.
    rating = RadioField(
        _l("How was it?"),
        choices=choices((value, label) for value, label in RATINGS.items()),
        coerce=int,
        validators=[Optional()],
        validate_choice=True,
    )
    # i18n: two optional questions after the faces. Plain, open, kind.
    happened = _text(_l("What happened?"))
    better = _text(_l("What would make it better?"))
    once = HiddenField()
    submit = SubmitField(_l("Send"))

    def answer(self) -> dict:
        """What the child gave, as the feedback service takes it."""
        return {
            "rating": self.rating.data,
            "happened": self.happened.data,
            "better": self.better.data,
        }


class ProposalForm(BaseForm):
    title = StringField(
        # i18n: a child proposes something the board should ask adults to change.
        _l("Your idea, in a few words"),
        validators=[
            DataRequired(message=_l("Please write your idea in a few words.")),
            Length(max=160, message=TOO_LONG),
        ],
        render_kw={"maxlength": 160, "dir": "auto"},
    )
    description = _text(_l("Tell us more (you can skip this)"))
    once = HiddenField()
    submit = SubmitField(_l("Send my idea"))
