"""Reading the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from board.audit.models import AuditEntry

PAGE_SIZE = 50
# A CSV export holds at most this many entries (the newest); the page says so when cut.
EXPORT_LIMIT = 100_000


def day_start(day: date, zone: str) -> datetime:
    """The instant (UTC) a calendar day begins in ``zone``."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to read. ``start``/``end`` are calendar days in ``zone``, both included."""

    board_id: int | None = None
    actor_id: int | None = None
    action: str | None = None
    start: date | None = None
    end: date | None = None
    zone: str = "UTC"
    page: int = 1

    def where(self, query: sa.Select) -> sa.Select:
        if self.board_id:
            query = query.where(AuditEntry.board_id == self.board_id)
        if self.actor_id:
            query = query.where(AuditEntry.actor_id == self.actor_id)
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        if self.start:
            query = query.where(AuditEntry.at >= day_start(self.start, self.zone))
        if self.end:
            query = query.where(AuditEntry.at < day_start(self.end + timedelta(days=1), self.zone))
        return query

    def query_args(self) -> dict[str, str]:
        """The filters as a query string's arguments (for the pager and the CSV link)."""
        args = {
            "board": self.board_id,
            "actor": self.actor_id,
            "action": self.action,
            "start": self.start and self.start.isoformat(),
            "end": self.end and self.end.isoformat(),
        }
        return {key: str(value) for key, value in args.items() if value}


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    page: int
    has_next: bool


def _newest_first(filters: AuditFilter) -> sa.Select:
    return filters.where(sa.select(AuditEntry).options(selectinload(AuditEntry.actor))).order_by(
        AuditEntry.at.desc(), AuditEntry.id.desc()
    )


def entries(session: Session, filters: AuditFilter) -> AuditPage:
    """One page of entries, newest first."""
    query = _newest_first(filters).offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    rows = list(session.scalars(query))
    return AuditPage(rows[:PAGE_SIZE], filters.page, len(rows) > PAGE_SIZE)


def all_entries(session: Session, filters: AuditFilter) -> list[AuditEntry]:
    """Every entry the filters select (up to EXPORT_LIMIT), newest first: for the export."""
    return list(session.scalars(_newest_first(filters).limit(EXPORT_LIMIT)))


def known_actions(session: Session) -> list[str]:
    return list(
        session.scalars(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    )
