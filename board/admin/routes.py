"""Network administration: organisations, boards, services, accounts, roles, audit log."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy.orm import selectinload

from board.admin import audit as audit_links
from board.admin.forms import (
    BoardForm,
    InviteForm,
    NetworkSettingsForm,
    OrganisationForm,
    RoleForm,
    ServiceForm,
)
from board.audit import queries as audit_queries
from board.audit.forms import AuditFilterForm
from board.audit.models import ACTION_LABELS, TARGET_LABELS
from board.audit.services import record
from board.auth import queries as account_queries
from board.auth import services as accounts
from board.auth import settings as network
from board.auth import signin, throttle, two_factor
from board.auth.access import only_administrators
from board.auth.models import Role, RoleAssignment, User
from board.boards import queries
from board.boards import services as boards
from board.boards.models import Board, Organisation, OrganisationKind, Service, ServiceCategory
from board.boards.zones import offer_zones
from board.confirm import ConfirmError, issue, spend
from board.db import db, utcnow
from board.errors import render_error
from board.forms import ConfirmForm, choices, show_error
from board.i18n import zone_name
from board.mail import queue_mail
from board.web import get_or_404
from board.wordings.forms import names_data, typed_names, with_names

bp = Blueprint("admin", __name__, url_prefix="/admin")


# Every page here is for network administrators only.
bp.before_request(only_administrators)


def _page(template: str, form, **context):
    """Render a form page: 400 when the submitted form was refused."""
    return render_template(template, form=form, **context), 400 if form.errors else 200


@bp.get("/")
def index():
    counts = {
        "organisations": db.scalar(sa.select(sa.func.count()).select_from(Organisation)),
        "boards": db.scalar(sa.select(sa.func.count()).select_from(Board)),
        "accounts": db.scalar(sa.select(sa.func.count()).select_from(User)),
    }
    return render_template("admin/index.html", counts=counts)


# Organisations -------------------------------------------------------------------------


@bp.get("/organisations")
def organisations():
    return render_template("admin/organisations.html", organisations=queries.all_organisations(db))


@bp.route("/organisations/new", methods=["GET", "POST"])
@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def organisation(organisation_id: int | None = None):
    organisation = get_or_404(Organisation, organisation_id) if organisation_id else None
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            boards.save_organisation(
                db,
                current_user,
                organisation,
                name=form.name.data,
                kind=OrganisationKind(form.kind.data),
                country=form.country.data,
            )
        except boards.BoardError as error:
            show_error(form, error)
        else:
            db.commit()
            flash(_("The organisation is saved."), "success")
            return redirect(url_for("admin.organisations"))
    return _page("admin/organisation.html", form, organisation=organisation)


# Boards and services -------------------------------------------------------------------


@bp.get("/boards")
def boards_list():
    return render_template("admin/boards.html", boards=queries.all_boards(db))


def _board_form(board: Board | None) -> BoardForm:
    form = BoardForm(obj=board)
    organisations = queries.all_organisations(db)
    form.organisation_id.choices = choices((o.id, o.name) for o in organisations)
    form.partner_ids.choices = choices((o.id, o.name) for o in organisations)
    if board is not None and request.method == "GET":
        form.languages.data = board.language_codes
        form.partner_ids.data = [o.id for o in board.partners]
    offer_zones(form.timezone, form.country)
    return form


@bp.route("/boards/new", methods=["GET", "POST"])
@bp.route("/boards/<int:board_id>", methods=["GET", "POST"])
def board(board_id: int | None = None):
    board = get_or_404(Board, board_id) if board_id else None
    form = _board_form(board)
    if form.validate_on_submit():
        organisations = {o.id: o for o in queries.all_organisations(db)}
        try:
            saved = boards.save_board(
                db,
                current_user,
                board,
                name=form.name.data,
                city=form.city.data,
                country=form.country.data,
                timezone=form.timezone.data,
                languages=form.languages.data,
                helpline=form.helpline.data,
                threshold_k=form.threshold_k.data,
                service_months=form.service_months.data,
                retention_months=form.retention_months.data,
                safeguarding_retention_months=form.safeguarding_retention_months.data,
                idle_seconds=form.idle_seconds.data,
                offline_grace_minutes=form.offline_grace_minutes.data,
                admit_by_tap=form.admit_by_tap.data,
                watch_names=form.watch_names.data or "",
                organisation=organisations[form.organisation_id.data],
                partners=[organisations[i] for i in form.partner_ids.data],
            )
        except boards.BoardError as error:
            show_error(form, error)
        else:
            db.commit()
            flash(_("The board is saved."), "success")
            return redirect(url_for("admin.board", board_id=saved.id))
    return _page("admin/board.html", form, board=board)


@bp.route("/boards/<int:board_id>/services/new", methods=["GET", "POST"])
@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
def service(board_id: int | None = None, service_id: int | None = None):
    service = get_or_404(Service, service_id) if service_id else None
    board = service.board if service else get_or_404(Board, board_id)
    form = with_names(ServiceForm, board)(obj=service, data=names_data(service))
    if form.validate_on_submit():
        try:
            boards.save_service(
                db,
                current_user,
                board,
                service,
                name=form.name.data,
                category=ServiceCategory(form.category.data),
                active=form.active.data,
                names=typed_names(form, board),
            )
        except boards.BoardError as error:
            show_error(form, error)
        else:
            db.commit()
            flash(_("The service is saved."), "success")
            return redirect(url_for("admin.board", board_id=board.id))
    return _page("admin/service.html", form, board=board, service=service)


# Accounts and roles --------------------------------------------------------------------


@bp.get("/accounts")
def accounts_list():
    users = db.scalars(
        sa.select(User)
        .options(
            selectinload(User.organisation),
            selectinload(User.roles).selectinload(RoleAssignment.board),
        )
        .order_by(User.name)
    )
    return render_template("admin/accounts.html", users=list(users))


def _fill_role_choices(form) -> dict[int, Board]:
    all_boards = {b.id: b for b in queries.all_boards(db)}
    form.board_id.choices = choices(
        [(0, _("No board"))] + [(b.id, b.name) for b in all_boards.values()]
    )
    return all_boards


def _role_and_board(form, all_boards) -> tuple[Role, Board | None]:
    return Role(form.role.data), all_boards.get(form.board_id.data)


GRANT_ADMIN = "account.grant_admin"


def _unconfirmed_admin(form, name: str, action: str, back: str, target: int = 0, version: str = ""):
    """Making someone a network administrator is asked twice, on a page that says what it
    gives them; the answer posts the same form again, with a one-time token (board.confirm)
    for this person (``target``: their id, 0 for an invitation, whose ``version`` is then the
    address invited: a yes for one address is no yes for another). None when confirmed (or
    not needed); the question (again: 400 for an answer out of date), or 409 for an answer
    sent twice."""
    if form.role.data != Role.ADMINISTRATOR.value:
        return None
    status, error = 200, None
    if form.confirm_admin.data:
        try:
            spend(GRANT_ADMIN, target, form.confirm_admin.data, version)
        except ConfirmError as refused:
            if refused.status == 409:
                return render_error(409, str(refused.message))
            status, error = 400, refused.message
        else:
            return None
    form.confirm_admin.data = issue(GRANT_ADMIN, target, version)
    return render_template(
        "admin/confirm_admin.html", form=form, name=name, action=action, back=back, error=error
    ), status


def _send_invitation(user: User, token: str) -> str:
    """Queue the mail with the link (it leaves once the caller commits); the link, to show
    the administrator once after the commit."""
    link = url_for("auth.accept_invitation", token=token, _external=True)
    queue_mail(
        db,
        user,
        _l("Your account on board"),
        _l("Open this link to choose your password: %(link)s", link=link),
    )
    return link


@bp.route("/accounts/new", methods=["GET", "POST"])
def invite():
    form = InviteForm()
    form.organisation_id.choices = choices((o.id, o.name) for o in queries.all_organisations(db))
    all_boards = _fill_role_choices(form)
    if form.validate_on_submit():
        back = url_for("admin.accounts_list")
        address = accounts.normalise_email(form.email.data or "")
        action = url_for("admin.invite")
        if question := _unconfirmed_admin(form, form.name.data, action, back, version=address):
            return question
        try:
            user, token = accounts.invite_user(
                db,
                current_user,
                email=form.email.data,
                name=form.name.data,
                organisation=db.get(Organisation, form.organisation_id.data),
                locale=form.locale.data,
                roles=[_role_and_board(form, all_boards)],
                ttl_hours=current_app.config["INVITATION_TTL_HOURS"],
            )
        except accounts.AccountError as error:
            show_error(form, error)
        else:
            link = _send_invitation(user, token)
            db.commit()
            session["invitation_link"] = link
            flash(_("The account is created. Send the person their invitation link."), "success")
            return redirect(url_for("admin.account", user_id=user.id))
    return _page("admin/invite.html", form)


@bp.get("/accounts/<int:user_id>")
def account(user_id: int):
    user = get_or_404(User, user_id)
    form = RoleForm()
    _fill_role_choices(form)
    return _account_page(user, form, invitation_link=session.pop("invitation_link", None))


def _account_page(user: User, role_form: RoleForm, status: int = 200, **context):
    """The account page: its roles, the form to add one, and what the last act said."""
    context.setdefault("invitation_link", None)
    context["paused_minutes"] = math.ceil(throttle.pause_left(user.email) / 60)
    page = render_template(
        "admin/account.html", user=user, role_form=role_form, confirm=ConfirmForm(), **context
    )
    return page, status


@bp.post("/accounts/<int:user_id>/roles")
def add_role(user_id: int):
    user = get_or_404(User, user_id)
    form = RoleForm()
    all_boards = _fill_role_choices(form)
    if form.validate_on_submit():
        action = url_for("admin.add_role", user_id=user.id)
        back = url_for("admin.account", user_id=user.id)
        if question := _unconfirmed_admin(form, user.name, action, back, user.id):
            return question
        role, board = _role_and_board(form, all_boards)
        try:
            accounts.assign_role(db, current_user, user, role, board)
        except accounts.AccountError as error:
            show_error(form, error)
        else:
            db.commit()
            flash(_("The role is added."), "success")
            return redirect(url_for("admin.account", user_id=user.id))
    return _account_page(user, form, 400)


def _refused(user: User, error: accounts.AccountError):
    """The account page again, with why the act was refused (409: the accounts as they are
    do not allow it, such as the network's last administrator)."""
    form = RoleForm()
    _fill_role_choices(form)
    return _account_page(user, form, 409, refusal=str(error.message))


@bp.post("/roles/<int:assignment_id>/remove")
def remove_role(assignment_id: int):
    assignment = get_or_404(RoleAssignment, assignment_id)
    user = assignment.user
    if ConfirmForm().validate_on_submit():
        try:
            accounts.remove_role(db, current_user, assignment)
        except accounts.AccountError as error:
            return _refused(user, error)
        db.commit()
        flash(_("The role is removed."), "success")
    return redirect(url_for("admin.account", user_id=user.id))


@bp.post("/accounts/<int:user_id>/active")
def set_active(user_id: int):
    user = get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        active = request.form.get("active") == "1"
        try:
            accounts.set_active(db, current_user, user, active)
        except accounts.AccountError as error:
            return _refused(user, error)
        db.commit()
        flash(
            _("The account is active.") if active else _("The account is deactivated."),
            "success",
        )
    return redirect(url_for("admin.account", user_id=user.id))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """The network's settings: who must use two-factor sign-in. The configuration is the
    least; requiring it of fewer accounts takes a current code from the administrator's app.
    A change is audited and mailed to every administrator; the accounts it concerns are
    asked at their next page."""
    form = NetworkSettingsForm(data={"two_factor": two_factor.policy().value})
    if not form.validate_on_submit():
        return _settings_page(form, 400 if form.errors else 200)
    rule, floor = two_factor.Policy(form.two_factor.data), two_factor.configured()
    if rule.strength < floor.strength:
        form.two_factor.errors.append(
            _("The server's configuration requires at least this: ask whoever runs it.")
        )
        return _settings_page(form, 400)
    if rule.strength < two_factor.policy().strength and (refused := _code_refused(form)):
        return refused
    if network.change(db, current_user, network.TWO_FACTOR, rule.value, floor.value):
        db.commit()
        flash(_("The settings are saved. Every administrator is told by mail."), "success")
    return redirect(url_for("admin.settings"))


def _settings_page(form: NetworkSettingsForm, status: int):
    users = account_queries.active_accounts(db)
    page = render_template(
        "admin/settings.html",
        form=form,
        current=two_factor.policy(),
        floor=two_factor.configured(),
        strength={rule.value: rule.strength for rule in two_factor.Policy},
        setting=network.chosen(db, network.TWO_FACTOR),
        to_enrol={
            rule.value: sum(
                1 for u in users if two_factor.required_for(u, rule) and not u.has_two_factor
            )
            for rule in two_factor.Policy
        },
    )
    return page, status


def _code_refused(form: NetworkSettingsForm):
    """Before the rule is lowered: a current code from the administrator's app, if they use
    two-factor sign-in (a stolen session alone cannot lower it). None when it is right; else
    the page with the reason at the field, or the wait after too many wrong codes."""
    user = current_user._get_current_object()
    if not user.has_two_factor:
        return None
    if not form.code.data:
        form.code.errors.append(_("Type the code your app shows now."))
        return _settings_page(form, 400)
    address = get_remote_address()
    if waiting := signin.code_wait(user, address):
        return waiting
    try:
        two_factor.confirm_with_code(db, user, form.code.data)
    except two_factor.TwoFactorError as error:
        if signin.code_failed(user, error, address):
            return signin.code_wait(user, address)
        form.code.errors.append(str(error.message))
        return _settings_page(form, 401)
    return None


@bp.get("/invitations")
def invitations():
    """Invitations never used: those still waiting and those expired, each to send again."""
    now = utcnow()
    waiting, expired = [], []
    for invitation in account_queries.open_invitations(db):
        (waiting if invitation.expires_at > now else expired).append(invitation)
    return render_template(
        "admin/invitations.html", waiting=waiting, expired=expired, confirm=ConfirmForm()
    )


@bp.post("/accounts/<int:user_id>/invitation")
def new_invitation(user_id: int):
    user = get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            token = accounts.reissue_invitation(
                db, current_user, user, ttl_hours=current_app.config["INVITATION_TTL_HOURS"]
            )
        except accounts.AccountError as error:
            flash(str(error.message), "error")
        else:
            link = _send_invitation(user, token)
            db.commit()
            session["invitation_link"] = link
            flash(_("A new link is ready. Earlier links no longer work."), "success")
    return redirect(url_for("admin.account", user_id=user.id))


# Audit log -----------------------------------------------------------------------------


def _audit_form() -> AuditFilterForm:
    """The filters as asked; the view validates them."""
    return AuditFilterForm(formdata=request.args).offer(
        queries.all_boards(db),
        db.scalars(sa.select(User).order_by(User.name)),
        audit_queries.known_actions(db),
    )


@bp.get("/audit")
def audit():
    """The log, filtered by days, board, person and action; each entry linked to its record
    where it still exists. Refused filters: a message at the field, 400, no entries."""
    form = _audit_form()
    if not form.validate():
        return _audit_page(form, page=None), 400
    filters = form.filters(request.args.get("page"))
    page = audit_queries.entries(db, filters)
    return _audit_page(
        form,
        filters=filters,
        page=page,
        links=audit_links.links(db, current_user, page.entries),
        action_labels=ACTION_LABELS,
        target_labels=TARGET_LABELS,
    )


def _audit_page(form: AuditFilterForm, **context):
    return render_template("admin/audit.html", form=form, zone=zone_name(form.zone), **context)


@bp.get("/audit.csv")
def audit_csv():
    """The filtered entries as CSV; the export is itself an entry of the log."""
    form = _audit_form()
    if not form.validate():
        return jsonify(errors=form.errors), 400
    filters = form.filters()
    rows = audit_queries.all_entries(db, filters)
    body = audit_links.csv_document(db, rows)
    asked = urlencode(filters.query_args())
    record(db, current_user, "audit.export", None, detail=f"{asked or 'all'}; {len(rows)}")
    db.commit()
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
