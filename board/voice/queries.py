"""Reading recordings."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from board.voice.models import Recording


def recordings_of(session: Session, board_id: int, language: str) -> dict[str, Recording]:
    """The board's recordings in ``language`` by prompt (without their bytes)."""
    return {
        r.msgid: r
        for r in session.scalars(
            sa.select(Recording).where(
                Recording.board_id == board_id, Recording.language == language
            )
        )
    }


def recorded_counts(session: Session, board_id: int) -> dict[str, int]:
    """How many prompts the board has recorded, per language."""
    rows = session.execute(
        sa.select(Recording.language, sa.func.count())
        .where(Recording.board_id == board_id)
        .group_by(Recording.language)
    )
    return {str(row[0]): int(row[1]) for row in rows}
