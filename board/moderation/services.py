"""Moderation and safeguarding. Moderators approve, redact ("[removed]") or reject; they
never rewrite a child's words. After a decision only the moderated text is kept (rule 21).
A safeguarding concern takes the item out of every output at once (rule 13).
Services flush; views commit."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from board.actions.models import Action
from board.audit.services import record, record_reading
from board.auth.models import Role
from board.auth.queries import users_with_role
from board.boards.models import Board
from board.db import utcnow
from board.feedback import tallies
from board.feedback.models import Feedback
from board.mail import external_url, queue_mail
from board.meetings.models import HelpCall, Meeting
from board.moderation.models import (
    FREE_NOTE_KINDS,
    Concern,
    ConcernExport,
    ConcernNote,
    ConcernSource,
    ConcernState,
    ConcernUrgency,
    NoteKind,
    Rejection,
    RejectionReason,
)
from board.rules import RuleError
from board.states import ModerationState
from board.summaries.export import to_csv
from board.summaries.quotes import purge_quotes, withdraw_words

REMOVED = "[removed]"
FEEDBACK_FIELDS = ("happened", "better")
PROPOSAL_FIELDS = ("title", "description")


class ModerationError(RuleError):
    """A decision that can't be taken; the message is translated."""


class AlreadyDecided(ModerationError):
    def __init__(self):
        super().__init__(_l("Someone else decided this item a moment ago. Nothing was changed."))


# Redaction -------------------------------------------------------------------------------


def check_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans sorted; each inside the text and none overlapping another, or ModerationError."""
    ordered = sorted(set(spans))
    for start, end in ordered:
        if not 0 <= start < end <= len(text):
            raise ModerationError(_l("A part to remove is outside the text. Please try again."))
    for (_s1, end1), (start2, _e2) in zip(ordered, ordered[1:], strict=False):
        if start2 < end1:
            raise ModerationError(_l("Two parts to remove overlap. Choose one of them."))
    return ordered


def redact(text: str, spans: list[tuple[int, int]]) -> str:
    """Each span replaced by "[removed]"; nothing else changes."""
    out, last = [], 0
    for start, end in check_spans(text, spans):
        out += [text[last:start], REMOVED]
        last = end
    return "".join([*out, text[last:]])


def fragment_spans(text: str, fragment: str) -> list[tuple[int, int]]:
    """Every place ``fragment`` occurs (case ignored): words the moderator typed or selected."""
    fragment = fragment.strip()
    if not fragment:
        return []
    lowered, needle, spans, start = text.lower(), fragment.lower(), [], 0
    while (found := lowered.find(needle, start)) != -1:
        spans.append((found, found + len(needle)))
        start = found + len(needle)
    if not spans:
        raise ModerationError(_l("These words are not in the text: %(words)s", words=fragment))
    return spans


def merge_removals(
    text: str, chosen: list[tuple[int, int]], fragment: str
) -> list[tuple[int, int]]:
    """Chosen spans and typed words together; typed words inside a chosen span are dropped."""
    spans = check_spans(text, chosen)
    for extra in fragment_spans(text, fragment):
        if not any(s <= extra[0] and extra[1] <= e for s, e in spans):
            spans.append(extra)
    return spans


def segments(text: str, spans: list) -> list[tuple[str, str | None]]:
    """The text cut into (piece, kind) for highlighting; kind None for ordinary text."""
    out, last = [], 0
    for start, end, kind in sorted(spans):
        if start < last or end > len(text):
            continue
        out += [(text[last:start], None), (text[start:end], kind)]
        last = end
    out.append((text[last:], None))
    return [(piece, kind) for piece, kind in out if piece]


def _month(day: date) -> date:
    return day.replace(day=1)


def set_watch_names(session: Session, actor, board: Board, names: str) -> None:
    """The board's own list of names to mark in children's text (one per line)."""
    board.watch_names = "\n".join(n.strip() for n in names.splitlines() if n.strip())
    record(session, actor, "board.update", board, board_id=board.id, detail="names to look for")
    session.flush()


# Decisions on feedback and proposals --------------------------------------------------


def _conditional_update(session: Session, model, item_id: int, values: dict) -> None:
    """Change a pending item; if another moderator got there first, change nothing."""
    result = session.execute(
        sa.update(model)
        .where(model.id == item_id, model.moderation == ModerationState.PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's Result is a CursorResult
        raise AlreadyDecided()


@dataclass
class Removals:
    """What to remove from each text field: chosen spans and typed words."""

    spans: dict[str, list[tuple[int, int]]]
    words: dict[str, str]


def approve(session: Session, actor, item, removals: Removals, note: str = "") -> int:
    """Approve a feedback item or a child's proposal, with the chosen parts removed."""
    fields = FEEDBACK_FIELDS if isinstance(item, Feedback) else PROPOSAL_FIELDS
    values: dict[str, object]
    values, removed = (
        {"moderation": ModerationState.APPROVED, "moderator_note": note.strip()[:2000]},
        0,
    )
    for field in fields:
        text = getattr(item, field) or ""
        spans = merge_removals(text, removals.spans.get(field, []), removals.words.get(field, ""))
        if text:
            values[field] = redact(text, spans)
        removed += len(spans)
    if isinstance(item, Feedback):
        values.update(happened_spans=[], better_spans=[])
    _conditional_update(session, type(item), item.id, values)
    record(
        session,
        actor,
        "moderation.redact" if removed else "moderation.approve",
        item,
        board_id=_board_id(item),
        detail=f"{removed} parts removed" if removed else "",
    )
    session.expire(item)
    return removed


