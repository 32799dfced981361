"""Everything a child touches: joining with a code, choosing a language, the explanation,
the meeting's home, calling an adult, and "I am finished"."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from board.actions import queries as action_queries
from board.actions import services as action_services
from board.actions.models import Action
from board.auth import signin
from board.boards.models import Service
from board.db import db
from board.extensions import limiter
from board.feedback import services as feedback_services
from board.feedback.models import Feedback
from board.forms import ConfirmForm
from board.i18n import LANGUAGES, current_language, use_board_languages
from board.meetings.models import Meeting
from board.participate import admission, entry, give, guard, offline, tablet
from board.participate.forms import WRONG_CODE, FeedbackForm, JoinForm, ProposalForm
from board.summaries import queries as summary_queries
from board.voting import services as voting

bp = Blueprint("participate", __name__)


@bp.route("/join", methods=["GET", "POST"])
# One count for typed codes and codes in the address (a link can be guessed as well as a
# code typed): what is limited, and why, is in board.participate.entry.
@limiter.limit(
    lambda: current_app.config["JOIN_LIMIT_PER_CLIENT"],
    methods=["GET", "POST"],
    exempt_when=entry.not_limited,
    deduct_when=entry.counted,
)
def join():
    """Type or scan the code from the big screen, in the tablet's language or one chosen
    here."""
    form = JoinForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:20]
        form.key.data = request.args.get("key", "")[:64]
        known = entry.find(form.code.data)
        if known is not None:
            use_board_languages(known.board.language_codes)
            g.helpline = known.board.helpline
    if form.validate_on_submit():
        meeting = entry.find(form.code.data)
        if meeting is not None:
            chosen = _language_chosen_here(meeting)
            _sign_staff_out()
            started = tablet.start(meeting)
            # In the line at once, so the facilitator sees it while the child picks a
            # language; counted in the attendance only once let in.
            admission.wait(db, meeting, started.token)
            entry.remember_room(meeting)
            db.commit()
            if chosen is None:
                return redirect(url_for("participate.language"))
            session["lang"] = chosen
            return redirect(url_for("participate.welcome"))
        form.code.errors.append(str(WRONG_CODE))
    return render_template(
        "participate/join.html", form=form, languages=_join_languages()
    ), 400 if form.errors else 200


def _join_languages() -> list[str]:
    """The join page's language switch: the board's languages when the code in the address
    names a meeting, else every shipped one."""
    return [code for code in g.get("board_languages") or LANGUAGES if code in LANGUAGES]


def _language_chosen_here(meeting: Meeting) -> str | None:
    """The language chosen on the join page (with its switch, which keeps it in the session),
    if the meeting's board offers it: the rest of the way in speaks it. One left by a child
    whose session is still on this tablet is theirs, not the new child's."""
    chosen = session.get("lang")
    if tablet.load() is not None or chosen not in LANGUAGES:
        return None
    return chosen if chosen in meeting.board.language_codes else None


def _sign_staff_out() -> None:
    """A child joins on this browser: no staff sign-in may survive onto their tablet, and
    nothing a staff page left in the session either (CHILD-SAFETY rules 1, 13)."""
    signin.sign_out()
    keep = {tablet.KEY, "csrf_token", "_remember"}
    for key in [key for key in session if key not in keep]:
        session.pop(key)


@bp.get("/join/wait")
@tablet.tablet_required(ready=False, admitted=False)
def waiting():
    """A calm page until the facilitator lets this tablet in; it looks again by itself."""
    if g.admitted or admission.wait(db, g.meeting, g.tablet.token):
        db.commit()
        return redirect(url_for("participate.home"))
    db.commit()
    return render_template("participate/waiting.html", label=admission.label_for(g.tablet.token))


@bp.route("/join/language", methods=["GET", "POST"])
@tablet.tablet_required(ready=False, admitted=False)
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
@tablet.tablet_required(ready=False, admitted=False)
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


@bp.get("/meeting/here")
@tablet.tablet_required(ready=False, admitted=False)
def still_here():
    """The page says a child is still using it (typing, or "Yes, I am here"): the server's
    idle check starts again. Nothing else."""
    return "", 204


@bp.get("/meeting")
@tablet.tablet_required()
def home():
    """The meeting's home on the tablet."""
    return render_template("participate/home.html")


