"""Mail leaves after the commit, never inside the transaction: the outbox (board/mail.py),
against a real SMTP server (aiosmtpd) and one that accepts and never answers."""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import socket
import threading
import time
from datetime import date, timedelta
from datetime import time as clock

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bench.load import once_token
from board import mail
from board.auth.models import Role
from board.db import get_engine, utcnow
from board.feedback import services as feedback_services
from board.feedback.models import Feedback
from board.mail import MailMessage, seal
from board.meetings import services as meetings
from board.moderation import services as moderation
from board.moderation.models import Concern
from tests.factories import let_in

WORDS = "He takes my money and hits me."


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.delay = 0.0

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1, for this test."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


class Stall:
    """A mail server that accepts connections and never says a word, until released."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = threading.Event()
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)
            self.accepted.set()

    def release(self):
        """Hang up on everyone: the waiting client sees the connection close."""
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def stall():
    server = Stall()
    yield server
    server.release()


def mail_config(port: int, **overrides) -> dict:
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_TIMEOUT": 5,
        "MAIL_FROM": "board@example.org",
        **overrides,
    }


@pytest.fixture
def world(session, make):
    board = make.board(name="Tirana")
    service = make.service(board, name="Clinic")
    meeting = meetings.schedule_meeting(
        session,
        None,
        board,
        day=date(2030, 1, 12),
        at=clock(10),
        duration_minutes=120,
        place="",
        services=[service],
    )
    session.flush()
    meetings.open_meeting(session, None, meeting)
    facilitator = make.user(Role.FACILITATOR, board, name="Fac", locale="en")
    albanian = make.user(Role.SAFEGUARDING_LEAD, board, name="Lead", locale="sq")
    polish = make.user(Role.SAFEGUARDING_LEAD, board, name="Other lead", locale="pl")
    session.commit()
    return board, service, meeting, facilitator, albanian, polish


def outbox(session) -> list[MailMessage]:
    session.expire_all()
    return list(session.scalars(sa.select(MailMessage).order_by(MailMessage.id)))


def give(session, meeting, service) -> Feedback:
    given = feedback_services.give_feedback(
        session, meeting, service, rating=2, happened=WORDS, better=None, language="en"
    )
    session.commit()
    return session.get(Feedback, given)


def test_messages_leave_after_the_commit_in_the_recipients_language(make_app, smtp, session, world):
    app = make_app(**mail_config(smtp.port))
    board, service, meeting, facilitator, albanian, polish = world
    item = give(session, meeting, service)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = facilitator.get_id(), True
    response = client.post(
        f"/moderation/feedback/{item.id}",
        data={
            "decision": "concern",
            "concern_urgency": "today",
            "concern_reason": "Possible exploitation.",
        },
    )
    assert response.status_code == 302
    concern = session.scalar(sa.select(Concern))
    # Raised in English, read in Albanian and in Polish.
    (sq,) = smtp.to(albanian.email)
    assert sq["Subject"] == "Sinjalizim për mbrojtjen e fëmijëve: Tirana"
    assert "Hapeni këtu" in sq.get_content() and f"/concerns/{concern.id}" in sq.get_content()
    (pl,) = smtp.to(polish.email)
    assert pl["Subject"] == "Obawa o bezpieczeństwo dziecka: Tirana"
    assert sq["From"] == "board@example.org"
    for message in smtp.messages:  # the child's words stay in the application
        assert "money" not in message.as_string()
    assert outbox(session) == []  # sent messages do not linger


def test_an_invitation_is_written_in_the_invited_persons_language(make_app, smtp, session, make):
    app = make_app(**mail_config(smtp.port))
    admin, org = make.user(Role.ADMINISTRATOR, locale="en"), make.organisation()
    make.commit()
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = admin.get_id(), True
    response = client.post(
        "/admin/accounts/new",
        data={
            "name": "Ola",
            "email": "ola@example.org",
            "organisation_id": org.id,
            "locale": "pl",
            "role": "partner",
            "board_id": 0,
        },
    )
    assert response.status_code == 302
    (invitation,) = smtp.to("ola@example.org")
    assert invitation["Subject"] == "Twoje konto w board"
    assert "/invite/" in invitation.get_content()
    assert outbox(session) == []


def test_nothing_is_sent_when_the_transaction_rolls_back(make_app, smtp, session, world):
    app = make_app(**mail_config(smtp.port))
    _board, _service, meeting, facilitator, _sq, _pl = world
    with app.app_context():
        moderation.raise_concern_in_room(
            session, facilitator, meeting, "Someone waited outside.", urgency="today"
        )
    session.flush()
    session.rollback()
    session.commit()  # a later commit of the same session sends nothing either
    assert smtp.messages == [] and outbox(session) == []


def test_nothing_is_sent_when_the_commit_fails(make_app, smtp, session, world):
    app = make_app(**mail_config(smtp.port))
    board, _service, meeting, facilitator, _sq, _pl = world
    with app.app_context():
        moderation.raise_concern_in_room(
            session, facilitator, meeting, "Someone waited outside.", urgency="today"
        )
    board.threshold_k = 2  # the schema refuses it: the commit fails
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()
    session.rollback()
    assert smtp.messages == [] and outbox(session) == []
    assert session.scalar(sa.select(sa.func.count()).select_from(Concern)) == 0


def test_a_committed_savepoint_sends_once_the_outer_transaction_commits(
    make_app, smtp, session, world
):
    app = make_app(**mail_config(smtp.port))
    _board, _service, meeting, facilitator, albanian, _pl = world
    with app.app_context():
        with session.begin_nested():
            moderation.raise_concern_in_room(
                session, facilitator, meeting, "Outside.", urgency="today"
            )
        assert smtp.messages == []  # the savepoint is not the commit
        with pytest.raises(RuntimeError), session.begin_nested():
            moderation.raise_concern_in_room(
                session, facilitator, meeting, "Rolled back.", urgency="today"
            )
            raise RuntimeError
    session.commit()
    assert len(smtp.to(albanian.email)) == 1 and len(smtp.messages) == 2


def test_without_a_mail_server_the_message_is_logged_after_the_commit(app, session, world, caplog):
    _board, _service, meeting, facilitator, albanian, _pl = world
    caplog.set_level(logging.INFO, logger="board.mail")
    with app.app_context():
        moderation.raise_concern_in_room(
            session, facilitator, meeting, "Someone waited outside.", urgency="today"
        )
    session.flush()
    assert albanian.email not in caplog.text
    session.commit()
    assert f"mail (no MAIL_SERVER configured) to {albanian.email}" in caplog.text
    assert "Sinjalizim" in caplog.text
    assert outbox(session) == []


def child_answers(client, meeting) -> int:
    """A child joins on a tablet and rates the clinic; the answer's status."""
    client.post("/join", data={"code": meeting.join_code})
    client.post("/join/language", data={"lang": "en"})
    client.post("/join/welcome")
    assert let_in(client)
    path = f"/meeting/services/{meeting.services[0].id}"
    once = once_token(client.get(path).get_data(as_text=True))
    response = client.post(path, data={"rating": "4", "once": once})
    return response.status_code


