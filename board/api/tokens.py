"""Administrators make and revoke an organisation's API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from board.api import services
from board.api.models import ApiToken
from board.auth.access import only_administrators
from board.boards.models import Organisation
from board.db import db
from board.forms import BaseForm, ConfirmForm, show_error
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
        confirm=ConfirmForm(),
    ), 400 if form.errors else 200


@bp.post("/tokens/<int:token_id>/revoke")
def revoke(token_id: int):
    token = get_or_404(ApiToken, token_id)
    if ConfirmForm().validate_on_submit():
        services.revoke_token(db, current_user, token)
        db.commit()
        flash(_("The token is revoked: it no longer opens the API."), "success")
    return redirect(url_for("tokens.organisation_tokens", organisation_id=token.organisation_id))
