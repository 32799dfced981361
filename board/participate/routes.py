"""Everything a child touches: joining with a code, choosing a language, the explanation,
the meeting's home, calling an adult, and "I am finished"."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from board.db import db
from board.extensions import limiter
from board.forms import ConfirmForm
from board.i18n import LANGUAGES
from board.meetings import services as meetings
from board.meetings.models import Meeting
from board.participate import tablet
from board.participate.forms import WRONG_CODE, JoinForm

bp = Blueprint("participate", __name__)


def _failed(response) -> bool:
    """Only wrong codes count towards the limit."""
    return response.status_code != 302


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["JOIN_LIMIT_PER_CLIENT"], methods=["POST"], deduct_when=_failed
)
def join():
    """Type or scan the code from the big screen."""
    form = JoinForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:20]
        known = meetings.find_open_meeting(db, form.code.data)
        if known is not None:
            g.board_languages = known.board.language_codes
            g.helpline = known.board.helpline
    if form.validate_on_submit():
        meeting = meetings.find_open_meeting(db, form.code.data)
        if meeting is not None:
            tablet.start(meeting)
            meetings.count_tablet(db, meeting)
            db.commit()
            return redirect(url_for("participate.language"))
        form.code.errors.append(str(WRONG_CODE))
    return render_template("participate/join.html", form=form), 400 if form.errors else 200


@bp.route("/join/language", methods=["GET", "POST"])
@tablet.tablet_required(ready=False)
def language():
    """Pick a language, each named in itself."""
    offered = g.meeting.board.language_codes
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        code = request.form.get("lang", "")
        if code not in offered or code not in LANGUAGES:
            abort(400)
        session["lang"] = code
        return redirect(url_for("participate.welcome"))
    return render_template("participate/language.html", offered=offered, form=ConfirmForm())


@bp.route("/join/welcome", methods=["GET", "POST"])
@tablet.tablet_required(ready=False)
def welcome():
    """What this is, who reads it, when an adult must act; then start."""
    if "lang" not in session:
        return redirect(url_for("participate.language"))
    form = ConfirmForm()
    if form.validate_on_submit():
        g.tablet.ready = True
        tablet.save(g.tablet)
        return redirect(url_for("participate.home"))
    return render_template("participate/welcome.html", form=form)


@bp.get("/meeting")
@tablet.tablet_required()
def home():
    """The meeting's home on the tablet."""
    return render_template("participate/home.html")


@bp.post("/help")
@tablet.tablet_required(ready=False)
def help_call():
    """ "I want to talk to an adult": alert the facilitator; store nothing the child said."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    meetings.call_for_help(db, g.meeting)
    db.commit()
    return redirect(url_for("participate.help_sent"))


@bp.get("/help")
@tablet.tablet_required(ready=False)
def help_sent():
    return render_template("participate/help_sent.html")


@bp.post("/finish")
def finish():
    """ "I am finished": wipe the tablet's session; the next child starts at the code."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    current = tablet.load()
    meeting = db.get(Meeting, current.meeting_id) if current else None
    tablet.end()
    code = meeting.join_code if meeting is not None and meeting.is_open else None
    return redirect(url_for("participate.join", code=code, done=1))
