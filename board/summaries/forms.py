"""Summary and response forms."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from board.forms import BaseForm, CheckboxesField, choices
from board.summaries.models import ResponseStatus


class StartForm(BaseForm):
    period = SelectField(_l("Period"), validators=[DataRequired()])
    submit = SubmitField(_l("Compose the summary of this period"))


class DraftForm(BaseForm):
    narrative = TextAreaField(
        _l("What the children said, in your words"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Paragraphs, bold, italics and lists are kept; everything else is removed."),
        render_kw={"rows": 8},
    )
    recommendations = TextAreaField(
        _l("Recommendations, one per line"),
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 4},
    )
    quotes = CheckboxesField(_l("Approved words to quote"))
    submit = SubmitField(_l("Save the draft"))


class ResponseForm(BaseForm):
    status = SelectField(
        _l("Your answer"),
        choices=choices((s.value, s.label) for s in ResponseStatus),
        validators=[DataRequired()],
    )
    what = TextAreaField(_l("What you will do"), validators=[DataRequired(), Length(max=2000)])
    by_when = DateField(_l("By when"), validators=[Optional()])
    submit = SubmitField(_l("Send the answer"))
