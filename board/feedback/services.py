"""Storing and taking back a child's feedback. Services flush; views commit."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from board.boards.models import Service
from board.db import utcnow
from board.feedback import tallies
from board.feedback.models import MAX_TEXT, Feedback
from board.ids import insert_with_random_id
from board.meetings.models import Meeting
from board.meetings.services import in_board_zone
from board.states import ModerationState
from board.text.detect import find_personal_details, regions_for


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text[:MAX_TEXT] or None


def names_of(board) -> list[str]:
    """Names the board asked us to look for in children's text."""
    return [line for line in (board.watch_names or "").splitlines() if line.strip()]


def _spans(text: str | None, names, regions) -> list[list]:
    return [span.as_list() for span in find_personal_details(text or "", names, regions)]


def give_feedback(
    session: Session,
    meeting: Meeting,
    service: Service,
    *,
    rating: int | None,
    happened: str | None,
    better: str | None,
    language: str,
    replacing: int | None = None,
) -> int:
    """Store one answer about one service; every part may be empty. Returns its id. A
    second answer of the same session (``replacing``, the first one's id) takes the first
    one's place."""
    if service.board_id != meeting.board_id or not service.active:
        raise LookupError("service not offered at this meeting")
    if replacing is not None:
        take_back(session, meeting, replacing)
    if rating is not None and rating not in range(1, 6):
        raise ValueError("rating out of range")
    happened, better = _clean(happened), _clean(better)
    names, regions = names_of(meeting.board), regions_for(meeting.board.country)
    day = _meeting_day(meeting)
    # A Core INSERT on the session's connection (same transaction): this runs for every
    # child's answer, and the ORM's unit of work would double its cost. The id is random
    # (board.ids): a sequential one would tell the order in which children answered.
    # Columns left out take the model's defaults (Core runs them too): text waits for
    # moderation, an empty note.
    values = {
        "meeting_id": meeting.id,
        "service_id": service.id,
        "rating": rating,
        "happened": happened,
        "better": better,
        "language": language,
        "day": day,
        "happened_spans": _spans(happened, names, regions),
        "better_spans": _spans(better, names, regions),
    }
    if not (happened or better):
        values["moderation"] = ModerationState.APPROVED  # nothing to moderate
    feedback_id = insert_with_random_id(session, Feedback.__table__, values)
    tallies.adjust(
        session, board_id=meeting.board_id, service_id=service.id, day=day, rating=rating, delta=1
    )
    return feedback_id


def _meeting_day(meeting: Meeting) -> date:
    """The day an answer counts on: today, or for an answer a tablet kept and sent after the
    meeting closed (board.participate.offline), the day it closed."""
    moment = meeting.closed_at if not meeting.is_open and meeting.closed_at else utcnow()
    return in_board_zone(meeting.board, moment).date()


def take_back(session: Session, meeting: Meeting, feedback_id: int) -> bool:
    """Delete an answer of this tablet's session (the caller checks it is theirs)."""
    feedback = session.get(Feedback, feedback_id)
    if feedback is None or feedback.meeting_id != meeting.id:
        return False
    if tallies.counted(feedback):
        tallies.adjust(
            session,
            board_id=meeting.board_id,
            service_id=feedback.service_id,
            day=feedback.day,
            rating=feedback.rating,
            delta=-1,
        )
    session.delete(feedback)
    session.flush()
    return True
