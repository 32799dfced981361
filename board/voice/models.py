"""A prompt recorded by a board's staff: a child hears it in place of the synthesised one."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.auth.models import User
from board.db import Base, UTCDateTime, utcnow

# What a recording may be: the two containers browsers' MediaRecorder makes with Opus.
MIMES = ("audio/webm;codecs=opus", "audio/ogg;codecs=opus")


class Recording(Base):
    """One board's recording of one child prompt (the catalogue's source text, ``msgid``) in
    one language. Recording again replaces it."""

    __tablename__ = "recording"
    __table_args__ = (
        sa.UniqueConstraint("board_id", "language", "msgid"),
        sa.CheckConstraint(
            "mime IN ('audio/webm;codecs=opus', 'audio/ogg;codecs=opus')", name="mime"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("board.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(sa.String(10))
    msgid: Mapped[str] = mapped_column(sa.Text)
    # The bytes stay out of every query that does not ask for them (the staff page's list).
    audio: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    mime: Mapped[str] = mapped_column(sa.String(40))
    # sha256 of the audio: part of its address, so a new recording has a new one.
    digest: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()

    @property
    def extension(self) -> str:
        return "webm" if self.mime.startswith("audio/webm") else "ogg"