def test_a_stalled_mail_server_does_not_hold_the_database(
    make_app, stall, smtp, session, world, caplog
):
    # The timeout is long: the server is released by the test, once the child has answered.
    app = make_app(**mail_config(stall.port, MAIL_TIMEOUT=60))
    _board, service, meeting, facilitator, albanian, polish = world
    item = give(session, meeting, service)
    staff = app.test_client()
    with staff.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = facilitator.get_id(), True
    raised: list[int] = []

    def raise_concern():
        response = staff.post(
            f"/moderation/feedback/{item.id}",
            data={
                "decision": "concern",
                "concern_urgency": "today",
                "concern_reason": "Possible exploitation.",
            },
        )
        raised.append(response.status_code)

    concern_thread = threading.Thread(target=raise_concern)
    concern_thread.start()
    try:
        assert stall.accepted.wait(30), "the mail was never tried"
        # The concern request now waits on the mail server. Its transaction is over: the
        # concern is there for everyone to see, and a child's answer goes through.
        session.expire_all()
        assert session.scalar(sa.select(Concern)) is not None
        tablet = app.test_client()
        tablet.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        started = time.monotonic()
        assert child_answers(tablet, meeting) == 302
        assert concern_thread.is_alive()  # still waiting on the mail server
        assert time.monotonic() - started < 30
    finally:
        stall.release()
        concern_thread.join(60)
    assert raised == [302]  # the concern stands, whatever the mail server did
    assert "left for `flask mail send`" in caplog.text
    left = outbox(session)
    assert sorted(m.recipient for m in left) == sorted([albanian.email, polish.email])
    assert all(m.claim is None for m in left)
    assert sum(m.attempts for m in left) == 1  # one tried, the other not after a dead server

    # The retry sends each message once.
    app.config.update(MAIL_PORT=smtp.port)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "2 messages sent." in result.output
    assert len(smtp.to(albanian.email)) == 1 and len(smtp.to(polish.email)) == 1
    assert outbox(session) == []
    again = app.test_cli_runner().invoke(args=["mail", "send"])
    assert again.exit_code == 0 and again.output == ""
    assert len(smtp.messages) == 2


