"""Sign in and out (password, then a code when two-factor sign-in is on), invitations,
password change, two-factor enrolment and its reset by an administrator."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from board.auth import services, signin, throttle, two_factor
from board.auth.access import roles_required
from board.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    EnrolForm,
    LoginForm,
    NewRecoveryCodesForm,
    SetPasswordForm,
)
from board.auth.models import Role, User
from board.db import db
from board.errors import render_error
from board.extensions import limiter
from board.forms import ConfirmForm
from board.rules import RuleError
from board.web import get_or_404, redirect_back, safe_path

bp = Blueprint("auth", __name__)


def _failed(response) -> bool:
    """Only failed sign-ins count towards the limit: not a success (302), and not a try
    refused (429) before any password was looked at."""
    return response.status_code not in (302, 429)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_CLIENT"], methods=["POST"], deduct_when=_failed
)
def login():
    """Staff sign-in; one message for an unknown email and a wrong password. Wrong
    passwords make this address wait for this account, longer each time (throttle)."""
    if current_user.is_authenticated:
        return redirect_back()
    email, address = services.normalise_email(request.form.get("email", "")), get_remote_address()
    if request.method == "POST" and (wait := throttle.wait_left(email, address)):
        page, code = render_error(429)
        return page, code, {"Retry-After": str(wait)}
    if request.method == "GET" and signin.carries_tablet():
        flash(
            _(
                "A child's session is open in this browser, so staff pages stay closed. "
                "Signing in here ends the child's session."
            ),
            "info",
        )
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db, form.email.data, form.password.data)
        if user is not None:
            throttle.note_success(email, address)
            return _after_password(user, request.values.get("next"))
        throttle.note_failure(email, address)
        form.password.errors.append(_("The email or the password is not right."))
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 400


def _after_password(user: User, next_path: str | None):
    """Signed in, or on to the second step: the code, or enrolment where it is required."""
    if not user.has_two_factor and not two_factor.must_enrol(user):
        signin.sign_in(user)
        return redirect(safe_path(next_path))
    signin.begin_second_step(user, safe_path(next_path))
    return redirect(url_for("auth.second_step" if user.has_two_factor else "auth.enrol"))


@bp.before_app_request
def enrolment_first():
    """A signed-in account that must use two-factor sign-in and has not set it up opens
    nothing but the enrolment page (and signing out) until it has."""
    if request.endpoint in _OPEN_BEFORE_ENROLMENT or not current_user.is_authenticated:
        return None
    if two_factor.must_enrol(current_user):
        return redirect(url_for("auth.enrol"))
    return None


_OPEN_BEFORE_ENROLMENT = {
    "static",
    "auth.enrol",
    "auth.logout",
    "home.healthz",
    "home.choose_language",
}


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_CLIENT"], methods=["POST"], deduct_when=_failed
)
def second_step():
    """The code from the phone (or a recovery code), after the right password."""
    if current_user.is_authenticated:
        return redirect_back()
    user = signin.pending_user()
    if user is None:
        flash(
            _("Enter your email and password again: the sign-in was not finished in time."), "info"
        )
        return redirect(url_for("auth.login"))
    if not user.has_two_factor:
        return redirect(url_for("auth.enrol"))
    address = get_remote_address()
    if request.method == "POST" and (waiting := signin.code_wait(user, address)):
        return waiting
    form, status = CodeForm(), 200 if request.method == "GET" else 400
    if form.validate_on_submit():
        try:
            kind = two_factor.verify(db, user, form.code.data)
        except two_factor.TwoFactorError as error:
            if signin.code_failed(user, error, address):
                signin.end_second_step()
                return signin.code_wait(user, address)
            form.code.errors.append(str(error.message))
            status = 401
        else:
            db.commit()
            throttle.note_success(user.email, address, throttle.CODE)
            if kind == "recovery":
                flash(_recovery_note(user), "info")
            return redirect(safe_path(signin.finish_second_step(user)))
    return render_template("auth/second_step.html", form=form), status


def _recovery_note(user: User) -> str:
    left = two_factor.recovery_codes_left(db, user)
    return ngettext(
        "You signed in with a recovery code. %(num)d is left: make new ones on the two-factor "
        "page.",
        "You signed in with a recovery code. %(num)d are left: make new ones on the two-factor "
        "page.",
        left,
    )


@bp.route("/account/two-factor/enrol", methods=["GET", "POST"])
@limiter.limit("30 per 10 minutes", methods=["POST"])
def enrol():
    """Set up two-factor sign-in: scan the QR code (or type the key), confirm with a code,
    and take the recovery codes, shown this once. For a signed-in account, or one whose
    password was just right and who must enrol before going anywhere."""
    user = (
        current_user._get_current_object()
        if current_user.is_authenticated
        else signin.pending_user()
    )
    if user is None:
        return current_app.login_manager.unauthorized()
    if user.has_two_factor:
        flash(_("Two-factor sign-in is set up already."), "info")
        signed_in = current_user.is_authenticated
        return redirect(url_for("auth.two_factor_page" if signed_in else "auth.second_step"))
    secret = two_factor.start_enrolment(user)
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(db, user, form.code.data)
        except RuleError as error:
            form.code.errors.append(str(error.message))
        else:
            db.commit()
            next_path = safe_path(signin.finish_second_step(user))
            return render_template("auth/recovery_codes.html", codes=codes, next_path=next_path)
    uri = two_factor.provisioning_uri(user, secret)
    return render_template(
        "auth/enrol.html",
        form=form,
        qr=two_factor.qr_svg(uri, _("QR code to add board to your authenticator app")),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        required=two_factor.required_for(user),
    ), 400 if form.errors else 200


@bp.get("/account/two-factor")
@login_required
def two_factor_page():
    """One's own two-factor sign-in: on or off, recovery codes left, new ones."""
    return _two_factor_page(NewRecoveryCodesForm())


