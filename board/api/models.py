"""Tokens for the partners' read API: one organisation each, stored as a hash."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.boards.models import Organisation
from board.db import Base, UTCDateTime, utcnow


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))  # what it is for, e.g. "ministry BI"
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # SHA-256, hex
    prefix: Mapped[str] = mapped_column(sa.String(12))  # shown, to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None
