"""Database: one engine per application, one session per request.

Services flush; only views (and CLI commands) commit. Whatever a request leaves
uncommitted is rolled back when the request ends.
"""

from __future__ import annotations

from datetime import UTC, datetime

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


def utcnow() -> datetime:
    """The current time, in UTC, with its zone."""
    return datetime.now(UTC)


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


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
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
        session.rollback()
        session.close()


def init_app(app: Flask) -> None:
    """Register the per-request session with ``app``."""
    app.extensions["board.db"] = {"engine": None}
    app.teardown_appcontext(_close_session)


def database_answers() -> bool:
    """True when a trivial query succeeds."""
    try:
        with get_engine().connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return False
    return True
