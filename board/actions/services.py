"""Keeping a board's advocacy actions. Services flush; views commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from board.actions.models import Action, ActionStatus, Proposer
from board.audit.services import record
from board.boards.models import Board, ServiceCategory
from board.db import utcnow
from board.feedback.models import MAX_TEXT
from board.ids import insert_with_random_id
from board.meetings.services import in_board_zone
from board.rules import RuleError
from board.states import ModerationState

MAX_TITLE = 160


class ActionError(RuleError):
    """A rule about advocacy actions was broken."""


def save_action(
    session: Session,
    actor,
    board: Board,
    action: Action | None,
    *,
    title: str,
    description: str,
    language: str,
    pictogram: ServiceCategory,
    status: ActionStatus,
    outcome: str = "",
    outcome_reason: str = "",
    child_texts: dict | None = None,
) -> Action:
    """Create (``action`` None) or change an action; closing it needs an outcome and a reason."""
    outcome, outcome_reason = outcome.strip(), outcome_reason.strip()
    if status.closed and not outcome:
        raise ActionError(_l("Write what came of it before closing the action."), "outcome")
    if status.closed and not outcome_reason:
        raise ActionError(_l("Write why before closing the action."), "outcome_reason")
    if action is not None and action.moderation is not ModerationState.APPROVED:
        raise ActionError(_l("A child's proposal is moderated before it can be changed."))
    created = action is None
    if action is None:
        action = Action(board=board, proposed_by=Proposer.ADULT, proposed_on=_today(board))
        session.add(action)
    action.title = title.strip()[:MAX_TITLE]
    action.description = description.strip()[:MAX_TEXT]
    action.language = language
    action.pictogram = pictogram
    action.status = status
    action.outcome, action.outcome_reason = outcome, outcome_reason
    action.child_texts = {
        lang: {key: value.strip() for key, value in texts.items() if value and value.strip()}
        for lang, texts in (child_texts or {}).items()
    }
    session.flush()
    record(
        session,
        actor,
        "action.create" if created else "action.update",
        action,
        board_id=board.id,
        detail=status.value,
    )
    return action


def _today(board: Board):
    """The day in the board's own time zone, as every other date of the board is."""
    return in_board_zone(board, utcnow()).date()


def propose_action(
    session: Session, board: Board, *, title: str, description: str, language: str
) -> Action:
    """A child's proposal from the tablet: waits for moderation like any free text."""
    title = title.strip()[:MAX_TITLE]
    if not title:
        raise ActionError(_l("Please write your idea in a few words."), "title")
    # Under a random id, collisions retried (board.ids): a sequential one would date it.
    action_id = insert_with_random_id(
        session,
        Action.__table__,
        {
            "board_id": board.id,
            "title": title,
            "description": description.strip()[:MAX_TEXT],
            "language": language,
            "proposed_by": Proposer.CHILD,
            "proposed_on": _today(board),
            "status": ActionStatus.PROPOSED,
            "moderation": ModerationState.PENDING,
        },
    )
    return session.get_one(Action, action_id)  # just inserted


def take_back_idea(session: Session, board: Board, action_id: int) -> bool:
    """Delete a child's idea of this tablet's session (the caller checks it is theirs):
    taken back whatever a moderator did, unless it already went to a vote."""
    action = session.get(Action, action_id)
    if action is None or action.board_id != board.id or action.status is not ActionStatus.PROPOSED:
        return False
    session.delete(action)
    session.flush()
    return True
