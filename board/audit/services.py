"""Writing to the audit log."""

from __future__ import annotations

from sqlalchemy.orm import Session

from board.audit.models import AuditEntry


def record(
    session: Session,
    actor,
    action: str,
    target,
    *,
    board_id: int | None = None,
    detail: str = "",
) -> AuditEntry:
    """Append an entry for ``action`` by ``actor`` (an account; None for the CLI) on ``target``."""
    if getattr(target, "id", 0) is None:
        session.flush()  # a new record gets its id before the log names it
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=getattr(target, "id", None),
        board_id=board_id,
        detail=detail[:300],
    )
    session.add(entry)
    return entry
