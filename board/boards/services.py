"""Changes to organisations, boards and services. Services flush; views commit."""

from __future__ import annotations

from zoneinfo import available_timezones

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from board.audit.services import record
from board.boards.models import (
    MIN_THRESHOLD,
    Board,
    Organisation,
    OrganisationKind,
    Service,
    ServiceCategory,
)
from board.i18n import LANGUAGES
from board.rules import RuleError
from board.wording import clean_wordings

MAX_SERVICE_NAME = 200


class BoardError(RuleError):
    """A rule about boards was broken; the message is translated, ``field`` names the input."""


def valid_timezone(name: str) -> bool:
    return name in available_timezones()


def save_organisation(
    session: Session,
    actor,
    organisation: Organisation | None,
    *,
    name: str,
    kind: OrganisationKind,
    country: str | None,
) -> Organisation:
    """Create (``organisation`` None) or update an organisation."""
    name = name.strip()
    clash = session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if clash is not None and clash is not organisation:
        raise BoardError(_l("An organisation with this name exists already."), field="name")
    created = organisation is None
    if organisation is None:
        organisation = Organisation()
        session.add(organisation)
    organisation.name = name
    organisation.kind = kind
    organisation.country = (country or "").strip().upper() or None
    session.flush()
    record(
        session,
        actor,
        "organisation.create" if created else "organisation.update",
        organisation,
        detail=name,
    )
    return organisation


def save_board(
    session: Session,
    actor,
    board: Board | None,
    *,
    name: str,
    city: str,
    country: str,
    timezone: str,
    languages: list[str],
    helpline: str,
    threshold_k: int,
    service_months: int = 1,
    retention_months: int,
    safeguarding_retention_months: int,
    idle_seconds: int = 180,
    offline_grace_minutes: int = 60,
    admit_by_tap: bool = True,
    watch_names: str = "",
    organisation: Organisation,
    partners: list[Organisation],
) -> Board:
    """Create (``board`` None) or update a board, checking every rule the schema can't."""
    name = name.strip()
    if not valid_timezone(timezone):
        raise BoardError(_l("This is not a known time zone, such as Europe/Tirane."), "timezone")
    if not languages or any(code not in LANGUAGES for code in languages):
        raise BoardError(_l("Choose at least one of the languages offered."), "languages")
    if threshold_k < MIN_THRESHOLD:
        raise BoardError(_l("The threshold cannot be below %(k)d.", k=MIN_THRESHOLD), "threshold_k")
    if service_months not in (1, 3):
        raise BoardError(_l("Choose every month or every quarter."), "service_months")
    clash = session.scalar(sa.select(Board).where(Board.name == name))
    if clash is not None and clash is not board:
        raise BoardError(_l("A board with this name exists already."), field="name")
    created = board is None
    if board is None:
        board = Board()
        session.add(board)
    board.name = name
    board.city = city.strip()
    board.country = country.strip().upper()
    board.timezone = timezone
    board.languages = " ".join(dict.fromkeys(languages))
    board.helpline = helpline.strip()
    board.threshold_k = threshold_k
    board.service_months = service_months
    board.retention_months = retention_months
    board.safeguarding_retention_months = safeguarding_retention_months
    board.idle_seconds = idle_seconds
    board.offline_grace_minutes = offline_grace_minutes
    board.admit_by_tap = admit_by_tap
    board.watch_names = "\n".join(n.strip() for n in watch_names.splitlines() if n.strip())
    board.organisation = organisation
    board.partners = list(partners)
    session.flush()
    record(
        session,
        actor,
        "board.create" if created else "board.update",
        board,
        board_id=board.id,
        detail=name,
    )
    return board


def save_service(
    session: Session,
    actor,
    board: Board,
    service: Service | None,
    *,
    name: str,
    category: ServiceCategory,
    active: bool = True,
    names: dict[str, str] | None = None,
) -> Service:
    """Create (``service`` None) or update one of a board's services; ``names`` are its
    name as children read it in the board's languages (None: left as they are)."""
    name = name.strip()
    clash = session.scalar(
        sa.select(Service).where(Service.board_id == board.id, Service.name == name)
    )
    if clash is not None and clash is not service:
        raise BoardError(_l("This board has a service with this name already."), field="name")
    created = service is None
    if service is None:
        service = Service(board=board)
        session.add(service)
    service.name = name
    service.category = category
    service.active = active
    if names is not None:
        service.names = _names(board, service, names)
    session.flush()
    record(
        session,
        actor,
        "service.create" if created else "service.update",
        service,
        board_id=board.id,
        detail=name,
    )
    return service


def save_service_names(session: Session, actor, service: Service, names: dict[str, str]) -> None:
    """The facilitator's part of a service: its name as children read it, per language of
    the board (the name as entered, its kind and whether children see it stay the
    administrator's)."""
    service.names = _names(service.board, service, names)
    session.flush()
    record(
        session, actor, "service.update", service, board_id=service.board_id, detail=service.name
    )


def _names(board: Board, service: Service, typed: dict[str, str]) -> dict[str, str]:
    for lang, text in typed.items():
        if len((text or "").strip()) > MAX_SERVICE_NAME:
            raise BoardError(
                _l("A name can be at most %(n)d characters long.", n=MAX_SERVICE_NAME),
                field=f"name_{lang}",
            )
    return clean_wordings(typed, service.names, board.language_codes)
