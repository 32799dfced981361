"""Every model, imported once so that Base.metadata knows them all (Alembic, tests)."""

from board.audit.models import AuditEntry
from board.auth.models import Invitation, Role, RoleAssignment, User
from board.boards.models import Board, Organisation, OrganisationKind, Service, ServiceCategory
from board.db import Base
from board.meetings.models import HelpCall, Meeting, MeetingSeries, MeetingState

__all__ = [
    "AuditEntry",
    "Base",
    "Board",
    "HelpCall",
    "Meeting",
    "MeetingSeries",
    "MeetingState",
    "Invitation",
    "Organisation",
    "OrganisationKind",
    "Role",
    "RoleAssignment",
    "Service",
    "ServiceCategory",
    "User",
]
