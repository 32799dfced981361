"""Facilitators compose summaries; partners read, export and answer them."""

from __future__ import annotations

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

from board.auth.access import (
    can_administer,
    can_answer_summary,
    can_change_response,
    can_read_dashboard,
    can_read_summary,
    can_run_meetings,
)
from board.auth.models import Role
from board.boards.models import Board
from board.confirm import ConfirmError
from board.db import db, utcnow
from board.disclosure import describe
from board.forms import ConfirmForm, show_error
from board.summaries import dashboard, export, figures, findings, queries, services
from board.summaries.forms import DashboardForm, DraftForm, PublishForm, ResponseForm, StartForm
from board.summaries.models import ItemKind, Summary, SummaryItem
from board.summaries.models import Response as PartnerResponse
from board.web import get_allowed

bp = Blueprint("summaries", __name__)


def _board(board_id: int) -> Board:
    return get_allowed(Board, board_id, lambda b: can_run_meetings(current_user, b))


def _own(summary_id: int) -> Summary:
    return get_allowed(Summary, summary_id, lambda s: can_run_meetings(current_user, s.board))


def _readable(summary_id: int) -> Summary:
    """Whoever may not read a draft is not told that it exists."""
    return get_allowed(
        Summary,
        summary_id,
        lambda s: can_read_summary(current_user, s),
        queries.WHOLE_SUMMARY,
        secret=lambda s: not s.published,
    )


def _start_form(board: Board) -> StartForm:
    return StartForm().offer(queries.periods(db, board))


def _list(board: Board, form: StartForm, status: int = 200):
    return render_template(
        "summaries/list.html",
        board=board,
        summaries=queries.board_summaries(db, board),
        form=form,
    ), status


@bp.get("/boards/<int:board_id>/summaries")
@login_required
def board_summaries(board_id: int):
    board = _board(board_id)
    return _list(board, _start_form(board))


@bp.post("/boards/<int:board_id>/summaries")
@login_required
def start(board_id: int):
    board = _board(board_id)
    form = _start_form(board)
    if form.validate_on_submit():
        try:
            summary = services.start_summary(db, current_user, board, *form.chosen())
        except services.SummaryError as error:
            db.rollback()
            show_error(form, error)
        else:
            db.commit()
            return redirect(url_for("summaries.edit", summary_id=summary.id))
    return _list(board, form, 400)


@bp.route("/summaries/<int:summary_id>/edit", methods=["GET", "POST"])
@login_required
def edit(summary_id: int):
    summary = _own(summary_id)
    if summary.published:
        return redirect(url_for("summaries.view", summary_id=summary.id))
    form = DraftForm().offer(queries.quotable(db, summary), findings.rated_services(db, summary))
    if request.method == "GET":
        form.fill(summary)
    if form.validate_on_submit():
        try:
            services.save_draft(db, current_user, summary, **form.draft())
        except services.SummaryError as error:
            show_error(form, error)
        else:
            db.commit()
            flash(_("The draft is saved. Check the preview before you publish."), "success")
            return redirect(url_for("summaries.view", summary_id=summary.id))
    return render_template(
        "summaries/edit.html", summary=summary, form=form, board=summary.board
    ), 400 if form.errors else 200


PUBLISH = "summary.publish"


@bp.post("/summaries/<int:summary_id>/publish")
@login_required
def publish(summary_id: int):
    """Publish once the facilitator confirmed, once: refused, the preview says why (400);
    published already (an answer sent again), it says so (409) and sends nothing again."""
    summary = _own(summary_id)
    if summary.published:
        flash(_("This summary is published already: it was not sent again."), "error")
        return _page(_readable(summary_id), 409)
    form = PublishForm().offer(queries.recipients(db, summary))
    if form.validate_on_submit():
        try:
            recipients = services.publish(db, current_user, summary)
            # Spent last, so that a refusal above leaves the same answer usable.
            form.answer(PUBLISH, summary.id)
        except (services.SummaryError, ConfirmError) as error:
            db.rollback()
            show_error(form, error)
            status = getattr(error, "status", 400)
            return _page(_readable(summary_id), status, publish_form=form.ask(PUBLISH, summary_id))
        db.commit()
        flash(_("Published to: %(names)s", names=", ".join(o.name for o in recipients)), "success")
        return redirect(url_for("summaries.view", summary_id=summary.id))
    return _page(_readable(summary_id), 400, publish_form=form)


