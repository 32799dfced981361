"""The start page of each role, a board's page, the language switcher, the health check."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request, session
from flask_login import current_user, login_required

from board.auth import queries
from board.auth.access import can_view_board
from board.boards.models import Board
from board.db import database_trouble, db, utcnow
from board.home import visits
from board.home.today import today_for
from board.i18n import LANGUAGES
from board.moderation import queries as moderation_queries
from board.web import get_allowed, redirect_back

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Anonymous visitors see the way in; staff see their day, their boards and tasks."""
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    now = utcnow()
    since = visits.see_home(db, current_user, now)
    db.commit()
    return render_template(
        "home/index.html",
        boards=queries.boards_for(db, current_user),
        today=today_for(db, current_user, now, since),
        now=now,
    )


@bp.get("/home/today")
@login_required
def today():
    """The top of the home page alone, for its script to refresh it in place. Not a
    showing of the page: what is marked new stays so (board.home.visits)."""
    now = utcnow()
    since = visits.new_since(current_user, now)
    return render_template(
        "home/_today.html", today=today_for(db, current_user, now, since), now=now
    )


@bp.get("/boards/<int:board_id>")
@login_required
def board(board_id: int):
    """A board's details, services and partners, for the people who work with it."""
    board = get_allowed(Board, board_id, lambda b: can_view_board(current_user, b))
    return render_template(
        "home/board.html",
        board=board,
        staff=queries.board_staff(db, board),
        moderation=moderation_queries.counts(db, board),
    )


@bp.post("/language")
def choose_language():
    """Remember an explicit language choice for this browser session."""
    code = request.form.get("lang", "")
    if code not in LANGUAGES:
        abort(400)
    session["lang"] = code
    return redirect_back()


@bp.get("/healthz")
def healthz():
    """200 once the database answers and can be written to; 503, saying why, otherwise."""
    trouble = database_trouble()
    if trouble is None:
        return jsonify(status="ok", database="ok")
    return jsonify(status="unavailable", database=trouble), 503
