"""``flask --app board backup``: a consistent copy of the live SQLite database, private to
its owner, that restores with every row; PostgreSQL is pointed to pg_dump."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from board.auth.models import User
from board.backup import count_rows, sqlite_path
from board.boards.models import Board
from board.db import make_engine
from board.feedback.models import Feedback
from tests.conftest import TEST_DATABASE_URL

sqlite_only = pytest.mark.skipif(
    bool(TEST_DATABASE_URL),
    reason="the backup command copies a SQLite file; PostgreSQL is backed up with pg_dump",
)

INSERT = "INSERT INTO organisation (name, kind, created_at) VALUES (?, 'ngo', '2030-01-01')"


def _live(app):
    return sqlite_path(app.config["DATABASE_URL"])


@sqlite_only
def test_backup_copies_every_committed_row_while_a_write_is_open(app, runner, world, tmp_path):
    world.every_table()
    source = _live(app)
    before = count_rows(source)
    assert sum(1 for n in before.values() if n) >= 15, before  # nearly every table has rows
    writer = sqlite3.connect(source, timeout=5)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(INSERT, ("Uncommitted",))
        result = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
    finally:
        writer.commit()
        writer.close()
    assert result.exit_code == 0, result.output
    copy = tmp_path / "copy.sqlite3"
    assert f"Backup written to {copy}: {sum(before.values())} rows, integrity ok." in result.output
    assert count_rows(copy) == before
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert not (tmp_path / "copy.sqlite3-wal").exists()  # one self-contained file


@sqlite_only
def test_backup_while_another_connection_keeps_writing(app, runner, world, tmp_path):
    world.every_table()
    source = _live(app)
    before = count_rows(source)["organisation"]
    done = threading.Event()
    written = []

    def keep_writing():
        with sqlite3.connect(source, timeout=5) as connection:
            while not done.is_set():
                connection.execute(INSERT, (f"Written meanwhile {len(written)}",))
                connection.commit()
                written.append(1)

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        result = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
    finally:
        done.set()
        thread.join()
    assert result.exit_code == 0, result.output
    assert written  # the writer did write while the backup ran
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        names = [r[0] for r in copy.execute("SELECT name FROM organisation ORDER BY id")]
    # A snapshot: the rows of before, then a prefix of the ones written meanwhile, no gap.
    meanwhile = names[before:]
    assert meanwhile == [f"Written meanwhile {i}" for i in range(len(meanwhile))]
    assert len(names) <= before + len(written)


@sqlite_only
def test_a_restored_backup_holds_every_row(make_app, runner, world, tmp_path):
    people, args, board = world.people, world.every_table(), world.board
    result = runner.invoke(args=["backup"])  # the default path, in the instance folder
    assert result.exit_code == 0, result.output
    backups = list((tmp_path / "instance" / "backups").glob("board-*.sqlite3"))
    assert len(backups) == 1, result.output
    restored = tmp_path / "restored.sqlite3"
    shutil.copyfile(backups[0], restored)

    url = f"sqlite:///{restored}"
    assert count_rows(restored) == count_rows(_live(runner.app))
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            assert session.get(Board, board.id).name == board.name
            emails = set(session.scalars(sa.select(User.email)))
            assert {p.email for p in people.values()} <= emails
            assert session.get(Feedback, args["item_id"]).happened == "text"
    finally:
        engine.dispose()
    # And the application itself serves from it.
    restored_app = make_app(DATABASE_URL=url)
    assert restored_app.test_client().get("/healthz").status_code == 200


@sqlite_only
def test_backup_refuses_to_overwrite(runner, tmp_path):
    target = tmp_path / "taken.sqlite3"
    target.write_text("precious")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    assert "exists already" in result.output
    assert target.read_text() == "precious"


def test_postgresql_is_pointed_to_pg_dump(make_app):
    app = make_app(DATABASE_URL="postgresql+psycopg://board:s3cret@db.internal:5432/board")
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code != 0
    assert "pg_dump --format=custom" in result.output
    assert "postgresql://board:***@db.internal:5432/board" in result.output
    assert "s3cret" not in result.output
    assert "pg_restore" in result.output