@bp.post("/help")
@tablet.tablet_required(ready=False, admitted=False)
def help_call():
    """ "I want to talk to an adult": alert the facilitator; store nothing the child said."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if give.help_call(g.meeting, g.tablet.token, admitted=g.admitted) is not None:
        return redirect(url_for("participate.help_sent"))
    # Said by the page, not flashed: flashes ride in the cookie, and fifty presses that
    # never show a page would grow it past what a browser keeps.
    return redirect(url_for("participate.help_sent", again=1))


@bp.get("/help")
@tablet.tablet_required(ready=False, admitted=False)
def help_sent():
    return render_template("participate/help_sent.html", again=request.args.get("again") == "1")


@bp.post("/finish")
def finish():
    """ "I am finished": wipe the tablet's session; the next child starts at the code."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _finished()


def _finished(sent: bool = False):
    """End the session and go back to the code, saying (after an idle reset that sent the
    answer the child had started) that it was sent."""
    current = tablet.load()
    meeting = db.get(Meeting, current.meeting_id) if current else None
    tablet.end()
    code = meeting.join_code if meeting is not None and meeting.is_open else None
    return redirect(url_for("participate.join", code=code, done=1, sent=1 if sent else None))


def _given():
    """After an answer, an idea or a vote: thanks, or, when the idle reset sent a started
    form (``finish``), the end of the session."""
    if request.form.get("finish"):
        return _finished(sent=True)
    return redirect(url_for("participate.thanks"))


def _dropped():
    """A started form the idle reset sent, that cannot be taken as it is: the tablet starts
    again for the next child all the same, and nothing claims it was sent."""
    return _finished() if request.form.get("finish") else None


# What a child gives ------------------------------------------------------------------------


def _services_for(meeting):
    """The meeting's agenda services first, then the board's other active ones."""
    agenda = [s for s in meeting.services if s.active]
    others = [s for s in meeting.board.services if s.active and s not in agenda]
    return agenda, others


@bp.get("/meeting/services")
@tablet.tablet_required()
def services_list():
    agenda, others = _services_for(g.meeting)
    return render_template("participate/services.html", agenda=agenda, others=others)


@bp.route("/meeting/services/<int:service_id>", methods=["GET", "POST"])
@tablet.tablet_required()
def give_feedback(service_id: int):
    """Five faces and two optional questions; everything may be skipped."""
    service = db.get(Service, service_id)
    if service is None or not _offered(service):
        abort(404)
    form = FeedbackForm()
    earlier = _earlier_answer(service)
    if form.validate_on_submit():
        given = give.feedback(
            g.meeting,
            g.tablet.token,
            service,
            form,
            language=current_language(),
            replacing=earlier.id if earlier else None,
        )
        if given is None:
            return _dropped() or _already_have_it()
        g.tablet.gave_feedback(given, replacing=earlier.id if earlier else None)
        tablet.save(g.tablet)
        return _given()
    if dropped := _dropped():
        return dropped
    form.once.data = guard.issue_once(g.tablet.token)
    return render_template(
        "participate/feedback.html",
        form=form,
        service=service,
        earlier=earlier,
        pass_=_pass(replacing=earlier.id if earlier else None),
    ), 400 if form.errors else 200


def _pass(path: str | None = None, **what) -> str:
    """The sealed pass of a form sent to ``path`` (this page's address by default), for the
    tablet's offline queue (board.participate.offline)."""
    return offline.issue_pass(
        g.meeting.id, g.tablet.token, current_language(), path or request.path, **what
    )


@bp.app_context_processor
def _bar_passes():
    """The passes of the help and "I am finished" buttons, on every child page of a session
    (see ``_pass``)."""

    def bar_pass(endpoint: str) -> str:
        if g.get("tablet") is None or g.get("meeting") is None:
            return ""
        return _pass(url_for(endpoint))

    return {"bar_pass": bar_pass}


def _offered(service: Service) -> bool:
    """A service this meeting's children can answer about (any other is not found)."""
    return service.board_id == g.meeting.board_id and service.active


def _earlier_answer(service: Service) -> Feedback | None:
    """This session's answer about this service, if it gave one (the cookie says)."""
    for feedback_id in g.tablet.feedback:
        feedback = db.get(Feedback, feedback_id)
        if (
            feedback is not None
            and feedback.meeting_id == g.meeting.id
            and feedback.service_id == service.id
        ):
            return feedback
    return None


def _already_have_it():
    # i18n: a child's form arrived a second time (a double tap, an old page); calm, no blame.
    flash(_("We have this already. Thank you!"), "info")
    return redirect(url_for("participate.thanks"))


@bp.get("/meeting/thanks")
@tablet.tablet_required()
def thanks():
    return render_template("participate/thanks.html")


