"""Emptying the database for a fresh demo, and knowing when that would destroy real data.

``flask demo --reset`` deletes every row of every table: the audit log and the safeguarding
records included. It may do so without a second thought only on a database that holds the
demo network and nothing else: every organisation, board, service and account is one the
demo makes (board.demo.data, by exact name and email), every safeguarding concern is the
demo's own, and every entry of the audit log was written by a demo account. Children's
answers, votes and summaries belong to the boards they were given on, so a database whose
boards are all the demo's holds only the demo's (or a visitor's trying it out).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from board.audit.models import AuditEntry
from board.auth.models import User
from board.boards.models import Board, Organisation, Service
from board.db import Base
from board.demo import data
from board.moderation.models import Concern

SHOWN = 3  # names listed per kind of record; the rest are counted


def _listed(kind: str, names: list[str]) -> str:
    shown = ", ".join(sorted(names)[:SHOWN])
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return f"{len(names)} {kind} ({shown}{more})"


def strangers(session: Session) -> list[str]:
    """What the database holds that the demo did not make, one line per kind of record
    (names of boards, organisations and accounts; only counts of concerns and audit
    entries). Empty: the database holds the demo network at most."""
    found = []
    organisations = list(
        session.scalars(
            sa.select(Organisation.name).where(
                Organisation.name.not_in(sorted(data.organisation_names()))
            )
        )
    )
    if organisations:
        found.append(_listed("organisations", organisations))
    boards = data.board_services()
    real_boards = list(
        session.scalars(sa.select(Board.name).where(Board.name.not_in(sorted(boards))))
    )
    if real_boards:
        found.append(_listed("boards", real_boards))
    services = [
        f"{service} ({board})"
        for service, board in session.execute(
            sa.select(Service.name, Board.name).join(Board, Service.board_id == Board.id)
        )
        if board in boards and service not in boards[board]
    ]
    if services:
        found.append(_listed("services", services))
    demo_emails = sorted(data.emails())
    accounts = list(session.scalars(sa.select(User.email).where(User.email.not_in(demo_emails))))
    if accounts:
        found.append(_listed("accounts", accounts))
    concerns = session.scalar(
        sa.select(sa.func.count())
        .select_from(Concern)
        .outerjoin(Board, Concern.board_id == Board.id)
        .where(
            sa.or_(
                Concern.reason != data.CONCERN_REASON,
                sa.func.coalesce(Board.name, "") != data.board_name(_city(data.CONCERN_BOARD)),
            )
        )
    )
    if concerns:
        found.append(f"{concerns} safeguarding concerns")
    demo_users = sa.select(User.id).where(User.email.in_(demo_emails))
    entries = session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(sa.or_(AuditEntry.actor_id.is_(None), AuditEntry.actor_id.not_in(demo_users)))
    )
    if entries:
        found.append(f"{entries} audit log entries")
    return found


def _city(slug: str) -> str:
    return next(city for s, city, *_rest in data.BOARDS if s == slug)


def clear(session: Session) -> None:
    """Delete every row of every table (children first). The caller checks ``strangers``
    first, or knows the database is a test's."""
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())
    session.flush()