def _context(summary: Summary) -> dict:
    board = summary.board
    table = figures.summary_table(db, summary)
    return {
        "summary": summary,
        "board": board,
        "table": table,
        "attendance": figures.summary_attendance(db, summary),
        "changes": figures.changes(db, summary, table),
        "describe": describe,
        "k": summary.k,
        "waiting": queries.waiting_items(summary),
        "finding_figures": findings.figures_by_finding(table, summary.items),
        "ItemKind": ItemKind,
    }


def _page(summary: Summary, status: int = 200, **forms):
    """The summary's page; ``forms`` are the ones sent back with their errors (what was
    typed kept): ``publish_form``, or ``response_form`` with the item it answered
    (``answering``) or the answer it changed (``editing``)."""
    publishing = None
    if not summary.published and can_run_meetings(current_user, summary.board):
        recipients = queries.recipients(db, summary)
        publishing = {
            "recipients": recipients,
            "blockers": services.publish_blockers(db, summary),
            "form": forms.pop("publish_form", None)
            or PublishForm().offer(recipients).ask(PUBLISH, summary.id),
        }
    return render_template(
        "summaries/view.html",
        **_context(summary),
        publishing=publishing,
        confirm=ConfirmForm(),
        response_form=forms.pop("response_form", None) or ResponseForm(formdata=None),
        answering=forms.pop("answering", None),
        editing=forms.pop("editing", None),
        can_respond=can_answer_summary(current_user, summary),
    ), status


@bp.get("/summaries/<int:summary_id>")
@login_required
def view(summary_id: int):
    """Exactly what partners see; for the facilitator of a draft, the preview."""
    return _page(_readable(summary_id))


@bp.get("/summaries/<int:summary_id>.csv")
@login_required
def export_csv(summary_id: int):
    summary = _readable(summary_id)
    return export.download(export.tables(export.summary_document(db, summary)), summary, "csv")


@bp.get("/summaries/<int:summary_id>.xlsx")
@login_required
def export_xlsx(summary_id: int):
    summary = _readable(summary_id)
    return export.download(export.tables(export.summary_document(db, summary)), summary, "xlsx")


@bp.get("/summaries/<int:summary_id>.json")
@login_required
def export_json(summary_id: int):
    return jsonify(export.summary_document(db, _readable(summary_id)))


def _at_item(summary_id: int, item_id: int):
    return redirect(url_for("summaries.view", summary_id=summary_id) + f"#item-{item_id}")


@bp.post("/summary-items/<int:item_id>/respond")
@login_required
def respond(item_id: int):
    """A partner answers an item; refused, the page comes back at the item with the error
    beside the field and what was typed (400)."""
    item = get_allowed(SummaryItem, item_id, lambda i: can_answer_summary(current_user, i.summary))
    form = ResponseForm()
    if form.validate_on_submit():
        try:
            services.respond(db, current_user, item, **form.answer())
        except services.SummaryError as error:
            db.rollback()
            show_error(form, error)
        else:
            db.commit()
            flash(_("Thank you. Your answer is recorded; the children will hear it."), "success")
            return _at_item(item.summary_id, item.id)
    return _page(_readable(item.summary_id), 400, response_form=form, answering=item.id)


def _changeable(response_id: int) -> PartnerResponse:
    return get_allowed(PartnerResponse, response_id, lambda r: can_change_response(current_user, r))


@bp.post("/responses/<int:response_id>/edit")
@login_required
def edit_response(response_id: int):
    """The partner brings their organisation's answer up to date (the earlier words kept)."""
    response = _changeable(response_id)
    item = response.item
    form = ResponseForm()
    if form.validate_on_submit():
        try:
            services.change_response(db, current_user, response, **form.answer())
        except services.SummaryError as error:
            db.rollback()
            show_error(form, error)
        else:
            db.commit()
            flash(_("Your answer is updated; the earlier one is kept."), "success")
            return _at_item(item.summary_id, item.id)
    return _page(_readable(item.summary_id), 400, response_form=form, editing=response_id)


