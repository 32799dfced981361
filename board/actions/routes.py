"""Facilitators keep their board's advocacy actions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board.actions import queries, services
from board.actions.forms import ActionForm
from board.actions.models import Action, ActionStatus
from board.auth.access import can_run_meetings
from board.boards.models import Board, ServiceCategory
from board.db import db
from board.forms import choices, show_error
from board.i18n import LANGUAGES
from board.web import get_allowed

bp = Blueprint("actions", __name__)


def _child_texts(board: Board) -> dict:
    """The per-language wording for children, from fields ct-<lang>-title / -outcome."""
    return {
        lang: {
            "title": request.form.get(f"ct-{lang}-title", "")[:160],
            "outcome": request.form.get(f"ct-{lang}-outcome", "")[:2000],
        }
        for lang in board.language_codes
    }


def _board_for(board_id: int | None) -> Board:
    return get_allowed(Board, board_id, lambda b: can_run_meetings(current_user, b))


@bp.get("/boards/<int:board_id>/actions")
@login_required
def board_actions(board_id: int):
    board = _board_for(board_id)
    return render_template(
        "actions/list.html", board=board, actions=queries.board_actions(db, board)
    )


@bp.route("/boards/<int:board_id>/actions/new", methods=["GET", "POST"])
@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@login_required
def action(board_id: int | None = None, action_id: int | None = None):
    action = (
        get_allowed(Action, action_id, lambda a: can_run_meetings(current_user, a.board))
        if action_id
        else None
    )
    board = action.board if action else _board_for(board_id)
    form = ActionForm(obj=action)
    form.language.choices = choices((code, LANGUAGES[code][0]) for code in board.language_codes)
    if form.validate_on_submit():
        try:
            saved = services.save_action(
                db,
                current_user,
                board,
                action,
                title=form.title.data,
                description=form.description.data or "",
                language=form.language.data,
                pictogram=ServiceCategory(form.pictogram.data),
                status=ActionStatus(form.status.data),
                outcome=form.outcome.data or "",
                outcome_reason=form.outcome_reason.data or "",
                child_texts=_child_texts(board),
            )
        except services.ActionError as error:
            show_error(form, error)
        else:
            db.commit()
            flash(_("The action is saved."), "success")
            return redirect(url_for("actions.board_actions", board_id=saved.board_id))
    child_texts = (
        _child_texts(board) if request.method == "POST" else (action.child_texts if action else {})
    )
    return render_template(
        "actions/form.html", form=form, board=board, action=action, child_texts=child_texts
    ), 400 if form.errors else 200
