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


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
@click.confirmation_option(
    prompt="Downgrading drops what the newer migrations added, data included. Continue?",
    help="Do not ask (a backup is taken already).",
)
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION (default: -1, the newest one only). Back up first."""
    migrate.downgrade(current_app, revision)
    click.echo("The database is now at:")
    migrate.current(current_app)


@db_cli.command("current")
def db_current() -> None:
    """Print the revision the database is at ("(head)" when it is the newest)."""
    migrate.current(current_app)


@db_cli.command("stamp")
@click.argument("revision")
def db_stamp(revision: str) -> None:
    """Record REVISION (an id, or "head") as the database's, running no migration: for a
    database restored from a dump whose version table was lost, say."""
    migrate.stamp(current_app, revision)


translate_cli = AppGroup(
    "translate", help="Translation catalogues: extract, update, compile (Babel)."
)


def _translating(step):
    from board.translate import TranslateError

    try:
        return step()
    except TranslateError as error:
        raise click.ClickException(str(error)) from None


@translate_cli.command("extract", with_appcontext=False)
def translate_extract() -> None:
    """Collect every message in the code, with its # i18n: comment, into messages.pot."""
    from board import translate

    changed = _translating(translate.write_template)
    pot = translate.TRANSLATIONS / f"{translate.DOMAIN}.pot"
    click.echo(f"{pot}: {'updated' if changed else 'unchanged'}.")


@translate_cli.command("update", with_appcontext=False)
def translate_update() -> None:
    """Bring every language's catalogue in line with messages.pot (no fuzzy matching,
    removed messages dropped; translations untouched)."""
    from board import translate

    changed = _translating(translate.update)
    click.echo(f"Catalogues updated: {', '.join(changed)}." if changed else "Catalogues unchanged.")


@translate_cli.command("compile", with_appcontext=False)
def translate_compile() -> None:
    """Compile every catalogue to the .mo files the application reads (fuzzy entries left
    out). Needs no database and no configuration."""
    from board import translate

    compiled = _translating(translate.compile_catalogues)
    for done in compiled:
        if done.translated < done.total:
            click.echo(
                f"{done.code}: {done.translated} of {done.total} messages translated "
                "(the others show in the board's own language, else English)"
            )
    codes = ", ".join(done.code for done in compiled)
    click.echo(f"Compiled {len(compiled)} catalogues ({codes}).")


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
    app.cli.add_command(translate_cli)
    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(purge)
    app.cli.add_command(backup)
    app.cli.add_command(mail_cli)
    from board.voice.cli import voice_cli

    app.cli.add_command(voice_cli)


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


mail_cli = AppGroup("mail", help="The mail outbox (board/mail.py).")


@mail_cli.command("send")
@click.option(
    "--resend-stuck",
    is_flag=True,
    help="Send again the messages whose sender died mid-send (they may arrive twice).",
)
def mail_send(resend_stuck: bool) -> None:
    """Send the mail still waiting in the outbox (cron: every few minutes). Silent when
    there is nothing to do; exits with 1 when a message is still left."""
    from board import mail

    engine = get_engine()
    if resend_stuck:
        click.echo(f"{mail.release_stuck(engine)} stuck messages released.")
    outcome = mail.deliver(engine, current_app, mail.unsent(engine))
    if outcome.sent:
        click.echo(f"{len(outcome.sent)} messages sent.")
    left = len(outcome.failed) + len(outcome.not_tried)
    if left:
        click.echo(f"{left} messages not sent (see the log); the next run tries again.")
    stuck = mail.stuck(engine)
    for message in stuck:
        click.echo(
            f"Message {message.id} to {message.recipient}, claimed at "
            f"{message.claimed_at:%Y-%m-%d %H:%M} UTC, never finished: it may or may not have "
            "gone out. Check the mail server's log; --resend-stuck sends it again."
        )
    if left or stuck:
        raise SystemExit(1)


@mail_cli.command("list")
def mail_list() -> None:
    """What waits in the outbox: id, recipient, subject, tries and the last error."""
    from board import mail

    for message in mail.waiting(get_engine()):
        click.echo(
            f"{message.id}\t{message.recipient}\t{message.subject}\t"
            f"tries: {message.attempts}\t{message.last_error or ''}"
        )


@mail_cli.command("drop")
@click.argument("ids", nargs=-1, type=int, required=True)
def mail_drop(ids: tuple[int, ...]) -> None:
    """Give up on messages the server refuses for good (a wrong address): they are deleted
    unsent, so `flask mail send` stops reporting them. Nobody is told: send the person a
    new link or a note yourself."""
    from board import mail

    dropped = mail.drop(get_engine(), ids)
    click.echo(f"{dropped} messages dropped.")
    if dropped < len(set(ids)):
        raise click.ClickException("some ids are not waiting in the outbox (sent, or being sent)")
