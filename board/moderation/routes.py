"""The moderation queue (facilitators) and safeguarding concerns (safeguarding leads)."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from board.actions.models import Action
from board.auth.access import (
    can_export_concerns,
    can_handle_concerns,
    can_moderate,
    can_run_meetings,
)
from board.boards.models import Board
from board.confirm import ConfirmError
from board.db import db, utcnow
from board.errors import render_error
from board.feedback.models import Feedback
from board.forms import ConfirmForm
from board.i18n import day
from board.meetings.models import HelpCall, Meeting
from board.moderation import queries, services
from board.moderation.forms import (
    ApproveAllForm,
    CloseConcernForm,
    ConcernForm,
    DecisionForm,
    ExportForm,
    NoteForm,
    QueueFilterForm,
    WatchNamesForm,
)
from board.moderation.models import Concern
from board.states import ModerationState
from board.web import get_allowed, id_from, whole_number

bp = Blueprint("moderation", __name__)


@bp.app_template_global()
def urgent_concerns() -> list[Concern]:
    """Immediate-danger concerns nobody has acknowledged, of the signed-in person's boards:
    the top of every staff home page (home/_urgent.html)."""
    return queries.urgent(db, current_user)


@bp.app_template_global()
def board_has_lead(board: Board) -> bool:
    """Whether a concern on ``board`` reaches a safeguarding lead (else the network's
    administrators are alerted in their place: ``services.alerted``)."""
    return services.has_lead(db, board.id)


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
    filters, valid = _filters(board, request.args)
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


def _filters(board: Board, values) -> tuple[QueueFilterForm, bool]:
    """The queue's meeting and service choice from ``values`` (the address, or the form a
    decision came from), and whether it was valid (one of the board's)."""
    filters = QueueFilterForm(values).offer(
        queries.held_meetings(db, board),
        board.services,
        lambda m: day(m.starts_at, board.timezone),
    )
    return filters, filters.validate()


def _just_approved(board: Board):
    """The item named by ``?approved=<kind>-<id>``, if it is an approved text of this board
    (whose moderators alone read this page): its words as partners will read them."""
    kind, _sep, ident = request.args.get("approved", "").partition("-")
    item_id = id_from(ident)
    if kind not in ITEMS or item_id is None:
        return None
    item = cast(Feedback | Action | None, db.get(ITEMS[kind], item_id))
    if item is None or item.moderation is not ModerationState.APPROVED:
        return None
    if services.board_of(item).id != board.id:
        return None
    return queries.QueueItem(kind, item, services.item_day(item), {})


def _queue_url(board: Board, **args) -> str:
    """Back to the queue, with the filters the decision was made under."""
    for name in ("meeting", "service"):
        value = id_from(request.form.get(name))
        if value is not None:
            args[name] = value
    return url_for("moderation.queue", board_id=board.id, **args)


# Far beyond any text's length: a larger offset is no offset at all.
SPAN_LIMIT = 10**6


def _removals(fields) -> services.Removals:
    """Ticked spans ("field:start:end") and typed words ("words-field") from the form."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for value in request.form.getlist("remove"):
        field, _sep, rest = value.partition(":")
        first, _sep, last = rest.partition(":")
        start, end = whole_number(first, SPAN_LIMIT), whole_number(last, SPAN_LIMIT)
        if field not in fields or start is None or end is None:
            raise services.ModerationError(
                _("A part to remove is outside the text. Please try again.")
            )
        spans.setdefault(field, []).append((start, end))
    words = {f: request.form.get(f"words-{f}", "")[:500] for f in fields}
    return services.Removals(spans, words)


def _approve(item, form) -> str:
    fields = services.FEEDBACK_FIELDS if isinstance(item, Feedback) else services.PROPOSAL_FIELDS
    removed = services.approve(db, current_user, item, _removals(fields), form.note.data or "")
    if removed:
        return ngettext(
            "Approved, with %(num)d part removed.", "Approved, with %(num)d parts removed.", removed
        )
    return _("Approved.")


def _reject(item, form) -> str:
    services.reject(db, current_user, item, form.reason.data, form.note.data or "")
    return _("Rejected. The text is deleted; the reason is counted.")


DECISIONS = {"approve": _approve, "reject": _reject}


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
    if request.form.get("decision") == "concern":
        return _raise(
            item,
            ConcernForm(prefix="concern_"),
            action=url_for("moderation.decide", kind=kind, item_id=item.id),
            back=f"{queue_url}#item-{kind}-{item_id}",
        )
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
    """The texts without highlights of the queue as filtered (``?meeting=&service=`` on the
    question, the same as hidden fields on the answer): the only ones the answer approves."""
    filters, valid = _filters(board, request.form if request.method == "POST" else request.args)
    meeting_id, service_id = filters.chosen()
    items = queries.filtered(queries.unmarked(db, board), meeting_id, service_id)
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
        left_out=len(queries.filtered(queries.queue(db, board), meeting_id, service_id))
        - len(items),
        form=form,
        filters=filters,
        chosen=(meeting_id, service_id),
    ), status if valid else 400


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
    flash(ngettext("Approved: %(num)d item.", "Approved: %(num)d items.", count), "success")
    if count < len(listed):
        flash(
            _(
                "Not approved, because they were decided or changed meanwhile: %(num)d",
                num=len(listed) - count,
            ),
            "error",
        )
    return redirect(_queue_url(board))


# Raising a concern ----------------------------------------------------------------------


def _at_fields(form, error: services.ConcernInputError) -> None:
    """The service's messages, each at its field of the form shown again."""
    for name, message in error.errors.items():
        form[name].errors = [*form[name].errors, str(message)]


def _raise(item, form: ConcernForm, *, action: str, back: str):
    """The form to raise a concern about ``item`` (a text, a child's idea, a help call, a
    meeting); posted, the concern is raised, or the form comes back with everything typed
    and a message at each field (400), or saying it was raised already (409)."""
    if isinstance(item, Meeting):
        form.reason.label.text = _("What you saw or heard")
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                services.raise_concern(db, current_user, item, **form.data_for_service())
                db.commit()
            except services.ConcernInputError as error:
                db.rollback()
                _at_fields(form, error)
            except services.ModerationError as error:  # raised already
                db.rollback()
                form.form_errors.append(str(error.message))
                status = 409
            except sa.exc.IntegrityError:  # the same call, raised at the same moment elsewhere
                db.rollback()
                form.form_errors.append(_("A concern was raised for this call already."))
                status = 409
            else:
                flash(
                    _("A safeguarding concern is raised. The safeguarding lead is alerted.")
                    if services.has_lead(db, services.board_of(item).id)
                    else _(
                        "A safeguarding concern is raised. This board has no safeguarding lead, "
                        "so the network's administrators are alerted."
                    ),
                    "success",
                )
                return redirect(back)
    return render_template(
        "moderation/raise.html",
        form=form,
        source=services.source_of(item),
        item=item,
        meeting=item if isinstance(item, Meeting) else getattr(item, "meeting", None),
        board=services.board_of(item),
        action=action,
        back=back,
    ), status


@bp.route("/help-calls/<int:call_id>/concern", methods=["GET", "POST"])
@login_required
def help_call_concern(call_id: int):
    """A child's call for an adult raised as a concern: what the child said, how urgent."""
    call = get_allowed(HelpCall, call_id, lambda c: can_run_meetings(current_user, c.meeting.board))
    back = url_for("room.meeting", meeting_id=call.meeting_id)
    return _raise(call, ConcernForm(), action=request.path, back=back)


@bp.route("/meetings/<int:meeting_id>/concern", methods=["GET", "POST"])
@login_required
def room_concern(meeting_id: int):
    """Something seen or heard in the room."""
    meeting = get_allowed(Meeting, meeting_id, lambda m: can_run_meetings(current_user, m.board))
    back = url_for("room.meeting", meeting_id=meeting.id)
    return _raise(meeting, ConcernForm(), action=request.path, back=back)


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
        export_form=ExportForm() if can_export_concerns(current_user, board) else None,
        now=utcnow(),
    )


