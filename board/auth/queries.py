"""Reads about staff accounts, their roles and what they hold on boards."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from board.auth.models import Invitation, Role, RoleAssignment, User
from board.boards.models import Board, Organisation


def boards_for(session: Session, user: User) -> dict[str, list[Board]]:
    """The boards a signed-in account sees on its home page, by role."""
    result: dict[str, list[Board]] = {}
    for role in (Role.FACILITATOR, Role.SAFEGUARDING_LEAD):
        ids = user.board_ids(role)
        if ids:
            result[role.value] = list(
                session.scalars(sa.select(Board).where(Board.id.in_(ids)).order_by(Board.name))
            )
    if user.is_partner:
        result[Role.PARTNER.value] = list(
            session.scalars(
                sa.select(Board)
                .join(Board.partners)
                .where(Organisation.id == user.organisation_id)
                .order_by(Board.name)
            )
        )
    return result


def board_staff(session: Session, board: Board) -> list[RoleAssignment]:
    """Facilitators and safeguarding leads of a board, with their accounts."""
    return list(
        session.scalars(
            sa.select(RoleAssignment)
            .join(User)
            .where(RoleAssignment.board_id == board.id)
            .options(selectinload(RoleAssignment.user))
            .order_by(RoleAssignment.role, User.name)
        )
    )


def active_accounts(session: Session) -> list[User]:
    """Every active staff account, its roles loaded (to count whom a rule concerns)."""
    return list(
        session.scalars(
            sa.select(User).where(User.active.is_(True)).options(selectinload(User.roles))
        )
    )


def users_with_role(
    session: Session,
    board_id: int | None,
    role: Role,
    *,
    organisation_ids: Collection[int] | None = None,
) -> list[User]:
    """Active accounts holding ``role``: on board ``board_id`` for a per-board role
    (facilitators, safeguarding leads), None for a network-wide one (administrators,
    partners); only those of ``organisation_ids`` when given. Whom a notice is mailed to."""
    query = (
        sa.select(User)
        .join(RoleAssignment)
        .where(
            RoleAssignment.role == role,
            RoleAssignment.board_id.is_(None)
            if board_id is None
            else RoleAssignment.board_id == board_id,
            User.active.is_(True),
        )
    )
    if organisation_ids is not None:
        query = query.where(User.organisation_id.in_(organisation_ids))
    return list(session.scalars(query))


def open_invitations(session: Session) -> list[Invitation]:
    """Each active account's newest invitation that was never used (waiting or expired),
    oldest first: the links an administrator may need to send again. Earlier links of an
    account were ended when a newer one was made."""
    newest = sa.select(sa.func.max(Invitation.id)).group_by(Invitation.user_id).scalar_subquery()
    return list(
        session.scalars(
            sa.select(Invitation)
            .join(User)
            .options(selectinload(Invitation.user))
            .where(Invitation.id.in_(newest), Invitation.used_at.is_(None), User.active.is_(True))
            .order_by(Invitation.expires_at, Invitation.id)
        )
    )
