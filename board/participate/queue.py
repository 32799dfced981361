"""The tablet's side of going offline: the service worker's script, the calm page it shows
when the network is gone, and the door its queue comes back through (board.participate.offline
says what is sealed how)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from board.boards.models import Service
from board.db import db
from board.extensions import csrf, limiter
from board.feedback.models import Feedback
from board.i18n import LANGUAGES, force_language, use_board_languages
from board.meetings.models import Meeting
from board.participate import admission, give, offline, tablet
from board.participate.forms import FeedbackForm, ProposalForm
from board.voting import services as voting
from board.voting.models import Ballot

bp = Blueprint("queue", __name__)

# What the service worker keeps, to show child pages without a network: the look of them.
# Never a page made from the database.
SHELL = ("board.css", "js/tablet.js")
SHELL_FOLDERS = ("icons", "faces", "pictograms")


def _shell() -> list[str]:
    static = current_app.static_folder or ""
    files = list(SHELL)
    for folder in SHELL_FOLDERS:
        files += sorted(f"{folder}/{p.name}" for p in (Path(static) / folder).glob("*.svg"))
    return [url_for("static", filename=name) for name in files]


@bp.get("/sw.js")
def service_worker():
    """The service worker, for the child pages only (``/join``, ``/meeting``, ``/help``,
    ``/finish``): every other page and every API call passes it untouched and uncached."""
    shell = _shell()
    pages = [url_for("queue.offline_page", lang=code) for code in LANGUAGES]
    key = offline.public_key()
    version = hashlib.sha256("\n".join([*shell, *pages, key]).encode()).hexdigest()[:16]
    script = render_template("participate/sw.js", look=shell, pages=pages, key=key, version=version)
    response = Response(script, mimetype="text/javascript")
    # Its own address decides what it may control; no-store (board.security) makes the
    # browser look for a new one on every visit.
    return response


@bp.get("/join/offline/<lang>")
def offline_page(lang: str):
    """The calm page a tablet shows without a network, in each shipped language; the
    service worker keeps one of each and says which of its messages to show."""
    if lang not in LANGUAGES:
        abort(404)
    use_board_languages([lang])
    with force_language(lang):
        return render_template("participate/offline.html", offline_page=True)


def _answer(status: str, code: int = 200, **more):
    return jsonify(status=status, **more), code


def _left(data: dict) -> int:
    try:
        return max(0, min(int(data.get("left") or 0), 1000))
    except (TypeError, ValueError, OverflowError):  # "left": Infinity
        return 0


@bp.post("/meeting/queue")
@csrf.exempt  # no cookie gives authority here: the sealed pass inside the envelope does
@limiter.limit(lambda: current_app.config["QUEUE_LIMIT_PER_CLIENT"])
def receive():
    """One form from a tablet's offline queue: stored once, and only while its meeting
    still takes answers. 200 for stored (or already stored: the tablet forgets it), 4xx for
    one never to be taken (the tablet forgets it too), 5xx or no answer: the tablet keeps it
    and tries again later.

    ``{"ping": true}`` only says how many answers the tablet holds (for the room screen);
    ``left`` is how many it holds after this one.
    """
    # The service worker's own request; a page of another site cannot make this one.
    if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
        abort(403)
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # JSON nested past Python's stack
        data = None
    if not isinstance(data, dict):
        return _answer("refused", 400, reason="not json")
    try:
        content = offline.open_envelope(data.get("envelope"))
        fields = _fields(content.get("fields"))
        given = offline.open_pass(fields.get("pass"))
        if content.get("path") != given.path:
            raise offline.Refused("another form's pass")
    except offline.Refused as refused:
        return _answer("refused", 400, reason=refused.reason)
    meeting = db.get(Meeting, given.meeting_id, options=[joinedload(Meeting.board)])
    if meeting is None or not offline.still_taken(meeting):
        return _answer("refused", 410, reason="the meeting no longer takes answers")
    if admission.is_admitted(given.token):
        offline.report_waiting(meeting.id, given.token, _left(data))
    if data.get("ping"):
        return _answer("noted")
    if not offline.spend(content["id"]):
        return _answer("duplicate")
    use_board_languages(meeting.board.language_codes)
    try:
        with force_language(given.language):
            status = _take(meeting, given, fields)
    except Exception:
        offline.unspend(content["id"])
        raise
    return _answer(status, 200 if status in ("stored", "duplicate") else 422)


def _fields(raw) -> MultiDict:
    if not isinstance(raw, list) or len(raw) > 100:
        raise offline.Refused("bad fields")
    pairs = []
    for pair in raw:
        if not (isinstance(pair, list) and len(pair) == 2):
            raise offline.Refused("bad fields")
        if not all(isinstance(part, str) and "\x00" not in part for part in pair):
            raise offline.Refused("bad fields")
        pairs.append((pair[0], pair[1]))
    return MultiDict(pairs)


def _endpoint(path: str) -> tuple[str, Mapping]:
    try:
        return current_app.url_map.bind("localhost").match(path, method="POST")
    except HTTPException as error:
        raise offline.Refused("not a child's form") from error


def _take(meeting: Meeting, given: offline.Pass, fields: MultiDict) -> str:
    """Store the form as its own route would have (board.participate.give)."""
    endpoint, args = _endpoint(given.path)
    token = given.token
    if endpoint == "participate.finish":
        current = tablet.load()
        if current is not None and current.token == token:
            tablet.end()  # the cookie's session too, as the button would have
        tablet.forget(meeting.id, token)
        return "stored"
    if endpoint == "participate.help_call":
        called = give.help_call(meeting, token, admitted=admission.is_admitted(token))
        return "stored" if called is not None else "duplicate"
    if endpoint == "participate.give_feedback":
        service = db.get(Service, args["service_id"])
        form = FeedbackForm(formdata=fields, meta={"csrf": False})
        if service is None or service.board_id != meeting.board_id or not service.active:
            return "refused"
        if not form.validate():
            return "refused"
        earlier = db.get(Feedback, given.replacing) if given.replacing else None
        replacing = earlier.id if earlier is not None and earlier.meeting_id == meeting.id else None
        answer = give.feedback(
            meeting, token, service, form, language=given.language, replacing=replacing
        )
        if answer is None:
            return "duplicate"
        _same_child(given, lambda current: current.gave_feedback(answer, replacing=replacing))
        return "stored"
    if endpoint == "participate.propose":
        form = ProposalForm(formdata=fields, meta={"csrf": False})
        if not form.validate():
            return "refused"
        action = give.idea(meeting, token, form, language=given.language)
        if action is None:
            return "duplicate"
        _same_child(given, lambda current: current.gave_idea(action.id))
        return "stored"
    if endpoint == "participate.vote":
        ballot = db.get(Ballot, given.ballot_id) if given.ballot_id else None
        if ballot is None or fields.get("adjust"):
            return "refused"
        try:
            counted = give.vote(meeting, token, ballot, voting.read_points(fields, ballot))
        except voting.VoteError:
            db.rollback()
            return "refused"
        return "stored" if counted else "duplicate"
    return "refused"


def _same_child(given: offline.Pass, change) -> None:
    """The child who wrote it is still on the tablet (the cookie holds the same session):
    what they gave shows in "what I gave", as if it had gone straight away."""
    current = tablet.load()
    if current is not None and current.token == given.token:
        change(current)
        tablet.save(current)