@bp.get("/meeting/mine")
@tablet.tablet_required()
def mine():
    """What this child gave during this session, with a way to take each back."""
    given = [db.get(Feedback, i) for i in g.tablet.feedback]
    given = [f for f in given if f is not None and f.meeting_id == g.meeting.id]
    ideas = [db.get(Action, i) for i in g.tablet.proposals]
    ideas = [a for a in ideas if a is not None and a.board_id == g.meeting.board_id]
    return render_template("participate/mine.html", given=given, ideas=ideas, form=ConfirmForm())


@bp.post("/meeting/mine/<kind>/<int:item_id>/delete")
@tablet.tablet_required()
def take_back(kind: str, item_id: int):
    """Take back one answer or idea: only what this session gave (the signed cookie says)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if kind == "feedback" and item_id in g.tablet.feedback:
        _take_back_answer(item_id)
    elif kind == "idea" and item_id in g.tablet.proposals:
        action_services.take_back_idea(db, g.meeting.board, item_id)
        g.tablet.proposals.remove(item_id)
    else:
        abort(404)
    db.commit()
    tablet.save(g.tablet)
    flash(_("It is taken back. Nobody will read it."), "info")
    return redirect(url_for("participate.mine"))


def _take_back_answer(feedback_id: int) -> None:
    """An answer taken back may be given again: the service is no longer answered."""
    feedback = db.get(Feedback, feedback_id)
    if feedback is not None and feedback.meeting_id == g.meeting.id:
        guard.took_back(g.tablet.token, g.meeting.id, feedback.service_id)
    feedback_services.take_back(db, g.meeting, feedback_id)
    g.tablet.feedback.remove(feedback_id)


@bp.route("/meeting/propose", methods=["GET", "POST"])
@tablet.tablet_required()
def propose():
    """A child proposes an action; a facilitator reads it first."""
    form = ProposalForm()
    if form.validate_on_submit():
        action = give.idea(g.meeting, g.tablet.token, form, language=current_language())
        if action is None:
            return _dropped() or _already_have_it()
        g.tablet.gave_idea(action.id)
        tablet.save(g.tablet)
        return _given()
    if dropped := _dropped():
        return dropped
    form.once.data = guard.issue_once(g.tablet.token)
    return render_template(
        "participate/propose.html", form=form, pass_=_pass()
    ), 400 if form.errors else 200


@bp.route("/meeting/vote", methods=["GET", "POST"])
@tablet.tablet_required()
def vote():
    """The open ballot: tick (approval) or share dots with + and -; results once closed."""
    ballot = voting.current_ballot(db, g.meeting) or voting.latest_ballot(db, g.meeting)
    closed = ballot is None or not ballot.is_open
    if request.method == "POST" and closed and (dropped := _dropped()):
        return dropped
    if ballot is None:
        return render_template("participate/vote_none.html")
    if not ballot.is_open:
        return render_template(
            "participate/vote_results.html", ballot=ballot, results=voting.results(db, ballot)
        )
    if voting.has_voted(db, g.meeting, ballot, g.tablet.token):
        return _dropped() or render_template("participate/vote_done.html", ballot=ballot)
    if request.method == "GET":
        return _vote_page(ballot, voting.read_points({}, ballot))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    points = voting.read_points(request.form, ballot)
    if adjust := request.form.get("adjust", ""):
        return _vote_page(ballot, voting.adjust_points(points, adjust, ballot))
    return _cast(ballot, points)


def _cast(ballot, points: dict[int, int]):
    try:
        counted = give.vote(g.meeting, g.tablet.token, ballot, points)
    except voting.VoteError as problem:
        db.rollback()
        return _dropped() or _vote_page(ballot, points, str(problem.message))
    if counted is None:
        return _dropped() or render_template("participate/vote_done.html", ballot=ballot)
    return _given() if request.form.get("finish") else redirect(url_for("participate.vote"))


def _vote_page(ballot, points: dict[int, int], error: str | None = None):
    return render_template(
        "participate/vote.html",
        ballot=ballot,
        points=points,
        error=error,
        form=ConfirmForm(),
        left=max(0, ballot.dots - sum(points.values())),
        pass_=_pass(ballot_id=ballot.id),
    ), 400 if error else 200


@bp.get("/meeting/outcomes")
@tablet.tablet_required()
def outcomes():
    """ "You said, we did": what became of the board's actions, in the child's language."""
    return render_template(
        "participate/outcomes.html",
        actions=action_queries.outcomes_for_children(db, g.meeting.board),
        responses=summary_queries.responses_for_children(db, g.meeting.board),
        lang=current_language(),
    )
