"""The moderation queue (facilitators) and safeguarding concerns (safeguarding leads)."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board.actions.models import Action
from board.auth.access import can_handle_concerns, can_moderate, can_run_meetings
from board.boards.models import Board
from board.confirm import ConfirmError
from board.db import db, utcnow
from board.feedback.models import Feedback
from board.forms import ConfirmForm
from board.i18n import day
from board.meetings.models import HelpCall, Meeting
from board.moderation import queries, services
from board.moderation.forms import (
    ApproveAllForm,
    CloseConcernForm,
    DecisionForm,
    QueueFilterForm,
    RoomConcernForm,
    WatchNamesForm,
)
from board.moderation.models import Concern
from board.states import ModerationState
from board.web import get_allowed

bp = Blueprint("moderation", __name__)

ITEMS: dict[str, type[Feedback] | type[Action]] = {"feedback": Feedback, "proposal": Action}


def _board_to_moderate(board_id: int) -> Board:
    return get_allowed(Board, board_id, lambda b: can_moderate(current_user, b))


@bp.get("/boards/<int:board_id>/moderation")
@login_required
def queue(board_id: int):
    """The board's waiting texts, of one meeting and/or service if chosen (a choice that
    is not one of the board's: 400, the whole queue, the reason at the field); the text
    just approved, as partners will read it."""
    board = _board_to_moderate(board_id)
    filters = QueueFilterForm(request.args).offer(
        queries.held_meetings(db, board),
        board.services,
        lambda m: day(m.starts_at, board.timezone),
    )
    valid = filters.validate()
    meeting_id, service_id = filters.chosen()
    return render_template(
        "moderation/queue.html",
        board=board,
        items=queries.filtered(queries.queue(db, board), meeting_id, service_id),
        filtered=meeting_id is not None or service_id is not None,
        filters=filters,
        chosen=(meeting_id, service_id),
        approved=_just_approved(board),
        counts=queries.counts(db, board),
        rejections=queries.rejection_counts(db, board),
        form=DecisionForm(),
        names_form=WatchNamesForm(watch_names=board.watch_names),
        segments=services.segments,
    ), 200 if valid else 400


def _just_approved(board: Board):
    """The item named by ``?approved=<kind>-<id>``, if it is an approved text of this board
    (whose moderators alone read this page): its words as partners will read them."""
    kind, _sep, ident = request.args.get("approved", "").partition("-")
    if kind not in ITEMS or not ident.isdigit():
        return None
    item = cast(Feedback | Action | None, db.get(ITEMS[kind], int(ident)))
    if item is None or item.moderation is not ModerationState.APPROVED:
        return None
    if services.board_of(item).id != board.id:
        return None
    return queries.QueueItem(kind, item, services.item_day(item), {})


def _queue_url(board: Board, **args) -> str:
    """Back to the queue, with the filters the decision was made under."""
    for name in ("meeting", "service"):
        value = request.form.get(name, "")
        if value.isdigit():
            args[name] = value
    return url_for("moderation.queue", board_id=board.id, **args)


def _removals(fields) -> services.Removals:
    """Ticked spans ("field:start:end") and typed words ("words-field") from the form."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for value in request.form.getlist("remove"):
        field, _sep, rest = value.partition(":")
        start, _sep, end = rest.partition(":")
        if field not in fields or not start.isdigit() or not end.isdigit():
            raise services.ModerationError(
                _("A part to remove is outside the text. Please try again.")
            )
        spans.setdefault(field, []).append((int(start), int(end)))
    words = {f: request.form.get(f"words-{f}", "")[:500] for f in fields}
    return services.Removals(spans, words)


def _approve(item, form) -> str:
    fields = services.FEEDBACK_FIELDS if isinstance(item, Feedback) else services.PROPOSAL_FIELDS
    removed = services.approve(db, current_user, item, _removals(fields), form.note.data or "")
    if removed:
        return _("Approved, with %(num)d parts removed.", num=removed)
    return _("Approved.")


def _reject(item, form) -> str:
    services.reject(db, current_user, item, form.reason.data, form.note.data or "")
    return _("Rejected. The text is deleted; the reason is counted.")


def _raise_concern(item, form) -> str:
    services.raise_concern(db, current_user, item, form.concern_reason.data or "")
    return _("A safeguarding concern is raised. The safeguarding lead is alerted.")


DECISIONS = {"approve": _approve, "reject": _reject, "concern": _raise_concern}


@bp.post("/moderation/<kind>/<int:item_id>")
@login_required
def decide(kind: str, item_id: int):
    """Approve (with parts removed), reject with a reason, or raise a concern."""
    if kind not in ITEMS:
        abort(404)
    item = get_allowed(
        ITEMS[kind], item_id, lambda i: can_moderate(current_user, services.board_of(i))
    )
    board = services.board_of(item)
    queue_url = _queue_url(board)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(queue_url)
    decision = DECISIONS.get(request.form.get("decision", "")) or abort(400)
    try:
        message = decision(item, form)
    except services.ModerationError as error:
        db.rollback()
        flash(str(error.message), "error")
    else:
        db.commit()
        flash(message, "success")
        if request.form.get("decision") == "approve":
            return redirect(_queue_url(board, approved=f"{kind}-{item_id}") + "#approved")
    return redirect(f"{queue_url}#item-{kind}-{item_id}")


APPROVE_ALL = "moderation.approve_all"


@bp.get("/boards/<int:board_id>/moderation/approve-all")
@login_required
def confirm_approve_all(board_id: int):
    """Every text that "Approve all" would approve, to read before confirming."""
    board = _board_to_moderate(board_id)
    return _approve_all_page(board, ApproveAllForm().ask(APPROVE_ALL, board.id))


