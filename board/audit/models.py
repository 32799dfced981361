"""The audit log: who did what to which record, and when. Never any child's text."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:  # audit sits below auth: the relationship names User by string
    from board.auth.models import User


class AuditEntry(Base):
    """Append-only: no route updates or deletes a row."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Null for the command line (create-admin, demo, purge).
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(40))
    target_id: Mapped[int | None]
    board_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("board.id", ondelete="SET NULL"), index=True
    )
    # A short, non-personal description (a name of a board, a role), never child text.
    detail: Mapped[str] = mapped_column(sa.String(300), default="")

    actor: Mapped[User | None] = relationship("User")


# What the audit page shows for each action and kind of record; unknown codes show as they are.
ACTION_LABELS = {
    "account.invite": _l("Invited a person"),
    "account.accept_invitation": _l("Accepted an invitation"),
    "account.new_invitation": _l("Made a new sign-in link"),
    "account.change_password": _l("Changed their password"),
    "account.activate": _l("Reactivated an account"),
    "account.deactivate": _l("Deactivated an account"),
    "account.create_admin": _l("Created an administrator"),
    "account.two_factor_enrol": _l("Set up two-factor sign-in"),
    "account.two_factor_reset": _l("Reset someone's two-factor sign-in"),
    "account.recovery_code_used": _l("Signed in with a recovery code"),
    "account.recovery_codes_new": _l("Made new recovery codes"),
    "signin.second_step_failed": _l("Typed a wrong sign-in code"),
    "signin.second_step_paused": _l("Sign-in paused after too many wrong codes"),
    "role.assign": _l("Gave a role"),
    "role.remove": _l("Removed a role"),
    "organisation.create": _l("Added an organisation"),
    "organisation.update": _l("Changed an organisation"),
    "board.create": _l("Added a board"),
    "board.update": _l("Changed a board"),
    "service.create": _l("Added a service"),
    "service.update": _l("Changed a service"),
    "board.calendar_token": _l("Made a new calendar link"),
    "meeting.schedule": _l("Scheduled a meeting"),
    "series.schedule": _l("Scheduled a monthly series"),
    "meeting.update": _l("Changed a meeting"),
    "meeting.cancel": _l("Cancelled meetings"),
    "meeting.open": _l("Opened a meeting"),
    "meeting.new_code": _l("Made a new join code"),
    "meeting.close": _l("Closed a meeting"),
    "meeting.present": _l("Said how many children are present"),
    "meeting.reopen": _l("Undid the close of a meeting"),
    "action.create": _l("Added an action"),
    "action.update": _l("Changed an action"),
    "ballot.open": _l("Opened a vote"),
    "ballot.close": _l("Closed a vote"),
    "moderation.approve": _l("Approved a text"),
    "moderation.redact": _l("Approved a text with parts removed"),
    "moderation.reject": _l("Rejected a text"),
    "concern.raise": _l("Raised a safeguarding concern"),
    "concern.view": _l("Read a safeguarding concern"),
    "concern.acknowledge": _l("Acknowledged a safeguarding concern"),
    "concern.close": _l("Closed a safeguarding concern"),
    "concern.contact": _l("Noted a contact on a safeguarding concern"),
    "concern.refer": _l("Noted a referral on a safeguarding concern"),
    "concern.note": _l("Added a note to a safeguarding concern"),
    "concern.export": _l("Exported the safeguarding concerns of a board"),
    "retention.purge": _l("Deleted old texts (retention)"),
    "summary.create": _l("Started a summary"),
    "summary.update": _l("Changed a summary"),
    "summary.publish": _l("Published a summary"),
    "response.create": _l("Answered a summary"),
    "response.update": _l("Changed an answer"),
    "response.withdraw": _l("Withdrew an answer"),
    "response.approve": _l("Approved an answer for children"),
    "recording.save": _l("Recorded a prompt"),
    "recording.delete": _l("Deleted a recording"),
    "token.create": _l("Made an API token"),
    "token.revoke": _l("Revoked an API token"),
    "audit.export": _l("Exported the audit log"),
    "network.setting": _l("Changed a network setting"),
}
TARGET_LABELS = {
    "user": _l("Account"),
    "organisation": _l("Organisation"),
    "board": _l("Board"),
    "service": _l("Service"),
    "meeting": _l("Meeting"),
    "meetingseries": _l("Series"),
    "action": _l("Action"),
    "ballot": _l("Vote"),
    "feedback": _l("Feedback"),
    "concern": _l("Safeguarding concern"),
    "helpcall": _l("A call for an adult"),
    "summary": _l("Summary"),
    "response": _l("Answer"),
    "apitoken": _l("API token"),
    "recording": _l("Recording"),
}
