"""Who may do what. Plain functions that tests call directly, plus a route decorator."""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

from flask import abort, current_app
from flask_login import current_user, login_required

from board.auth.models import Role, User
from board.boards.models import Board

if TYPE_CHECKING:
    from board.summaries.models import Response, Summary


def roles_required(*roles: Role):
    """Route decorator: signed in, and holding at least one of ``roles`` on some board."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(current_user.has_role(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def only_administrators():
    """A blueprint's ``before_request``: sign in first, then administrators only."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not can_administer(current_user):
        abort(403)
    return None


def can_administer(user: User) -> bool:
    """Network administration: organisations, boards, services, accounts, audit log."""
    return user.is_authenticated and user.is_admin


def works_on_board(user: User, board: Board) -> bool:
    """A facilitator or safeguarding lead of this board."""
    return user.is_authenticated and board.id in (
        user.board_ids(Role.FACILITATOR) | user.board_ids(Role.SAFEGUARDING_LEAD)
    )


def is_partner_of(user: User, board: Board) -> bool:
    """A partner whose organisation is linked to this board."""
    return (
        user.is_authenticated
        and user.is_partner
        and any(org.id == user.organisation_id for org in board.partners)
    )


def can_view_board(user: User, board: Board) -> bool:
    """The board's page: its staff, its partners and administrators."""
    return can_administer(user) or works_on_board(user, board) or is_partner_of(user, board)


def can_run_meetings(user: User, board: Board) -> bool:
    """Schedule, open, close and watch the board's meetings: its facilitators (and admins)."""
    return user.is_authenticated and (
        can_administer(user) or board.id in user.board_ids(Role.FACILITATOR)
    )


def can_read_dashboard(user: User) -> bool:
    """Published figures across boards: partners (what they received), facilitators
    (their boards') and administrators (all)."""
    return user.is_authenticated and (
        can_administer(user) or user.is_partner or bool(user.board_ids(Role.FACILITATOR))
    )


def can_answer_summary(user: User, summary: Summary) -> bool:
    """Answer a summary's items: partners whose organisation the published summary was
    sent to, and no one else (not even an administrator speaks for a partner)."""
    return (
        user.is_authenticated
        and summary.published
        and user.is_partner
        and user.organisation_id in {o.id for o in summary.recipients}
    )


def can_change_response(user: User, response: Response) -> bool:
    """Edit or withdraw an answer: the partners of the organisation that gave it, while
    they may answer the summary."""
    return (
        can_answer_summary(user, response.item.summary)
        and user.organisation_id == response.organisation_id
    )


def can_read_summary(user: User, summary: Summary) -> bool:
    """A summary's page and exports: the board's facilitators (a draft too, as its
    preview), administrators, and the partners who may answer it."""
    return can_run_meetings(user, summary.board) or can_answer_summary(user, summary)


def can_moderate(user: User, board: Board) -> bool:
    """The board's moderation queue: its facilitators (and administrators)."""
    return can_run_meetings(user, board)


def can_handle_concerns(user: User, board: Board) -> bool:
    """Open and act on safeguarding concerns: the board's safeguarding leads and admins."""
    return user.is_authenticated and (
        can_administer(user) or board.id in user.board_ids(Role.SAFEGUARDING_LEAD)
    )


def can_export_concerns(user: User, board: Board) -> bool:
    """Export the board's concerns for the organisation's own case system: its safeguarding
    leads only. An administrator reads concerns but is not the board's lead: the file leaves
    the platform, and only the lead answers for where it goes."""
    return user.is_authenticated and board.id in user.board_ids(Role.SAFEGUARDING_LEAD)
