"""Answers cannot be linked to each other or ordered (issue 13, item 4; CHILD-SAFETY rules 1
and 4; "a date is enough"). Each test replays an attack that worked before: sequential ids
and a queue in submission order next to the room's live counter, a microsecond on a child's
idea, a readable tablet cookie, the second of each answer in the request log, and a rare
language that names its speaker."""

from __future__ import annotations

import base64
import contextlib
import http.cookiejar
import logging
import re
import threading
import urllib.parse
import urllib.request
import zlib
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from werkzeug.serving import make_server

from board import ids
from board.actions.models import Action
from board.auth.models import Role
from board.cookie import MAX_COOKIE, SealedSerializer
from board.db import Base, get_engine
from board.feedback.models import Feedback
from board.meetings.models import HelpCall
from board.participate import tablet as tablet_module
from tests.factories import join, once, tablet

# Every table a child's request inserts a row into (board/participate/routes.py and the
# services it calls; the ballot's own tables are item 2's), and the DateTime columns a row
# of it may carry: the minute of a call for an adult (what the room shows), and the time an
# adult went, which the child's request leaves empty.
CHILD_TABLES = {
    "feedback": {},
    "action": {},
    "help_call": {"created_at": "minute", "handled_at": "staff"},
}


@pytest.fixture
def meeting(session, make):
    """An open meeting with the Clinic and the Shelter on the agenda."""
    board = make.board(languages="en ar sq")
    make.service(board, name="Clinic")
    make.service(board, name="Shelter")
    meeting = make.meeting(board, services=board.services)
    session.commit()
    return meeting


def child(app, meeting, lang="en"):
    return join(tablet(app), meeting, lang)


def answer(client, service, text):
    path = f"/meeting/services/{service.id}"
    response = client.post(path, data={"rating": 3, "happened": text, "once": once(client, path)})
    assert response.status_code == 302


def feedback_ids(session) -> set[int]:
    session.expire_all()
    return set(session.scalars(sa.select(Feedback.id)))


# Random ids, in an order that is not the order of submission ------------------------------


def test_a_facilitator_watching_the_live_counter_cannot_match_texts_to_children(
    app, client, auth, session, make, meeting
):
    """The attack: nine children answer one after another while the facilitator watches the
    room's counter go up; the queue then listed the texts in that order, with their ids in
    the page. Position k (or the k-th smallest id) was the k-th child: 9 of 9."""
    clinic = meeting.services[0]
    order = []  # the texts in the order the children sent them
    ids_in_order = []
    for n in range(9):
        before = feedback_ids(session)
        answer(child(app, meeting), clinic, f"answer of child {n}")
        (new_id,) = feedback_ids(session) - before
        order.append(f"answer of child {n}")
        ids_in_order.append(new_id)
    # Random ids, above every id the sequence ever gave, and not in the order of arrival.
    assert all(i >= ids.LOW for i in ids_in_order)
    assert ids_in_order != sorted(ids_in_order)

    auth.as_user(make.user(Role.FACILITATOR, meeting.board))
    session.commit()
    page = client.get(f"/boards/{meeting.board_id}/moderation").get_data(as_text=True)
    in_page = re.findall(r"answer of child \d", page)
    assert sorted(in_page) == sorted(order)
    by_position = sum(a == b for a, b in zip(in_page, order, strict=True))
    page_ids = [int(i) for i in re.findall(r'id="item-feedback-(\d+)"', page)]
    by_id = sum(a == b for a, b in zip(sorted(page_ids), ids_in_order, strict=True))
    assert by_position < 9 and by_id < 9
    # The queue's order is its own: within the day, by service, then by the random id.
    assert page_ids == sorted(ids_in_order)


def test_the_queue_groups_by_service_and_ideas_come_last(app, client, auth, session, make, meeting):
    clinic, shelter = sorted(meeting.services, key=lambda s: s.name)
    tablet = child(app, meeting)
    answer(tablet, shelter, "shelter words")
    tablet.post(
        "/meeting/propose", data={"title": "an idea", "once": once(tablet, "/meeting/propose")}
    )
    answer(tablet, clinic, "clinic words")
    auth.as_user(make.user(Role.FACILITATOR, meeting.board))
    session.commit()
    page = client.get(f"/boards/{meeting.board_id}/moderation").get_data(as_text=True)
    assert page.index("clinic words") < page.index("shelter words") < page.index("an idea")


