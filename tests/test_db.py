"""The database layer: migrations match the models, SQLite is set up safely, one session
per request that only views commit."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from board.boards.models import Organisation, OrganisationKind
from board.db import Base, get_engine
from board.models import Board


def test_migrations_match_the_models(app):
    """Autogenerate finds nothing to do on a database built by the migrations."""
    with app.app_context(), get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_pragmas(app):
    with app.app_context(), get_engine().connect() as connection:
        if connection.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_threshold_below_three_is_refused_by_the_schema(session, make):
    board = make.board()
    board.threshold_k = 2
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()


def test_per_board_role_needs_a_board_in_the_schema(session, make):
    from board.auth.models import Role, RoleAssignment

    user = make.user()
    session.add(RoleAssignment(user=user, role=Role.FACILITATOR, board=None))
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()


def test_times_come_back_with_their_zone(session, make):
    org = make.organisation()
    make.commit()
    session.expire_all()
    assert session.get(Organisation, org.id).created_at.tzinfo is not None


def test_uncommitted_work_of_a_failed_request_is_rolled_back(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    from board.db import db

    @app.post("/half-done")
    def half_done():
        db.add(Organisation(name="Half done", kind=OrganisationKind.NGO))
        db.flush()
        raise RuntimeError("after the flush")

    assert client.post("/half-done").status_code == 500
    with app.app_context():
        assert db.scalar(sa.select(Organisation).where(Organisation.name == "Half done")) is None
        assert db.scalar(sa.select(sa.func.count()).select_from(Board)) == 0


def test_database_errors_never_log_the_values(app, client, caplog):
    """A failed statement's log line must not repeat what was being stored (a child's text):
    PostgreSQL's message names the failing row."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    from board.db import db

    @app.post("/store-words")
    def store_words():
        db.execute(
            sa.text("INSERT INTO board (id, name) VALUES (:id, :name)"),
            {"id": 1, "name": "secret words of a child"},
        )

    caplog.set_level(logging.DEBUG)
    assert client.post("/store-words").status_code == 500
    logged = " ".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    assert "database error" in logged
    assert "secret words" not in logged
