"""Facilitators' pages: scheduling, editing and cancelling meetings, calendar feeds. The
meeting as it runs (its page, the room screen, the door) is board.room."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
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
from board.meetings.forms import CancelForm, MeetingForm, SeriesForm, undo_close
from board.meetings.models import Meeting
from board.meetings.recurrence import MonthlyRule, RuleKind
from board.web import get_allowed

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
        undo_close=undo_close,
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
        return redirect(url_for("room.meeting", meeting_id=meeting.id))
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
            return redirect(url_for("room.meeting", meeting_id=meeting.id))
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
            return redirect(url_for("room.meeting", meeting_id=first[0].id))
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
    return redirect(url_for("room.meeting", meeting_id=meeting.id))


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
