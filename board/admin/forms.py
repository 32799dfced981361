"""Administration forms. Choices that depend on the database are filled in by the view."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from board.auth.models import Role
from board.auth.two_factor import Policy
from board.boards.models import MIN_THRESHOLD, OrganisationKind, ServiceCategory
from board.forms import BaseForm, CheckboxesField, choices, language_choices


def _country():
    return StringField(
        _l("Country code"),
        validators=[
            DataRequired(),
            Regexp(r"^[A-Za-z]{2}$", message=_l("Two letters, such as AL.")),
        ],
        description=_l("Two letters, such as AL, XK, BG, PL or RO."),
    )


class OrganisationForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=choices((k.value, k.label) for k in OrganisationKind),
        validators=[DataRequired()],
    )
    country = StringField(
        _l("Country code"),
        validators=[Optional(), Regexp(r"^[A-Za-z]{2}$", message=_l("Two letters, such as AL."))],
        description=_l("Leave empty for an international body."),
    )
    submit = SubmitField(_l("Save"))


class BoardForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=120)])
    country = _country()
    # The choices are filled by the view (the board's country's zones first); a value not
    # in them is refused by the service, with its own message, and shown as given.
    timezone = SelectField(
        _l("Time zone"),
        default="",
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose a time zone.")), Length(max=64)],
        description=_l("The zones of the board's country come first."),
    )
    languages = CheckboxesField(
        _l("Languages offered to children"),
        choices=language_choices(),
        validators=[DataRequired(message=_l("Choose at least one language."))],
    )
    helpline = StringField(
        _l("Child helpline number"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("Shown on every child page, for example 116 111."),
    )
    threshold_k = IntegerField(
        _l("Smallest group shown to partners (k)"),
        default=5,
        validators=[DataRequired(), NumberRange(min=MIN_THRESHOLD, max=100)],
        description=_l("Counts under this number are hidden. Never below 3."),
    )
    service_months = SelectField(
        _l("Ratings of each service go to partners"),
        coerce=int,
        default=1,
        choices=choices(
            [
                (1, _l("Every month, with the month's summary")),
                (3, _l("Every quarter, with the summary of the quarter's last month")),
            ]
        ),
        description=_l(
            "The board's month over all services goes out every month either way. A "
            "quarter holds more children per service, so more of each can be shown safely."
        ),
    )
    retention_months = IntegerField(
        _l("Keep approved text for (months)"),
        default=24,
        validators=[DataRequired(), NumberRange(min=1, max=240)],
    )
    safeguarding_retention_months = IntegerField(
        _l("Keep closed safeguarding records for (months)"),
        default=72,
        validators=[DataRequired(), NumberRange(min=1, max=600)],
    )
    idle_seconds = IntegerField(
        _l("Seconds before an unused tablet starts again"),
        default=180,
        validators=[DataRequired(), NumberRange(min=60, max=1800)],
        description=_l("The tablet warns 30 seconds before, with a button to continue."),
    )
    offline_grace_minutes = IntegerField(
        _l("Minutes after the meeting that answers kept on a tablet are still taken"),
        default=60,
        validators=[InputRequired(), NumberRange(min=0, max=720)],
        description=_l(
            "A tablet that lost the internet keeps what children wrote and sends it when the "
            "internet is back. What it sends later than this after the meeting closed is "
            "not taken."
        ),
    )
    admit_by_tap = BooleanField(
        _l("A facilitator lets each tablet in"),
        default=True,
        description=_l(
            "Each new tablet waits until a facilitator taps “Let in”, as when handing out "
            "a paper ballot. Without it, tablets come in by themselves up to the number of "
            "children the facilitator says are present. Switch it off only for trusted rooms."
        ),
    )
    watch_names = TextAreaField(
        _l("Names to look for in children's text"),
        validators=[Optional(), Length(max=10000)],
        description=_l("One per line: staff, places, people. They are marked for the moderator."),
    )
    organisation_id = SelectField(
        _l("Organisation that runs the board"), coerce=int, validators=[DataRequired()]
    )
    partner_ids = CheckboxesField(_l("Partner organisations (they read the summaries)"), coerce=int)
    submit = SubmitField(_l("Save"))


class ServiceForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(
        _l("Kind of service"),
        choices=choices((c.value, c.label) for c in ServiceCategory),
        validators=[DataRequired()],
    )
    active = BooleanField(_l("Children can choose this service"), default=True)
    submit = SubmitField(_l("Save"))


def _role_choices():
    # No role is chosen in advance: the first one used to be network administrator, and one
    # careless click made anyone an administrator.
    return choices([("", _l("Choose a role"))] + [(r.value, r.label) for r in Role])


def _role():
    return SelectField(
        _l("Role"), choices=_role_choices, validators=[DataRequired(message=_l("Choose a role."))]
    )


class InviteForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[DataRequired()])
    locale = SelectField(
        _l("Language of the account"),
        choices=language_choices(staff=True),
    )
    role = _role()
    board_id = SelectField(
        _l("Board"), coerce=int, description=_l("For facilitators and safeguarding leads.")
    )
    # "yes" once the page that says what network administration means was answered.
    confirm_admin = HiddenField()
    submit = SubmitField(_l("Create the account and the invitation link"))


class RoleForm(BaseForm):
    role = _role()
    board_id = SelectField(
        _l("Board"), coerce=int, description=_l("For facilitators and safeguarding leads.")
    )
    confirm_admin = HiddenField()
    submit = SubmitField(_l("Add the role"))


class NetworkSettingsForm(BaseForm):
    """Who must sign in with a second factor (board.auth.two_factor.Policy)."""

    two_factor = RadioField(
        _l("Who must use two-factor sign-in"),
        choices=choices(
            [
                (
                    Policy.LEADS_AND_ADMINS.value,
                    _l("Administrators and safeguarding leads (recommended); others may"),
                ),
                (Policy.ALL.value, _l("Every staff account")),
                (Policy.OPTIONAL.value, _l("No one must; everyone may")),
            ]
        ),
        validators=[InputRequired(message=_l("Choose who must use it."))],
    )
    code = StringField(
        _l("Code from your app"),
        validators=[Optional(), Length(max=40)],
        description=_l(
            "Needed to require it of fewer accounts: the 6-digit code your app shows now."
        ),
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )
    submit = SubmitField(_l("Save the settings"))