def test_every_row_a_child_writes_has_a_random_id_and_no_time_finer_than_the_day(
    app, session, meeting
):
    """An idea's ``updated_at`` kept the second and microsecond of the proposal: next to the
    request log, or another row's time, it dated and linked the child's answers."""
    tablet = child(app, meeting)
    answer(tablet, meeting.services[0], "words")
    tablet.post(
        "/meeting/propose", data={"title": "an idea", "once": once(tablet, "/meeting/propose")}
    )
    tablet.post("/help")
    session.expire_all()
    written = {
        "feedback": session.scalars(sa.select(Feedback)).all(),
        "action": session.scalars(sa.select(Action)).all(),
        "help_call": session.scalars(sa.select(HelpCall)).all(),
    }
    assert {name: len(rows) for name, rows in written.items()} == dict.fromkeys(CHILD_TABLES, 1)
    tables = Base.metadata.tables
    for name, allowed in CHILD_TABLES.items():
        (row,) = written[name]
        assert row.id >= ids.LOW, f"{name} has a sequential id"
        for column in tables[name].columns:
            if isinstance(column.type, sa.Date) or not _is_datetime(column):
                continue
            assert column.name in allowed, f"{name}.{column.name} keeps a time"
            value = getattr(row, column.name)
            if allowed[column.name] == "staff":
                assert value is None
            else:
                assert (value.second, value.microsecond) == (0, 0)


def _is_datetime(column) -> bool:
    kind = column.type
    impl = getattr(kind, "impl", kind)
    return isinstance(impl, sa.DateTime)


def test_no_sequence_gives_the_ids_of_childrens_rows(app):
    """PostgreSQL: the columns have no nextval() default and the sequences are gone; SQLite:
    no AUTOINCREMENT counter exists for them."""
    engine = get_engine(app)
    inspector = sa.inspect(engine)
    for name in CHILD_TABLES:
        (column,) = [c for c in inspector.get_columns(name) if c["name"] == "id"]
        assert not column.get("default"), f"{name}.id still counts"
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            left = connection.scalars(
                sa.text("SELECT relname FROM pg_class WHERE relkind = 'S'")
            ).all()
            assert not {f"{name}_id_seq" for name in CHILD_TABLES} & set(left)
        else:
            sql = connection.scalars(
                sa.text("SELECT sql FROM sqlite_master WHERE name IN (:a, :b, :c)"),
                dict(zip("abc", CHILD_TABLES, strict=True)),
            ).all()
            assert len(sql) == 3
            assert not any("AUTOINCREMENT" in (s or "").upper() for s in sql)


def test_a_taken_random_id_is_drawn_again(app, session, meeting, monkeypatch):
    tablet = child(app, meeting)
    answer(tablet, meeting.services[0], "first")
    (taken,) = feedback_ids(session)
    draws = iter([taken, taken, ids.LOW + 7])
    monkeypatch.setattr(ids, "random_id", lambda: next(draws))
    answer(tablet, meeting.services[1], "second")  # a second on the same would replace it
    assert feedback_ids(session) == {taken, ids.LOW + 7}


# The tablet's cookie ------------------------------------------------------------------------


def _readable_forms(value: str) -> list[bytes]:
    """Every way a copied cookie could be read without the key: as it is, and each dotted
    part base64-decoded (and inflated, as Flask's signed cookie compresses)."""
    forms = [value.encode()]
    for part in value.lstrip(".").split("."):
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except ValueError:
            continue
        forms.append(raw)
        with contextlib.suppress(zlib.error):
            forms.append(zlib.decompress(raw))
    return forms


def test_a_copied_tablet_cookie_shows_neither_the_token_nor_the_answer_ids(app, session, meeting):
    """Flask's cookie was signed, not encrypted: base64 of JSON holding the child's token and
    the ids of every answer and idea, which linked them together."""
    tablet = child(app, meeting)
    answer(tablet, meeting.services[0], "words")
    tablet.post(
        "/meeting/propose", data={"title": "an idea", "once": once(tablet, "/meeting/propose")}
    )
    with tablet.session_transaction() as sess:
        token = sess["tablet"]["token"]
        given = sess["tablet"]["feedback"].split() + sess["tablet"]["proposals"].split()
    assert len(given) == 2
    value = tablet.get_cookie("board_session").value
    for form in _readable_forms(value):
        assert token.encode() not in form
        for item in given:
            assert item.encode() not in form
        assert b"tablet" not in form and b"meeting_id" not in form


def test_a_tampered_cookie_is_a_fresh_session(app, meeting):
    tablet = child(app, meeting)
    value = tablet.get_cookie("board_session").value
    middle = len(value) // 2
    flipped = value[:middle] + ("A" if value[middle] != "A" else "B") + value[middle + 1 :]
    for bad in (flipped, value[:-1], value + "A", "", "not a cookie", "." + value):
        tablet.set_cookie("board_session", bad)
        assert tablet.get("/meeting").headers.get("Location") == "/join", repr(bad)


