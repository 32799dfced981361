"""Every model, imported once so that Base.metadata knows them all (Alembic, tests)."""

from board.audit.models import AuditEntry
from board.auth.models import Invitation, Role, RoleAssignment, User
from board.boards.models import Board, Organisation, OrganisationKind, Service, ServiceCategory
from board.db import Base

__all__ = [
    "AuditEntry",
    "Base",
    "Board",
    "Invitation",
    "Organisation",
    "OrganisationKind",
    "Role",
    "RoleAssignment",
    "Service",
    "ServiceCategory",
    "User",
]
