"""The missing-wordings page of a board, and the facilitator's page for a service's names."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board.auth.access import can_run_meetings
from board.boards.models import Board, Service
from board.boards.services import BoardError, save_service_names
from board.db import db
from board.forms import show_error
from board.web import get_allowed
from board.wordings import queries
from board.wordings.forms import ServiceNamesForm, names_data, typed_names, with_names

bp = Blueprint("wordings", __name__)


@bp.get("/boards/<int:board_id>/wordings")
@login_required
def board_wordings(board_id: int):
    """For each language of the board, what its children read without a wording in it,
    each with a link to where it is added; and the interface's untranslated messages."""
    board = get_allowed(Board, board_id, lambda b: can_run_meetings(current_user, b))
    texts = queries.board_texts(db, board)
    return render_template(
        "wordings/board.html",
        board=board,
        total=len(texts),
        missing=queries.missing_by_language(texts, board.language_codes),
        interface={code: queries.interface_gaps(code) for code in board.language_codes},
    )


@bp.route("/services/<int:service_id>/names", methods=["GET", "POST"])
@login_required
def service_names(service_id: int):
    """A service's name as children read it, in each language of its board."""
    service = get_allowed(Service, service_id, lambda s: can_run_meetings(current_user, s.board))
    board = service.board
    form = with_names(ServiceNamesForm, board)(data=names_data(service))
    if form.validate_on_submit():
        try:
            save_service_names(db, current_user, service, typed_names(form, board))
        except BoardError as error:
            show_error(form, error)
        else:
            db.commit()
            flash(_("The names are saved."), "success")
            return redirect(url_for("wordings.board_wordings", board_id=board.id))
    return render_template(
        "wordings/service.html", form=form, board=board, service=service
    ), 400 if form.errors else 200
