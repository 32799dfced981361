"""Summary and response forms."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    MonthField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from board.boards.models import Board, Organisation, Service, ServiceCategory
from board.confirm import ConfirmStepForm
from board.forms import BaseForm, CheckboxesField, SubForm, choices, sane_day
from board.summaries.dashboard import Filters
from board.summaries.findings import ALL_SERVICES, FindingDraft
from board.summaries.models import ItemKind, ResponseStatus, Summary


class StartForm(BaseForm):
    period = SelectField(_l("Period"), validators=[DataRequired()])
    submit = SubmitField(_l("Compose the summary of this period"))

    def offer(self, periods: list[tuple[str, str]]) -> StartForm:
        """The periods that can be summarised, as (value, label)."""
        self.period.choices = choices(periods)
        return self

    def chosen(self) -> tuple[date, int]:
        """The chosen period: its first month and how many months."""
        first, months = self.period.data.split("/")
        return date.fromisoformat(first), int(months)


class FindingSlot(SubForm):
    """One finding on the draft page: its words, the figures and the children's words it
    rests on. A slot left empty is dropped when the draft is saved."""

    text = TextAreaField(
        _l("Finding"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3}
    )
    figures = CheckboxesField(_l("Figures it rests on"))
    quotes = CheckboxesField(_l("Children's words it rests on"))


class DraftForm(BaseForm):
    narrative = TextAreaField(
        _l("What the children said, in your words"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Paragraphs, bold, italics and lists are kept; everything else is removed."),
        render_kw={"rows": 8},
    )
    findings = FieldList(FormField(FindingSlot), max_entries=60)
    recommendations = TextAreaField(
        _l("Recommendations, one per line"),
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 4},
    )
    quotes = CheckboxesField(_l("Approved words to quote"))
    submit = SubmitField(_l("Save the draft"))

    EMPTY_SLOTS = 3  # empty findings offered below the saved ones

    def offer(self, quotable: list[tuple[str, str, date]], services: list[Service]) -> DraftForm:
        """The approved words that can be quoted, as (key, text, month), and the services
        rated in the period, whose figures a finding can rest on."""
        self.quotes.choices = choices((key, text) for key, text, _month in quotable)
        self._figure_choices = [(ALL_SERVICES, _l("All services"))]
        self._figure_choices += [(str(s.id), s.name) for s in services]
        self._slots()
        return self

    def _slots(self) -> None:
        """Every finding slot offers the same figures and words, and is named by its place."""
        for number, slot in enumerate(self.findings, start=1):
            slot.form.text.label.text = _l("Finding %(num)d", num=number)
            slot.form.figures.choices = choices(self._figure_choices)
            slot.form.quotes.choices = [*self.quotes.choices]

    def fill(self, summary: Summary) -> None:
        """The draft as saved, its quotes among the words still offered, and empty slots
        for new findings."""
        self.narrative.data = summary.narrative
        self.recommendations.data = "\n".join(
            i.text for i in summary.items if i.kind is ItemKind.RECOMMENDATION
        )
        chosen = {i.source_key for i in summary.items if i.kind is ItemKind.QUOTE}
        self.quotes.data = [c.value for c in self.quotes.choices if c.value in chosen]
        offered = {value for value, _label in self._figure_choices}
        for item in summary.items:
            if item.kind is not ItemKind.FINDING:
                continue
            figures = [
                ALL_SERVICES if link.overall else str(link.service_id) for link in item.links
            ]
            quotes = [q.source_key for q in item.quote_links]
            self.findings.append_entry(
                {
                    "text": item.text,
                    "figures": [value for value in figures if value in offered],
                    "quotes": [key for key in quotes if key in self.quotes.data],
                }
            )
        for _ in range(self.EMPTY_SLOTS):
            self.findings.append_entry()
        self._slots()

    def draft(self) -> dict:
        """What services.save_draft takes."""
        findings = []
        for slot in self.findings:
            figures = slot.form.figures.data or []
            findings.append(
                FindingDraft(
                    text=slot.form.text.data or "",
                    services=[int(value) for value in figures if value != ALL_SERVICES],
                    overall=ALL_SERVICES in figures,
                    quotes=slot.form.quotes.data or [],
                )
            )
        return {
            "narrative": self.narrative.data or "",
            "recommendations": (self.recommendations.data or "").splitlines(),
            "quotes": self.quotes.data or [],
            "findings": findings,
        }


class PublishForm(ConfirmStepForm):
    """Publishing is for good: the facilitator ticks that they know who receives it, and
    answers once (board.confirm)."""

    confirm = BooleanField(
        _l("I have checked the preview."),
        validators=[DataRequired(_l("Tick the box to confirm that you want to publish it."))],
    )
    submit = SubmitField(_l("Publish to the partners named to the children"))

    def offer(self, recipients: list[Organisation]) -> PublishForm:
        self.confirm.label.text = _l(
            "I have checked the preview. The summary goes to %(names)s; it cannot be changed "
            "afterwards.",
            names=", ".join(o.name for o in recipients),
        )
        return self


class ResponseForm(BaseForm):
    status = SelectField(
        _l("Your answer"),
        choices=choices((s.value, s.label) for s in ResponseStatus),
        validators=[DataRequired()],
    )
    what = TextAreaField(
        _l("What you will do"),
        validators=[DataRequired(_l("Write what you will do.")), Length(max=2000)],
    )
    by_when = DateField(_l("By when"), validators=[Optional(), sane_day])
    submit = SubmitField(_l("Send the answer"))

    def answer(self) -> dict:
        """What services.respond takes."""
        return {
            "status": ResponseStatus(self.status.data),
            "what": self.what.data,
            "by_when": self.by_when.data,
        }


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
