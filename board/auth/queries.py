"""Reads about staff accounts and their roles."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session

from board.auth.models import Role, RoleAssignment, User


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
