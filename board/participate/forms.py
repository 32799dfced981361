"""What a child fills in to join."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length

from board.forms import BaseForm

# i18n: a child typed a wrong code; kind, no blame.
WRONG_CODE = _l("This code does not work. Look at the big screen and try again.")


class JoinForm(BaseForm):
    # i18n: the short code shown on the big screen in the room.
    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(message=_l("Please type the code from the big screen.")),
            Length(max=20, message=WRONG_CODE),
        ],
    )
    # i18n: the button to go into the meeting.
    submit = SubmitField(_l("Go in"))
