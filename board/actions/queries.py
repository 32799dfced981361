"""Reads about advocacy actions."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session

from board.actions.models import Action, ActionStatus
from board.boards.models import Board
from board.states import ModerationState

DECIDED = (ActionStatus.ADOPTED, ActionStatus.NOT_ADOPTED, ActionStatus.DONE, ActionStatus.DROPPED)


def board_actions(session: Session, board: Board) -> list[Action]:
    """Every action of the board a facilitator can work on (children's proposals once moderated)."""
    return list(
        session.scalars(
            sa.select(Action)
            .where(Action.board_id == board.id, Action.moderation == ModerationState.APPROVED)
            .order_by(Action.status, Action.id.desc())
        )
    )


def shortlisted(session: Session, board: Board) -> list[Action]:
    return list(
        session.scalars(
            sa.select(Action)
            .where(
                Action.board_id == board.id,
                Action.status == ActionStatus.SHORTLISTED,
                Action.moderation == ModerationState.APPROVED,
            )
            .order_by(Action.id)
        )
    )


def outcomes_for_children(session: Session, board: Board) -> list[Action]:
    """Actions with a recorded outcome, newest first: what children see on "You said, we did"."""
    return list(
        session.scalars(
            sa.select(Action)
            .where(
                Action.board_id == board.id,
                Action.moderation == ModerationState.APPROVED,
                Action.status.in_(DECIDED),
                Action.outcome != "",
            )
            .order_by(Action.updated_on.desc(), Action.id)
            .limit(30)
        )
    )


def waiting_ideas(session: Session, board_ids: Collection[int]) -> dict[int, int]:
    """Children's ideas waiting for moderation, counted per board (ideas belong to a board,
    not to a meeting)."""
    if not board_ids:
        return {}
    rows = session.execute(
        sa.select(Action.board_id, sa.func.count())
        .where(Action.board_id.in_(board_ids), Action.moderation == ModerationState.PENDING)
        .group_by(Action.board_id)
    )
    return {int(board_id): int(count) for board_id, count in rows.all()}
