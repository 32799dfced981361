"""Reads about staff accounts and what they hold on boards."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from board.auth.models import Role, RoleAssignment, User
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
