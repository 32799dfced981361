"""Composing, publishing and answering summaries: the state changes and their rules.
Every figure comes from board.summaries.figures (through board.disclosure), every read
from board.summaries.queries; only approved text is quoted. Services flush; views commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.orm import Session

from board import disclosure
from board.audit.services import record
from board.auth.models import Role, User
from board.auth.queries import users_with_role
from board.boards.models import Board, Organisation
from board.db import utcnow
from board.i18n import day, period_name, when
from board.mail import external_url, queue_mail
from board.meetings.models import Meeting, MeetingState
from board.meetings.services import in_board_zone
from board.rules import RuleError
from board.summaries import figures, queries
from board.summaries.findings import FindingDraft, rated_services
from board.summaries.models import (
    PERIOD_MONTHS,
    FindingLink,
    ItemKind,
    Response,
    ResponseStatus,
    ResponseVersion,
    Summary,
    SummaryFigure,
    SummaryItem,
    SummaryState,
    overlaps,
)
from board.summaries.security import sanitize_html


class SummaryError(RuleError):
    """A rule about summaries was broken."""


def _generated_items(session: Session, summary: Summary) -> list[SummaryItem]:
    """Each action the children voted on, with its place: made again until the summary is
    published, then kept. (Findings are the facilitator's words, never made here.)"""
    board = summary.board
    items: list[SummaryItem] = []
    for result in figures.vote_results(session, board, summary.month, summary.months):
        if result.places is None:
            items += [
                SummaryItem(kind=ItemKind.ACTION, action_id=a.id, text=a.title)
                for a in result.ballot.options
            ]
            continue
        for place in result.places:
            items.append(
                SummaryItem(
                    kind=ItemKind.ACTION,
                    action_id=place.key.id,
                    text=place.key.title,
                    rank=place.rank,
                    points=place.points.value,
                    points_small=place.points.small,
                )
            )
    return items


# The order of a summary's items: the facilitator's findings first, then the votes, the
# recommendations and the quotes.
ITEM_ORDER = (ItemKind.FINDING, ItemKind.ACTION, ItemKind.RECOMMENDATION, ItemKind.QUOTE)


def _arrange(summary: Summary, generated: list[SummaryItem], written: list[SummaryItem]) -> None:
    summary.items = sorted(generated + written, key=lambda i: ITEM_ORDER.index(i.kind))
    for position, item in enumerate(summary.items):
        item.position = position


def _refresh(session: Session, summary: Summary) -> None:
    written = [i for i in summary.items if i.kind is not ItemKind.ACTION]
    _arrange(summary, _generated_items(session, summary), written)


def _summary_covering(session: Session, board: Board, month: date, months: int) -> Summary | None:
    """The board's summary of exactly this period; SummaryError when another one covers part
    of it."""
    existing = session.scalars(sa.select(Summary).where(Summary.board_id == board.id)).all()
    for summary in existing:
        if summary.month == month and summary.months == months:
            return summary
        if overlaps((summary.month, summary.months), (month, months)):
            raise SummaryError(
                _l(
                    "The summary of %(period)s already covers part of this period.",
                    period=summary.period,
                ),
                "month",
            )
    return None


def start_summary(session: Session, actor, board: Board, month: date, months: int = 1) -> Summary:
    """The board's summary of a month or a calendar quarter (a draft the first time). A
    board's periods never overlap: otherwise one period taken from another could show a
    figure that disclosure control hid.

    The rule holds in the database (migration 5b1e0c7d2a94), and requests for one board
    take turns: the check and the insert run behind a write on the board's row. On SQLite
    that write takes the one write lock (what BEGIN IMMEDIATE would do) and makes the
    savepoint below sit inside a real transaction; on PostgreSQL it locks the board's row,
    so a second request waits and then sees the first's period. Without it, two inserts
    checked by the exclusion constraint at once each waited for the other: a deadlock."""
    month = month.replace(day=1)
    if months not in PERIOD_MONTHS:
        raise SummaryError(_l("A summary covers a month or a quarter."), "months")
    if months == 3 and month.month not in (1, 4, 7, 10):
        raise SummaryError(_l("A quarter starts in January, April, July or October."), "month")
    session.execute(sa.update(Board.__table__).where(Board.id == board.id).values(id=Board.id))
    found = _summary_covering(session, board, month, months)
    if found is not None:
        return found
    summary = Summary(board=board, month=month, months=months)
    try:
        with session.begin_nested():
            session.add(summary)
            session.flush()
    except sa.exc.IntegrityError:
        # Another request wrote an overlapping (or the same) period since the check: the
        # database refused this one (the savepoint's rollback took it out of the session).
        # Say which, as the check would have.
        found = _summary_covering(session, board, month, months)
        if found is not None:
            return found
        raise
    _refresh(session, summary)
    session.flush()
    record(session, actor, "summary.create", summary, board_id=board.id, detail=summary.period)
    return summary


def _quote(key: str, text: str, month: date) -> SummaryItem:
    """A copy of approved words, linked to its source so a concern or the purge reaches it."""
    feedback_id, field = key.split(":")
    return SummaryItem(
        kind=ItemKind.QUOTE,
        text=text,
        month=month,
        feedback_id=int(feedback_id),
        source_field=field,
    )


def _recheck_quotes(session: Session, summary: Summary) -> int:
    """Drop every quote whose words are no longer approved words of the period (raised as
    a concern, purged, or unlinked) since the draft was saved, and the findings' links to
    it. Returns how many."""
    allowed = {key: text for key, text, _month in queries.quotable(session, summary)}
    dropped = [
        item
        for item in summary.items
        if item.kind is ItemKind.QUOTE
        and (item.gone is not None or allowed.get(item.source_key or "") != item.text)
    ]
    for item in summary.items:
        if item.kind is ItemKind.FINDING:
            item.links = [link for link in item.links if link.quote not in dropped]
    for item in dropped:
        summary.items.remove(item)
    return len(dropped)


def _check_findings(session: Session, summary: Summary, findings: Sequence[FindingDraft]) -> None:
    """Each finding rests on figures of this summary and approved words of its period, and
    says something: links without words are refused at their slot (``findings-<n>-...``)."""
    rated = {service.id for service in rated_services(session, summary)}
    allowed = {key for key, _text, _month in queries.quotable(session, summary)}
    for n, finding in enumerate(findings):
        if not finding.text.strip() and finding.linked:
            raise SummaryError(
                _l("Write the finding in words, or clear its boxes."), f"findings-{n}-text"
            )
        if any(service_id not in rated for service_id in finding.services):
            raise SummaryError(
                _l("A finding can rest only on services rated in this period."),
                f"findings-{n}-figures",
            )
        if any(key not in allowed for key in finding.quotes):
            raise SummaryError(
                _l("Only approved words of this period can be quoted."), f"findings-{n}-quotes"
            )


def _finding(finding: FindingDraft, quotes: dict[str, SummaryItem]) -> SummaryItem:
    """A finding's item, linked to the figures and to the summary's own quote items."""
    links = [FindingLink(overall=True)] if finding.overall else []
    links += [FindingLink(service_id=service_id) for service_id in dict.fromkeys(finding.services)]
    links += [FindingLink(quote=quotes[key]) for key in dict.fromkeys(finding.quotes)]
    for position, link in enumerate(links):
        link.position = position
    return SummaryItem(kind=ItemKind.FINDING, text=finding.text.strip()[:2000], links=links)


def save_draft(
    session: Session,
    actor,
    summary: Summary,
    *,
    narrative: str,
    recommendations: list[str],
    quotes: list[str],
    findings: Sequence[FindingDraft] = (),
) -> None:
    """The facilitator's part: a narrative, findings, recommendations, and approved words
    to quote. Empty findings are left out; the words a finding rests on are quoted in the
    summary too, so that the quotes' rechecks and a concern reach them."""
    if summary.published:
        raise SummaryError(_l("A published summary cannot be changed."))
    allowed = {key: (text, month) for key, text, month in queries.quotable(session, summary)}
    if any(key not in allowed for key in quotes):
        raise SummaryError(_l("Only approved words of this period can be quoted."), "quotes")
    _check_findings(session, summary, findings)
    summary.narrative = sanitize_html(narrative)
    chosen = dict.fromkeys([*quotes, *(key for finding in findings for key in finding.quotes)])
    quoted = {key: _quote(key, *allowed[key]) for key in chosen}
    written = [_finding(f, quoted) for f in findings if f.text.strip()]
    written += [
        SummaryItem(kind=ItemKind.RECOMMENDATION, text=text.strip()[:1000])
        for text in recommendations
        if text.strip()
    ]
    written += list(quoted.values())
    _arrange(summary, _generated_items(session, summary), written)
    session.flush()
    record(session, actor, "summary.update", summary, board_id=summary.board_id)


def _kept(row: disclosure.Row, position: int) -> SummaryFigure:
    """A published row as the summary keeps it: a service's (its key), or the overall."""
    service = row.key
    groups: dict[str, int | None] = {"bad": None, "okay": None, "good": None}
    if row.level is disclosure.Level.FIVE and row.shares is not None:
        s = row.shares
        groups = {"bad": s[0] + s[1], "okay": s[2], "good": s[3] + s[4]}
    elif row.level is disclosure.Level.THREE and row.shares is not None:
        groups = dict(zip(("bad", "okay", "good"), row.shares, strict=True))
    elif row.level is disclosure.Level.TWO and row.shares is not None:
        groups["good"] = row.shares[1]
    return SummaryFigure(
        position=position,
        service_id=service.id if service is not None else None,
        name=service.name if service is not None else "",
        category=service.category.value if service is not None else "",
        overall=service is None,
        level=int(row.level),
        total=row.total.value,
        total_small=row.total.small,
        median=row.median,
        **groups,
        **{f"r{i}": figure.value for i, figure in enumerate(row.counts, start=1)},
    )


def _meeting_day(meeting: Meeting) -> str:
    """A meeting as a facilitator finds it in the list: its day and time in the board's zone."""
    return when(meeting.starts_at, meeting.board.timezone)


def publish_blockers(session: Session, summary: Summary) -> list[str]:
    """Why the summary cannot be published yet, each reason naming what to do (empty when
    it can): a period is published once it is over, its meetings held and closed and its
    children's texts moderated, so that its figures and words are final; and someone must
    be there to receive it."""
    reasons = []
    today = in_board_zone(summary.board, utcnow()).date()
    if today < summary.end:
        reasons.append(
            _l(
                "The period %(period)s is not over yet: it can be published from %(day)s.",
                period=period_name(summary.month, summary.months),
                day=day(summary.end),
            )
        )
    for meeting in queries.unfinished_meetings(session, summary):
        if meeting.state is MeetingState.OPEN:
            reasons.append(
                _l(
                    "The meeting of %(day)s is still open: close it first.",
                    day=_meeting_day(meeting),
                )
            )
        else:
            reasons.append(
                _l(
                    "The meeting of %(day)s is still scheduled: hold and close it, or cancel it.",
                    day=_meeting_day(meeting),
                )
            )
    for meeting, count in queries.unmoderated_texts(session, summary):
        reasons.append(
            lazy_ngettext(
                "%(num)d text from the meeting of %(day)s still waits for moderation.",
                "%(num)d texts from the meeting of %(day)s still wait for moderation.",
                count,
                day=_meeting_day(meeting),
            )
        )
    if not queries.recipients(session, summary):
        reasons.append(
            _l("No partner was named to the children in this period, so nobody can receive it.")
        )
    return [str(reason) for reason in reasons]


def publish(session: Session, actor, summary: Summary) -> list[Organisation]:
    """Send it to the partners named to the children at the period's meetings, no one
    else; its figures are kept as published. Refused while ``publish_blockers`` names a
    reason."""
    if summary.published:
        raise SummaryError(_l("This summary is published already."))
    blockers = publish_blockers(session, summary)
    if blockers:
        raise SummaryError(" ".join(blockers))
    recipients = queries.recipients(session, summary)
    # Only words approved now leave the room, whatever happened since the draft was saved.
    _recheck_quotes(session, summary)
    # The k goes with the figures: a "<5" stays "<5" if the board later lowers its k.
    summary.threshold_k = summary.board.threshold_k
    _refresh(session, summary)
    table = figures.summary_table(session, summary)
    summary.rows_month, summary.rows_months = table.rows_period or (None, None)
    summary.figures = [_kept(row, position) for position, row in enumerate(table.rows)]
    summary.figures.append(_kept(table.overall, len(table.rows)))
    present = figures.summary_attendance(session, summary)
    summary.attendance, summary.attendance_small = present.value, present.small
    summary.recipients = recipients
    summary.state, summary.published_at = SummaryState.PUBLISHED, utcnow()
    session.flush()
    record(
        session,
        actor,
        "summary.publish",
        summary,
        board_id=summary.board_id,
        detail=", ".join(o.name for o in summary.recipients)[:300],
    )
    link = external_url("summaries.view", summary_id=summary.id)
    partners = users_with_role(
        session, None, Role.PARTNER, organisation_ids=[o.id for o in summary.recipients]
    )
    for user in partners:
        queue_mail(
            session,
            user,
            _l(
                "A new summary from %(board)s: %(period)s",
                board=summary.board.name,
                period=period_name(summary.month, summary.months),
            ),
            _l("Read it here: %(link)s", link=link),
        )
    return summary.recipients


def _check_answer(summary: Summary, what: str, by_when: date | None) -> None:
    if not what.strip():
        raise SummaryError(_l("Write what you will do."), "what")
    published = in_board_zone(summary.board, summary.published_at or utcnow()).date()
    if by_when is not None and by_when <= published:
        raise SummaryError(
            _l(
                "Choose a day after the summary was published (%(day)s).",
                day=day(published),
            ),
            "by_when",
        )


def respond(
    session: Session,
    user: User,
    item: SummaryItem,
    *,
    status: ResponseStatus,
    what: str,
    by_when: date | None,
) -> Response:
    """A partner answers one item of a summary their organisation received: one answer
    per organisation, kept up to date with ``change_response`` (a new one only once the
    last was withdrawn)."""
    if not item.summary.published or user.organisation_id not in {
        o.id for o in item.summary.recipients
    }:
        raise SummaryError(_l("Your organisation did not receive this summary."))
    if not item.answerable:
        # A child's quoted words are not put to partners as a question, nor is a finding
        # without words: only a hand-made request gets here.
        raise SummaryError(_l("This item is not one partners answer."))
    if any(r.organisation_id == user.organisation_id and not r.withdrawn for r in item.responses):
        raise SummaryError(
            _l("Your organisation has answered this already: change that answer instead.")
        )
    _check_answer(item.summary, what, by_when)
    response = Response(
        item=item,
        organisation_id=user.organisation_id,
        author_id=user.id,
        status=status,
        what=what.strip()[:2000],
        by_when=by_when,
    )
    session.add(response)
    session.flush()
    record(
        session,
        user,
        "response.create",
        response,
        board_id=item.summary.board_id,
        detail=status.value,
    )
    return response


def change_response(
    session: Session,
    user: User,
    response: Response,
    *,
    status: ResponseStatus,
    what: str,
    by_when: date | None,
) -> None:
    """The partner brings their answer up to date. The words replaced are kept, dated; the
    children's wording waits for a facilitator's approval again, so that children never
    read the earlier answer as the current one."""
    if response.withdrawn:
        raise SummaryError(
            _l("This answer was withdrawn and cannot be changed. Write a new answer instead.")
        )
    _check_answer(response.item.summary, what, by_when)
    what = what.strip()[:2000]
    if (status, what, by_when) == (response.status, response.what, response.by_when):
        return
    response.versions.append(
        ResponseVersion(
            author_id=response.author_id,
            status=response.status,
            what=response.what,
            by_when=response.by_when,
            written_at=response.written_at,
        )
    )
    response.status, response.what, response.by_when = status, what, by_when
    response.author_id, response.changed_at = user.id, utcnow()
    response.approved_for_children = False
    session.flush()
    record(
        session,
        user,
        "response.update",
        response,
        board_id=response.item.summary.board_id,
        detail=status.value,
    )


def withdraw_response(session: Session, user: User, response: Response) -> None:
    """The partner takes their answer back: it shows as withdrawn, leaves the children's
    view, and the item waits for an answer again."""
    if response.withdrawn:
        raise SummaryError(_l("This answer was withdrawn already."))
    response.withdrawn_at = utcnow()
    response.approved_for_children = False
    session.flush()
    record(session, user, "response.withdraw", response, board_id=response.item.summary.board_id)


def approve_for_children(
    session: Session, actor, response: Response, texts: dict[str, str]
) -> None:
    """The facilitator writes (or checks) the answer in children's words, per language."""
    if response.withdrawn:
        raise SummaryError(_l("This answer was withdrawn: children no longer see it."))
    cleaned = {lang: text.strip()[:1000] for lang, text in texts.items() if text.strip()}
    if not cleaned:
        raise SummaryError(_l("Write the answer for children in at least one language."))
    response.child_texts = cleaned
    response.approved_for_children = True
    session.flush()
    record(session, actor, "response.approve", response, board_id=response.item.summary.board_id)