def test_the_mail_timeout_is_a_setting(make_app, stall, session, world):
    app = make_app(**mail_config(stall.port, MAIL_TIMEOUT=0.5))
    _board, _service, meeting, facilitator, _sq, _pl = world
    with app.app_context():
        moderation.raise_concern_in_room(session, facilitator, meeting, "Outside.", urgency="today")
    started = time.monotonic()
    session.commit()
    assert time.monotonic() - started < 5
    assert len(outbox(session)) == 2


def test_a_failed_message_is_sent_by_the_command_exactly_once(make_app, smtp, session, world):
    app = make_app(**mail_config(free_port()))  # nobody listens there
    _board, _service, meeting, facilitator, albanian, polish = world
    with app.app_context():
        moderation.raise_concern_in_room(session, facilitator, meeting, "Outside.", urgency="today")
    session.commit()
    assert smtp.messages == [] and len(outbox(session)) == 2
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 1 and "2 messages not sent" in result.output
    assert [m.attempts for m in outbox(session)] == [2, 0]

    app.config.update(MAIL_PORT=smtp.port)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "2 messages sent." in result.output
    assert len(smtp.to(albanian.email)) == 1 and len(smtp.to(polish.email)) == 1
    assert runner.invoke(args=["mail", "send"]).output == ""
    assert len(smtp.messages) == 2 and outbox(session) == []


