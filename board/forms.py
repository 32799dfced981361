"""Form pieces that several areas use."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, SelectMultipleField, SubmitField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from board.i18n import LANGUAGES, STAFF_LANGUAGES, html_lang


class CheckboxesField(SelectMultipleField):
    """Several choices as a group of checkboxes (no multi-select box to fight with)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def language_choices(staff: bool = False) -> list[SelectChoice]:
    """Every shipped language (``staff``: those staff pages are offered in), named in itself
    and marked with its own ``lang``."""
    return [
        SelectChoice(code, name, render_kw={"lang": html_lang(code), "dir": direction})
        for code, (name, direction) in (STAFF_LANGUAGES if staff else LANGUAGES).items()
    ]


# The days a date field takes: a day at the ends of the calendar (0001-01-01, 9999-12-31)
# cannot be turned into an instant in every time zone, nor a day added to it.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(9998, 12, 31)


def sane_day(form, field) -> None:
    """A date field's validator: the day lies between FIRST_DAY and LAST_DAY."""
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(
            _l(
                "Choose a day between %(first)s and %(last)s.",
                first=FIRST_DAY.isoformat(),
                last=LAST_DAY.isoformat(),
            )
        )


class _CatalogueTranslations:
    """WTForms' own messages looked up in our catalogues, so every shipped language has them."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class BaseForm(FlaskForm):
    """Every form of the application: CSRF-protected, with messages from our catalogues."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _CatalogueTranslations()


class SubForm(Form):
    """A group of fields repeated inside a BaseForm (a FieldList of FormFields): the outer
    form carries the CSRF token; the messages come from our catalogues all the same."""

    class Meta:
        def get_translations(self, form):
            return _CatalogueTranslations()


# The WTForms messages our forms can show, listed so that pybabel extracts them.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid email address."),
    _l("Not a valid integer value."),
    _l("Not a valid choice."),
    _l("Not a valid date value."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field cannot be longer than %(max)d character."),
    _l("Field cannot be longer than %(max)d characters."),
    _l("'%(value)s' is not a valid choice for this field."),
    _l("'%(value)s' are not valid choices for this field."),
)


class ConfirmForm(BaseForm):
    """A form with only its CSRF token, for buttons that change something."""

    submit = SubmitField(_l("Confirm"))


def _field_named(form, name: str):
    """The form's field of this name, looked for inside repeated groups too
    ("findings-2-text")."""
    fields = list(form)
    while fields:
        field = fields.pop()
        if field.name == name:
            return field
        if name.startswith(field.name + "-") and isinstance(field, FieldList | FormField):
            fields.extend(field)
    return None


def show_error(form, error) -> None:
    """Put a service's translated error next to the field it names (or above the form)."""
    name: str = getattr(error, "field", None) or ""
    field = _field_named(form, name) if name else None
    if field is None:
        form.form_errors.append(str(error.message))
        return
    field.errors = [*field.errors, str(error.message)]
    for group in form:
        # A repeated group gathered its entries' errors when it was validated: add this one.
        if isinstance(group, FieldList) and name.startswith(group.name + "-"):
            group.errors = [*group.errors, {name: field.errors}]
