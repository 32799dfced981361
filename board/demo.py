"""The demo network: five boards, their services, staff and partners.

Everything here is invented; the organisations are fictional.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from board.auth.models import Role, User
from board.auth.services import assign_role, set_password
from board.boards.models import Board, Organisation, OrganisationKind, Service, ServiceCategory
from board.db import Base

DEMO_PASSWORD = "board-demo-2026"  # noqa: S105  (printed for the demo; not for production)
ADMIN_EMAIL = "admin@example.org"

C = ServiceCategory
BOARDS = [
    # slug, city, country, zone, languages, running NGO, services
    (
        "tirana",
        "Tirana",
        "AL",
        "Europe/Tirane",
        "sq en ar",
        "Tirana Child Protection Centre",
        [
            ("Blloku drop-in centre", C.DROP_IN_CENTRE),
            ("Street team Tirana", C.STREET_OUTREACH),
            ("School no. 7 support class", C.SCHOOL_EDUCATION),
            ("Health centre no. 3", C.HEALTH),
            ("Civil registry help desk", C.REGISTRATION_DOCUMENTS),
            ("Night shelter", C.SHELTER_HOUSING),
            ("Free legal clinic", C.LEGAL_AID),
        ],
    ),
    (
        "prishtina",
        "Prishtina",
        "XK",
        "Europe/Belgrade",
        "sq sr_Latn en",
        "Prishtina Youth Support",
        [
            ("Youth drop-in centre", C.DROP_IN_CENTRE),
            ("Mobile outreach team", C.STREET_OUTREACH),
            ("Catch-up classes", C.SCHOOL_EDUCATION),
            ("Family health centre", C.HEALTH),
            ("Documents help desk", C.REGISTRATION_DOCUMENTS),
            ("Emergency response team", C.EMERGENCY_TEAM),
        ],
    ),
    (
        "sofia",
        "Sofia",
        "BG",
        "Europe/Sofia",
        "bg en ar",
        "Sofia Children's Aid",
        [
            ("Day centre for children", C.DROP_IN_CENTRE),
            ("Street work team", C.STREET_OUTREACH),
            ("Bulgarian language classes", C.SCHOOL_EDUCATION),
            ("Refugee health point", C.HEALTH),
            ("Asylum registration help", C.REGISTRATION_DOCUMENTS),
            ("Safe house", C.SHELTER_HOUSING),
            ("Lawyers for children", C.LEGAL_AID),
        ],
    ),
    (
        "warsaw",
        "Warsaw",
        "PL",
        "Europe/Warsaw",
        "pl en ar",
        "Warsaw Migrant Youth Foundation",
        [
            ("Youth club", C.DROP_IN_CENTRE),
            ("Station outreach", C.STREET_OUTREACH),
            ("Preparatory class", C.SCHOOL_EDUCATION),
            ("Clinic for young people", C.HEALTH),
            ("Residence card help", C.REGISTRATION_DOCUMENTS),
            ("Group home", C.SHELTER_HOUSING),
            ("Guardianship and legal advice", C.LEGAL_AID),
        ],
    ),
    (
        "bucharest",
        "Bucharest",
        "RO",
        "Europe/Bucharest",
        "ro en ar",
        "Bucharest Street Children Association",
        [
            ("Day centre", C.DROP_IN_CENTRE),
            ("Night street team", C.STREET_OUTREACH),
            ("Second chance school", C.SCHOOL_EDUCATION),
            ("Mobile clinic", C.HEALTH),
            ("Identity papers help", C.REGISTRATION_DOCUMENTS),
            ("Emergency shelter", C.SHELTER_HOUSING),
            ("Child protection hotline team", C.EMERGENCY_TEAM),
        ],
    ),
]

# name, kind, country, boards they partner with ("*" for all), partner account slug
PARTNERS = [
    ("Municipality of Tirana", OrganisationKind.PUBLIC_AUTHORITY, "AL", ["tirana"], "municipality"),
    (
        "Ministry of Labour and Social Policy",
        OrganisationKind.PUBLIC_AUTHORITY,
        "BG",
        ["sofia"],
        "ministry",
    ),
    (
        "Balkan Child Rights Observatory",
        OrganisationKind.INTERNATIONAL_BODY,
        None,
        ["*"],
        "international",
    ),
    ("Legal Aid for Children", OrganisationKind.NGO, "PL", ["warsaw", "bucharest"], "legalaid"),
]

NETWORK = "Child Consultation Network (demo)"


def _account(session: Session, email: str, name: str, org: Organisation) -> User:
    user = User(email=email, name=name, organisation=org, locale=None)
    session.add(user)
    session.flush()
    set_password(session, user, DEMO_PASSWORD)
    return user


def seed(session: Session) -> bool | None:
    """Seed the demo; True when seeded now, False when present, None when other data exists."""
    if session.scalar(sa.select(Organisation).where(Organisation.name == NETWORK)) is not None:
        return False
    if session.scalar(sa.select(sa.func.count()).select_from(Organisation)):
        return None
    network = Organisation(name=NETWORK, kind=OrganisationKind.NGO)
    session.add(network)
    admin = _account(session, ADMIN_EMAIL, "Ana Admin", network)
    assign_role(session, None, admin, Role.ADMINISTRATOR, audit=False)

    boards: dict[str, Board] = {}
    for slug, city, country, zone, languages, ngo_name, services in BOARDS:
        ngo = Organisation(name=ngo_name, kind=OrganisationKind.NGO, country=country)
        board = Board(
            name=f"{city} children's board",
            city=city,
            country=country,
            timezone=zone,
            languages=languages,
            helpline="116 111",
            organisation=ngo,
        )
        board.services = [Service(name=n, category=c) for n, c in services]
        session.add_all([ngo, board])
        boards[slug] = board
        facilitator = _account(
            session, f"facilitator.{slug}@example.org", f"Facilitator {city}", ngo
        )
        lead = _account(session, f"lead.{slug}@example.org", f"Safeguarding lead {city}", ngo)
        assign_role(session, None, facilitator, Role.FACILITATOR, board, audit=False)
        assign_role(session, None, lead, Role.SAFEGUARDING_LEAD, board, audit=False)

    for name, kind, country, links, slug in PARTNERS:
        org = Organisation(name=name, kind=kind, country=country)
        org.partner_of = list(boards.values()) if links == ["*"] else [boards[s] for s in links]
        session.add(org)
        partner = _account(session, f"partner.{slug}@example.org", f"Partner ({name})", org)
        assign_role(session, None, partner, Role.PARTNER, audit=False)
    session.flush()
    return True


def clear(session: Session) -> None:
    """Delete every row of every table (children first)."""
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())
    session.flush()


def describe(session: Session) -> str:
    """The logins, as a table for the terminal."""
    users = session.scalars(
        sa.select(User).where(User.email.like("%@example.org")).order_by(User.id)
    )
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD})"]
    for user in users:
        roles = ", ".join(
            a.role.value + (f" ({a.board.city})" if a.board else "") for a in user.roles
        )
        lines.append(f"  {user.email:<40} {roles}")
    return "\n".join(lines)