def test_two_retries_at_once_send_each_message_once(make_app, smtp, session, make):
    app = make_app(**mail_config(smtp.port))
    people = [make.user(locale="en") for _ in range(12)]
    with app.app_context():
        for person in people:
            mail.queue_mail(session, person, "Hello", "A message.")
    session.info.clear()  # as if the process that queued them died before sending
    session.commit()
    engine = get_engine(app)
    ids = mail.unsent(engine)
    assert len(ids) == 12
    smtp.delay = 0.02  # each send takes a moment: the two senders overlap
    start = threading.Barrier(2)
    outcomes = []

    def send():
        start.wait()
        outcomes.append(mail.deliver(engine, app, ids))

    senders = [threading.Thread(target=send) for _ in range(2)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(60)
    assert sorted(m["To"] for m in smtp.messages) == sorted(p.email for p in people)
    assert sorted(outcomes[0].sent + outcomes[1].sent) == sorted(ids)
    assert outbox(session) == []


def test_a_message_whose_sender_died_is_reported_not_resent(make_app, smtp, session, make):
    app = make_app(**mail_config(smtp.port))
    person = make.user(locale="en")
    session.add(
        MailMessage(
            recipient=person.email,
            subject="Hello",
            body=seal(app, "A message."),
            claim="0" * 32,
            claimed_at=utcnow() - timedelta(hours=1),
        )
    )
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 1
    assert f"to {person.email}" in result.output and "may or may not have gone out" in result.output
    assert smtp.messages == []
    result = runner.invoke(args=["mail", "send", "--resend-stuck"])
    assert result.exit_code == 0, result.output
    assert "1 messages sent." in result.output and len(smtp.messages) == 1
    assert outbox(session) == []


def test_an_unsent_invitation_link_is_sealed_in_the_outbox(make_app, smtp, session, make):
    """The invitation table keeps only the token's hash: the outbox must not keep the link
    in clear while the message waits (a copy of the database files would give it)."""
    app = make_app(**mail_config(free_port()))  # nobody listens: the message waits
    admin, org = make.user(Role.ADMINISTRATOR, locale="en"), make.organisation()
    make.commit()
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = admin.get_id(), True
    data = {"name": "Ola", "email": "ola@example.org", "organisation_id": org.id}
    data |= {"locale": "en", "role": "partner", "board_id": 0}
    assert client.post("/admin/accounts/new", data=data).status_code == 302
    (row,) = outbox(session)
    stored = " ".join(
        str(value) for value in session.execute(sa.text("SELECT * FROM mail_message")).one()
    )
    assert "/invite/" not in stored and "invite" not in row.body

    # A key change: the old key in SECRET_KEY_FALLBACKS still opens it.
    old_key = app.config["SECRET_KEY"]
    app.config.update(SECRET_KEY="a new key", SECRET_KEY_FALLBACKS=[old_key], MAIL_PORT=smtp.port)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    (invitation,) = smtp.to("ola@example.org")
    assert "/invite/" in invitation.get_content()


def test_a_message_sealed_under_a_lost_key_is_reported_not_sent(make_app, smtp, session, world):
    app = make_app(**mail_config(free_port()))
    _board, _service, meeting, facilitator, _albanian, _polish = world
    with app.app_context():
        moderation.raise_concern_in_room(session, facilitator, meeting, "Outside.", urgency="today")
    session.commit()
    app.config.update(SECRET_KEY="another key altogether", MAIL_PORT=smtp.port)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 1 and "2 messages not sent" in result.output
    assert smtp.messages == [] and len(outbox(session)) == 2
    assert all("does not open" in (m.last_error or "") for m in outbox(session))


def test_a_message_refused_for_good_can_be_listed_and_dropped(make_app, smtp, session, world):
    """A wrong address would make `flask mail send` fail on every cron run: the operator
    sees what waits and gives up on it."""
    app = make_app(**mail_config(free_port()))
    _board, _service, meeting, facilitator, albanian, _polish = world
    with app.app_context():
        moderation.raise_concern_in_room(session, facilitator, meeting, "Outside.", urgency="today")
    session.commit()
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["mail", "list"]).output.splitlines()
    assert sorted(line.split("\t")[3] for line in listed) == ["tries: 0", "tries: 1"]
    first = next(line for line in listed if albanian.email in line)
    message_id = int(first.split("\t")[0])
    result = runner.invoke(args=["mail", "drop", str(message_id), "999999"])
    assert result.exit_code == 1 and "1 messages dropped." in result.output
    assert "not waiting" in result.output
    assert [m.recipient for m in outbox(session)] != [] and albanian.email not in [
        m.recipient for m in outbox(session)
    ]
    app.config.update(MAIL_PORT=smtp.port)
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    assert smtp.to(albanian.email) == [] and len(smtp.messages) == 1
