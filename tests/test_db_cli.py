"""`flask db upgrade|downgrade|current|stamp`, on the test database (SQLite, or PostgreSQL
with TEST_DATABASE_URL), which is left at the newest revision for the tests after."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory

from board import migrate


@pytest.fixture
def revisions(app):
    """The newest revision and the one before it."""
    script = ScriptDirectory.from_config(migrate.alembic_config(app))
    head = script.get_revision(script.get_current_head())
    return head.revision, head.down_revision


def _db(runner, *args: str, input: str | None = None) -> str:
    result = runner.invoke(args=["db", *args], input=input)
    assert result.exit_code == 0, result.output
    return result.output


def test_current_names_the_newest_revision(runner, revisions):
    head, _ = revisions
    assert _db(runner, "current").strip() == f"{head} (head)"


def test_downgrade_one_step_and_upgrade_again(app, runner, revisions):
    head, previous = revisions
    try:
        output = _db(runner, "downgrade", "--yes")
        assert output.splitlines()[-1] == previous
        assert _db(runner, "current").strip() == previous
        _db(runner, "upgrade")
        assert _db(runner, "current").strip() == f"{head} (head)"
    finally:
        migrate.upgrade(app)


def test_downgrade_asks_first(runner, revisions):
    head, _ = revisions
    result = runner.invoke(args=["db", "downgrade"], input="n\n")
    assert result.exit_code == 1
    assert "drops what the newer migrations added" in result.output
    assert _db(runner, "current").strip() == f"{head} (head)"


def test_stamp_records_a_revision_without_running_it(app, runner, revisions):
    head, previous = revisions
    try:
        _db(runner, "stamp", previous)
        assert _db(runner, "current").strip() == previous
        _db(runner, "stamp", "head")
        assert _db(runner, "current").strip() == f"{head} (head)"
    finally:
        migrate.stamp(app, "head")
