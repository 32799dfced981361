"""Writing to the audit log."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from board.audit.models import AuditEntry
from board.db import utcnow

# One person reading one record within this time is one reading: the page shown again after
# an acknowledgement, a refused form, a reload or a change of language is not another.
READING_WINDOW = timedelta(minutes=15)


def _target_type(target) -> str:
    """The kind of record, as the log names it: ``concern``; "" for none (an export)."""
    return "" if target is None else type(target).__name__.lower()


def record(
    session: Session,
    actor,
    action: str,
    target,
    *,
    board_id: int | None = None,
    detail: str = "",
) -> AuditEntry:
    """Append an entry for ``action`` by ``actor`` (an account; None for the CLI) on ``target``
    (a record; None for an act on no one record, such as exporting the log)."""
    if getattr(target, "id", 0) is None:
        session.flush()  # a new record gets its id before the log names it
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=_target_type(target),
        target_id=getattr(target, "id", None),
        board_id=board_id,
        detail=detail[:300],
    )
    session.add(entry)
    return entry


def record_reading(
    session: Session, actor, action: str, target, *, board_id: int | None = None
) -> AuditEntry | None:
    """Log that ``actor`` read ``target``, unless the same person's reading of it is logged
    within READING_WINDOW already (then None): one human reading is one entry, however many
    times the page is shown while they work on it."""
    since = utcnow() - READING_WINDOW
    earlier = session.scalar(
        sa.select(AuditEntry.id)
        .where(
            AuditEntry.actor_id == getattr(actor, "id", None),
            AuditEntry.action == action,
            AuditEntry.target_type == _target_type(target),
            AuditEntry.target_id == target.id,
            AuditEntry.at >= since,
        )
        .limit(1)
    )
    if earlier is not None:
        return None
    return record(session, actor, action, target, board_id=board_id)
