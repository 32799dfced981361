"""Outgoing mail, through a transactional outbox.

A service never talks to the mail server. It calls ``queue_mail``, which renders the message
in the recipient's language and adds a ``MailMessage`` row to the caller's session: the row
is written in the same transaction as the change it tells about. When that transaction
commits, a session hook (``init_app``) sends what it queued, after the commit and holding no
transaction, so a slow or silent mail server never holds the database (on SQLite, the one
write lock every child's answer needs). When it rolls back, the rows are gone with it and
nothing is sent.

Every message is sent by whoever claims its row first, with a conditional UPDATE (``claim``
is NULL before); the row is deleted once the server has taken the message, so a sent message
does not linger. A send that fails is logged and the row released for ``flask mail send``
(cron), which sends what is left. A row still claimed long after its claim (the process died
between claim and delete) may or may not have gone out: it is not sent again on its own;
``flask mail send`` lists it, and ``--resend-stuck`` sends it again when the mail server's
log says it never arrived.

The text is rendered when the message is queued, in the recipient's locale (their account's
language, else the default): the row holds the finished message, so sending needs neither a
request nor the catalogues, and a retry days later says what the first try would have said.

A body can hold a credential (an invitation's sign-in link, whose token the invitation table
keeps only as a hash), so the row holds it sealed with AES-GCM under a key derived from
SECRET_KEY for this use alone (``board.cookie.SealedSerializer``): a copy of the database
files, its WAL or a dead row version does not give the link. A message sealed under a key
the app no longer has (SECRET_KEY changed, the old one not in SECRET_KEY_FALLBACKS) cannot be
sent and stays, reported, for the administrator to send a new link.

Without MAIL_SERVER the message goes to the log instead, as it always did (after the commit
too). Messages go to staff addresses only, and never carry a child's words.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol, cast

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context, url_for
from itsdangerous import BadSignature
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from board.cookie import SealedSerializer, secret_fallbacks
from board.db import Base, UTCDateTime, utcnow

log = logging.getLogger(__name__)

# What a transaction queued, kept on its session until commit (session.info).
_QUEUED = "board.mail.queued"
# A claim older than this is stuck: its process died, or hangs, between claim and delete.
STUCK_AFTER = timedelta(minutes=15)


class MailMessage(Base):
    """One message waiting to go out. Deleted once sent."""

    __tablename__ = "mail_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set, with a random token, by whoever sends it; back to NULL when the send failed.
    claim: Mapped[str | None] = mapped_column(sa.String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(300))


_TABLE = cast(sa.Table, MailMessage.__table__)


class Recipient(Protocol):
    """What ``queue_mail`` needs of a recipient (a staff User has both)."""

    email: str
    locale: str | None


def queue_mail(session: Session, recipient: Recipient, subject, body) -> MailMessage:
    """Queue a plain-text message to one staff address (never to a child: children have
    none). ``subject`` and ``body`` are lazy strings (``lazy_gettext``) or plain text: they
    are rendered here, in the recipient's language. Sent after ``session`` commits."""
    from board.i18n import DEFAULT_LANGUAGE, LANGUAGES, force_language

    locale = recipient.locale if recipient.locale in LANGUAGES else DEFAULT_LANGUAGE
    with force_language(locale):
        subject, body = str(subject), str(body)
    message = MailMessage(recipient=recipient.email, subject=subject, body=seal(current_app, body))
    session.add(message)
    queued = session.info.setdefault(_QUEUED, [])
    queued.append((current_app._get_current_object(), message))  # type: ignore[attr-defined]
    return message


# After commit, after rollback ----------------------------------------------------------------


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction itself is still open
    queued = session.info.pop(_QUEUED, None)
    if not queued:
        return
    app = queued[0][0]
    # The identity is read from memory (no SQL: the session may not run any here). A message
    # whose row went with a rolled-back savepoint has none; a stale id finds no row to claim.
    ids = [
        state.identity[0]
        for _app, message in queued
        if (state := sa.inspect(message)).has_identity and state.identity
    ]
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, sa.Connection) else bind
    try:
        deliver(engine, app, ids)
    except Exception:  # the commit stands whatever happens here; the command retries
        log.exception("queued mail not sent after the commit; `flask mail send` retries it")


def _after_soft_rollback(session: Session, _previous) -> None:
    # Messages of a rolled-back transaction (or savepoint) were expunged with it.
    queued = session.info.get(_QUEUED)
    if queued:
        session.info[_QUEUED] = [(app, m) for app, m in queued if m in session]


