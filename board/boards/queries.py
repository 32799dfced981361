"""Reads about organisations, boards and services."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from board.boards.models import Board, Organisation


def all_boards(session: Session) -> list[Board]:
    return list(
        session.scalars(
            sa.select(Board)
            .options(selectinload(Board.partners), selectinload(Board.services))
            .order_by(Board.name)
        )
    )


def all_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(sa.select(Organisation).order_by(Organisation.name)))
