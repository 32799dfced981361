"""What every piece of a child's free text goes through before anyone outside the room."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class ModerationState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    # Raised as a safeguarding concern: out of every output at once.
    SAFEGUARDING = "safeguarding"

    @property
    def label(self) -> str:
        return {
            ModerationState.PENDING: _l("Waiting for moderation"),
            ModerationState.APPROVED: _l("Approved"),
            ModerationState.REJECTED: _l("Rejected"),
            ModerationState.SAFEGUARDING: _l("Safeguarding concern"),
        }[self]