@bp.get("/concerns/<int:concern_id>")
@login_required
def concern(concern_id: int):
    """A concern with the child's exact words and its timeline; this reading is logged."""
    return _concern_page(_concern_for(concern_id))


def _concern_page(concern: Concern, status: int = 200, **forms):
    """Show a concern (the child's words among it): one page shown, one entry in the log."""
    services.open_concern(db, current_user, concern)
    db.commit()
    return render_template(
        "moderation/concern.html",
        concern=concern,
        board=concern.board,
        confirm=ConfirmForm(),
        note_form=forms.get("note_form") or NoteForm(formdata=None),
        form=forms.get("form") or CloseConcernForm(formdata=None),
        now=utcnow(),
    ), status


@bp.post("/concerns/<int:concern_id>/acknowledge")
@login_required
def acknowledge(concern_id: int):
    concern = _concern_for(concern_id)
    if ConfirmForm().validate_on_submit():
        services.acknowledge_concern(db, current_user, concern)
        db.commit()
        flash(_("Acknowledged. Record on the timeline what you do."), "success")
    return redirect(url_for("moderation.concern", concern_id=concern.id))


def _work_on(concern: Concern, form, act, done: str, name: str):
    """Add to a concern's timeline with ``act``; else the page again, everything typed kept,
    the message at its field (400), or saying it is closed already (409)."""
    status = 400
    if form.validate_on_submit():
        try:
            act()
        except services.ConcernInputError as error:
            db.rollback()
            _at_fields(form, error)
        except services.ModerationError as error:
            db.rollback()
            form.form_errors.append(str(error.message))
            status = 409
        else:
            db.commit()
            flash(done, "success")
            return redirect(url_for("moderation.concern", concern_id=concern.id))
    return _concern_page(concern, status, **{name: form})


