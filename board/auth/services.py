"""Accounts: invitations, passwords, sign-in, roles. Services flush; views commit."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from importlib import resources

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from board.audit.services import record
from board.auth.models import Invitation, Role, RoleAssignment, User
from board.boards.models import Board, Organisation
from board.db import utcnow
from board.rules import RuleError

MIN_PASSWORD_LENGTH = 12
# The hashing method unless the PASSWORD_HASH_METHOD setting names another (only the tests'
# configuration does: a cheap one, for passwords that protect nothing).
PASSWORD_METHOD = "scrypt"  # noqa: S105 (a hashing method, not a password)  # nosec B105


def _password_method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else PASSWORD_METHOD


@cache
def _dummy_hash(method: str) -> str:
    """Compared against when the email is unknown, so both failures take the same time."""
    return generate_password_hash("not-a-real-password-at-all", method=method)


_dummy_hash(PASSWORD_METHOD)  # made now, not at the first unknown email


class AccountError(RuleError):
    """A rule about accounts was broken; the message is translated and shown to the user."""


class LastAdministrator(AccountError):
    """The act would leave the network without an administrator who can sign in."""


_LAST_ADMIN = _l(
    "The network needs at least one administrator who can sign in. Make another person an "
    "administrator first."
)


def _other_administrators(session: Session, user: User) -> int:
    """Administrators besides ``user`` who can sign in (active, with a password: an
    invitation not yet accepted administers nothing).

    Asked before taking an administrator away, so every administrator's row is locked
    (``FOR UPDATE``, in the order of their ids) until the transaction ends: of two
    administrators deactivating each other at the same moment, the second waits for the
    first, then counts again and finds none left. SQLite ignores the lock; it lets one
    writer at a time anyway."""
    admins = session.scalars(
        sa.select(User.id)
        .join(RoleAssignment)
        .where(
            RoleAssignment.role == Role.ADMINISTRATOR,
            User.active.is_(True),
            User.password_hash.is_not(None),
        )
        .order_by(User.id)
        .with_for_update(of=User)
    )
    return len(set(admins) - {user.id})


class LastLead(AccountError):
    """The act would leave a board without a safeguarding lead who can sign in: its
    concerns would reach no one who handles them."""


def _boards_left_without_lead(session: Session, user: User, board_ids: set[int]) -> list[str]:
    """The names of the boards among ``board_ids`` where ``user`` is the only safeguarding
    lead who can sign in (rows locked as for administrators)."""
    if not board_ids:
        return []
    rows = session.execute(
        sa.select(RoleAssignment.board_id, User.id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            RoleAssignment.role == Role.SAFEGUARDING_LEAD,
            RoleAssignment.board_id.in_(board_ids),
            User.active.is_(True),
            User.password_hash.is_not(None),
        )
        .order_by(User.id)
        .with_for_update(of=User)
    )
    others: dict[int, set[int]] = {board_id: set() for board_id in board_ids}
    for board_id, lead_id in rows:
        if lead_id != user.id and board_id is not None:
            others[board_id].add(lead_id)
    alone = [board_id for board_id, ids in others.items() if not ids]
    return sorted(session.get_one(Board, board_id).name for board_id in alone)


def _keep_a_lead(session: Session, user: User, board_ids: set[int]) -> None:
    if names := _boards_left_without_lead(session, user, board_ids):
        raise LastLead(
            _l(
                "%(boards)s would have no safeguarding lead: concerns raised there would reach "
                "no one who handles them. Give the role to someone else first.",
                boards=", ".join(names),
            )
        )


class InvitationInvalid(AccountError):
    """The invitation link is unknown, expired or already used."""


_USED = _l("This invitation link has been used already. Sign in, or ask for a new link.")
_EXPIRED = _l("This invitation link has expired. Ask your administrator for a new one.")


@cache
def common_passwords() -> frozenset[str]:
    """The refused passwords, lower case."""
    text = resources.files("board.auth").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 4:
        return str(_l("This password is too common. Choose another one."))
    if email and lowered == email.lower():
        return str(_l("The password must not be your email address."))
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active account with that email and password, or None (same cost either way)."""
    user = find_user_by_email(session, email)
    dummy = _dummy_hash(_password_method())
    stored = user.password_hash if user and user.password_hash else dummy
    matches = check_password_hash(stored, password)
    if user is None or not matches or not user.is_active:
        return None
    return user


def load_user(session: Session, user_id: str) -> User | None:
    """Flask-Login's loader: ``id:epoch``; a stale epoch (password changed) signs out."""
    try:
        raw_id, raw_epoch = user_id.split(":")
        user = session.get(User, int(raw_id))
        epoch = int(raw_epoch)
    except (ValueError, TypeError):
        return None
    if user is None or user.session_epoch != epoch or not user.is_active:
        return None
    return user


def invite_user(
    session: Session,
    actor: User | None,
    *,
    email: str,
    name: str,
    organisation: Organisation,
    locale: str | None = None,
    roles: Sequence[tuple[Role, Board | None]] = (),
    ttl_hours: int = 72,
) -> tuple[User, str]:
    """Create an account without a password and an invitation; returns the link's token."""
    email = normalise_email(email)
    if find_user_by_email(session, email) is not None:
        raise AccountError(_l("An account with this email exists already."), field="email")
    user = User(email=email, name=name.strip(), organisation=organisation, locale=locale)
    session.add(user)
    for role, board in roles:
        # Network administration is always in the audit log, however it was given.
        assign_role(session, actor, user, role, board, audit=role is Role.ADMINISTRATOR)
    session.flush()
    token = issue_invitation(session, user, ttl_hours=ttl_hours)
    record(session, actor, "account.invite", user, detail=email)
    return user, token


