"""Form pieces that several areas use."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, SubmitField, widgets
from wtforms.fields.choices import SelectChoice

from board.i18n import LANGUAGES, html_lang


class CheckboxesField(SelectMultipleField):
    """Several choices as a group of checkboxes (no multi-select box to fight with)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def language_choices() -> list[SelectChoice]:
    """Every shipped language, named in itself and marked with its own ``lang``."""
    return [
        SelectChoice(code, name, render_kw={"lang": html_lang(code), "dir": direction})
        for code, (name, direction) in LANGUAGES.items()
    ]


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


def show_error(form, error) -> None:
    """Put a service's translated error next to the field it names (or above the form)."""
    field = getattr(form, error.field, None) if getattr(error, "field", None) else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))
