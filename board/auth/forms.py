"""Sign-in, invitation and password forms."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from board.auth.services import MIN_PASSWORD_LENGTH
from board.forms import BaseForm


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Sign in"))


def _new_password_fields():
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    return password, confirm


class SetPasswordForm(BaseForm):
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Set password and sign in"))


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=200)]
    )
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Change password"))


class CodeForm(BaseForm):
    """The second step: a code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        render_kw={"spellcheck": "false", "autocapitalize": "off"},
    )
    submit = SubmitField(_l("Continue"))


class EnrolForm(BaseForm):
    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("The 6-digit code the app shows after you scanned the QR code."),
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField(_l("Turn on two-factor sign-in"))


class NewRecoveryCodesForm(BaseForm):
    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("The 6-digit code your authenticator app shows now."),
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField(_l("Make new recovery codes"))
