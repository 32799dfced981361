"""Administrators make and revoke an organisation's API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from board.api import services
from board.api.models import ApiToken
from board.auth.access import only_administrators
from board.boards.models import Organisation
from board.confirm import ConfirmError, ConfirmStepForm, question
from board.db import db
from board.forms import BaseForm, show_error
from board.i18n import when
from board.web import get_or_404

bp = Blueprint("tokens", __name__, url_prefix="/admin")
bp.before_request(only_administrators)


class TokenForm(BaseForm):
    name = StringField(
        _l("What is it for?"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("For example: the ministry's reporting system."),
    )
    submit = SubmitField(_l("Make a token"))


@bp.route("/organisations/<int:organisation_id>/tokens", methods=["GET", "POST"])
def organisation_tokens(organisation_id: int):
    organisation = get_or_404(Organisation, organisation_id)
    form, secret = TokenForm(), None
    if form.validate_on_submit():
        try:
            _token, secret = services.create_token(db, current_user, organisation, form.name.data)
        except services.TokenError as error:
            show_error(form, error)
        else:
            db.commit()
            form = TokenForm(formdata=None)
    return render_template(
        "admin/tokens.html",
        organisation=organisation,
        tokens=services.organisation_tokens(db, organisation),
        form=form,
        secret=secret,
    ), 400 if form.errors else 200


REVOKE = "token.revoke"


@bp.get("/tokens/<int:token_id>/revoke")
def confirm_revoke(token_id: int):
    """What revoking will do, asked before it is done."""
    token = get_or_404(ApiToken, token_id)
    if not token.active:
        return redirect(
            url_for("tokens.organisation_tokens", organisation_id=token.organisation_id)
        )
    return _revoke_question(token, ConfirmStepForm().ask(REVOKE, token.id))


def _revoke_question(token: ApiToken, form: ConfirmStepForm, status: int = 200):
    name = token.organisation.name
    used = (
        _("It was last used on %(when)s.", when=when(token.last_used_at, "UTC"))
        if token.last_used_at
        else _("It has never been used.")
    )
    return question(
        title=_("Revoke this API token?"),
        subject=f"{token.name} · {token.prefix}…",
        happens=[
            _(
                "The token stops working at once: the systems of %(name)s that send it can no"
                " longer read the API.",
                name=name,
            ),
            used,
            _("It cannot be used again. If they still need the API, make them a new token."),
        ],
        form=form,
        action=url_for("tokens.revoke", token_id=token.id),
        button=_("Yes, revoke the token"),
        back=url_for("tokens.organisation_tokens", organisation_id=token.organisation_id),
        status=status,
    )


@bp.post("/tokens/<int:token_id>/revoke")
def revoke(token_id: int):
    """Revoke once the administrator confirmed; a token revoked already, or the same answer
    sent again: 409, and nothing is done again."""
    token = get_or_404(ApiToken, token_id)
    form = ConfirmStepForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if token.active:  # one that is not is said so, whatever the answer
            form.answer(REVOKE, token.id)
        services.revoke_token(db, current_user, token)
    except ConfirmError as error:
        if error.status == 400:
            show_error(form, error)
            return _revoke_question(token, form.ask(REVOKE, token.id), 400)
        return _tokens_page(token.organisation, error, 409)
    except services.TokenError as error:
        return _tokens_page(token.organisation, error, 409)
    db.commit()
    flash(_("The token is revoked: it no longer opens the API."), "success")
    return redirect(url_for("tokens.organisation_tokens", organisation_id=token.organisation_id))


def _tokens_page(organisation: Organisation, error, status: int):
    flash(str(error.message), "error")
    return render_template(
        "admin/tokens.html",
        organisation=organisation,
        tokens=services.organisation_tokens(db, organisation),
        form=TokenForm(formdata=None),
        secret=None,
    ), status
