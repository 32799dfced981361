"""The audit log as people read it: each entry's link to its record, and the CSV export.

An entry names its record by kind and id (``AuditEntry.target_type``/``target_id``). LINKS
says, in one place, for each kind: where its page is and who may open it. A link is shown
only when the record still exists and the reader may open that page; a kind not listed
(a new action of another area, a record since deleted) is shown without a link.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session, object_session

from board.audit.models import ACTION_LABELS, TARGET_LABELS, AuditEntry
from board.auth.access import (
    can_administer,
    can_handle_concerns,
    can_moderate,
    can_read_summary,
    can_run_meetings,
)
from board.auth.models import User
from board.boards.models import Board
from board.db import Base
from board.summaries.export import to_csv


def _admin(user: User, _record: Any) -> bool:
    return can_administer(user)


@dataclass(frozen=True)
class Link:
    """Where a kind of record is shown: the page's endpoint and arguments, and who may open
    that page (the page's own access rule)."""

    endpoint: str
    args: Callable[[Any], dict[str, int]]
    may: Callable[[User, Any], bool] = _admin


def _board(record) -> Board:
    return record.board if hasattr(record, "board") else record.meeting.board


def _runs(user: User, record) -> bool:
    return can_run_meetings(user, _board(record))


def _recording_board(recording) -> Board:
    session = object_session(recording)
    assert session is not None  # read by ``links`` from its session
    return session.get_one(Board, recording.board_id)


LINKS: dict[str, Link] = {
    "user": Link("admin.account", lambda u: {"user_id": u.id}),
    "organisation": Link("admin.organisation", lambda o: {"organisation_id": o.id}),
    "apitoken": Link(
        "tokens.organisation_tokens", lambda t: {"organisation_id": t.organisation_id}
    ),
    "board": Link("admin.board", lambda b: {"board_id": b.id}),
    "service": Link("admin.service", lambda s: {"service_id": s.id}),
    "meeting": Link("room.meeting", lambda m: {"meeting_id": m.id}, _runs),
    "helpcall": Link("room.meeting", lambda c: {"meeting_id": c.meeting_id}, _runs),
    "ballot": Link("room.meeting", lambda b: {"meeting_id": b.meeting_id}, _runs),
    "meetingseries": Link("meetings.board_meetings", lambda s: {"board_id": s.board_id}, _runs),
    "action": Link("actions.action", lambda a: {"action_id": a.id}, _runs),
    "recording": Link(
        "voice.board_recordings",
        lambda r: {"board_id": r.board_id},
        lambda user, r: can_run_meetings(user, _recording_board(r)),
    ),
    "feedback": Link(
        "moderation.queue",
        lambda f: {"board_id": f.meeting.board_id},
        lambda user, f: can_moderate(user, f.meeting.board),
    ),
    "concern": Link(
        "moderation.concern",
        lambda c: {"concern_id": c.id},
        lambda user, c: can_handle_concerns(user, c.board),
    ),
    "summary": Link("summaries.view", lambda s: {"summary_id": s.id}, can_read_summary),
    "response": Link(
        "summaries.view",
        lambda r: {"summary_id": r.item.summary_id},
        lambda user, r: can_read_summary(user, r.item.summary),
    ),
}


def _model(kind: str) -> Any:
    """The mapped class an entry's ``target_type`` names (``record`` writes its name)."""
    (model,) = [m.class_ for m in Base.registry.mappers if m.class_.__name__.lower() == kind]
    return model


def links(session: Session, reader: User, entries: Iterable[AuditEntry]) -> dict[int, str]:
    """Entry id -> the URL of its record, for the entries whose record exists and that
    ``reader`` may open (one query per kind of record on the page)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    entries = list(entries)
    for entry in entries:
        if entry.target_type in LINKS and entry.target_id:
            wanted[entry.target_type].add(entry.target_id)
    found: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        link, model = LINKS[kind], _model(kind)
        for record in session.scalars(sa.select(model).where(model.id.in_(ids))):
            if link.may(reader, record):
                found[kind, record.id] = url_for(link.endpoint, **link.args(record))  # type: ignore[arg-type]
    return {
        e.id: found[e.target_type, e.target_id]
        for e in entries
        if e.target_id and (e.target_type, e.target_id) in found
    }


HEADER = ["when (UTC)", "who", "who (email)", "action", "action (code)", "record", "record id",
          "board", "detail"]  # fmt: skip


def csv_document(session: Session, entries: list[AuditEntry]) -> str:
    """The entries as CSV, times in ISO 8601 UTC; no cell can start a spreadsheet formula
    (a board's or a person's name is typed by someone: see ``board.summaries.export.safe_cell``)."""
    names = dict(session.execute(sa.select(Board.id, Board.name)).all())
    rows = [HEADER]
    for e in entries:
        rows.append(
            [
                e.at.isoformat(timespec="seconds"),
                e.actor.name if e.actor else "command line",
                e.actor.email if e.actor else "",
                str(ACTION_LABELS.get(e.action, e.action)),
                e.action,
                str(TARGET_LABELS.get(e.target_type, e.target_type)),
                str(e.target_id or ""),
                names.get(e.board_id, "") if e.board_id else "",
                e.detail,
            ]
        )
    return to_csv(rows)