@bp.post("/responses/<int:response_id>/withdraw")
@login_required
def withdraw_response(response_id: int):
    response = _changeable(response_id)
    item = response.item
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_response(db, current_user, response)
    except services.SummaryError as error:
        db.rollback()
        form = ResponseForm(formdata=None)
        show_error(form, error)
        return _page(_readable(item.summary_id), 400, response_form=form, editing=response_id)
    db.commit()
    flash(_("Your answer is withdrawn."), "success")
    return _at_item(item.summary_id, item.id)


@bp.route("/responses/<int:response_id>/children", methods=["GET", "POST"])
@login_required
def for_children(response_id: int):
    """The facilitator puts a partner's answer in children's words, per language."""
    response = get_allowed(
        PartnerResponse, response_id, lambda r: can_run_meetings(current_user, r.item.summary.board)
    )
    board = response.item.summary.board
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        texts = {lang: request.form.get(f"text-{lang}", "") for lang in board.language_codes}
        try:
            services.approve_for_children(db, current_user, response, texts)
        except services.SummaryError as problem:
            error = str(problem.message)
        else:
            db.commit()
            flash(_("The children will see this answer."), "success")
            return redirect(url_for("summaries.view", summary_id=response.item.summary_id))
    return render_template(
        "summaries/children.html", response=response, board=board, form=form, error=error
    ), 400 if error else 200


def _waiting_scope() -> dict:
    """Whose unanswered items the signed-in person follows: a partner their organisation's,
    a facilitator their boards', an administrator with no board every board's; 403 for
    anyone else."""
    if current_user.is_partner:
        return {"organisation_id": current_user.organisation_id}
    boards = current_user.board_ids(Role.FACILITATOR)
    if boards:
        return {"board_ids": boards}
    if can_administer(current_user):
        return {"board_ids": None}
    abort(403)


@bp.get("/answers/waiting")
@login_required
def waiting():
    """What still waits for an answer, and for how long: a partner's own, or a board's."""
    rows = queries.waiting_for(db, **_waiting_scope())
    return render_template("summaries/waiting.html", rows=rows, now=utcnow())


def _audience() -> dashboard.Audience:
    """Whose summaries the signed-in person may add up; 403 for anyone else."""
    if not can_read_dashboard(current_user):
        abort(403)
    if can_administer(current_user):
        return dashboard.Audience(everything=True)
    if current_user.is_partner:
        return dashboard.Audience(organisation_id=current_user.organisation_id)
    return dashboard.Audience(board_ids=frozenset(current_user.board_ids(Role.FACILITATOR)))


def _dashboard() -> tuple[DashboardForm, dashboard.Dashboard | None]:
    """The filters as asked, and the figures (None when a filter was refused)."""
    audience = _audience()
    form = DashboardForm(formdata=request.args).offer(dashboard.boards_for(db, audience))
    data = dashboard.build(db, audience, form.filters()) if form.validate() else None
    return form, data


@bp.get("/dashboard")
@login_required
def dashboard_page():
    """Published figures across boards, countries, kinds of service and periods."""
    form, data = _dashboard()
    query = {key: value for key, value in request.args.items() if value and key != "submit"}
    return render_template(
        "summaries/dashboard.html", form=form, data=data, query=query
    ), 200 if data else 400


@bp.get("/dashboard.csv")
@login_required
def dashboard_csv():
    form, data = _dashboard()
    if data is None:
        return jsonify(errors=form.errors), 400
    return Response(
        export.to_csv(export.dashboard_rows(data)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="dashboard.csv"'},
    )


@bp.get("/dashboard.json")
@login_required
def dashboard_json():
    form, data = _dashboard()
    if data is None:
        return jsonify(errors=form.errors), 400
    return jsonify(export.dashboard_document(data))