def _approve_all_page(board: Board, form: ApproveAllForm, status: int = 200):
    items = queries.unmarked(db, board)
    readers: set[str] = set()
    for entry in items:
        item = entry.item
        partners = item.meeting.recipients if isinstance(item, Feedback) else board.partners
        readers.update(o.name for o in partners)
    return render_template(
        "moderation/approve_all.html",
        board=board,
        items=items,
        readers=sorted(readers),
        left_out=len(queries.queue(db, board)) - len(items),
        form=form,
    ), status


@bp.post("/boards/<int:board_id>/moderation/approve-all")
@login_required
def approve_all(board_id: int):
    """Approve exactly the items listed on the confirmation page, nothing that came since,
    once: the same answer sent again is 409 and approves nothing."""
    board = _board_to_moderate(board_id)
    form = ApproveAllForm()
    if not form.validate_on_submit():
        return _approve_all_page(board, form.ask(APPROVE_ALL, board.id), 400)
    try:
        form.answer(APPROVE_ALL, board.id)
    except ConfirmError as error:
        if error.status == 400:
            form.form_errors.append(str(error.message))
            return _approve_all_page(board, form.ask(APPROVE_ALL, board.id), 400)
        flash(str(error.message), "error")
        return _approve_all_page(board, form.ask(APPROVE_ALL, board.id), 409)
    listed = {
        (kind, ident)
        for kind, _sep, ident in (v.partition(":") for v in request.form.getlist("item"))
        if kind in ITEMS and ident
    }
    count = services.approve_all_clean(db, current_user, board, listed)
    db.commit()
    flash(_("Approved: %(num)d items.", num=count), "success")
    if count < len(listed):
        flash(
            _(
                "Not approved, because they were decided or changed meanwhile: %(num)d",
                num=len(listed) - count,
            ),
            "error",
        )
    return redirect(url_for("moderation.queue", board_id=board.id))


@bp.post("/help-calls/<int:call_id>/concern")
@login_required
def help_call_concern(call_id: int):
    call = get_allowed(HelpCall, call_id, lambda c: can_run_meetings(current_user, c.meeting.board))
    if ConfirmForm().validate_on_submit():
        services.raise_concern(db, current_user, call, request.form.get("reason", "")[:4000])
        db.commit()
        flash(_("A safeguarding concern is raised. The safeguarding lead is alerted."), "success")
    return redirect(url_for("room.meeting", meeting_id=call.meeting_id))


@bp.post("/meetings/<int:meeting_id>/concern")
@login_required
def room_concern(meeting_id: int):
    meeting = get_allowed(Meeting, meeting_id, lambda m: can_run_meetings(current_user, m.board))
    form = RoomConcernForm()
    if form.validate_on_submit():
        services.raise_concern_in_room(db, current_user, meeting, form.reason.data)
        db.commit()
        flash(_("A safeguarding concern is raised. The safeguarding lead is alerted."), "success")
    else:
        flash(_("Write what you saw or heard."), "error")
    return redirect(url_for("room.meeting", meeting_id=meeting.id))


# Safeguarding leads ----------------------------------------------------------------------


def _concern_for(concern_id: int) -> Concern:
    return get_allowed(Concern, concern_id, lambda c: can_handle_concerns(current_user, c.board))


@bp.get("/boards/<int:board_id>/concerns")
@login_required
def concerns(board_id: int):
    board = get_allowed(Board, board_id, lambda b: can_handle_concerns(current_user, b))
    return render_template(
        "moderation/concerns.html",
        board=board,
        concerns=queries.board_concerns(db, board),
        now=utcnow(),
    )


@bp.get("/concerns/<int:concern_id>")
@login_required
def concern(concern_id: int):
    """A concern with the child's exact words; this reading is logged."""
    return _concern_page(_concern_for(concern_id), CloseConcernForm())


def _concern_page(concern: Concern, form: CloseConcernForm, status: int = 200):
    """Show a concern (the child's words among it); every showing is logged."""
    services.open_concern(db, current_user, concern)
    db.commit()
    return render_template(
        "moderation/concern.html",
        concern=concern,
        board=concern.board,
        confirm=ConfirmForm(),
        form=form,
        now=utcnow(),
    ), status


@bp.post("/concerns/<int:concern_id>/acknowledge")
@login_required
def acknowledge(concern_id: int):
    concern = _concern_for(concern_id)
    if ConfirmForm().validate_on_submit():
        services.acknowledge_concern(db, current_user, concern)
        db.commit()
        flash(_("Acknowledged. Record what was done when you close it."), "success")
    return redirect(url_for("moderation.concern", concern_id=concern.id))


@bp.post("/concerns/<int:concern_id>/close")
@login_required
def close(concern_id: int):
    concern = _concern_for(concern_id)
    form = CloseConcernForm()
    if form.validate_on_submit():
        try:
            services.close_concern(
                db,
                current_user,
                concern,
                action_taken=form.action_taken.data or "",
                referral=form.referral.data or "",
                note=form.note.data,
            )
        except services.ModerationError as error:
            db.rollback()
            flash(str(error.message), "error")
        else:
            db.commit()
            flash(_("The concern is closed."), "success")
            return redirect(url_for("moderation.concerns", board_id=concern.board_id))
    return _concern_page(concern, form, 400)


@bp.post("/boards/<int:board_id>/watch-names")
@login_required
def watch_names(board_id: int):
    """Facilitators keep the board's list of names to look for in children's text."""
    board = _board_to_moderate(board_id)
    form = WatchNamesForm()
    if form.validate_on_submit():
        services.set_watch_names(db, current_user, board, form.watch_names.data or "")
        db.commit()
        flash(_("Saved."), "success")
    return redirect(url_for("moderation.queue", board_id=board.id) + "#watch-names")
