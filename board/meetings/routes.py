"""Facilitators' pages: scheduling, the meeting page, the room screen, calendar feeds."""

from __future__ import annotations

import io

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
from flask_login import current_user, login_required

from board.auth.access import can_run_meetings
from board.boards.models import Board, Service
from board.db import db
from board.forms import ConfirmForm, choices, show_error
from board.meetings import calendar, queries, services
from board.meetings.forms import CancelForm, MeetingForm, PresentForm, SeriesForm
from board.meetings.models import HelpCall, Meeting
from board.meetings.recurrence import MonthlyRule, RuleKind
from board.web import get_allowed, get_or_404

bp = Blueprint("meetings", __name__)


def _board_for(board_id: int) -> Board:
    return get_allowed(Board, board_id, lambda b: can_run_meetings(current_user, b))


def _meeting_for(meeting_id: int) -> Meeting:
    return get_allowed(Meeting, meeting_id, lambda m: can_run_meetings(current_user, m.board))


def _with_services(form, board: Board):
    form.service_ids.choices = choices(
        (s.id, f"{s.name} ({s.category.label})") for s in board.services if s.active
    )
    return form


def _chosen_services(form, board: Board) -> list[Service]:
    by_id = {s.id: s for s in board.services}
    return [by_id[i] for i in form.service_ids.data or [] if i in by_id]


def _series_settings(form, board: Board) -> dict:
    """What a series form says, as the keyword arguments the scheduling services take."""
    return {
        "rule": _rule(form),
        "start": form.start_date.data,
        "until": form.until.data,
        "at": form.at.data,
        "duration_minutes": form.duration_minutes.data,
        "place": form.place.data or "",
        "services": _chosen_services(form, board),
    }


def _rule(form) -> MonthlyRule:
    kind = RuleKind(form.kind.data)
    if kind is RuleKind.NTH_WEEKDAY:
        return MonthlyRule(kind, ordinal=form.ordinal.data, weekday=form.weekday.data)
    return MonthlyRule(kind, month_day=form.month_day.data)


@bp.get("/boards/<int:board_id>/meetings")
@login_required
def board_meetings(board_id: int):
    board = _board_for(board_id)
    return render_template(
        "meetings/list.html",
        board=board,
        upcoming=queries.upcoming(db, board),
        past=queries.past(db, board),
        confirm=ConfirmForm(),
    )