def test_a_signed_cookie_from_before_the_deploy_starts_over_at_the_join_code(app, meeting):
    """A tablet mid-meeting during the deploy: its signed cookie is not read at all (it
    could be a copy), the child starts again at /join."""
    tablet = child(app, meeting)
    with tablet.session_transaction() as sess:
        session_then = dict(sess)
    assert tablet.get("/meeting").status_code == 200
    with app.test_request_context():
        signed = SecureCookieSessionInterface().get_signing_serializer(app).dumps(session_then)
    tablet.set_cookie("board_session", signed)
    response = tablet.get("/meeting")
    assert response.headers["Location"] == "/join"
    # And the next cookie it gets is sealed.
    tablet.post("/join", data={"code": meeting.join_code})
    assert tablet.get_cookie("board_session").value.count(".") == 0


def test_a_cookie_sealed_under_the_previous_key_still_opens_during_a_key_change():
    old = SealedSerializer("the old key")
    rotated = SealedSerializer("the new key", ["the old key"])
    assert rotated.loads(old.dumps({"a": 1})) == {"a": 1}
    with pytest.raises(BadSignature, match="does not open"):
        SealedSerializer("the new key").loads(old.dumps({"a": 1}))
    # A fresh nonce each time: two cookies of the same session do not even look alike.
    assert SealedSerializer("k").dumps({}) != SealedSerializer("k").dumps({})


def test_an_old_cookie_is_refused_after_the_sessions_lifetime():
    sealed = SealedSerializer("k")
    value = sealed.dumps({"a": 1})
    assert sealed.loads(value, max_age=60) == {"a": 1}
    later = time_machine.travel(datetime.now(UTC) + timedelta(minutes=2))
    with later, pytest.raises(BadSignature, match="too old"):
        sealed.loads(value, max_age=60)


def test_the_fullest_tablet_cookie_stays_under_four_kilobytes(app):
    with app.test_request_context("/meeting"):
        from flask import session

        full = tablet_module.Tablet(meeting_id=ids.HIGH, token="t" * 43, ready=True, seen=1e9)
        for _n in range(tablet_module.MAX_GIVEN):
            full.gave_feedback(ids.HIGH)
            full.gave_idea(ids.HIGH)
        tablet_module.save(full)
        session["lang"] = "sr_Latn"
        session["csrf_token"] = "c" * 40
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    header = f"board_session={value}; Expires=Thu, 01 Jan 2030 00:00:00 GMT; HttpOnly; Path=/"
    assert len(header) < MAX_COOKIE


# Logs ---------------------------------------------------------------------------------------

SECOND = re.compile(r"\d{2}:\d{2}:\d{2}")


@pytest.fixture
def dev_server(app):
    """The development server (Werkzeug's, as `make run` serves) on a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join(5)


def test_no_log_line_of_a_child_post_carries_the_second(
    app, dev_server, meeting, caplog, monkeypatch
):
    """The development server's request log gave each POST its second: next to the room's
    counter, the moment each child sent each answer."""
    caplog.set_level(logging.DEBUG)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar),
        _NoRedirect,
    )

    def post(path, **data):
        body = urllib.parse.urlencode(data).encode()
        try:
            opener.open(dev_server + path, data=body, timeout=10)
        except urllib.error.HTTPError as answer:  # a redirect, kept as an answer
            assert answer.code < 500

    def get(path):
        return opener.open(dev_server + path, timeout=10).read().decode()

    post("/join", code=meeting.join_code)
    post("/join/language", lang="en")
    post("/join/welcome")
    with app.app_context():  # the facilitator lets the tablet in
        from board.db import db
        from board.participate import admission

        open_meeting = db.get(type(meeting), meeting.id)
        for waiting in admission.waiting(open_meeting):
            admission.let_in(db, open_meeting, waiting.place)
        db.commit()
    path = f"/meeting/services/{meeting.services[0].id}"
    token = get(path).split('name="once" type="hidden" value="')[1].split('"')[0]
    post(path, rating=3, happened="words", once=token)
    post("/help")
    post("/finish")
    lines = [r for r in caplog.records if r.name == "werkzeug" and "POST" in r.getMessage()]
    assert len(lines) >= 6, [r.getMessage() for r in caplog.records]
    formatter = logging.Formatter("%(asctime)s %(msecs)d %(relativeCreated)d %(message)s")
    for record in lines:
        line = formatter.format(record)
        assert not SECOND.search(line.replace(":00,000", "")), line
        assert record.created % 60 == 0 and record.msecs == 0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_application_log_lines_of_a_child_request_keep_the_minute(make_app, meeting, caplog):
    """A refused form is logged (why, never who): during a child's request, to the minute."""
    caplog.set_level(logging.DEBUG)
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    assert client.post("/finish").status_code == 400
    assert client.post("/login").status_code == 400  # a staff page keeps its time
    refused = [r for r in caplog.records if "form refused" in r.getMessage()]
    assert len(refused) == 2
    child_line, staff_line = refused
    assert child_line.created % 60 == 0 and child_line.msecs == 0
    assert staff_line.created % 60 != 0


