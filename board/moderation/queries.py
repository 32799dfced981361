"""Reads for moderation and safeguarding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from board.actions.models import Action, Proposer
from board.auth.models import Role, User
from board.boards.models import Board
from board.feedback.models import Feedback
from board.feedback.services import names_of
from board.meetings.models import Meeting, MeetingState
from board.moderation.models import Concern, ConcernNote, ConcernState, ConcernUrgency, Rejection
from board.states import ModerationState
from board.text.detect import find_personal_details, regions_for


@dataclass
class QueueItem:
    kind: str  # "feedback" or "proposal"
    item: Feedback | Action
    day: date
    spans: dict[str, list]  # field -> [[start, end, kind], ...]
    # The text's language, or None where fewer than k answers of that meeting share it: a
    # language only one or two children speak would name the child (CHILD-SAFETY rule 1).
    language: str | None = None

    @property
    def texts(self) -> list[tuple[str, str]]:
        fields = ("happened", "better") if self.kind == "feedback" else ("title", "description")
        return [(f, getattr(self.item, f)) for f in fields if getattr(self.item, f)]

    @property
    def order(self) -> tuple:
        """Day, then service (ideas after the services), then the random id: never the order
        of submission, which a facilitator watching the room's counter could match to a
        child (CHILD-SAFETY rules 1, 4)."""
        if isinstance(self.item, Feedback):
            return (self.day, 0, self.item.service.name, self.item.service_id, self.item.id)
        return (self.day, 1, "", 0, self.item.id)


def shared_languages(session: Session, board: Board) -> set[tuple[date, str]]:
    """(day, language) pairs of the board in which at least k answers were given: feedback
    and children's ideas of that day's meeting. Answers, not children: a child's five
    answers count five times, since nothing links them (the residual risk is written in the
    README)."""
    feedback = session.execute(
        sa.select(Feedback.day, Feedback.language, sa.func.count())
        .join(Meeting)
        .where(Meeting.board_id == board.id)
        .group_by(Feedback.day, Feedback.language)
    ).all()
    ideas = session.execute(
        sa.select(Action.proposed_on, Action.language, sa.func.count())
        .where(Action.board_id == board.id, Action.proposed_by == Proposer.CHILD)
        .group_by(Action.proposed_on, Action.language)
    ).all()
    totals: dict[tuple[date, str], int] = {}
    for day, language, number in [*feedback, *ideas]:
        totals[(day, language)] = totals.get((day, language), 0) + number
    return {key for key, number in totals.items() if number >= board.threshold_k}


def queue(session: Session, board: Board) -> list[QueueItem]:
    """Every pending text of the board, oldest day first; within a day by service, then in
    the random order of the ids (``QueueItem.order``)."""
    feedback = session.scalars(
        sa.select(Feedback)
        .join(Meeting)
        .where(Meeting.board_id == board.id, Feedback.moderation == ModerationState.PENDING)
        .options(selectinload(Feedback.service), selectinload(Feedback.meeting))
    )
    shared = shared_languages(session, board)
    items = [
        QueueItem(
            "feedback",
            f,
            f.day,
            {k: v for k, v in (("happened", f.happened_spans), ("better", f.better_spans)) if v},
            f.language if (f.day, f.language) in shared else None,
        )
        for f in feedback
    ]
    proposals = session.scalars(
        sa.select(Action).where(
            Action.board_id == board.id, Action.moderation == ModerationState.PENDING
        )
    )
    names = names_of(board)
    for action in proposals:
        spans = {}
        for field in ("title", "description"):
            found = find_personal_details(
                getattr(action, field) or "", names, regions_for(board.country)
            )
            if found:
                spans[field] = [s.as_list() for s in found]
        shown = action.language if (action.proposed_on, action.language) in shared else None
        items.append(QueueItem("proposal", action, action.proposed_on, spans, shown))
    return sorted(items, key=lambda i: i.order)


def filtered(
    items: list[QueueItem], meeting_id: int | None = None, service_id: int | None = None
) -> list[QueueItem]:
    """The queue's items of one meeting and/or one service. A child's idea belongs to
    neither: it is left out as soon as one is chosen."""
    if meeting_id is None and service_id is None:
        return items
    return [
        entry
        for entry in items
        if isinstance(entry.item, Feedback)
        and meeting_id in (None, entry.item.meeting_id)
        and service_id in (None, entry.item.service_id)
    ]


def held_meetings(session: Session, board: Board, limit: int = 36) -> list[Meeting]:
    """The board's meetings that children could write in (open or closed), newest first:
    what the queue can be filtered by."""
    return list(
        session.scalars(
            sa.select(Meeting)
            .where(
                Meeting.board_id == board.id,
                Meeting.state.in_([MeetingState.OPEN, MeetingState.CLOSED]),
            )
            .order_by(Meeting.starts_at.desc())
            .limit(limit)
        )
    )


def unmarked(session: Session, board: Board) -> list[QueueItem]:
    """Pending items with nothing highlighted, read again by today's detector with the
    board's names and country: a text stored before the detector knew a kind of detail
    (or before a name was added to the board's list) is not taken for clean."""
    names = names_of(board)
    regions = regions_for(board.country)
    return [
        item
        for item in queue(session, board)
        if not item.spans
        and not any(find_personal_details(text, names, regions) for _f, text in item.texts)
    ]


def counts(session: Session, board: Board) -> dict[str, int]:
    """Texts per moderation state, and rejections, for the board's page."""
    rows = session.execute(
        sa.select(Feedback.moderation, sa.func.count())
        .join(Meeting)
        .where(
            Meeting.board_id == board.id,
            sa.or_(
                Feedback.happened.is_not(None),
                Feedback.better.is_not(None),
                Feedback.moderation.in_([ModerationState.REJECTED, ModerationState.SAFEGUARDING]),
            ),
        )
        .group_by(Feedback.moderation)
    ).all()
    result = {state.value: 0 for state in ModerationState}
    for state, number in rows:
        result[state.value] += number
    # Children's ideas count like their texts: waiting, approved or raised as a concern
    # (a rejected idea is deleted; its reason is counted with the rejections).
    ideas = session.execute(
        sa.select(Action.moderation, sa.func.count())
        .where(
            Action.board_id == board.id,
            sa.or_(
                Action.moderation == ModerationState.PENDING,
                Action.proposed_by == Proposer.CHILD,
            ),
        )
        .group_by(Action.moderation)
    ).all()
    for state, number in ideas:
        result[state.value] += number
    return result


def rejection_counts(session: Session, board: Board) -> list[tuple[date, str, int]]:
    return list(
        session.execute(
            sa.select(Rejection.month, Rejection.reason, sa.func.count())
            .where(Rejection.board_id == board.id)
            .group_by(Rejection.month, Rejection.reason)
            .order_by(Rejection.month.desc())
        ).all()
    )


def unacknowledged(session: Session, board_ids: set[int]) -> list[Concern]:
    """Open concerns of these boards, oldest first: they stay at the top until acted on."""
    if not board_ids:
        return []
    return list(
        session.scalars(
            sa.select(Concern)
            .where(Concern.board_id.in_(board_ids), Concern.state == ConcernState.OPEN)
            .order_by(Concern.raised_at)
        )
    )


def in_progress(session: Session, board_ids: set[int]) -> list[Concern]:
    """Acknowledged concerns of these boards not yet closed, oldest first: the cases a lead
    is working on (contact, referral, outcome still to record)."""
    if not board_ids:
        return []
    return list(
        session.scalars(
            sa.select(Concern)
            .where(Concern.board_id.in_(board_ids), Concern.state == ConcernState.ACKNOWLEDGED)
            .options(selectinload(Concern.notes))
            .order_by(Concern.raised_at, Concern.id)
        )
    )


def board_concerns(session: Session, board: Board) -> list[Concern]:
    """The board's concerns: those still being worked on first, by urgency, then the oldest
    first (the longest waiting); closed ones last, the latest closed first."""
    rank = sa.case(
        {u.value: u.rank for u in ConcernUrgency}, value=Concern.urgency, else_=len(ConcernUrgency)
    )
    closed = Concern.state == ConcernState.CLOSED
    return list(
        session.scalars(
            sa.select(Concern)
            .where(Concern.board_id == board.id)
            .options(selectinload(Concern.raised_by))
            .order_by(
                closed,
                sa.case((closed, 0), else_=rank),
                sa.case((closed, Concern.closed_at), else_=None).desc(),
                Concern.raised_at,
                Concern.id,
            )
        )
    )


def urgent(session: Session, user: User) -> list[Concern]:
    """Immediate-danger concerns not yet acknowledged, of the boards ``user`` works on as a
    facilitator or safeguarding lead (every board for an administrator), oldest first: they
    stay on top of the home page until someone acknowledges them."""
    if not user.is_authenticated:
        return []
    query = (
        sa.select(Concern)
        .where(Concern.urgency == ConcernUrgency.IMMEDIATE, Concern.state == ConcernState.OPEN)
        .options(selectinload(Concern.board))
        .order_by(Concern.raised_at, Concern.id)
    )
    if not user.is_admin:
        boards = user.board_ids(Role.FACILITATOR) | user.board_ids(Role.SAFEGUARDING_LEAD)
        if not boards:
            return []
        query = query.where(Concern.board_id.in_(boards))
    return list(session.scalars(query))


EXPORT_COLUMNS = [
    "concern",
    "board",
    "urgency",
    "state",
    "date",
    "place",
    "source",
    "raised_at_utc",
    "raised_by",
    "reason",
    "childs_words",
    "entry",
    "entry_at_utc",
    "entry_by",
    "entry_text",
]


def export_rows(session: Session, board: Board) -> tuple[list[list[str]], int]:
    """The board's concerns for the organisation's case system, with their timelines: a
    header, then one row per entry (the raising first), each carrying its concern's facts
    so that a row can be read alone; and how many concerns."""
    concerns = list(
        session.scalars(
            sa.select(Concern)
            .where(Concern.board_id == board.id)
            .options(
                selectinload(Concern.raised_by),
                selectinload(Concern.notes).selectinload(ConcernNote.by),
            )
            .order_by(Concern.raised_at, Concern.id)
        )
    )

    def name(user: User | None) -> str:
        return user.name if user else ""

    rows = [EXPORT_COLUMNS]
    for c in concerns:
        facts = [
            str(c.id),
            board.name,
            c.urgency.value,
            c.state.value,
            c.occurred_on.isoformat(),
            c.place,
            c.source.value,
            c.raised_at.isoformat(),
            name(c.raised_by),
            c.reason,
            c.words,
        ]
        rows.append([*facts, "raised", c.raised_at.isoformat(), name(c.raised_by), ""])
        rows += [[*facts, n.kind.value, n.at.isoformat(), name(n.by), n.text] for n in c.notes]
    return rows, len(concerns)
