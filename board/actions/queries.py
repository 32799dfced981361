"""Reads about advocacy actions."""

from __future__ import annotations

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
