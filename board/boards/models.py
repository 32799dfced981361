"""Organisations, boards and the services children talk about."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.db import Base, UTCDateTime, enum_column, utcnow
from board.wording import child_wording

MIN_THRESHOLD = 3
DEFAULT_THRESHOLD = 5


class OrganisationKind(enum.StrEnum):
    NGO = "ngo"
    PUBLIC_AUTHORITY = "public_authority"
    INTERNATIONAL_BODY = "international_body"

    @property
    def label(self) -> str:
        return {
            OrganisationKind.NGO: _l("Non-governmental organisation"),
            OrganisationKind.PUBLIC_AUTHORITY: _l("Public authority"),
            OrganisationKind.INTERNATIONAL_BODY: _l("International body"),
        }[self]


class ServiceCategory(enum.StrEnum):
    DROP_IN_CENTRE = "drop_in_centre"
    STREET_OUTREACH = "street_outreach"
    SCHOOL_EDUCATION = "school_education"
    HEALTH = "health"
    REGISTRATION_DOCUMENTS = "registration_documents"
    SHELTER_HOUSING = "shelter_housing"
    LEGAL_AID = "legal_aid"
    EMERGENCY_TEAM = "emergency_team"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            # i18n: names of kinds of services; children read these under a picture.
            ServiceCategory.DROP_IN_CENTRE: _l("Drop-in centre"),
            ServiceCategory.STREET_OUTREACH: _l("Street outreach"),
            ServiceCategory.SCHOOL_EDUCATION: _l("School and education"),
            ServiceCategory.HEALTH: _l("Health"),
            ServiceCategory.REGISTRATION_DOCUMENTS: _l("Registration and documents"),
            ServiceCategory.SHELTER_HOUSING: _l("Shelter and housing"),
            ServiceCategory.LEGAL_AID: _l("Legal aid"),
            ServiceCategory.EMERGENCY_TEAM: _l("Emergency team"),
            ServiceCategory.OTHER: _l("Other service"),
        }[self]

    @property
    def pictogram(self) -> str:
        """Path of the category's pictogram under static/."""
        return f"pictograms/{self.value}.svg"


board_partners = sa.Table(
    "board_partner",
    Base.metadata,
    sa.Column("board_id", sa.ForeignKey("board.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "organisation_id", sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner_of: Mapped[list[Board]] = relationship(
        secondary=board_partners, back_populates="partners", order_by="Board.name"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class Board(Base):
    __tablename__ = "board"
    __table_args__ = (
        sa.CheckConstraint(f"threshold_k >= {MIN_THRESHOLD}", name="threshold_at_least_3"),
        sa.CheckConstraint("retention_months >= 1", name="retention_positive"),
        sa.CheckConstraint(
            "safeguarding_retention_months >= 1", name="safeguarding_retention_positive"
        ),
        sa.CheckConstraint("idle_seconds BETWEEN 60 AND 1800", name="idle_seconds"),
        sa.CheckConstraint("offline_grace_minutes BETWEEN 0 AND 720", name="offline_grace_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    city: Mapped[str] = mapped_column(sa.String(120))
    country: Mapped[str] = mapped_column(sa.String(2))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    # Space-separated language codes from board.i18n.LANGUAGES, first one the main language.
    languages: Mapped[str] = mapped_column(sa.String(120))
    helpline: Mapped[str] = mapped_column(sa.String(40))
    threshold_k: Mapped[int] = mapped_column(default=DEFAULT_THRESHOLD)
    # How often service rows are published: monthly (1), or quarterly (3) with the board's
    # month over all services still monthly; groups per service and month are small.
    service_months: Mapped[int] = mapped_column(default=1, server_default="1")
    retention_months: Mapped[int] = mapped_column(default=24)
    safeguarding_retention_months: Mapped[int] = mapped_column(default=72)
    # A tablet left alone this long warns, then starts over for the next child.
    idle_seconds: Mapped[int] = mapped_column(default=180)
    # An answer written on a tablet while the meeting was open, kept there for want of a
    # network, is still taken this long after the meeting closed (board.participate.offline).
    offline_grace_minutes: Mapped[int] = mapped_column(default=60, server_default="60")
    # Each new tablet session waits until a facilitator taps "Let in" (a paper ballot handed
    # out). Off, for trusted rooms: tablets are let in up to the number of children present.
    admit_by_tap: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Names to look for in children's free text (staff, places, people), one per line.
    watch_names: Mapped[str] = mapped_column(sa.Text, default="")
    # Secret part of the board's calendar feed URL; regenerating it revokes old links.
    calendar_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=lambda: secrets.token_urlsafe(24)
    )
    # The organisation that runs the board (its facilitators work there).
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    partners: Mapped[list[Organisation]] = relationship(
        secondary=board_partners, back_populates="partner_of", order_by="Organisation.name"
    )
    services: Mapped[list[Service]] = relationship(
        back_populates="board", order_by="Service.name", cascade="all, delete-orphan"
    )

    @property
    def language_codes(self) -> list[str]:
        return self.languages.split()

    def __repr__(self) -> str:
        return f"<Board {self.id} {self.name!r}>"


class Service(Base):
    __tablename__ = "service"
    __table_args__ = (sa.UniqueConstraint("board_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("board.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[ServiceCategory] = mapped_column(enum_column(ServiceCategory))
    active: Mapped[bool] = mapped_column(default=True)
    # The name as children read it, per language: {"sq": "...", "ar": "..."}. ``name`` is
    # the name as entered, in whatever language; children read it only where their own
    # language and the board's have no wording (board.wording).
    names: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}")

    board: Mapped[Board] = relationship(back_populates="services")

    def name_for(self, language: str) -> str:
        """The name a child reading ``language`` reads (board.wording)."""
        return child_wording(self.names, language, self.board.language_codes, self.name)

    def __repr__(self) -> str:
        return f"<Service {self.id} {self.name!r}>"