def issue_invitation(session: Session, user: User, *, ttl_hours: int = 72) -> str:
    """A new one-time link for ``user``; earlier unused links stop working."""
    now = utcnow()
    session.execute(
        sa.update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        Invitation(
            user=user,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + timedelta(hours=ttl_hours),
        )
    )
    session.flush()
    return token


def check_invitation(session: Session, token: str, now: datetime | None = None) -> Invitation:
    """The usable invitation for ``token``; raises InvitationInvalid with the reason."""
    invitation = session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == _token_hash(token))
    )
    if invitation is None:
        raise InvitationInvalid(_l("This invitation link is not known."))
    if invitation.used_at is not None:
        raise InvitationInvalid(_USED)
    if invitation.expires_at <= (now or utcnow()):
        raise InvitationInvalid(_EXPIRED)
    if not invitation.user.active:
        raise InvitationInvalid(_l("This account has been deactivated."))
    return invitation


def accept_invitation(session: Session, token: str, password: str) -> User:
    """Set the invited person's password and use up the link.

    The link is used up by one conditional update (still unused, not yet expired), and only
    the request whose update changed the row goes on: the same link opened eight times at
    once sets one password, not eight (a check followed by a separate write lets every
    racer through)."""
    invitation = check_invitation(session, token)
    now = utcnow()
    used = session.execute(
        sa.update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's Result is a CursorResult
        if invitation.expires_at <= now:
            raise InvitationInvalid(_EXPIRED)
        raise InvitationInvalid(_USED)
    user = invitation.user
    set_password(session, user, password)
    record(session, user, "account.accept_invitation", user)
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Hash and store a new password; other sessions of this account end."""
    problem = password_problem(password, user.email)
    if problem:
        raise AccountError(problem, field="password")
    user.password_hash = generate_password_hash(password, method=_password_method())
    user.session_epoch += 1
    session.flush()


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Change a password after checking the current one."""
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise AccountError(_l("The current password is not right."), field="current_password")
    set_password(session, user, new)
    record(session, user, "account.change_password", user)


def set_active(session: Session, actor: User, user: User, active: bool) -> None:
    """Deactivate (signing the account out everywhere) or reactivate an account."""
    if user.active == active:
        return
    if not active and user.is_admin and not _other_administrators(session, user):
        raise LastAdministrator(_LAST_ADMIN)
    if not active:
        _keep_a_lead(session, user, user.board_ids(Role.SAFEGUARDING_LEAD))
    if actor.id == user.id and not active:
        raise AccountError(_l("You cannot deactivate your own account."))
    user.active = active
    user.session_epoch += 1
    record(session, actor, "account.activate" if active else "account.deactivate", user)
    session.flush()


def assign_role(
    session: Session,
    actor: User | None,
    user: User,
    role: Role,
    board: Board | None = None,
    *,
    audit: bool = True,
) -> RoleAssignment | None:
    """Give ``user`` a role (per board for facilitators and safeguarding leads)."""
    if role.per_board and board is None:
        raise AccountError(_l("Choose the board for this role."), field="board")
    if not role.per_board:
        board = None
    for existing in user.roles:
        if existing.role is role and existing.board_id == (board.id if board else None):
            return None
    assignment = RoleAssignment(user=user, role=role, board=board)
    session.add(assignment)
    session.flush()
    if audit:
        record(
            session,
            actor,
            "role.assign",
            user,
            board_id=board.id if board else None,
            detail=role.value,
        )
    return assignment


def remove_role(session: Session, actor: User, assignment: RoleAssignment) -> None:
    """Take a role away; the last administrator who can sign in cannot lose their role, nor
    a board's last safeguarding lead theirs."""
    user = assignment.user
    if assignment.role is Role.ADMINISTRATOR and not _other_administrators(session, user):
        raise LastAdministrator(_LAST_ADMIN)
    if assignment.role is Role.SAFEGUARDING_LEAD and assignment.board_id is not None:
        _keep_a_lead(session, user, {assignment.board_id})
    user.roles.remove(assignment)
    session.delete(assignment)
    record(
        session,
        actor,
        "role.remove",
        user,
        board_id=assignment.board_id,
        detail=assignment.role.value,
    )
    session.flush()


def create_admin(
    session: Session, *, email: str, name: str, password: str, organisation: Organisation
) -> User:
    """The first administrator, from the command line."""
    email = normalise_email(email)
    if find_user_by_email(session, email) is not None:
        raise AccountError(_l("An account with this email exists already."), field="email")
    user = User(email=email, name=name, organisation=organisation)
    session.add(user)
    session.flush()
    set_password(session, user, password)
    assign_role(session, None, user, Role.ADMINISTRATOR, audit=False)
    record(session, None, "account.create_admin", user, detail=email)
    return user


def reissue_invitation(session: Session, actor: User, user: User, *, ttl_hours: int = 72) -> str:
    """A fresh link for an existing account (also how a forgotten password is reset)."""
    if not user.active:
        raise AccountError(_l("Reactivate the account first."))
    token = issue_invitation(session, user, ttl_hours=ttl_hours)
    record(session, actor, "account.new_invitation", user)
    return token
