"""Audio for child pages (synthesised and recorded), and the staff page that records it."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board import security
from board.auth.access import can_run_meetings
from board.boards.models import Board
from board.db import db
from board.extensions import limiter
from board.i18n import LANGUAGES
from board.voice import queries, services, synth, texts
from board.voice.forms import RecordingForm
from board.voice.models import Recording
from board.web import get_allowed, get_or_404

bp = Blueprint("voice", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"


def _audio(response: Response, mime: str) -> Response:
    response.headers["Content-Type"] = mime
    response.headers["Cache-Control"] = IMMUTABLE
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/audio/<lang>/<key>.opus")
@limiter.limit(lambda: current_app.config["AUDIO_LIMIT_PER_CLIENT"])
def synthesised(lang: str, key: str):
    """A text the server put on a child page, spoken (board.voice.texts says which)."""
    text = texts.resolve(db, current_app.config["SECRET_KEY"], lang, key)
    if text is None:
        abort(404)
    try:
        path = synth.synthesise(synth.cache_folder(current_app.instance_path), lang, text)
    except synth.SynthesisUnavailable:
        abort(404)
    except synth.SynthesisBusy:
        return Response(status=503, headers={"Retry-After": "5", "Cache-Control": "no-store"})
    # A few kilobytes: read whole (no file left open, no range to honour).
    return _audio(Response(path.read_bytes()), synth.MIME)


@bp.get("/audio/recordings/<int:recording_id>/<digest>")
def recorded(recording_id: int, digest: str):
    """A board's recorded prompt, by its id and the start of its hash (so a new recording has
    a new address, and the old one may stay cached for ever)."""
    recording = get_or_404(Recording, recording_id)
    if len(digest) != 16 or not recording.digest.startswith(digest):
        abort(404)
    mime = recording.mime.replace(";", "; ")
    return _audio(Response(recording.audio), mime)


def _board_for(board_id: int) -> Board:
    return get_allowed(Board, board_id, lambda b: can_run_meetings(current_user, b))


def _page(board: Board, form: RecordingForm, lang: str, error_for: str | None = None):
    """The recordings page. Its microphone is allowed for this site (every other page denies
    it), and its audio players may play what was just recorded (a blob: address)."""
    recordings = queries.recordings_of(db, board.id, lang)
    prompts = services.prompts()
    counts = queries.recorded_counts(db, board.id)
    response = make_response(
        render_template(
            "voice/recordings.html",
            board=board,
            form=form,
            lang=lang,
            prompts=[
                (msgid, texts.spoken_in(lang, msgid), recordings.get(msgid)) for msgid in prompts
            ],
            total=len(prompts),
            counts=counts,
            recorded=len([m for m in prompts if m in recordings]),
            error_for=error_for,
            synthesis=synth.available() and lang in texts.languages(),
            max_seconds=services.MAX_SECONDS,
            LANGUAGES=LANGUAGES,
        )
    )
    response.headers["Permissions-Policy"] = "camera=(), microphone=(self), geolocation=()"
    response.headers["Content-Security-Policy"] = (
        security.CONTENT_SECURITY_POLICY + "; media-src 'self' blob:"
    )
    return response


@bp.route("/boards/<int:board_id>/recordings", methods=["GET", "POST"])
@login_required
def board_recordings(board_id: int):
    """Per language, every child prompt and whether the board recorded it; record one."""
    board = _board_for(board_id)
    languages = board.language_codes
    lang = request.values.get("lang") or (languages[0] if languages else "en")
    if lang not in languages:
        abort(404)
    form = RecordingForm()
    if form.validate_on_submit():
        upload = form.audio.data
        data = upload.read(services.MAX_BYTES + 1) if upload else b""
        try:
            services.save_recording(
                db, current_user, board, form.language.data, form.msgid.data, data
            )
        except services.RecordingError as error:
            form.audio.errors = [str(error.message)]
            return _page(board, form, lang, error_for=form.msgid.data), 400
        db.commit()
        flash(_("The recording is saved. Children hear it in place of the computer voice."))
        return redirect(url_for("voice.board_recordings", board_id=board.id, lang=lang))
    if request.method == "POST":
        return _page(board, form, lang), 400
    return _page(board, form, lang)


@bp.post("/recordings/<int:recording_id>/delete")
@login_required
def delete(recording_id: int):
    recording = get_allowed(
        Recording,
        recording_id,
        lambda r: can_run_meetings(current_user, get_or_404(Board, r.board_id)),
    )
    board_id, lang = recording.board_id, recording.language
    services.delete_recording(db, current_user, recording)
    db.commit()
    flash(_("The recording is deleted."))
    return redirect(url_for("voice.board_recordings", board_id=board_id, lang=lang))
