"""Alembic, driven from the application (``flask --app board db upgrade``)."""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask


def migrations_dir(package_dir: Path) -> Path:
    """The migrations folder: inside the package in a wheel, beside it in a checkout."""
    for candidate in (package_dir / "migrations", package_dir.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("no migrations folder found")


def alembic_config(app: Flask) -> Config:
    # stdout looked up now, not when alembic was imported: `flask db current` prints to the
    # stream of the command that runs (a test's CliRunner included).
    config = Config(stdout=sys.stdout)
    config.set_main_option("script_location", str(migrations_dir(Path(app.root_path))))
    config.set_main_option("sqlalchemy.url", app.config["DATABASE_URL"].replace("%", "%%"))
    return config


def upgrade(app: Flask, revision: str = "head") -> None:
    command.upgrade(alembic_config(app), revision)


def revision(app: Flask, message: str) -> None:
    command.revision(alembic_config(app), message=message, autogenerate=True)


def downgrade(app: Flask, revision: str = "-1") -> None:
    command.downgrade(alembic_config(app), revision)


def current(app: Flask) -> None:
    """Print the revision the database is at (nothing when it has none)."""
    command.current(alembic_config(app))


def stamp(app: Flask, revision: str) -> None:
    """Record REVISION as applied without running anything."""
    command.stamp(alembic_config(app), revision)
