"""Backups of the SQLite database while the server runs, through SQLite's online backup API.

The copy is one consistent snapshot: rows committed before it started, none half-written,
whatever other connections do meanwhile. PostgreSQL has its own tool (``pg_dump``).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from board.rules import RuleError


class BackupError(RuleError):
    """The backup could not be made (or is not ours to make)."""


@dataclass(frozen=True)
class Backup:
    path: Path
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def pg_dump_command(url: str) -> str:
    """The ``pg_dump`` line that backs up the PostgreSQL database at ``url`` (no password)."""
    target = make_url(url).set(drivername="postgresql")
    rendered = target.render_as_string(hide_password=True)
    return f"pg_dump --format=custom --file=board-$(date +%Y%m%d-%H%M%S).dump '{rendered}'"


def sqlite_path(url: str) -> Path:
    """The file behind a ``sqlite:///`` URL; BackupError for anything else."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(f"not a SQLite database: {parsed.get_backend_name()}")
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database has no file to back up")
    return Path(parsed.database)


def count_rows(path: Path) -> dict[str, int]:
    """Rows per table of the SQLite file at ``path`` (SQLite's own tables aside)."""
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            names = sa.inspect(connection).get_table_names()
            return {
                name: connection.execute(
                    sa.select(sa.func.count()).select_from(sa.table(name))
                ).scalar_one()
                for name in names
            }
    finally:
        engine.dispose()


def backup_sqlite(source: Path, destination: Path) -> Backup:
    """Copy the live database ``source`` to a new file ``destination`` (mode 0600), check it.

    Raises BackupError when the source is missing, the destination exists, or the copy
    fails its integrity check (the copy is then removed).
    """
    if not source.is_file():
        raise BackupError(f"no database file at {source}")
    destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        # Created here, empty and private, before SQLite writes a byte of children's data.
        os.close(os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise BackupError(f"{destination} exists already: choose another path") from None
    try:
        with (
            closing(sqlite3.connect(source)) as live,
            closing(sqlite3.connect(destination)) as copy,
        ):
            live.execute("PRAGMA busy_timeout=5000")
            # One step (pages=-1): a single read transaction, so one consistent snapshot. In
            # WAL mode it does not block the server's writers.
            live.backup(copy)
            # One self-contained file, without a -wal beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"the copy failed its integrity check: {verdict}")
    except (sqlite3.Error, BackupError) as error:
        destination.unlink(missing_ok=True)
        if isinstance(error, BackupError):
            raise
        raise BackupError(f"the backup failed: {error}") from error
    return Backup(path=destination, rows=count_rows(destination))
