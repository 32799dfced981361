"""What a child fills in to join."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length

from board.forms import BaseForm


class JoinForm(BaseForm):
    # i18n: the short code shown on the big screen in the room.
    code = StringField(
        _l("Code"),
        validators=[InputRequired(message=_l("Please type the code from the big screen.")),
                    Length(max=20)],
    )
    # i18n: the button to go into the meeting.
    submit = SubmitField(_l("Go in"))
