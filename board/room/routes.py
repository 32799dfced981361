"""The meeting as it runs: the facilitator's meeting page (the control screen: the door,
a new code, closing, help calls with a sound, the vote), the room screen projected to the
children (the code, the QR code, tablets joined, in every language of the board; never a
control or a help call), its live counts, opening and closing."""

from __future__ import annotations

import io
from datetime import timedelta

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup

from board.auth.access import can_run_meetings
from board.confirm import ConfirmError, ConfirmStepForm, question, stamp
from board.db import db, utcnow
from board.feedback.queries import count_answers
from board.forms import ConfirmForm, show_error
from board.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    clock,
    day,
    direction,
    force_language,
    html_lang,
)
from board.meetings import codes, queries
from board.meetings import services as meetings
from board.meetings.forms import REOPEN, CancelForm, PresentForm, closed_version, undo_close
from board.meetings.models import HelpCall, Meeting, MeetingState
from board.participate import admission, offline
from board.room import services
from board.voting.forms import ballot_form
from board.voting.queries import count_votes, current_ballot, latest_ballot, meeting_vote
from board.web import get_allowed, safe_path
from board.wordings.queries import agenda_texts, lacking

bp = Blueprint("room", __name__)


def _meeting_for(meeting_id: int) -> Meeting:
    return get_allowed(Meeting, meeting_id, lambda m: can_run_meetings(current_user, m.board))


def _counts(meeting: Meeting) -> dict:
    """The meeting's answers, its latest vote with its count and (once closed) results."""
    vote = meeting_vote(db, meeting)
    return {
        "answers": count_answers(db, meeting),
        "waiting": offline.waiting_tablets(meeting),
        "taken_until": offline.taken_until(meeting),
        "ballot": vote.ballot,
        "votes": vote.votes,
        "results": vote.results,
        "ballot_form": ballot_form(db, meeting),
    }


