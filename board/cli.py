"""Command-line commands: ``flask --app board <command>``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from board import migrate
from board.auth import services as accounts
from board.boards.models import Organisation, OrganisationKind
from board.db import db, get_engine, scrub

db_cli = AppGroup("db", help="Database migrations (Alembic).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    migrate.upgrade(current_app, revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    migrate.revision(current_app, message)


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--organisation", default="Network administration", show_default=True)
@click.password_option(help="At least 12 characters; asked for when not given.")
@with_appcontext
def create_admin(email: str, name: str, organisation: str, password: str) -> None:
    """Create a network administrator (the first account)."""
    org = db.scalar(sa.select(Organisation).where(Organisation.name == organisation))
    if org is None:
        org = Organisation(name=organisation, kind=OrganisationKind.NGO)
        db.add(org)
    try:
        user = accounts.create_admin(
            db, email=email, name=name, password=password, organisation=org
        )
    except accounts.AccountError as error:
        raise click.ClickException(str(error.message)) from None
    db.commit()
    click.echo(f"Administrator {user.email} created.")


@click.command("demo")
@click.option(
    "--reset",
    is_flag=True,
    help="Delete every row of every table and seed again: only where the database holds the "
    "demo network alone, or in development (flask --debug). Asks first.",
)
@click.option("--yes", is_flag=True, help="With --reset: do not ask (for scripts).")
@with_appcontext
def demo(reset: bool, yes: bool) -> None:
    """Seed the demo network when the database is empty, and print its logins."""
    from board import demo as demo_data

    if reset:
        _confirm_reset(demo_data.strangers(db), yes=yes)
        demo_data.clear(db)
    created = demo_data.seed(db)
    db.commit()
    if created is None:
        click.echo("The database holds other data: no demo seeded.")
        return
    click.echo("Demo network " + ("seeded." if created else "present already."))
    click.echo(demo_data.describe(db))


RESET_DELETES = (
    "--reset deletes every row of every table, the audit log and the safeguarding records included."
)


def _confirm_reset(strangers: list[str], *, yes: bool) -> None:
    """Refuse to reset a database that holds more than the demo, unless the app runs in
    development (``flask --debug``, or FLASK_DEBUG=1: what sets ``app.debug`` for a
    command); then, unless ``yes``, ask."""
    found = "".join(f"\n  {line}" for line in strangers)
    if strangers and not current_app.debug:
        raise click.ClickException(
            f"Refusing to reset: this database holds data the demo did not make:{found}\n"
            f"Nothing was deleted. {RESET_DELETES} It runs only on a database that holds the "
            "demo network alone, or in development (flask --app board --debug demo --reset)."
        )
    if yes:
        return
    if strangers:
        question = (
            f"This database holds data the demo did not make:{found}\n"
            f"{RESET_DELETES} Delete it all and seed the demo?"
        )
    else:
        question = "Delete the demo network (every row of every table) and seed it again?"
    if not click.confirm(question, default=False):
        raise click.ClickException("Nothing was deleted.")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(purge)
    app.cli.add_command(backup)


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Print what would be deleted; delete nothing.")
@with_appcontext
def purge(dry_run: bool) -> None:
    """Delete approved free text (and its quotes in summaries) and closed safeguarding
    records past their retention."""
    from board.moderation.services import purge as run_purge

    report = run_purge(db, dry_run=dry_run)
    db.commit()
    if not dry_run:
        db.close()
        busy = scrub(get_engine())
        if busy:
            click.echo(
                "Old copies of erased words may remain in: "
                f"{', '.join(busy)} (in use now); the next run clears them."
            )
    verb = "would delete" if dry_run else "deleted"
    for board_name in report.texts:
        click.echo(
            f"{board_name}: {verb} {report.texts[board_name]} approved texts and "
            f"{report.concerns[board_name]} closed safeguarding records, and the words of "
            f"{report.quotes.get(board_name, 0)} quotes in summaries"
        )


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(path: Path | None) -> None:
    """Copy the SQLite database, while the server runs, to PATH and check the copy.

    PATH defaults to instance/backups/board-YYYYmmdd-HHMMSS.sqlite3. For PostgreSQL this
    prints the pg_dump command to use instead, and fails.
    """
    from board.backup import BackupError, backup_sqlite, pg_dump_command, sqlite_path

    url = current_app.config["DATABASE_URL"]
    if not url.startswith("sqlite"):
        raise click.ClickException(
            "This database is PostgreSQL: back it up with pg_dump, for example\n  "
            + pg_dump_command(url)
            + "\n(restore with pg_restore --clean --if-exists --dbname=<database> <file>)"
        )
    if path is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path(current_app.instance_path) / "backups" / f"board-{stamp}.sqlite3"
    try:
        made = backup_sqlite(sqlite_path(url), path)
    except BackupError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"Backup written to {made.path}: {made.total} rows, integrity ok.")
