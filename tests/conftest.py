"""Fixtures: a real database (a SQLite file, or PostgreSQL via TEST_DATABASE_URL) migrated
once per run with Alembic, an app per test whose rows are wiped afterwards, a client, a
CLI runner, a database session and small factories."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import jinja2
import pytest
import sqlalchemy as sa
import time_machine

from board import create_app, migrate
from board.db import Base, make_engine
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# Under pytest-xdist (`make test` runs two workers) each worker has a PostgreSQL database of
# its own, test_gw0, test_gw1..., made on first use: the environment is changed too, so the
# tests and the servers they start that read TEST_DATABASE_URL all find the worker's.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if TEST_DATABASE_URL and _WORKER:
    _shared = sa.engine.make_url(TEST_DATABASE_URL)
    TEST_DATABASE_URL = _shared.set(database=f"{_shared.database}_{_WORKER}").render_as_string(
        hide_password=False
    )
    os.environ["TEST_DATABASE_URL"] = TEST_DATABASE_URL

# The suite's clock. No test may depend on the day it runs: the demo network, summaries,
# periods and everything dated are computed from this instant (a Saturday after the month's
# second Saturday, so the demo's month has a held meeting). The clock ticks from there, so
# timeouts and rate limits behave. Tests of particular days travel further
# (``time_machine.travel``); tests/test_dates.py plays the month on the awkward ones.
FIXED_NOW = datetime(2026, 6, 20, 8, 30, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def fixed_clock():
    """Every test, and every module- or session-wide fixture, runs on the suite's clock."""
    with time_machine.travel(FIXED_NOW, tick=True):
        yield


def _create_if_missing(url: str) -> None:
    """The worker's own database (see _WORKER), made from the shared one's server."""
    name = sa.engine.make_url(url).database
    server = sa.create_engine(
        sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with server.connect() as connection:
        exists = sa.text("SELECT 1 FROM pg_database WHERE datname = :name")
        if connection.execute(exists, {"name": name}).scalar() is None:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()


def _drop_everything(url: str) -> None:
    if _WORKER:
        _create_if_missing(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """A database migrated to the newest revision, once per test run."""
    if TEST_DATABASE_URL:
        url = TEST_DATABASE_URL
        _drop_everything(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'board-test.sqlite3'}"
    app = create_app(_config(url))
    migrate.upgrade(app)
    return url


def _config(url: str, **overrides) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": "localhost",
        # Cheap hashes: every sign-in of the suite would otherwise cost a scrypt.
        "PASSWORD_HASH_METHOD": factories.FAST_HASH,
        # Two-factor sign-in is tested where it is turned on (tests/test_two_factor.py, with
        # the shipped setting); everywhere else a password signs staff in, as before.
        "TWO_FACTOR": "optional",
        **overrides,
    }


def wipe(engine: sa.Engine) -> None:
    """Delete every row, keeping the schema (much faster than recreating it)."""
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once a run rather than once a test: each test has an app of its
    own, and compiling the templates again was a third of the suite's time. Every app comes
    from create_app, with the same Jinja settings, so the compiled code is the same."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build apps on the test database; rows are wiped after the test."""
    apps = []

    def build(**overrides):
        app = create_app(_config(database_url, **overrides))
        app.instance_path = str(tmp_path / "instance")
        app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
        apps.append(app)
        return app

    yield build
    from board.db import get_engine

    for app in apps:
        engine = app.extensions["board.db"].get("engine")
        if app.config["DATABASE_URL"] == database_url:
            engine = get_engine(app)
            wipe(engine)
        if engine is not None:
            engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """A database session of the test's own, for arranging and checking rows.

    It holds no application context, so requests made by the test client get their own
    context, session and Flask-Login state, as they would in production.
    """
    from sqlalchemy.orm import Session

    from board.db import get_engine

    with Session(bind=get_engine(app), expire_on_commit=False) as own:
        yield own


@pytest.fixture
def make(app, session):
    """Factories bound to the test's session: ``make.board()``, ``make.user(...)``."""
    return factories.Factory(session, app)


@pytest.fixture
def world(make) -> factories.World:
    """The board, its service and partner organisation, staff of every role, another board
    with its own staff and partner (``factories.World``), committed. A module that needs
    more (a meeting, a summary) overrides ``world``, building it with ``make.world(...)``;
    ``world.every_table()`` puts rows in nearly every table."""
    world = make.world()
    make.commit()
    return world


@pytest.fixture
def meeting(session, make):
    """An open meeting of a board in three languages with a partner and a clinic on the
    agenda: what a child's tablet joins. Modules needing another board override it."""
    partner = make.organisation(name="Ministry of Children")
    board = make.board(languages="sq en ar", partners=[partner], helpline="116 123")
    make.service(board, name="Clinic")
    meeting = make.meeting(board, place="Room", services=board.services)
    session.commit()
    return meeting


@pytest.fixture
def tablet_client(app):
    """A child's tablet (``factories.tablet``)."""
    return factories.tablet(app)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email, password=factories.PASSWORD):
        return self.client.post("/login", data={"email": email, "password": password})

    def as_user(self, user):
        """Sign in without the password round trip (fast, for access checks)."""
        with self.client.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


def require_synthesis() -> None:
    """espeak-ng and opusenc, or a skip that says so (a failure under CI, which installs them)."""
    from board.voice import synth

    if not synth.available():
        message = f"skipped: {synth.explain_missing()}"
        if os.environ.get("CI") == "true":
            pytest.fail(message.replace("skipped", "required under CI"))
        pytest.skip(message)