def init_app(app: Flask) -> None:
    """Send what a transaction queued once it commits (the hook is registered once, for
    every session)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)


# Sending ---------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one round of sending did."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    not_tried: list[int] = field(default_factory=list)  # the server was down: left as they were
    taken: list[int] = field(default_factory=list)  # someone else claimed them first


def _claim(engine: sa.Engine, message_id: int) -> MailMessage | None:
    """Claim one unclaimed message for this process (one short transaction); None when
    someone else has it, or it is gone."""
    table = _TABLE
    token = secrets.token_hex(16)
    with engine.begin() as connection:
        claimed = connection.execute(
            table.update()
            .where(table.c.id == message_id, table.c.claim.is_(None))
            .values(claim=token, claimed_at=utcnow())
        ).rowcount
        if claimed != 1:
            return None
        row = connection.execute(table.select().where(table.c.id == message_id)).one()
    return MailMessage(**row._asdict())


def _done(engine: sa.Engine, message: MailMessage) -> None:
    table = _TABLE
    with engine.begin() as connection:
        connection.execute(
            table.delete().where(table.c.id == message.id, table.c.claim == message.claim)
        )


def _release(engine: sa.Engine, message: MailMessage, error: BaseException | None) -> None:
    table = _TABLE
    values: dict[str, Any] = {"claim": None, "claimed_at": None}
    if error is not None:
        values |= {"attempts": table.c.attempts + 1, "last_error": _describe(error)}
    with engine.begin() as connection:
        connection.execute(
            table.update()
            .where(table.c.id == message.id, table.c.claim == message.claim)
            .values(**values)
        )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


OUTBOX_KEY_INFO = b"board mail outbox v1"


def _sealer(app: Flask) -> SealedSerializer:
    return SealedSerializer(
        app.secret_key or "",
        secret_fallbacks(app),
        info=OUTBOX_KEY_INFO,
        associated=b"board-mail-v1",
    )


def seal(app: Flask, body: str) -> str:
    """A message's text as the outbox keeps it."""
    return _sealer(app).dumps({"body": body})


def body_of(app: Flask, message: MailMessage) -> str:
    """The message's text, unsealed (BadSignature when the key it was sealed under is gone)."""
    return _sealer(app).loads(message.body)["body"]


def _email(message: MailMessage, sender: str, body: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(body)
    return email


def _connect(config) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


# The server answered, and refused this one message: the next one may still go.
_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def deliver(engine: sa.Engine, app: Flask, ids: Iterable[int]) -> Outcome:
    """Send the messages ``ids``, each only if this process claims it first. Holds no
    transaction while it talks to the mail server. Never raises for a mail failure: the
    message is logged and left for the next ``flask mail send``."""
    config = app.config
    outcome = Outcome()
    smtp: smtplib.SMTP | None = None
    ids = list(ids)
    try:
        for position, message_id in enumerate(ids):
            message = _claim(engine, message_id)
            if message is None:
                outcome.taken.append(message_id)
                continue
            try:
                body = body_of(app, message)
            except BadSignature as error:
                log.error(
                    "mail %s to %s cannot be opened: %s", message.id, message.recipient, error
                )
                _release(engine, message, error)
                outcome.failed.append(message.id)
                continue
            if not config.get("MAIL_SERVER"):
                log.info(
                    "mail (no MAIL_SERVER configured) to %s: %s\n%s",
                    message.recipient,
                    message.subject,
                    body,
                )
                _done(engine, message)
                outcome.sent.append(message.id)
                continue
            try:
                if smtp is None:
                    smtp = _connect(config)
                smtp.send_message(_email(message, config["MAIL_FROM"], body))
            except _REFUSED as error:
                log.error("mail %s to %s refused: %s", message.id, message.recipient, error)
                _release(engine, message, error)
                outcome.failed.append(message.id)
                continue
            except (OSError, smtplib.SMTPException) as error:
                # No server, or one that does not answer: the rest would wait as long.
                log.error(
                    "mail %s to %s not sent (left for `flask mail send`): %s",
                    message.id,
                    message.recipient,
                    _describe(error),
                )
                _release(engine, message, error)
                outcome.failed.append(message.id)
                outcome.not_tried.extend(ids[position + 1 :])
                if smtp is not None:
                    smtp.close()  # no QUIT: the server does not answer
                    smtp = None
                break
            _done(engine, message)
            outcome.sent.append(message.id)
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    return outcome


# The retry command ------------------------------------------------------------------------------


def waiting(engine: sa.Engine) -> list[MailMessage]:
    """Every message in the outbox, oldest first (being sent or not)."""
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(sa.select(MailMessage).order_by(MailMessage.id)))


def drop(engine: sa.Engine, ids: Iterable[int]) -> int:
    """Delete the messages ``ids`` that nobody is sending; how many went."""
    with engine.begin() as connection:
        result = connection.execute(
            sa.delete(MailMessage).where(MailMessage.id.in_(list(ids)), MailMessage.claim.is_(None))
        )
    return result.rowcount


def unsent(engine: sa.Engine) -> list[int]:
    """Ids of the messages nobody is sending, oldest first."""
    table = _TABLE
    with engine.connect() as connection:
        return list(
            connection.scalars(
                sa.select(table.c.id).where(table.c.claim.is_(None)).order_by(table.c.id)
            )
        )


def stuck(engine: sa.Engine) -> list[MailMessage]:
    """Messages claimed more than STUCK_AFTER ago and never finished: their sender died
    between claim and delete, so they may or may not have gone out."""
    table = _TABLE
    with engine.connect() as connection:
        rows = connection.execute(
            table.select()
            .where(table.c.claim.is_not(None), table.c.claimed_at < utcnow() - STUCK_AFTER)
            .order_by(table.c.id)
        ).all()
    return [MailMessage(**row._asdict()) for row in rows]


def release_stuck(engine: sa.Engine) -> int:
    """Make the stuck messages sendable again (the operator's decision: a copy may arrive
    twice). Returns how many."""
    table = _TABLE
    with engine.begin() as connection:
        return connection.execute(
            table.update()
            .where(table.c.claim.is_not(None), table.c.claimed_at < utcnow() - STUCK_AFTER)
            .values(claim=None, claimed_at=None)
        ).rowcount


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail: from the request, or BASE_URL on the command line."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = (current_app.config.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    with current_app.test_request_context("/"):
        return base + url_for(endpoint, **values)
