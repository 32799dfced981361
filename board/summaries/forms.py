"""Summary and response forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, MonthField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from board.boards.models import Board, ServiceCategory
from board.forms import BaseForm, CheckboxesField, choices
from board.summaries.dashboard import Filters
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


class DashboardForm(BaseForm):
    """The dashboard's filters, read from the query string (no CSRF: it changes nothing).
    A board or a country the reader has no summary from is not a valid choice."""

    class Meta(BaseForm.Meta):
        csrf = False

    country = SelectField(_l("Country"), validators=[Optional()])
    board = SelectField(_l("Board"), validators=[Optional()])
    category = SelectField(_l("Kind of service"), validators=[Optional()])
    start = MonthField(_l("From (month)"), validators=[Optional()])
    end = MonthField(_l("To (month)"), validators=[Optional()])
    submit = SubmitField(_l("Show"))

    def offer(self, boards: list[Board]) -> DashboardForm:
        everything = [("", _l("All"))]
        countries = sorted({b.country for b in boards})
        self.country.choices = choices(everything + [(c, c) for c in countries])
        self.board.choices = choices(everything + [(str(b.id), b.name) for b in boards])
        self.category.choices = choices(everything + [(c.value, c.label) for c in ServiceCategory])
        return self

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.start.data and self.end.data and self.start.data > self.end.data:
            self.end.errors.append(_l("The last month comes before the first."))
            return False
        return valid

    def filters(self) -> Filters:
        return Filters(
            country=self.country.data or None,
            board_id=int(self.board.data) if self.board.data else None,
            category=self.category.data or None,
            start=self.start.data,
            end=self.end.data,
        )