def reject(
    session: Session, actor, item, reason: RejectionReason | str | None, note: str = ""
) -> None:
    """Reject the text: it is not kept at all; only the reason is counted, so a rejection
    needs one of the reasons."""
    if reason not in set(RejectionReason):
        raise ModerationError(_l("Choose a reason for rejecting."))
    reason = RejectionReason(reason)
    board_id, month = _board_id(item), _month(item_day(item))
    if isinstance(item, Feedback):
        # The rating is not free text: it stays and counts.
        _conditional_update(
            session,
            Feedback,
            item.id,
            {
                "happened": None,
                "better": None,
                "happened_spans": [],
                "better_spans": [],
                "moderation": ModerationState.REJECTED,
                "moderator_note": note.strip()[:2000],
            },
        )
    else:
        result = session.execute(
            sa.delete(Action)
            .where(Action.id == item.id, Action.moderation == ModerationState.PENDING)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]  # a DELETE's Result is a CursorResult
            raise AlreadyDecided()
    session.add(Rejection(board_id=board_id, month=month, reason=reason))
    record(session, actor, "moderation.reject", item, board_id=board_id, detail=reason.value)
    session.flush()


def approve_all_clean(session: Session, actor, board: Board, listed: set[tuple[str, str]]) -> int:
    """Approve the items the moderator was shown on the confirmation page ("feedback", id),
    and only those that are still pending and still have nothing highlighted; returns how
    many. An item that arrived after the page was shown is not in ``listed``: never approved
    unseen."""
    from board.moderation.queries import unmarked

    count = 0
    for item in unmarked(session, board):
        if (item.kind, str(item.item.id)) not in listed:
            continue
        try:
            approve(session, actor, item.item, Removals({}, {}))
        except AlreadyDecided:
            continue
        count += 1
    return count


def board_of(item) -> Board:
    """The board a feedback item or a help call (through its meeting), a meeting or a
    child's proposal belongs to."""
    return item.meeting.board if isinstance(item, Feedback | HelpCall) else item.board


def _board_id(item) -> int:
    return item.meeting.board_id if isinstance(item, Feedback) else item.board_id


def item_day(item) -> date:
    return item.day if isinstance(item, Feedback) else item.proposed_on


# Safeguarding ------------------------------------------------------------------------------


class ConcernInputError(ModerationError):
    """What the facilitator gave to raise a concern is not enough: a message per field."""

    def __init__(self, errors: dict[str, object]):
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = errors


def _check_raising(
    source: ConcernSource,
    urgency: object,
    reason: str,
    words: str,
    occurred_on: date | None,
) -> ConcernUrgency:
    """Every way of raising a concern needs its urgency and a reason; a help call, what the
    child said; a concern from outside a meeting, its date."""
    errors: dict[str, object] = {}
    if urgency not in set(ConcernUrgency):
        errors["urgency"] = _l("Choose how urgent it is.")
    if not reason.strip():
        errors["reason"] = (
            _l("Write what you saw or heard.")
            if source is ConcernSource.OTHER
            else _l("Write why you raise this concern.")
        )
    if source is ConcernSource.HELP_CALL and not words.strip():
        errors["words"] = _l("Write what the child said. If they said nothing, write that.")
    if source is ConcernSource.PROPOSAL and occurred_on is None:
        errors["occurred_on"] = _l("Give the date.")
    if errors:
        raise ConcernInputError(errors)
    return ConcernUrgency(str(urgency))


