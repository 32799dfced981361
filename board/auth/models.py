"""Staff accounts, their roles and invitations. Children never have accounts."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.boards.models import Board, Organisation
from board.db import Base, UTCDateTime, enum_column, utcnow


class Role(enum.StrEnum):
    ADMINISTRATOR = "administrator"
    FACILITATOR = "facilitator"
    SAFEGUARDING_LEAD = "safeguarding_lead"
    PARTNER = "partner"

    @property
    def label(self) -> str:
        return {
            Role.ADMINISTRATOR: _l("Network administrator"),
            Role.FACILITATOR: _l("Facilitator"),
            Role.SAFEGUARDING_LEAD: _l("Safeguarding lead"),
            Role.PARTNER: _l("Partner"),
        }[self]

    @property
    def per_board(self) -> bool:
        """Facilitators and safeguarding leads are assigned to one board each time."""
        return self in (Role.FACILITATOR, Role.SAFEGUARDING_LEAD)


class User(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    # None until the invitation is accepted.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on password change and deactivation: every other signed-in session ends.
    session_epoch: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Two-factor sign-in (board/auth/two_factor.py). The TOTP secret is encrypted under a key
    # derived from SECRET_KEY: a copy of the database alone cannot make codes. Set and not
    # yet confirmed while the person enrols; confirmed_at says it is in use.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last time step whose code signed in: a code seen once is refused again (replay).
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The home page's "new since your last visit" (board.home.visits): when the page was
    # last shown, and where this visit's "new" begins (kept through the visit's reloads).
    home_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    home_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Flask-Login's interface.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active and self.password_hash is not None

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    # Role questions, answered from the assignments.
    def has_role(self, role: Role) -> bool:
        return any(a.role is role for a in self.roles)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMINISTRATOR)

    @property
    def is_partner(self) -> bool:
        return self.has_role(Role.PARTNER)

    @property
    def has_two_factor(self) -> bool:
        return self.totp_confirmed_at is not None

    def board_ids(self, role: Role) -> set[int]:
        """Boards on which this account holds a per-board role."""
        return {a.board_id for a in self.roles if a.role is role and a.board_id is not None}

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r}>"


class RoleAssignment(Base):
    """One role of one account; facilitators and safeguarding leads name their board."""

    __tablename__ = "role_assignment"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "role", "board_id"),
        sa.CheckConstraint(
            "(role IN ('facilitator', 'safeguarding_lead')) = (board_id IS NOT NULL)",
            name="board_iff_per_board_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    board_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("board.id", ondelete="CASCADE"), index=True
    )

    user: Mapped[User] = relationship(back_populates="roles")
    board: Mapped[Board | None] = relationship()


class Invitation(Base):
    """A one-time link by which an invited person sets their password."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="CASCADE"))
    # SHA-256 of the token: the link itself is never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """One of the ten one-time codes that sign in when the phone is lost; hashed like a
    password, never stored as such; used_at is set by the sign-in that spends it."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
