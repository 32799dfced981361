"""Every model, imported once so that Base.metadata knows them all (Alembic, tests)."""

from board.actions.models import Action, ActionStatus, Proposer
from board.api.models import ApiToken
from board.audit.models import AuditEntry
from board.auth.models import Invitation, Role, RoleAssignment, User
from board.auth.settings import NetworkSetting
from board.boards.models import Board, Organisation, OrganisationKind, Service, ServiceCategory
from board.db import Base
from board.feedback.models import Feedback
from board.mail import MailMessage
from board.meetings.models import HelpCall, Meeting, MeetingSeries, MeetingState
from board.moderation.models import Concern, Rejection
from board.summaries.models import Response, Summary, SummaryFigure, SummaryItem
from board.voice.models import Recording
from board.voting.models import Ballot, BallotBatch, BallotMethod, BallotState, BallotTally

__all__ = [
    "Action",
    "ActionStatus",
    "ApiToken",
    "Concern",
    "NetworkSetting",
    "Rejection",
    "Recording",
    "Response",
    "Summary",
    "SummaryFigure",
    "SummaryItem",
    "Ballot",
    "BallotBatch",
    "BallotMethod",
    "BallotState",
    "BallotTally",
    "Feedback",
    "Proposer",
    "AuditEntry",
    "Base",
    "Board",
    "HelpCall",
    "Meeting",
    "MeetingSeries",
    "MeetingState",
    "Invitation",
    "MailMessage",
    "Organisation",
    "OrganisationKind",
    "Role",
    "RoleAssignment",
    "Service",
    "ServiceCategory",
    "User",
]
