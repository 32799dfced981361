"""Hostile input that other test files do not already cover: wrong CSRF tokens, oversized
bodies, guessing through the address, replayed tablet cookies, open redirects, and SQL
written as text. (Missing tokens: test_access.py; sign-in limits and `next` on sign-in:
test_auth.py; typed join codes and tampered cookies: test_participate.py.)"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
import time_machine
from itsdangerous import URLSafeTimedSerializer
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from board.actions.models import Action
from board.auth.models import Role
from board.boards.models import Board, Organisation, Service
from board.cookie import SealedSerializer
from board.db import utcnow
from board.feedback.models import Feedback
from board.meetings import codes
from tests import factories
from tests.factories import CLIENT_ADDRESS, fill, join, typo

ADMIN_ROLE = "admin"
SQL = [
    "'; DROP TABLE feedback; --",
    "1' OR '1'='1",
    'Robert"); DELETE FROM staff_user WHERE ("1"="1',
    "x' UNION SELECT password_hash FROM staff_user --",
]


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


# CSRF: a wrong token, not only a missing one -------------------------------------------


def test_every_post_route_refuses_a_wrong_csrf_token(make_app, world):
    app = make_app(WTF_CSRF_ENABLED=True)
    people, args = world.people, world.every_table()
    stranger = app.test_client()
    theirs = _csrf_token(stranger.get("/login").get_data(as_text=True))
    forged = URLSafeTimedSerializer("another-secret", salt="wtf-csrf-token").dumps("x" * 40)
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = people[ADMIN_ROLE].get_id()
    mine = _csrf_token(client.get("/").get_data(as_text=True))
    # The right token works, so the refusals below are about the token, nothing else.
    assert client.post("/language", data={"lang": "en", "csrf_token": mine}).status_code == 302
    # (Not the offline queue: no cookie gives it authority, each envelope's sealed pass does;
    # tests/test_offline.py.)
    posts = [
        r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint != "queue.receive"
    ]
    assert len(posts) >= 10
    for rule in posts:
        for wrong in (theirs, forged, "garbage", mine[:-4] + "AAAA"):
            response = client.post(
                fill(rule.rule, args), data={"lang": "en", "email": "x", "csrf_token": wrong}
            )
            assert response.status_code == 400, (rule.rule, wrong)
            assert "The form had expired" in response.get_data(as_text=True)
        # A token in the header instead of the form is no way around it either.
        response = client.post(fill(rule.rule, args), headers={"X-CSRFToken": theirs})
        assert response.status_code == 400, rule.rule


# Oversized bodies: 413 with the translated page, never a 500 ---------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/join", "form"), ("/join", "multipart"), ("/login", "multipart"), ("/language", "raw")],
)
def test_oversized_bodies_get_413(client, path, kind):
    big = "x" * (600 * 1024)
    if kind == "form":
        response = client.post(path, data={"code": big})
    elif kind == "multipart":
        boundary, body = encode_multipart(
            {"code": "ABC", "file": FileStorage(io.BytesIO(big.encode()), "big.txt")}
        )
        response = client.post(
            path, data=body, content_type=f"multipart/form-data; boundary={boundary}"
        )
    else:
        response = client.post(path, data=big, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "Too much was sent at once" in response.get_data(as_text=True)


def test_the_413_page_speaks_the_chosen_language(client):
    client.post("/language", data={"lang": "sq", "next": "/"})
    response = client.post("/join", data={"code": "x" * (600 * 1024)})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert 'lang="sq"' in page and "Too much was sent at once" not in page


# Guessing: join codes in the address, as well as typed ---------------------------------


def test_guessing_join_codes_through_the_address_is_limited(make_app, meeting):
    app = make_app(JOIN_LIMIT_PER_CLIENT="3 per minute")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = CLIENT_ADDRESS
    # The page tells a working code from a wrong one (it shows the board's helpline).
    assert "116 123" in client.get(f"/join?code={meeting.join_code}").get_data(as_text=True)
    assert "116 123" not in client.get(f"/join?code={typo(meeting.join_code)}").get_data(True)
    # Typed and in the address, wrong codes count together.
    assert client.post("/join", data={"code": typo(meeting.join_code, 0)}).status_code == 400
    assert client.get(f"/join?code={typo(meeting.join_code, 1)}").status_code == 200
    response = client.get(f"/join?code={meeting.join_code}")
    assert response.status_code == 429
    assert "Many wrong codes were typed here." in response.get_data(as_text=True)
    # Another tablet, and the plain join page, are not held back by it.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    assert other.get(f"/join?code={meeting.join_code}").status_code == 200
    assert client.get("/join").status_code == 200


def test_guessing_an_open_meetings_code_from_one_address_takes_over_a_year(app, meeting):
    """Expected guesses = alphabet^length / (2 x open meetings), at the shipped limit's pace,
    for as many meetings open at once as board.meetings.codes assumes; and the limit is the
    one the join page enforces."""
    from limits import parse_many

    limits = parse_many(app.config["JOIN_LIMIT_PER_CLIENT"])
    per_minute = min(limit.amount * 60 / limit.get_expiry() for limit in limits)
    guesses = len(codes.ALPHABET) ** codes.LENGTH / (2 * codes.OPEN_MEETINGS_ASSUMED)
    assert guesses / per_minute > 365.25 * 24 * 60
    assert per_minute >= 30 * 2  # thirty tablets, every child mistyping twice
    guesser = factories.tablet(app, REMOTE_ADDR="203.0.113.7")
    with time_machine.travel(utcnow(), tick=False):
        first = min(limits, key=lambda limit: limit.get_expiry())
        for at in range(first.amount):
            guess = typo(meeting.join_code, at)
            if at % 2:
                assert guesser.post("/join", data={"code": guess}).status_code == 400
            else:
                assert guesser.get(f"/join?code={guess}").status_code == 200
        assert guesser.post("/join", data={"code": typo(meeting.join_code, 0)}).status_code == 429


def test_past_the_limit_the_right_code_opens_only_for_a_room_already_in(
    make_app, make, session, meeting
):
    """A room that has a tablet in keeps getting in (and "I am finished" keeps its page)
    past the limit; an address that never got in gets the 429 page for the right code as
    for a wrong one, or the limit would tell a guesser which guess is right."""
    app = make_app(JOIN_LIMIT_PER_CLIENT="3 per minute")
    other = make.meeting(meeting.board, date(2030, 2, 9)).join_code
    session.commit()
    first, second = factories.tablet(app), factories.tablet(app)
    join(first, meeting)
    for at in range(3):
        assert second.post("/join", data={"code": typo(meeting.join_code, at)}).status_code == 400
    assert second.post("/join", data={"code": typo(meeting.join_code)}).status_code == 429
    response = second.post("/join", data={"code": meeting.join_code.lower()})
    assert response.headers["Location"] == "/join/language"
    done = first.post("/finish").headers["Location"]
    assert first.get(done).status_code == 200
    assert first.post("/join", data={"code": meeting.join_code}).status_code == 302
    assert first.post("/join", data={"code": other}).status_code == 429  # known: this one only
    stranger = factories.tablet(app, REMOTE_ADDR="203.0.113.8")
    for at in range(3):
        assert stranger.post("/join", data={"code": typo(other, at)}).status_code == 400
    assert stranger.post("/join", data={"code": other}).status_code == 429
    assert stranger.post("/join", data={"code": meeting.join_code}).status_code == 429


def test_the_qr_codes_link_needs_no_limit_and_its_key_cannot_be_made_up(make_app, meeting):
    from board.room.routes import _join_url

    app = make_app(JOIN_LIMIT_PER_CLIENT="1 per minute")
    code = meeting.join_code
    with app.test_request_context():
        link, key = _join_url(meeting).removeprefix("http://localhost"), codes.key_for(code)
    assert link == f"/join?code={code}&key={key}" and len(key) >= 22  # 128 bits
    scanner = factories.tablet(app)
    assert scanner.post("/join", data={"code": typo(code)}).status_code == 400
    assert scanner.get(f"/join?code={typo(code, 0)}").status_code == 429
    page = scanner.get(link).get_data(as_text=True)
    assert "116 123" in page and f'name="key" type="hidden" value="{key}"' in page
    response = scanner.post("/join", data={"code": code.lower(), "key": key})
    assert response.headers["Location"] == "/join/language"
    # A key fits its own code only, and a made-up one is a guess like any other.
    stranger = factories.tablet(app, REMOTE_ADDR="203.0.113.9")
    assert stranger.post("/join", data={"code": typo(code)}).status_code == 400
    for made_up in (key[:-1] + ("A" if key[-1] != "A" else "B"), "x" * 22, ""):
        assert stranger.get(f"/join?code={code}&key={made_up}").status_code == 429
    assert stranger.post("/join", data={"code": typo(code), "key": key}).status_code == 429


def test_working_codes_in_the_address_are_not_counted(make_app, meeting):
    app = make_app(JOIN_LIMIT_PER_CLIENT="2 per minute")
    client = app.test_client()
    for _ in range(5):
        assert client.get(f"/join?code={meeting.join_code}&done=1").status_code == 200
    assert client.get("/join").status_code == 200


# Tablet cookies: tampered, forged, replayed ----------------------------------------------


def test_a_cookie_replayed_after_i_am_finished_starts_over(tablet_client, meeting, session):
    join(tablet_client, meeting)
    service = meeting.board.services[0]
    tablet_client.get(f"/meeting/services/{service.id}")
    page = tablet_client.get(f"/meeting/services/{service.id}").get_data(as_text=True)
    once = re.search(r'name="once"[^>]*value="([^"]+)"', page).group(1)
    tablet_client.post(
        f"/meeting/services/{service.id}",
        data={"rating": "4", "happened": "My own words", "once": once},
    )
    assert "My own words" in tablet_client.get("/meeting/mine").get_data(as_text=True)
    copied = tablet_client.get_cookie("board_session").value
    tablet_client.post("/finish")
    tablet_client.set_cookie("board_session", copied)
    for path in ("/meeting", "/meeting/mine", "/join/welcome"):
        response = tablet_client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/join", path
    # Nor can the copy take anything back.
    tablet_client.set_cookie("board_session", copied)
    feedback = session.scalar(sa.select(Feedback).where(Feedback.happened == "My own words"))
    response = tablet_client.post(f"/meeting/mine/feedback/{feedback.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/join"
    session.expire_all()
    assert session.get(Feedback, feedback.id) is not None


def test_the_next_child_joining_ends_the_previous_session(tablet_client, meeting):
    join(tablet_client, meeting)
    first = tablet_client.get_cookie("board_session").value
    join(tablet_client, meeting)  # the next child types the code, without "I am finished"
    assert tablet_client.get("/meeting").status_code == 200
    tablet_client.set_cookie("board_session", first)
    assert tablet_client.get("/meeting").headers["Location"] == "/join"


def test_a_cookie_signed_with_another_key_starts_over(app, tablet_client, meeting):
    join(tablet_client, meeting)
    interface = app.session_interface
    data = dict(
        interface.get_signing_serializer(app).loads(tablet_client.get_cookie("board_session").value)
    )
    # Same contents, sealed with a key the server does not have.
    forged = SealedSerializer("guessed-key").dumps(data)
    tablet_client.set_cookie("board_session", forged)
    assert tablet_client.get("/meeting").headers["Location"] == "/join"


# Open redirects through `next` ----------------------------------------------------------

EVIL = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "/\t/evil.example",
    " //evil.example",
    "http:evil.example",
    "data:text/html,<script>alert(1)</script>",
]


@pytest.mark.parametrize("target", EVIL)
def test_the_language_switcher_refuses_open_redirects(client, target):
    response = client.post("/language", data={"lang": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", EVIL)
def test_signed_in_staff_are_not_sent_away_by_next(client, make, auth, target):
    user = make.user(Role.ADMINISTRATOR)
    make.commit()
    auth.as_user(user)
    response = client.get("/login", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_within_the_site_is_kept(client):
    response = client.post("/language", data={"lang": "en", "next": "/join?code=ABC"})
    assert response.headers["Location"] == "/join?code=ABC"


# SQL written as text is stored as text -------------------------------------------------


@pytest.mark.parametrize("payload", SQL)
def test_sql_in_a_childs_words_is_stored_verbatim(tablet_client, session, meeting, payload):
    join(tablet_client, meeting)
    service = meeting.board.services[0]
    page = tablet_client.get(f"/meeting/services/{service.id}").get_data(as_text=True)
    once = re.search(r'name="once"[^>]*value="([^"]+)"', page).group(1)
    response = tablet_client.post(
        f"/meeting/services/{service.id}",
        data={"rating": "3", "happened": payload, "better": payload, "once": once},
    )
    assert response.status_code == 302
    page = tablet_client.get("/meeting/propose").get_data(as_text=True)
    once = re.search(r'name="once"[^>]*value="([^"]+)"', page).group(1)
    tablet_client.post(
        "/meeting/propose", data={"title": payload, "description": payload, "once": once}
    )
    stored = session.scalars(sa.select(Feedback)).one()
    assert stored.happened == payload and stored.better == payload
    idea = session.scalars(sa.select(Action).where(Action.title == payload)).one()
    assert idea.description == payload
    assert session.scalar(sa.select(sa.func.count()).select_from(Feedback)) == 1


def test_sql_in_names_typed_by_staff_is_stored_verbatim(client, auth, session, make):
    admin = make.user(Role.ADMINISTRATOR)
    board = make.board()
    facilitator = make.user(Role.FACILITATOR, board)
    make.commit()
    auth.as_user(admin)
    payload = SQL[0]
    client.post("/admin/organisations/new", data={"name": payload, "kind": "ngo", "country": "AL"})
    client.post(
        f"/admin/boards/{board.id}/services/new",
        data={"name": payload + " 2", "category": "health", "active": "y"},
    )
    assert session.scalar(sa.select(Organisation).where(Organisation.name == payload))
    assert session.scalar(sa.select(Service).where(Service.name == payload + " 2"))
    auth.as_user(facilitator)
    client.post(f"/boards/{board.id}/watch-names", data={"watch_names": "\n".join(SQL)})
    session.expire_all()
    assert session.get(Board, board.id).watch_names.splitlines() == SQL


# Found by test_fuzz.py: once 500s, now refused ------------------------------------------


def test_nul_characters_are_refused_before_any_query(client, tablet_client, meeting):
    # PostgreSQL cannot store NUL: each of these was a 500 there.
    assert (
        client.post("/login", data={"email": "a\x00@example.org", "password": "x"}).status_code
        == 400
    )
    assert client.get("/join?code=AB%00CD").status_code == 400
    assert client.get("/invite/abc%00def").status_code == 400
    join(tablet_client, meeting)
    response = tablet_client.post("/meeting/propose", data={"title": "a\x00b", "once": "x"})
    assert response.status_code == 400
    assert "Something in the request was not right" in response.get_data(as_text=True)


@pytest.mark.parametrize("ident", [2**31, 2**63, 10**20])
def test_ids_too_large_for_the_database_are_404(client, auth, make, ident):
    auth.as_user(make.user(Role.ADMINISTRATOR))
    make.commit()
    for path in (f"/actions/{ident}", f"/admin/boards/{ident}", f"/meetings/{ident}"):
        assert client.get(path).status_code == 404, path


def test_an_action_id_of_zero_is_404(client, auth, make):
    auth.as_user(make.user(Role.ADMINISTRATOR))
    make.commit()
    assert client.get("/actions/0").status_code == 404
