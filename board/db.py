"""Database: one engine per application, one session per request.

Services flush; only views (and CLI commands) commit. Whatever a request leaves
uncommitted is rolled back when the request ends.
"""

from __future__ import annotations

import enum
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Session
from werkzeug.local import LocalProxy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Ids are INTEGER columns: 32 bits in PostgreSQL (64 in SQLite). A larger number from outside
# is no id at all; handed to the database it would be an error, not "not found".
MAX_ID = 2**31 - 1


class Base(DeclarativeBase):
    """Declarative base of every model; constraint names are stable across databases."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # Every model maps a Table, never a SELECT: Core statements may take it as one.
        __table__: ClassVar[sa.Table]


# How far the application's clock is set back: zero, except while the demo replays its past
# months through the services (``as_of``, board.demo.seed).
_clock_offset: ContextVar[timedelta] = ContextVar("board_clock_offset", default=timedelta(0))


def utcnow() -> datetime:
    """The current time, in UTC, with its zone."""
    return datetime.now(UTC) + _clock_offset.get()


@contextmanager
def as_of(moment: datetime) -> Iterator[None]:
    """Inside the block, ``utcnow`` starts from ``moment`` and ticks on (the demo's past)."""
    token = _clock_offset.set(moment - datetime.now(UTC))
    try:
        yield
    finally:
        _clock_offset.reset(token)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back with its zone (SQLite drops it)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime: store times with their zone")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def enum_column(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """A portable enum column: a VARCHAR with a CHECK constraint, storing the values."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted and overwritten content is zeroed in the file, not left in free space: a
    # child's words that moderation or the retention purge replaced must not stay readable
    # to someone with a copy of the file (CHILD-SAFETY rules 21, 22).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(url: str) -> sa.Engine:
    """Create the engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    # Children's words must not reach a log through an error message: parameters stay out.
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True
    )


def get_engine(app: Flask | None = None) -> sa.Engine:
    """The application's engine, created on first use (create_app does no I/O)."""
    app = app or current_app
    state = app.extensions["board.db"]
    if state.get("engine") is None:
        state["engine"] = make_engine(app.config["DATABASE_URL"])
    return state["engine"]


def get_session() -> Session:
    """The session of the current request or CLI command."""
    if "db_session" not in g:
        g.db_session = Session(bind=get_engine(), expire_on_commit=False)
    return g.db_session


db: Session = LocalProxy(get_session)  # type: ignore[assignment]


def _close_session(exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        try:
            session.rollback()
        except sa.exc.SQLAlchemyError:
            # The server went away under this connection (a restart): the response is
            # already made; the pool drops the connection and pre-ping finds a new one.
            session.invalidate()
        session.close()


def init_app(app: Flask) -> None:
    """Register the per-request session with ``app``."""
    app.extensions["board.db"] = {"engine": None}
    app.teardown_appcontext(_close_session)


# Tables whose rows hold children's words, and so whose old row versions must not linger.
WORDS_TABLES = ("feedback", "action", "summary_item", "concern", "concern_note")


# How long the scrub waits for a table that someone is using. VACUUM FULL needs the table
# to itself, and while it waits every new query on that table waits behind it: a child's
# answer must never queue behind the night's scrub for long.
SCRUB_LOCK_TIMEOUT = "3s"


def scrub(engine: sa.Engine) -> list[str]:
    """Leave no old copy of erased words in the database's own files, after a purge.
    Returns the tables it could not get to (busy): the next run does them.

    SQLite (with ``secure_delete``) zeroes what is deleted in the database file, but the
    write-ahead log keeps the pages as they were until a checkpoint: a TRUNCATE checkpoint
    copies them back and empties the log. PostgreSQL keeps old row versions ("dead rows")
    in the table until vacuumed: ``VACUUM FULL`` writes each table anew and drops the old
    file. What neither can reach: backups and PostgreSQL's own WAL archive (README).
    """
    busy = []
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if connection.dialect.name == "sqlite":
            # (blocked, frames in the log, frames copied): blocked when a reader still
            # needs the log, after the busy timeout.
            blocked, _frames, _copied = connection.exec_driver_sql(
                "PRAGMA wal_checkpoint(TRUNCATE)"
            ).one()
            if blocked:
                busy.append("write-ahead log")
            return busy
        connection.exec_driver_sql(f"SET lock_timeout = '{SCRUB_LOCK_TIMEOUT}'")
        for table in WORDS_TABLES:
            try:
                if not _vacuumed(connection, table):
                    busy.append(table)
            except sa.exc.OperationalError:  # lock_timeout: someone is using it
                busy.append(table)
    return busy


# A dead row version some transaction may still see is copied by VACUUM FULL, not dropped:
# any transaction of the server holding an id counts, in another database too. The scrub
# tries again a few times (such transactions are short), then leaves the table to next run.
SCRUB_TRIES = 6
KEPT = re.compile(r"\b([1-9][0-9]*) dead row versions? cannot be removed yet")


def _vacuumed(connection, table: str) -> bool:
    """VACUUM FULL ``table``; False when it had to keep dead row versions (PostgreSQL says
    so in its VERBOSE report, read here from the server's notices)."""
    raw = connection.connection.driver_connection
    said: list[str] = []

    def listen(diagnostic) -> None:
        said.append(f"{diagnostic.message_primary or ''} {diagnostic.message_detail or ''}")

    raw.add_notice_handler(listen)
    try:
        for attempt in range(SCRUB_TRIES):
            said.clear()
            connection.exec_driver_sql(f'VACUUM (FULL, VERBOSE) "{table}"')
            if not any(KEPT.search(line) for line in said):
                return True
            time.sleep(0.5 * (attempt + 1))
        return False
    finally:
        raw.remove_notice_handler(listen)


def database_answers() -> bool:
    """True when a trivial query succeeds."""
    return database_trouble() in (None, UNWRITABLE)


# What can go wrong with the database itself, as opposed to a bug: the error pages and the
# health check name it, so that whoever reads them knows whom to call.
UNREACHABLE = "unreachable"
UNWRITABLE = "read-only or full"
BUSY = "busy"

_SQLITE = {5: BUSY, 6: BUSY, 8: UNWRITABLE, 10: UNWRITABLE, 13: UNWRITABLE, 14: UNREACHABLE}
# Below this much free space next to a SQLite file, the next write may fail.
MIN_FREE_BYTES = 1024 * 1024
# A write refused this recently still counts: some failures (a full disk under PostgreSQL)
# show no sign to a read-only probe.
_REMEMBER_SECONDS = 15.0


def trouble_of(error: BaseException) -> str | None:
    """UNREACHABLE, UNWRITABLE or BUSY when ``error`` means the database cannot do its job
    (down, disk full, read-only); None for anything else, which is a bug."""
    if not isinstance(error, sa.exc.DBAPIError):
        return None
    original = error.orig
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return _SQLITE.get(code & 0xFF)
    state = getattr(original, "sqlstate", None) or ""
    if state.startswith("53") or state == "25006":  # insufficient resources, read-only
        return UNWRITABLE
    if state.startswith("08") or state.startswith("57P") or error.connection_invalidated:
        return UNREACHABLE
    if isinstance(error, sa.exc.OperationalError) and not state:
        return UNREACHABLE  # no answer at all: refused, reset, timed out
    return None


def note_unwritable() -> None:
    """A write was just refused for lack of space or permission (see database_trouble);
    remembered by this application in this process."""
    current_app.extensions["board.db"]["last_unwritable"] = time.monotonic()


def _sqlite_unwritable(connection, url: sa.URL) -> bool:
    path = url.database or ""
    if url.query.get("mode") == "ro":
        return True
    if not path or path == ":memory:":
        return False
    if path.startswith("file:"):
        path = path[5:]
    folder = os.path.dirname(os.path.abspath(path))
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK):
        return True
    stats = os.statvfs(folder)
    if stats.f_bavail * stats.f_frsize < MIN_FREE_BYTES:
        return True
    used, limit = connection.execute(
        sa.text("SELECT * FROM pragma_page_count(), pragma_max_page_count()")
    ).one()
    return used >= limit


def database_trouble() -> str | None:
    """None when the database answers and can be written to; else what is wrong. Cheap
    enough for a health check: it reads, it never writes."""
    engine = get_engine()
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                connection.execute(sa.text("SELECT 1"))
                unwritable = _sqlite_unwritable(connection, engine.url)
            else:
                unwritable = (
                    connection.execute(
                        sa.text("SELECT current_setting('transaction_read_only')")
                    ).scalar()
                    == "on"
                )
    except sa.exc.SQLAlchemyError as error:
        return trouble_of(error) or UNREACHABLE
    last = current_app.extensions["board.db"].get("last_unwritable")
    if unwritable or (last is not None and time.monotonic() - last < _REMEMBER_SECONDS):
        return UNWRITABLE
    return None
