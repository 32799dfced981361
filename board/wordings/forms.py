"""A service's name for children, one field per language its board offers: on the
administrator's service form and on the facilitator's own page for the names."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional

from board.boards.models import Board, Service
from board.boards.services import MAX_SERVICE_NAME
from board.forms import BaseForm
from board.i18n import html_lang, language_name


def name_field(code: str) -> str:
    """The form field of the name in language ``code``."""
    return f"name_{code}"


def with_names(form_class: type[BaseForm], board: Board) -> type[BaseForm]:
    """``form_class`` with a field per language of ``board`` (``name_<code>``): whatever
    script is typed into it shows in its own direction (``dir="auto"``)."""
    fields = {
        name_field(code): StringField(
            # i18n: a form label; the language is named in itself, such as "Shqip".
            _l("Name for children in %(language)s", language=language_name(code)),
            validators=[Optional(), Length(max=MAX_SERVICE_NAME)],
            render_kw={"dir": "auto", "lang": html_lang(code), "maxlength": MAX_SERVICE_NAME},
        )
        for code in board.language_codes
    }
    return type(form_class.__name__, (form_class,), fields)


def names_data(service: Service | None) -> dict[str, str]:
    """A form's starting values from the names a service has."""
    names = (service.names or {}) if service is not None else {}
    return {name_field(code): text for code, text in names.items()}


def typed_names(form: BaseForm, board: Board) -> dict[str, str]:
    """The names typed into the form, per language of ``board``."""
    return {code: form[name_field(code)].data or "" for code in board.language_codes}


class ServiceNamesForm(BaseForm):
    submit = SubmitField(_l("Save the names"))
