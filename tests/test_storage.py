"""Erased words leave the database's own files too, not only its tables (CHILD-SAFETY rules
21, 22): SQLite's file and write-ahead log, PostgreSQL's pages with their dead row versions.
An attacker with a copy of those files, taken after the nightly purge, finds nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from board.db import WORDS_TABLES, get_engine

MARK = "Zq-purge-marker-7319 the words of a child"


def _in_files(app) -> list[str]:
    """Where the raw storage still holds the marker: file names or table pages."""
    engine = get_engine(app)
    needle = MARK.encode()
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        return [
            f.name
            for f in (path, path.with_name(path.name + "-wal"))
            if f.exists() and needle in f.read_bytes()
        ]
    found = []
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        try:
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
        except sa.exc.DBAPIError as error:  # pragma: no cover - depends on the server
            pytest.skip(f"pageinspect cannot be created here: {error.orig}")
        for table in WORDS_TABLES:
            pages = connection.scalar(sa.text(f"SELECT pg_relation_size('\"{table}\"') / 8192"))
            for block in range(pages):
                raw = connection.scalar(
                    sa.text(f"SELECT get_raw_page('\"{table}\"', {block})")  # noqa: S608
                )
                if needle in bytes(raw):
                    found.append(f"{table} page {block}")
    return found


def test_purged_words_leave_no_copy_in_the_database_files(app, runner, session, make):
    board = make.board(name="Tirana", retention_months=18)
    clinic = make.service(board, name="Clinic")
    make.held(board, date(2024, 3, 9), {clinic: [4, 4, 4]}, texts=[MARK])
    session.commit()
    # A moderator's redaction leaves the first version behind as well, as dead rows would.
    session.execute(sa.text("UPDATE feedback SET better = 'x' WHERE happened IS NOT NULL"))
    session.commit()
    session.close()
    assert _in_files(app), "the test must see the words in the files before the purge"

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "deleted 1 approved texts" in result.output, result.output
    assert _in_files(app) == []


@pytest.mark.slow  # waits its 3 s on purpose
def test_the_scrub_never_waits_long_behind_someone_reading(app, runner, session, make):
    """VACUUM FULL needs a table to itself, and every query on it would queue behind a
    scrub that waits: with a reader's transaction open, the purge still ends, says what it
    left, and the next run does it."""
    board = make.board(name="Tirana", retention_months=18)
    clinic = make.service(board, name="Clinic")
    make.held(board, date(2024, 3, 9), {clinic: [4, 4, 4]}, texts=[MARK])
    session.commit()
    session.close()
    reader = get_engine(app).raw_connection()  # someone reading, their transaction open
    try:
        cursor = reader.cursor()
        if get_engine(app).dialect.name == "sqlite":
            cursor.execute("BEGIN")
        cursor.execute("SELECT count(*) FROM feedback")
        cursor.fetchall()
        result = runner.invoke(args=["purge"])
    finally:
        reader.rollback()
        reader.close()
    assert result.exit_code == 0, result.output
    assert "the next run clears them" in result.output
    again = runner.invoke(args=["purge"])
    assert again.exit_code == 0 and "the next run" not in again.output
    assert _in_files(app) == []