@bp.post("/concerns/<int:concern_id>/notes")
@login_required
def add_note(concern_id: int):
    """A dated note on the timeline: whom the lead contacted, to whom they referred, what
    they did."""
    concern = _concern_for(concern_id)
    form = NoteForm()
    return _work_on(
        concern,
        form,
        lambda: services.add_note(db, current_user, concern, form.kind.data, form.text.data or ""),
        _("Added to the timeline."),
        "note_form",
    )


@bp.post("/concerns/<int:concern_id>/close")
@login_required
def close(concern_id: int):
    concern = _concern_for(concern_id)
    form = CloseConcernForm()
    outcome = form.outcome.data or ""
    return _work_on(
        concern,
        form,
        lambda: services.close_concern(db, current_user, concern, outcome=outcome),
        _("The concern is closed."),
        "form",
    )


# Export for the organisation's case system ------------------------------------------------


@bp.post("/boards/<int:board_id>/concerns/export")
@login_required
def export_concerns(board_id: int):
    """A link to download the board's concerns once, shown on this page only."""
    board = get_allowed(Board, board_id, lambda b: can_export_concerns(current_user, b))
    if not ExportForm().validate_on_submit():
        abort(400)
    token = services.prepare_export(db, current_user, board)
    db.commit()
    return render_template(
        "moderation/export.html", board=board, token=token, minutes=services.EXPORT_MINUTES
    )


@bp.get("/concern-exports/<export_token>")
@login_required
def download_export(export_token: str):
    """The file, once, for the lead who asked for it, within EXPORT_MINUTES; a second time,
    or later: 410."""
    export = services.export_for(db, export_token) or abort(404)
    if export.made_by_id != current_user.id or not can_export_concerns(current_user, export.board):
        abort(403)
    if request.method == "HEAD":
        # A download manager or a link checker asks first: that takes nothing (and logs
        # nothing); only the GET that carries the file does.
        return Response(status=200, headers={"Cache-Control": "no-store"})
    try:
        text = services.take_export(db, current_user, export)
    except (services.ExportGone, services.ExportExpired) as error:
        db.rollback()
        return render_error(410, str(error.message))
    db.commit()
    name = f"concerns-{export.board_id}-{export.made_at:%Y%m%d-%H%M}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


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