@bp.get("/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id: int):
    """The facilitator's control screen (laptop or phone, never the projector)."""
    return _meeting_page(_meeting_for(meeting_id))


def _meeting_page(meeting: Meeting, status: int = 200):
    return render_template(
        "room/meeting.html",
        meeting=meeting,
        board=meeting.board,
        help_calls=queries.open_help_calls(db, meeting),
        at_door=len(admission.waiting(meeting)) if meeting.is_open else 0,
        confirm=ConfirmForm(),
        cancel_form=CancelForm(),
        undo=undo_close(meeting),
        lacking=_lacking_wordings(meeting),
        **_counts(meeting),
    ), status


def _lacking_wordings(meeting: Meeting) -> list:
    """Before a meeting opens: what its agenda lacks in which of the board's languages."""
    if meeting.state is not MeetingState.SCHEDULED:
        return []
    return lacking(agenda_texts(db, meeting), meeting.board.language_codes)


def _state_change(meeting_id: int, change, message: str):
    meeting = _meeting_for(meeting_id)
    if ConfirmForm().validate_on_submit():
        try:
            change(db, current_user, meeting)
        except meetings.MeetingError as error:
            flash(str(error.message), "error")
        else:
            db.commit()
            flash(message, "success")
    return redirect(url_for("room.meeting", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/open")
@login_required
def open_meeting(meeting_id: int):
    return _state_change(
        meeting_id,
        meetings.open_meeting,
        _("The meeting is open. Show the room screen."),
    )


CLOSE = "meeting.close"


def _opened_version(meeting: Meeting) -> str:
    """The opening a close answers: a close asked before an undo does not close the
    meeting opened again since."""
    return stamp(meeting.opened_at, meeting.reopened_at)


@bp.get("/meetings/<int:meeting_id>/close")
@login_required
def confirm_close(meeting_id: int):
    """What closing will do, asked before it is done."""
    meeting = _meeting_for(meeting_id)
    if not meeting.is_open:
        return redirect(url_for("room.meeting", meeting_id=meeting.id))
    return _close_question(
        meeting, ConfirmStepForm().ask(CLOSE, meeting.id, _opened_version(meeting))
    )


def _close_question(meeting: Meeting, form: ConfirmStepForm, status: int = 200):
    zone = meeting.board.timezone
    happens = [
        _("The code %(code)s stops working.", code=meeting.join_code),
        _(
            "Every tablet leaves the meeting (tablets let in: %(num)d). Children's answers"
            " are kept.",
            num=meeting.attendance,
        ),
    ]
    if calls := queries.open_help_calls(db, meeting):
        happens.insert(
            0,
            ngettext(
                '%(num)d child asked for an adult and nobody pressed "Done" yet. Go to them:'
                " the call stays on your home page until you do.",
                '%(num)d children asked for an adult and nobody pressed "Done" yet. Go to'
                " them: the calls stay on your home page until you do.",
                len(calls),
            ),
        )
    ballot = current_ballot(db, meeting)
    if ballot is not None:
        happens.append(
            _(
                "The vote closes now with %(num)d votes, and its results are shown. It cannot"
                " be opened again, even if you undo the close.",
                num=count_votes(db, ballot),
            )
        )
    until = utcnow() + timedelta(minutes=meetings.UNDO_MINUTES)
    happens.append(
        _(
            "You can undo the close until %(time)s: the meeting opens again with a new code,"
            " and children join again.",
            time=clock(until, zone),
        )
    )
    return question(
        title=_("Close the meeting?"),
        subject=f"{meeting.board.name} · {day(meeting.starts_at, zone)}",
        happens=happens,
        form=form,
        action=url_for("room.close_meeting", meeting_id=meeting.id),
        button=_("Yes, close the meeting"),
        back=url_for("room.meeting", meeting_id=meeting.id),
        status=status,
    )


@bp.post("/meetings/<int:meeting_id>/close")
@login_required
def close_meeting(meeting_id: int):
    """Close once the facilitator confirmed what it does; a confirmation sent again: 409."""
    meeting = _meeting_for(meeting_id)
    form = ConfirmStepForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if meeting.is_open:  # one that is not is said so, whatever the answer
            form.answer(CLOSE, meeting.id, _opened_version(meeting))
        services.close_meeting(db, current_user, meeting)
    except ConfirmError as error:
        if error.status == 400:
            show_error(form, error)
            return _close_question(
                meeting, form.ask(CLOSE, meeting.id, _opened_version(meeting)), 400
            )
        flash(str(error.message), "error")
        return _meeting_page(meeting, 409)
    except meetings.MeetingError as error:
        flash(str(error.message), "error")
        return _meeting_page(meeting, 409)
    db.commit()
    flash(_("The meeting is closed. The code no longer works."), "success")
    return redirect(url_for("room.meeting", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/reopen")
@login_required
def reopen_meeting(meeting_id: int):
    """Undo a close, within ten minutes: the same meeting, a new code, the vote closed."""
    meeting = _meeting_for(meeting_id)
    form = ConfirmStepForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if meeting.state is MeetingState.CLOSED:  # an open one is said so, whatever the answer
            form.answer(REOPEN, meeting.id, closed_version(meeting))
        meetings.reopen_meeting(db, current_user, meeting)
    except (ConfirmError, meetings.MeetingError) as error:
        flash(str(error.message), "error")
        return _meeting_page(meeting, getattr(error, "status", 409))
    db.commit()
    flash(
        _("The meeting is open again with a new code. Children join again; the vote stays closed."),
        "success",
    )
    return redirect(url_for("room.meeting", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/code")
@login_required
def new_code(meeting_id: int):
    return _state_change(
        meeting_id,
        meetings.regenerate_code,
        _("There is a new code. The old one no longer works."),
    )


@bp.get("/meetings/<int:meeting_id>/room")
@login_required
def screen(meeting_id: int):
    """The big screen, seen by the whole room: the join code, the QR code and the tablets
    that joined, with its words in every language of the board, side by side. No control,
    no help call, no staff menu, no flashed message (those wait for the meeting page)."""
    meeting = _meeting_for(meeting_id)
    languages = _screen_languages(meeting)
    page = {"meeting": meeting, "board": meeting.board, "join_url": _join_url(meeting)}
    page.update(_counts(meeting))
    blocks = [_words_in(code, page) for code in languages]
    with force_language(languages[0]):
        return render_template("room/screen.html", blocks=blocks, **page)


def _words_in(code: str, page: dict) -> Markup:
    """One language's block of the room screen, rendered in that language."""
    with force_language(code):
        html = render_template(
            "room/_screen_words.html", block_lang=html_lang(code), block_dir=direction(code), **page
        )
    return Markup(html)  # noqa: S704  # nosec B704  (our own template's output, autoescaped)


def _screen_languages(meeting: Meeting) -> list[str]:
    """The board's languages that ship, its main one first (the page's own language)."""
    offered = [code for code in meeting.board.language_codes if code in LANGUAGES]
    return offered or [DEFAULT_LANGUAGE]


def _join_url(meeting: Meeting) -> str | None:
    code = meeting.join_code
    if not meeting.is_open or code is None:
        return None
    # The key lets a scanned code past the limit on wrong codes (board.participate.entry).
    return url_for("participate.join", code=code, key=codes.key_for(code), _external=True)


@bp.get("/meetings/<int:meeting_id>/door")
@login_required
def door(meeting_id: int):
    """The facilitator's own screen (never the projected one): tablets waiting to be let
    in, by label, and the tablets let in against the children present."""
    meeting = _meeting_for(meeting_id)
    form = PresentForm(present=meeting.present)
    return _door_page(meeting, form)


def _door_page(meeting: Meeting, form: PresentForm, status: int = 200):
    return render_template(
        "room/door.html",
        meeting=meeting,
        board=meeting.board,
        waiting=admission.waiting(meeting) if meeting.is_open else [],
        help_calls=queries.open_help_calls(db, meeting),
        form=form,
        confirm=ConfirmForm(),
    ), status


@bp.post("/meetings/<int:meeting_id>/door/<int:place>")
@login_required
def let_in(meeting_id: int, place: int):
    """ "Let in": one waiting tablet comes in, as a paper ballot is handed to one child."""
    meeting = _meeting_for(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if admission.let_in(db, meeting, place):
        db.commit()
        flash(_("The tablet is in."), "success")
    else:
        flash(_("This tablet is not waiting any more."), "info")
    return redirect(url_for("room.door", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/present")
@login_required
def set_present(meeting_id: int):
    meeting = _meeting_for(meeting_id)
    form = PresentForm()
    if form.validate_on_submit():
        try:
            meetings.set_present(db, current_user, meeting, form.present.data)
        except meetings.MeetingError as error:
            show_error(form, error)
        else:
            db.commit()
            flash(_("The number of children is saved."), "success")
            return redirect(url_for("room.door", meeting_id=meeting.id))
    return _door_page(meeting, form, 400)


@bp.get("/meetings/<int:meeting_id>/live.json")
@login_required
def live(meeting_id: int):
    """Counts for the room screen and the meeting page (never any content). The room
    screen asks with ``?screen=room``: help calls are left out, so the projected page never
    holds one, not even in its script's hands."""
    meeting = _meeting_for(meeting_id)
    ballot = latest_ballot(db, meeting)
    counts: dict[str, object] = {
        "state": meeting.state.value,
        # The room screen shows the code: a new one (made on the meeting page) reloads it.
        "code": meeting.join_code,
        "attendance": meeting.attendance,
        "answers": count_answers(db, meeting),
        "waiting": offline.waiting_tablets(meeting),
        "ballot": ballot.state.value if ballot else None,
        "votes": count_votes(db, ballot) if ballot else 0,
    }
    if request.args.get("screen") != "room":
        counts["help_calls"] = _help_calls(meeting)
        counts["at_door"] = len(admission.waiting(meeting)) if meeting.is_open else 0
    return jsonify(counts)


def _help_calls(meeting: Meeting) -> list[dict]:
    """Open help calls as the meeting page's script adds them: when, and where its two
    buttons post."""
    zone = meeting.board.timezone
    return [
        {
            "id": call.id,
            "time": clock(call.created_at, zone),
            "handled": url_for("room.help_handled", call_id=call.id),
            "concern": url_for("moderation.help_call_concern", call_id=call.id),
        }
        for call in queries.open_help_calls(db, meeting)
    ]


@bp.get("/meetings/<int:meeting_id>/qr.svg")
@login_required
def qr(meeting_id: int):
    meeting = _meeting_for(meeting_id)
    url = _join_url(meeting)
    if url is None:
        abort(404)
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        scale=10,
        border=2,
        dark="#000",
        light="#fff",
        title=_("QR code that opens the join page with the code filled in"),
    )
    return Response(
        buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


@bp.post("/help-calls/<int:call_id>/handled")
@login_required
def help_handled(call_id: int):
    call = get_allowed(HelpCall, call_id, lambda c: can_run_meetings(current_user, c.meeting.board))
    if ConfirmForm().validate_on_submit():
        meetings.handle_help_call(db, current_user, call)
        db.commit()
    # The home page's button comes back home; the control screen's, to the control screen.
    back = request.form.get("next")
    return redirect(
        safe_path(back) if back else url_for("room.meeting", meeting_id=call.meeting_id)
    )
