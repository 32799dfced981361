"""Facilitators open and close a meeting's vote."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board.auth.access import can_run_meetings
from board.db import db
from board.forms import ConfirmForm
from board.meetings.models import Meeting
from board.voting import services
from board.voting.forms import ballot_form
from board.voting.models import Ballot, BallotMethod
from board.web import get_allowed

bp = Blueprint("voting", __name__)


@bp.post("/meetings/<int:meeting_id>/ballot")
@login_required
def open_ballot(meeting_id: int):
    meeting = get_allowed(Meeting, meeting_id, lambda m: can_run_meetings(current_user, m.board))
    form = ballot_form(db, meeting)
    if form.validate_on_submit():
        try:
            services.open_ballot(
                db,
                current_user,
                meeting,
                form.chosen(db, meeting),
                method=BallotMethod(form.method.data),
                dots=form.dots.data,
            )
        except services.VoteError as error:
            db.rollback()
            flash(str(error.message), "error")
        else:
            db.commit()
            flash(_("The vote is open on the tablets."), "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "error")
    return redirect(url_for("room.meeting", meeting_id=meeting.id))


@bp.post("/ballots/<int:ballot_id>/close")
@login_required
def close_ballot(ballot_id: int):
    ballot = get_allowed(
        Ballot, ballot_id, lambda b: can_run_meetings(current_user, b.meeting.board)
    )
    if ConfirmForm().validate_on_submit():
        services.close_ballot(db, current_user, ballot)
        db.commit()
        flash(
            _("The vote is closed. The results are on the room screen and the tablets."), "success"
        )
    return redirect(url_for("room.meeting", meeting_id=ballot.meeting_id))
