"""States that several areas share, kept below them all so that none imports another for one.

A child's free text (feedback, an idea) is moderated before it leaves the room: feedback,
actions, voting and summaries all read that state; moderation sets it.
"""

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
