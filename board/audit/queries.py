"""Reading the audit log."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from board.audit.models import AuditEntry
from board.db import MAX_ID

PAGE_SIZE = 50


def _int_or_none(value: str | None) -> int | None:
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    # Beyond the largest id a column holds, the database would refuse the query itself.
    return number if number is not None and 0 < number <= MAX_ID else None


@dataclass(frozen=True)
class AuditFilter:
    board_id: int | None = None
    actor_id: int | None = None
    action: str | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> AuditFilter:
        """Filters from a query string; anything malformed is ignored, not an error."""
        action = (args.get("action") or "").strip()[:64] or None
        return cls(
            board_id=_int_or_none(args.get("board")),
            actor_id=_int_or_none(args.get("actor")),
            action=action,
            page=min(_int_or_none(args.get("page")) or 1, 100_000),
        )


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    page: int
    has_next: bool


def entries(session: Session, filters: AuditFilter) -> AuditPage:
    """One page of entries, newest first."""
    query = sa.select(AuditEntry).options(selectinload(AuditEntry.actor))
    if filters.board_id:
        query = query.where(AuditEntry.board_id == filters.board_id)
    if filters.actor_id:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    query = (
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((filters.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    rows = list(session.scalars(query))
    return AuditPage(rows[:PAGE_SIZE], filters.page, len(rows) > PAGE_SIZE)


def known_actions(session: Session) -> list[str]:
    return list(
        session.scalars(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    )
