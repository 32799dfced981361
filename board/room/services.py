"""State changes of a meeting in progress that reach into more than one area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from board.audit.services import record
from board.db import utcnow
from board.meetings.models import Meeting, MeetingState
from board.meetings.services import MeetingError
from board.voting.services import close_ballot, current_ballot


def close_meeting(session: Session, actor, meeting: Meeting) -> Meeting:
    """Close: the code stops working, tablets are sent out, an open vote is closed (its
    waiting ballots counted and who voted forgotten, in this same transaction)."""
    if meeting.state is MeetingState.CLOSED:
        raise MeetingError(_l("The meeting is closed already."))
    if not meeting.is_open:
        raise MeetingError(_l("The meeting is not open."))
    ballot = current_ballot(session, meeting)
    if ballot is not None:
        close_ballot(session, actor, ballot)
    meeting.state = MeetingState.CLOSED
    meeting.join_code = None
    meeting.closed_at = utcnow()
    record(
        session,
        actor,
        "meeting.close",
        meeting,
        board_id=meeting.board_id,
        detail=f"attendance {meeting.attendance}",
    )
    session.flush()
    return meeting