def _two_factor_page(form, status: int = 200):
    user = current_user._get_current_object()
    return render_template(
        "auth/two_factor.html",
        form=form,
        required=two_factor.required_for(user),
        codes_left=two_factor.recovery_codes_left(db, user) if user.has_two_factor else 0,
    ), status


@bp.post("/account/two-factor/recovery-codes")
@login_required
@limiter.limit("30 per 10 minutes")
def new_recovery_codes():
    """Ten new recovery codes (the old ones stop working), after a code from the app."""
    form = NewRecoveryCodesForm()
    if not current_user.has_two_factor:
        return redirect(url_for("auth.enrol"))
    if not form.validate_on_submit():
        return _two_factor_page(form, 400)
    user, address = current_user._get_current_object(), get_remote_address()
    if waiting := signin.code_wait(user, address):
        return waiting
    try:
        codes = two_factor.regenerate_recovery_codes(db, user, form.code.data)
    except two_factor.TwoFactorError as error:
        if signin.code_failed(user, error, address):
            return signin.code_wait(user, address)
        form.code.errors.append(str(error.message))
        return _two_factor_page(form, 401)
    db.commit()
    return render_template(
        "auth/recovery_codes.html", codes=codes, next_path=url_for("auth.two_factor_page")
    )


@bp.route("/admin/accounts/<int:user_id>/two-factor/reset", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def reset_two_factor(user_id: int):
    """An administrator turns a person's two-factor sign-in off (a lost phone), after a
    page that says what follows: every session of theirs ends, and they set it up again."""
    user = get_or_404(User, user_id)
    if user.id == current_user.id:
        # It would end the administrator's own password and session before they saw the link.
        flash(
            _(
                "Your own two-factor sign-in is reset by another administrator. A lost phone: "
                "sign in with a recovery code, then make new codes on your two-factor page."
            ),
            "error",
        )
        return redirect(url_for("admin.account", user_id=user.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        if user.has_two_factor or user.totp_secret:
            link = two_factor.reset(
                db, current_user, user, ttl_hours=current_app.config["INVITATION_TTL_HOURS"]
            )
            db.commit()
            throttle.end_pause(user.email)
            if link:  # shown once on the account page, as a new sign-in link is
                session["invitation_link"] = link
        flash(
            _(
                "Two-factor sign-in of %(name)s is reset. They choose a new password from the "
                "link sent to them, then set it up again.",
                name=user.name,
            ),
            "success",
        )
        return redirect(url_for("admin.account", user_id=user.id))
    return render_template("auth/reset_two_factor.html", user=user, form=form)


@bp.post("/logout")
def logout():
    """Sign out (a POST, so no other site can sign someone out)."""
    signin.sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit("30 per 10 minutes", methods=["POST"])
def accept_invitation(token: str):
    """The invited person chooses a password and is signed in."""
    try:
        invitation = services.check_invitation(db, token)
    except services.InvitationInvalid as error:
        return render_error(410, str(error.message))
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(db, token, form.password.data)
        except services.InvitationInvalid as error:  # used up by another request meanwhile
            db.rollback()
            return render_error(410, str(error.message))
        except services.AccountError as error:
            form.password.errors.append(str(error.message))
        else:
            db.commit()
            throttle.end_pause(user.email)
            flash(_("Welcome. Your password is set."), "success")
            return _after_password(user, None)
    status = 400 if form.errors else 200
    return render_template("auth/invitation.html", form=form, user=invitation.user), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; other sessions of the account end."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                db, current_user, form.current_password.data, form.password.data
            )
        except services.AccountError as error:
            getattr(form, error.field or "password").errors.append(str(error.message))
        else:
            db.commit()
            signin.sign_in(current_user._get_current_object())  # the session carries the new epoch
            flash(_("Your password is changed."), "success")
            return redirect(url_for("home.index"))
    status = 400 if form.errors else 200
    return render_template("auth/password.html", form=form), status