@bp.route("/boards/<int:board_id>/meetings/new", methods=["GET", "POST"])
@login_required
def new_meeting(board_id: int):
    board = _board_for(board_id)
    form = _with_services(MeetingForm(), board)
    if form.validate_on_submit():
        meeting = services.schedule_meeting(
            db,
            current_user,
            board,
            day=form.day.data,
            at=form.at.data,
            duration_minutes=form.duration_minutes.data,
            place=form.place.data or "",
            notes=form.notes.data or "",
            services=_chosen_services(form, board),
        )
        db.commit()
        flash(_("The meeting is scheduled."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return render_template(
        "meetings/meeting_form.html", form=form, board=board, meeting=None
    ), 400 if form.errors else 200


@bp.route("/boards/<int:board_id>/series/new", methods=["GET", "POST"])
@login_required
def new_series(board_id: int):
    board = _board_for(board_id)
    form = _with_services(SeriesForm(), board)
    if form.validate_on_submit():
        try:
            services.schedule_series(
                db,
                current_user,
                board,
                **_series_settings(form, board),
            )
        except services.MeetingError as error:
            show_error(form, error)
        else:
            db.commit()
            flash(_("The monthly series is scheduled."), "success")
            return redirect(url_for("meetings.board_meetings", board_id=board.id))
    return render_template(
        "meetings/series_form.html", form=form, board=board, meeting=None
    ), 400 if form.errors else 200


def _vote_context(meeting: Meeting) -> dict:
    """The meeting's latest ballot, its vote count and (once closed) its results."""
    from board.feedback.queries import count_answers
    from board.voting import services as voting
    from board.voting.routes import ballot_form

    ballot = voting.latest_ballot(db, meeting)
    return {
        "answers": count_answers(db, meeting),
        "ballot": ballot,
        "votes": voting.count_votes(db, ballot) if ballot else 0,
        "results": voting.results(db, ballot) if ballot else [],
        "ballot_form": ballot_form(meeting),
    }


@bp.get("/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id: int):
    meeting = _meeting_for(meeting_id)
    return render_template(
        "meetings/meeting.html",
        meeting=meeting,
        board=meeting.board,
        help_calls=queries.open_help_calls(db, meeting),
        confirm=ConfirmForm(),
        cancel_form=CancelForm(),
        **_vote_context(meeting),
    )


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit_meeting(meeting_id: int):
    meeting = _meeting_for(meeting_id)
    board = meeting.board
    form = _with_services(MeetingForm(), board)
    if request.method == "GET":
        local = services.in_board_zone(board, meeting.starts_at)
        form.day.data, form.at.data = local.date(), local.time()
        form.duration_minutes.data, form.place.data = meeting.duration_minutes, meeting.place
        form.notes.data = meeting.notes
        form.service_ids.data = [s.id for s in meeting.services]
    if form.validate_on_submit():
        try:
            services.update_meeting(
                db,
                current_user,
                meeting,
                day=form.day.data,
                at=form.at.data,
                duration_minutes=form.duration_minutes.data,
                place=form.place.data or "",
                notes=form.notes.data or "",
                services=_chosen_services(form, board),
            )
        except services.MeetingError as error:
            show_error(form, error)
        else:
            db.commit()
            flash(_("The meeting is changed."), "success")
            return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return render_template(
        "meetings/meeting_form.html", form=form, board=board, meeting=meeting
    ), 400 if form.errors else 200


@bp.route("/meetings/<int:meeting_id>/edit-following", methods=["GET", "POST"])
@login_required
def edit_following(meeting_id: int):
    meeting = _meeting_for(meeting_id)
    board, series = meeting.board, meeting.series
    if series is None:
        abort(404)
    form = _with_services(SeriesForm(), board)
    if request.method == "GET":
        form.kind.data = series.kind.value
        form.ordinal.data, form.weekday.data = series.ordinal or 2, series.weekday or 5
        form.month_day.data = series.month_day
        form.start_date.data = services.in_board_zone(board, meeting.starts_at).date()
        form.until.data, form.at.data = series.until, series.local_time
        form.duration_minutes.data, form.place.data = series.duration_minutes, series.place
        form.service_ids.data = [s.id for s in meeting.services]
    if form.validate_on_submit():
        try:
            new = services.update_following(
                db,
                current_user,
                meeting,
                **_series_settings(form, board),
            )
        except services.MeetingError as error:
            show_error(form, error)
        else:
            db.commit()
            flash(_("This meeting and the later ones are changed."), "success")
            first = services.series_meetings(db, new)
            if not first:
                return redirect(url_for("meetings.board_meetings", board_id=board.id))
            return redirect(url_for("meetings.meeting", meeting_id=first[0].id))
    return render_template(
        "meetings/series_form.html", form=form, board=board, meeting=meeting
    ), 400 if form.errors else 200


@bp.post("/meetings/<int:meeting_id>/cancel")
@login_required
def cancel(meeting_id: int):
    meeting = _meeting_for(meeting_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            count = services.cancel_meeting(
                db, current_user, meeting, following=form.scope.data == "following"
            )
        except services.MeetingError as error:
            flash(str(error.message), "error")
        else:
            db.commit()
            flash(
                _("Cancelled: %(num)d meetings.", num=count)
                if count > 1
                else _("The meeting is cancelled."),
                "success",
            )
    return redirect(url_for("meetings.meeting", meeting_id=meeting.id))


def _state_change(meeting_id: int, change, message: str, target: str = "meetings.meeting"):
    meeting = _meeting_for(meeting_id)
    if ConfirmForm().validate_on_submit():
        try:
            change(db, current_user, meeting)
        except services.MeetingError as error:
            flash(str(error.message), "error")
        else:
            db.commit()
            flash(message, "success")
    return redirect(url_for(target, meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/open")
@login_required
def open_meeting(meeting_id: int):
    return _state_change(
        meeting_id,
        services.open_meeting,
        _("The meeting is open. Show the room screen."),
        "meetings.room",
    )


@bp.post("/meetings/<int:meeting_id>/close")
@login_required
def close_meeting(meeting_id: int):
    return _state_change(
        meeting_id, services.close_meeting, _("The meeting is closed. The code no longer works.")
    )


@bp.post("/meetings/<int:meeting_id>/code")
@login_required
def new_code(meeting_id: int):
    return _state_change(
        meeting_id,
        services.regenerate_code,
        _("There is a new code. The old one no longer works."),
        "meetings.room",
    )


@bp.get("/meetings/<int:meeting_id>/room")
@login_required
def room(meeting_id: int):
    """The big screen: join code, QR code, tablets joined, help calls."""
    meeting = _meeting_for(meeting_id)
    return render_template(
        "meetings/room.html",
        meeting=meeting,
        board=meeting.board,
        help_calls=queries.open_help_calls(db, meeting),
        confirm=ConfirmForm(),
        join_url=_join_url(meeting),
        **_vote_context(meeting),
    )


def _join_url(meeting: Meeting) -> str | None:
    if not meeting.is_open:
        return None
    return url_for("participate.join", code=meeting.join_code, _external=True)


@bp.get("/meetings/<int:meeting_id>/door")
@login_required
def door(meeting_id: int):
    """The facilitator's own screen (never the projected one): tablets waiting to be let
    in, by label, and the tablets let in against the children present."""
    meeting = _meeting_for(meeting_id)
    form = PresentForm(present=meeting.present)
    return _door_page(meeting, form)


def _door_page(meeting: Meeting, form: PresentForm, status: int = 200):
    from board.participate import admission

    return render_template(
        "meetings/door.html",
        meeting=meeting,
        board=meeting.board,
        waiting=admission.waiting(meeting) if meeting.is_open else [],
        form=form,
        confirm=ConfirmForm(),
    ), status


@bp.post("/meetings/<int:meeting_id>/door/<int:place>")
@login_required
def let_in(meeting_id: int, place: int):
    """ "Let in": one waiting tablet comes in, as a paper ballot is handed to one child."""
    from board.participate import admission

    meeting = _meeting_for(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if admission.let_in(db, meeting, place):
        db.commit()
        flash(_("The tablet is in."), "success")
    else:
        flash(_("This tablet is not waiting any more."), "info")
    return redirect(url_for("meetings.door", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/present")
@login_required
def set_present(meeting_id: int):
    meeting = _meeting_for(meeting_id)
    form = PresentForm()
    if form.validate_on_submit():
        try:
            services.set_present(db, current_user, meeting, form.present.data)
        except services.MeetingError as error:
            show_error(form, error)
        else:
            db.commit()
            flash(_("The number of children is saved."), "success")
            return redirect(url_for("meetings.door", meeting_id=meeting.id))
    return _door_page(meeting, form, 400)


@bp.get("/meetings/<int:meeting_id>/live.json")
@login_required
def live(meeting_id: int):
    """Counts for the room screen and the meeting page (never any content)."""
    meeting = _meeting_for(meeting_id)
    zone = meeting.board.timezone
    from board.feedback.queries import count_answers
    from board.i18n import format_time_in
    from board.voting import services as voting

    ballot = voting.latest_ballot(db, meeting)
    return jsonify(
        state=meeting.state.value,
        attendance=meeting.attendance,
        answers=count_answers(db, meeting),
        ballot=ballot.state.value if ballot else None,
        votes=voting.count_votes(db, ballot) if ballot else 0,
        help_calls=[
            {"id": call.id, "time": format_time_in(call.created_at, zone)}
            for call in queries.open_help_calls(db, meeting)
        ],
    )


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
    call = get_or_404(HelpCall, call_id)
    if not can_run_meetings(current_user, call.meeting.board):
        abort(403)
    if ConfirmForm().validate_on_submit():
        services.handle_help_call(db, current_user, call)
        db.commit()
    back = request.form.get("back") == "room"
    return redirect(
        url_for("meetings.room" if back else "meetings.meeting", meeting_id=call.meeting_id)
    )


@bp.get("/meetings/<int:meeting_id>/meeting.ics")
@login_required
def meeting_ics(meeting_id: int):
    meeting = _meeting_for(meeting_id)
    body = calendar.to_ics([meeting], name=meeting.board.name, host=request.host)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"'},
    )


@bp.get("/calendar/<token>.ics")
def board_feed(token: str):
    """The board's private feed: whoever has the link sees dates, places and agendas."""
    board = queries.board_by_calendar_token(db, token)
    if board is None:
        abort(404)
    meetings = queries.calendar_meetings(db, board)
    body = calendar.to_ics(meetings, name=board.name, host=request.host)
    return Response(body, mimetype="text/calendar")


@bp.post("/boards/<int:board_id>/calendar-token")
@login_required
def new_calendar_token(board_id: int):
    board = _board_for(board_id)
    if ConfirmForm().validate_on_submit():
        services.regenerate_calendar_token(db, current_user, board)
        db.commit()
        flash(_("The calendar link is new. The old link no longer works."), "success")
    return redirect(url_for("meetings.board_meetings", board_id=board.id))