def _take_out(session: Session, item) -> tuple[int, int | None, str, ConcernSource]:
    """Take a feedback item or a child's idea out of every output at once; returns its
    board, meeting, the child's exact words and the concern's source."""
    if item.moderation is ModerationState.SAFEGUARDING:
        raise ModerationError(_l("A concern was raised for this item already."))
    fields = FEEDBACK_FIELDS if isinstance(item, Feedback) else PROPOSAL_FIELDS
    words = "\n\n".join(getattr(item, f) for f in fields if getattr(item, f))
    board_id = _board_id(item)
    values: dict[str, object]
    meeting_id: int | None
    if isinstance(item, Feedback):
        meeting_id, source = item.meeting_id, ConcernSource.FEEDBACK
        values = {"happened": None, "better": None, "happened_spans": [], "better_spans": []}
    else:
        meeting_id, source = None, ConcernSource.PROPOSAL
        values = {"description": "", "title": REMOVED}
    result = session.execute(
        sa.update(type(item))
        .where(type(item).id == item.id, type(item).moderation != ModerationState.SAFEGUARDING)
        .values(moderation=ModerationState.SAFEGUARDING, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's Result is a CursorResult
        raise ModerationError(_l("A concern was raised for this item already."))
    if isinstance(item, Feedback) and tallies.counted(item):
        # Out of every output at once: its rating leaves the figures too.
        tallies.adjust(
            session,
            board_id=board_id,
            service_id=item.service_id,
            day=item.day,
            rating=item.rating,
            delta=-1,
        )
    # Its words leave every summary that quoted them, drafts and published alike.
    if isinstance(item, Feedback):
        withdraw_words(session, feedback_id=item.id)
    else:
        withdraw_words(session, action_id=item.id)
    session.expire(item)
    return board_id, meeting_id, words, source


def source_of(item) -> ConcernSource:
    """Where a concern about ``item`` (a text, a child's idea, a help call, a meeting) comes
    from."""
    if isinstance(item, Feedback):
        return ConcernSource.FEEDBACK
    if isinstance(item, HelpCall):
        return ConcernSource.HELP_CALL
    if isinstance(item, Meeting):
        return ConcernSource.OTHER
    return ConcernSource.PROPOSAL


def raise_concern(
    session: Session,
    actor,
    item,
    reason: str,
    *,
    urgency: ConcernUrgency | str | None,
    words: str = "",
    occurred_on: date | None = None,
    place: str = "",
) -> Concern:
    """Raise a concern about a feedback item, a child's idea, a help call, or something seen
    in a meeting (``item`` the meeting). A text is taken out of every output at once and its
    exact words kept in the concern; for a help call, which stores no content (rule 14), the
    words are what the facilitator says the child said. The board's safeguarding leads are
    alerted; for immediate danger, its administrators too."""
    source = source_of(item)
    urgency = _check_raising(source, urgency, reason, words, occurred_on)
    meeting: Meeting | None
    meeting_id: int | None
    if isinstance(item, HelpCall | Meeting):
        meeting = item.meeting if isinstance(item, HelpCall) else item
        if isinstance(item, HelpCall):
            if session.scalar(sa.select(Concern.id).where(Concern.help_call_id == item.id)):
                raise ModerationError(_l("A concern was raised for this call already."))
            if item.handled_at is None:
                item.handled_at, item.handled_by_id = utcnow(), actor.id
        board_id, meeting_id = meeting.board_id, meeting.id
        words = words.strip()[:4000]
    else:
        board_id, meeting_id, words, source = _take_out(session, item)
        meeting = session.get(Meeting, meeting_id) if meeting_id else None
    if meeting is not None:
        occurred_on = meeting.starts_at.astimezone(ZoneInfo(meeting.board.timezone)).date()
        place = meeting.place
    concern = Concern(
        board_id=board_id,
        meeting_id=meeting_id,
        help_call_id=item.id if isinstance(item, HelpCall) else None,
        source=source,
        urgency=urgency,
        occurred_on=occurred_on,
        place=place.strip()[:200],
        words=words,
        reason=reason.strip()[:4000],
        raised_by_id=actor.id,
        raised_at=utcnow(),
    )
    session.add(concern)
    session.flush()
    record(
        session,
        actor,
        "concern.raise",
        concern,
        board_id=board_id,
        detail=f"{source.value}, {urgency.value}",
    )
    _alert(session, concern)
    return concern


def raise_concern_in_room(
    session: Session, actor, meeting: Meeting, reason: str, *, urgency
) -> Concern:
    """A concern about something seen or heard in the room, not tied to an item."""
    return raise_concern(session, actor, meeting, reason, urgency=urgency)


def has_lead(session: Session, board_id: int) -> bool:
    """Whether the board has a safeguarding lead to alert (active, and able to sign in)."""
    return any(
        lead.password_hash for lead in users_with_role(session, board_id, Role.SAFEGUARDING_LEAD)
    )


def _alert(session: Session, concern: Concern) -> None:
    """Mail each lead that a concern waits; for immediate danger every administrator too,
    and saying so; every administrator also when the board has no lead (a concern must
    reach someone who handles it). A link, never the child's words: they stay in the app."""
    board = session.get_one(Board, concern.board_id)
    link = external_url("moderation.concern", concern_id=concern.id)
    recipients = users_with_role(session, concern.board_id, Role.SAFEGUARDING_LEAD)
    if not has_lead(session, concern.board_id):
        recipients += users_with_role(session, None, Role.ADMINISTRATOR)
    if concern.urgency is not ConcernUrgency.IMMEDIATE:
        subject = _l("Safeguarding concern on %(board)s", board=board.name)
        body = _l("A safeguarding concern was raised. Open it here: %(link)s", link=link)
    else:
        recipients += users_with_role(session, None, Role.ADMINISTRATOR)
        subject = _l("Immediate danger: safeguarding concern on %(board)s", board=board.name)
        body = _l(
            "A child may be in immediate danger. A safeguarding concern was raised and must "
            "be acknowledged now. Open it here: %(link)s",
            link=link,
        )
    for person in {p.id: p for p in recipients}.values():
        queue_mail(session, person, subject, body)


def open_concern(session: Session, actor, concern: Concern) -> None:
    """Every reading of a concern is logged, once per reading: the page shown again to the
    same person within minutes (after acknowledging, a refused form) is the same reading."""
    record_reading(session, actor, "concern.view", concern, board_id=concern.board_id)


# What each timeline entry is called in the audit log (never its text).
NOTE_ACTIONS = {
    NoteKind.ACKNOWLEDGED: "concern.acknowledge",
    NoteKind.CONTACTED: "concern.contact",
    NoteKind.REFERRED: "concern.refer",
    NoteKind.NOTE: "concern.note",
    NoteKind.CLOSED: "concern.close",
}


def _add_note(session: Session, actor, concern: Concern, kind: NoteKind, text: str = "") -> None:
    concern.notes.append(
        ConcernNote(kind=kind, text=text.strip()[:4000], at=utcnow(), by_id=actor.id)
    )
    session.flush()
    record(session, actor, NOTE_ACTIONS[kind], concern, board_id=concern.board_id)


def acknowledge_concern(session: Session, actor, concern: Concern) -> None:
    """Someone takes care of it: it leaves the alerts of the home pages."""
    if concern.state is ConcernState.OPEN:
        concern.state = ConcernState.ACKNOWLEDGED
        concern.acknowledged_at, concern.acknowledged_by_id = utcnow(), actor.id
        _add_note(session, actor, concern, NoteKind.ACKNOWLEDGED)


def add_note(session: Session, actor, concern: Concern, kind: object, text: str) -> None:
    """A dated entry on the timeline: whom the lead contacted, to whom they referred the
    child, or a free note. Writing one acknowledges the concern."""
    if concern.state is ConcernState.CLOSED:
        raise ModerationError(_l("This concern is closed already."))
    errors: dict[str, object] = {}
    if kind not in set(FREE_NOTE_KINDS):
        errors["kind"] = _l("Choose what the note is about.")
    if not text.strip():
        errors["text"] = _l("Write the note.")
    if errors:
        raise ConcernInputError(errors)
    acknowledge_concern(session, actor, concern)
    _add_note(session, actor, concern, NoteKind(str(kind)), text)


def close_concern(session: Session, actor, concern: Concern, *, outcome: str) -> None:
    """Close with the outcome (required): the timeline's last entry."""
    if concern.state is ConcernState.CLOSED:
        raise ModerationError(_l("This concern is closed already."))
    if not outcome.strip():
        raise ConcernInputError({"outcome": _l("Write the outcome.")})
    acknowledge_concern(session, actor, concern)
    concern.closing_note, concern.state = outcome.strip()[:4000], ConcernState.CLOSED
    concern.closed_at, concern.closed_by_id = utcnow(), actor.id
    _add_note(session, actor, concern, NoteKind.CLOSED, outcome)


# Export for the organisation's case system ------------------------------------------------


class ExportGone(ModerationError):
    def __init__(self):
        super().__init__(
            _l("This file was downloaded already. Make a new export if you need it again.")
        )


class ExportExpired(ModerationError):
    def __init__(self):
        super().__init__(_l("This link has expired. Make a new export if you need the file."))


# How long an export's link works: the file holds every concern of the board, and a link
# left in a browser's history or a shared screen must not open it later.
EXPORT_MINUTES = 15


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def prepare_export(session: Session, actor, board: Board) -> str:
    """A one-time download of the board's concerns, for ``actor`` alone; returns the token of
    its link (kept only as a hash)."""
    token = secrets.token_urlsafe(32)
    session.add(
        ConcernExport(
            board_id=board.id, token_hash=_token_hash(token), made_by_id=actor.id, made_at=utcnow()
        )
    )
    session.flush()
    return token


def export_for(session: Session, token: str) -> ConcernExport | None:
    return session.scalar(
        sa.select(ConcernExport).where(ConcernExport.token_hash == _token_hash(token[:100]))
    )


def take_export(session: Session, actor, export: ConcernExport) -> str:
    """The file (CSV, one row per entry of each concern's timeline), once and within
    EXPORT_MINUTES of its making: a second take, even at the same moment, raises ExportGone;
    a late one, ExportExpired. Audited with the number of concerns."""
    from board.moderation.queries import export_rows

    now = utcnow()
    cutoff = now - timedelta(minutes=EXPORT_MINUTES)
    result = session.execute(
        sa.update(ConcernExport)
        .where(
            ConcernExport.id == export.id,
            ConcernExport.downloaded_at.is_(None),
            ConcernExport.made_at >= cutoff,
        )
        .values(downloaded_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's Result is a CursorResult
        raise ExportGone() if export.downloaded_at or export.made_at >= cutoff else ExportExpired()
    rows, count = export_rows(session, export.board)
    record(
        session,
        actor,
        "concern.export",
        export.board,
        board_id=export.board_id,
        detail=f"{count} concerns",
    )
    return to_csv(rows)


# Retention -------------------------------------------------------------------------------


@dataclass
class PurgeReport:
    texts: dict[str, int]
    concerns: dict[str, int]
    quotes: dict[str, int] = dataclasses.field(default_factory=dict)  # copies in summaries


def purge(session: Session, *, now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Delete approved free text older than each board's retention period (ratings stay),
    with every copy of it quoted in a summary, and closed safeguarding records older than
    theirs."""
    now = now or utcnow()
    report = PurgeReport({}, {})
    for board in session.scalars(sa.select(Board).order_by(Board.name)):
        cutoff_day = (now - relativedelta(months=board.retention_months)).date()
        old_text = (
            sa.select(Feedback.id)
            .join(Meeting)
            .where(
                Meeting.board_id == board.id,
                Feedback.day < cutoff_day,
                Feedback.moderation == ModerationState.APPROVED,
                sa.or_(Feedback.happened.is_not(None), Feedback.better.is_not(None)),
            )
        )
        ids = list(session.scalars(old_text))
        cutoff = now - relativedelta(months=board.safeguarding_retention_months)
        concern_ids = list(
            session.scalars(
                sa.select(Concern.id).where(
                    Concern.board_id == board.id,
                    Concern.state == ConcernState.CLOSED,
                    Concern.closed_at < cutoff,
                )
            )
        )
        report.texts[board.name], report.concerns[board.name] = len(ids), len(concern_ids)
        quotes = purge_quotes(session, board.id, cutoff_day, dry_run=dry_run)
        report.quotes[board.name] = quotes
        if dry_run or not (ids or concern_ids or quotes):
            continue
        if ids:
            session.execute(
                sa.update(Feedback)
                .where(Feedback.id.in_(ids))
                .values(happened=None, better=None)
                .execution_options(synchronize_session=False)
            )
        if concern_ids:
            session.execute(
                sa.delete(Concern)
                .where(Concern.id.in_(concern_ids))
                .execution_options(synchronize_session=False)
            )
        record(
            session,
            None,
            "retention.purge",
            board,
            board_id=board.id,
            detail=f"{len(ids)} texts, {len(concern_ids)} closed concerns"
            + (f", {quotes} quotes" if quotes else ""),
        )
    session.flush()
    return report
