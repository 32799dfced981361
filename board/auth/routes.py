"""Sign in and out, invitations, password change."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from board.auth import services, signin, throttle
from board.auth.forms import ChangePasswordForm, LoginForm, SetPasswordForm
from board.db import db
from board.errors import render_error
from board.extensions import limiter
from board.web import redirect_back

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
            signin.sign_in(user)
            return redirect_back()
        throttle.note_failure(email, address)
        form.password.errors.append(_("The email or the password is not right."))
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 400


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
            signin.sign_in(user)
            flash(_("Welcome. Your password is set."), "success")
            return redirect(url_for("home.index"))
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
