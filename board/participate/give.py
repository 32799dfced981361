"""What a child gives, taken the same way whether the form comes straight from the page or
later from the tablet's offline queue (board.participate.offline): an answer about a
service, an idea, a vote, a help call. Each returns what it stored, or None for a copy of
something already taken (a double tap, an old page, an envelope sent again); the caller
commits nothing more and says "we have this already".

The session is named by its random token (from the cookie, or from a form's sealed pass),
never by the cookie itself: a queued form may arrive while the next child's cookie is on
the tablet.
"""

from __future__ import annotations

from board.actions import services as action_services
from board.actions.models import Action
from board.boards.models import Service
from board.db import db
from board.feedback import services as feedback_services
from board.meetings import services as meetings
from board.meetings.models import HelpCall, Meeting
from board.participate import guard
from board.participate.forms import FeedbackForm, ProposalForm
from board.voting import services as voting
from board.voting.models import Ballot


def feedback(
    meeting: Meeting,
    token: str,
    service: Service,
    form: FeedbackForm,
    *,
    language: str,
    replacing: int | None,
) -> int | None:
    """One answer per service and session (the new answer's id); ``replacing``: this
    session's earlier answer."""
    with guard.once_spent(token, form.once.data) as fresh:
        # Sent twice, a form the server never gave, or an old copy of the cookie that
        # forgot the first answer: nothing is stored, and nothing is counted twice.
        if not fresh or (replacing is None and guard.has_answered(token, meeting.id, service.id)):
            return None
        given = feedback_services.give_feedback(
            db,
            meeting,
            service,
            **form.answer(),
            language=language,
            replacing=replacing,
        )
        db.commit()
    guard.answered(token, meeting.id, service.id)
    return given


def idea(meeting: Meeting, token: str, form: ProposalForm, *, language: str) -> Action | None:
    with guard.once_spent(token, form.once.data) as fresh:
        if not fresh:
            return None
        action = action_services.propose_action(
            db,
            meeting.board,
            title=form.title.data,
            description=form.description.data or "",
            language=language,
        )
        db.commit()
    return action


def vote(meeting: Meeting, token: str, ballot: Ballot, points: dict[int, int]) -> bool | None:
    """True: counted; None: this session voted already. A closed ballot (its count is final
    once the room saw it, so a vote sent late is not added) or a wrong choice raises
    voting.VoteError."""
    try:
        voting.cast_vote(db, meeting, ballot, token, points)
    except voting.AlreadyVoted:  # a copy of the form sent at the same moment
        db.rollback()
        return None
    db.commit()
    return True


def help_call(meeting: Meeting, token: str, *, admitted: bool) -> HelpCall | None:
    """None: this session called less than a minute ago (the first call stands)."""
    if not guard.may_call_for_help(token, meeting.id, admitted=admitted):
        return None
    call = meetings.call_for_help(db, meeting)
    db.commit()
    return call