# A rare language -----------------------------------------------------------------------------


def test_a_rare_language_is_shown_to_moderators_only_where_k_answers_share_it(
    app, client, auth, session, make, meeting
):
    """One child writing Arabic among English speakers: the queue named the language (and
    marked the text lang="ar"), which named the child."""
    clinic = meeting.services[0]
    k = meeting.board.threshold_k
    for n in range(k):
        answer(child(app, meeting, "en"), clinic, f"english words {n}")
    answer(child(app, meeting, "ar"), clinic, "arabic words")
    auth.as_user(make.user(Role.FACILITATOR, meeting.board))
    session.commit()
    page = client.get(f"/boards/{meeting.board_id}/moderation").get_data(as_text=True)
    items = re.findall(r'<article class="queue-item.*?</article>', page, flags=re.DOTALL)
    (arabic,) = [item for item in items if "arabic words" in item]
    assert "العربية" not in arabic and 'lang="ar"' not in arabic
    english = [item for item in items if "english words" in item]
    assert len(english) == k  # k answers share English: it is shown
    assert all("English" in item and 'lang="en"' in item for item in english)


# The migration ------------------------------------------------------------------------------


def test_the_migration_keeps_existing_rows_and_goes_both_ways(make_app, make, session, meeting):
    """Rows written before the upgrade keep their ids (summary items and ballots point at
    them); an idea keeps its day; a call for an adult its minute. Downgraded, counting
    resumes after the ids the sequence gave."""
    from alembic import command

    from board.migrate import alembic_config

    app = make_app()
    engine = get_engine(app)
    config = alembic_config(app)
    service = meeting.services[0]
    session.close()
    engine.dispose()
    command.downgrade(config, "9f0c57f4241b")
    try:
        with engine.begin() as connection:
            old = sa.MetaData()
            tables = {name: sa.Table(name, old, autoload_with=connection) for name in CHILD_TABLES}
            moment = datetime(2026, 6, 20, 10, 31, 17, 123456, tzinfo=UTC)
            connection.execute(
                tables["feedback"].insert(),
                [
                    {
                        "meeting_id": meeting.id,
                        "service_id": service.id,
                        "rating": 4,
                        "language": "en",
                        "day": date(2026, 6, 20),
                        "moderation": "approved",
                        "happened_spans": [],
                        "better_spans": [],
                        "moderator_note": "",
                    }
                ]
                * 2,
            )
            connection.execute(
                tables["action"].insert(),
                {
                    "board_id": meeting.board_id,
                    "title": "old idea",
                    "description": "",
                    "language": "en",
                    "pictogram": "other",
                    "proposed_by": "child",
                    "status": "proposed",
                    "moderation": "pending",
                    "outcome": "",
                    "outcome_reason": "",
                    "child_texts": {},
                    "moderator_note": "",
                    "proposed_on": date(2026, 6, 20),
                    "updated_at": moment,
                },
            )
            connection.execute(
                tables["help_call"].insert(), {"meeting_id": meeting.id, "created_at": moment}
            )
            before = {
                name: sorted(connection.scalars(sa.select(table.c.id)))
                for name, table in tables.items()
            }
        engine.dispose()
        command.upgrade(config, "head")
        session.expire_all()
        assert sorted(session.scalars(sa.select(Feedback.id))) == before["feedback"]
        (idea,) = session.scalars(sa.select(Action)).all()
        assert idea.id == before["action"][0] and idea.updated_on == date(2026, 6, 20)
        (call,) = session.scalars(sa.select(HelpCall)).all()
        assert call.created_at == moment.replace(second=0, microsecond=0)
        answer(child(app, meeting), service, "new words")
        new = set(session.scalars(sa.select(Feedback.id))) - set(before["feedback"])
        assert len(new) == 1 and new.pop() >= ids.LOW
        session.close()
        engine.dispose()

        command.downgrade(config, "9f0c57f4241b")
        with engine.begin() as connection:
            feedback = sa.Table("feedback", sa.MetaData(), autoload_with=connection)
            row = {
                "meeting_id": meeting.id,
                "service_id": service.id,
                "language": "en",
                "day": date(2026, 6, 20),
                "moderation": "approved",
                "happened_spans": [],
                "better_spans": [],
                "moderator_note": "",
            }
            (counted,) = connection.execute(feedback.insert().returning(feedback.c.id), row).one()
            if engine.dialect.name == "postgresql":
                assert counted == max(before["feedback"]) + 1
            updated = connection.scalar(sa.text("SELECT updated_at FROM action"))
            assert updated is not None
    finally:
        engine.dispose()
        command.upgrade(config, "head")
