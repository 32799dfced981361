"""Staff accounts: sign in, invitations, passwords, deactivation, the first admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from board import config
from board.auth import services
from board.auth.models import Invitation, Role, User
from board.db import utcnow
from tests.factories import PASSWORD

WRONG = "The email or the password is not right."


def test_sign_in_and_out(client, make, auth):
    make.user(Role.ADMINISTRATOR, email="ana@example.org", name="Ana")
    make.commit()
    response = auth.login("ANA@example.org ")
    assert response.status_code == 302
    assert "Hello, Ana" in client.get("/").get_data(as_text=True)
    assert client.get("/logout").status_code == 405  # a link cannot sign anyone out
    auth.logout()
    assert "Hello" not in client.get("/").get_data(as_text=True)


def test_a_cookie_copied_before_sign_out_signs_nobody_in(app, client, make, auth):
    """A copy of the session cookie (a shared computer, a stolen cookie) taken before "Sign
    out" no longer works after it; the person's other browsers stay signed in."""
    make.user(Role.ADMINISTRATOR, email="ana@example.org", name="Ana")
    make.commit()
    other_browser = app.test_client()
    other_browser.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    auth.login("ana@example.org")
    copied = client.get_cookie("board_session").value
    auth.logout()
    client.set_cookie("board_session", copied)
    assert "Hello" not in client.get("/").get_data(as_text=True)
    assert client.get("/admin/boards").status_code == 302
    assert "Hello, Ana" in other_browser.get("/").get_data(as_text=True)
    # Signing in again works, with a new session.
    auth.login("ana@example.org")
    assert "Hello, Ana" in client.get("/").get_data(as_text=True)


def test_same_message_for_unknown_email_and_wrong_password(client, make, auth):
    make.user(email="ana@example.org")
    make.commit()
    unknown = auth.login("nobody@example.org")
    wrong = auth.login("ana@example.org", "not the password at all")
    assert unknown.status_code == wrong.status_code == 400
    assert WRONG in unknown.get_data(as_text=True)
    assert WRONG in wrong.get_data(as_text=True)


def test_typed_email_is_kept_and_password_is_not(client, make, auth):
    response = auth.login("kept@example.org", "typed-secret-value")
    page = response.get_data(as_text=True)
    assert 'value="kept@example.org"' in page
    assert "typed-secret-value" not in page


@pytest.mark.parametrize("state", ["deactivated", "invited"])
def test_inactive_accounts_cannot_sign_in(client, make, auth, state):
    if state == "deactivated":
        make.user(email="x@example.org", active=False)
    else:
        make.user(email="x@example.org", password=False)
    make.commit()
    assert WRONG in auth.login("x@example.org").get_data(as_text=True)


def test_deactivation_ends_an_open_session(client, make, auth, session):
    admin = make.user(Role.ADMINISTRATOR)
    user = make.user(email="x@example.org")
    make.commit()
    auth.login("x@example.org")
    assert client.get("/account/password").status_code == 200
    services.set_active(session, admin, user, False)
    session.commit()
    assert client.get("/account/password").status_code == 302


def test_open_redirect_through_next_is_refused(client, make, auth):
    make.user(email="x@example.org")
    make.commit()
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example"]:
        response = client.post(
            "/login", data={"email": "x@example.org", "password": PASSWORD, "next": target}
        )
        assert response.headers["Location"] == "/"
        auth.logout()
    response = client.post(
        "/login", data={"email": "x@example.org", "password": PASSWORD, "next": "/account/password"}
    )
    assert response.headers["Location"] == "/account/password"


def test_sign_in_is_rate_limited_per_account_at_one_address(make_app):
    app = make_app(LOGIN_FREE_FAILURES=3, LOGIN_LIMIT_PER_CLIENT="100 per minute")
    client = app.test_client()
    for _ in range(3):
        assert (
            client.post("/login", data={"email": "a@example.org", "password": "x"}).status_code
            == 400
        )
    assert (
        client.post("/login", data={"email": "a@example.org", "password": "x"}).status_code == 429
    )
    # Another account from the same client is still allowed.
    assert (
        client.post("/login", data={"email": "b@example.org", "password": "x"}).status_code == 400
    )
    # The same account from another address too.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert (
        elsewhere.post("/login", data={"email": "a@example.org", "password": "x"}).status_code
        == 400
    )


def test_a_stranger_cannot_lock_a_safeguarding_lead_out(make_app, make, session):
    """Attack: anyone who knew a lead's email sent five wrong passwords and locked the lead
    out for ten minutes, from everywhere. Now the attacker's own address waits longer and
    longer, and the lead signs in from theirs at once."""
    app = make_app()  # the shipped limits
    board = make.board()
    lead = make.user(Role.SAFEGUARDING_LEAD, board, email="lead@example.org")
    session.commit()
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.66"
    wrong = {"email": "lead@example.org", "password": "a guess that is wrong"}
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:  # waits measured exactly
        codes = [attacker.post("/login", data=wrong).status_code for _ in range(50)]
        assert codes[:3] == [400] * 3 and set(codes[3:]) == {429}  # the 3rd buys a wait
        # The right password from the attacker's address waits too (it may be a lucky guess).
        assert attacker.post("/login", data={**wrong, "password": PASSWORD}).status_code == 429

        own = app.test_client()
        own.environ_base["REMOTE_ADDR"] = "198.51.100.7"
        response = own.post("/login", data={"email": lead.email, "password": PASSWORD})
        assert response.status_code == 302
        assert "Hello" in own.get("/").get_data(as_text=True)

        # The attacker's waits grow: once a wait is over, each wrong guess doubles the next
        # one (a minute, two, four, eight, ... up to a day).
        for wait in (60, 120, 240, 480):
            clock.shift(wait - 1)
            assert attacker.post("/login", data=wrong).status_code == 429  # not yet
            clock.shift(1)
            assert attacker.post("/login", data=wrong).status_code == 400  # one more guess
        assert attacker.post("/login", data=wrong).status_code == 429


def test_sign_in_is_rate_limited_per_client(make_app):
    app = make_app(LOGIN_FREE_FAILURES=100, LOGIN_LIMIT_PER_CLIENT="4 per 10 minutes")
    client = app.test_client()
    for n in range(4):
        client.post("/login", data={"email": f"{n}@example.org", "password": "x"})
    response = client.post("/login", data={"email": "new@example.org", "password": "x"})
    assert response.status_code == 429
    assert "Too many tries" in response.get_data(as_text=True)


# Invitations -----------------------------------------------------------------------------


def _invite(session, make, **kw):
    org = make.organisation()
    user, token = services.invite_user(
        session, None, email="new@example.org", name="New Person", organisation=org, **kw
    )
    session.commit()
    return user, token


def test_invitation_sets_the_password_and_signs_in(client, session, make):
    user, token = _invite(session, make)
    assert client.get(f"/invite/{token}").status_code == 200
    response = client.post(
        f"/invite/{token}",
        data={"password": "a long new passphrase", "confirm": "a long new passphrase"},
    )
    assert response.status_code == 302
    assert "Hello, New Person" in client.get("/").get_data(as_text=True)
    # The link works once.
    again = client.get(f"/invite/{token}")
    assert again.status_code == 410
    assert "used already" in again.get_data(as_text=True)


def test_expired_and_unknown_invitations_get_a_clear_page(client, session, make):
    user, token = _invite(session, make)
    session.execute(sa.update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    response = client.get(f"/invite/{token}")
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    response = client.post(
        f"/invite/{token}",
        data={"password": "a long new passphrase", "confirm": "a long new passphrase"},
    )
    assert response.status_code == 410
    assert client.get("/invite/not-a-token").status_code == 410


def test_a_new_link_replaces_the_old_one(client, session, make):
    admin = make.user(Role.ADMINISTRATOR)
    user, first = _invite(session, make)
    second = services.reissue_invitation(session, admin, user)
    session.commit()
    assert client.get(f"/invite/{first}").status_code == 410
    assert client.get(f"/invite/{second}").status_code == 200


def test_the_token_itself_is_not_stored(session, make):
    user, token = _invite(session, make)
    stored = session.scalars(sa.select(Invitation.token_hash)).all()
    assert token not in stored and len(stored) == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 12"),
        ("password1234", "too common"),
        ("aaaaaaaaaaaaaaaa", "too common"),
        ("new@example.org", "not be your email"),
    ],
)
def test_bad_passwords_are_refused_with_a_reason(client, session, make, password, message):
    _user, token = _invite(session, make)
    response = client.post(f"/invite/{token}", data={"password": password, "confirm": password})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).lower()
    assert session.scalar(sa.select(User.password_hash)) is None


def test_mismatched_confirmation(client, session, make):
    _user, token = _invite(session, make)
    response = client.post(
        f"/invite/{token}",
        data={"password": "a long new passphrase", "confirm": "another passphrase"},
    )
    assert response.status_code == 400
    assert "The two passwords differ." in response.get_data(as_text=True)


def test_passwords_are_hashed_with_scrypt(make_app, session, make):
    """As production hashes them: the tests' configuration names a cheap method."""
    client = make_app(PASSWORD_HASH_METHOD=config.PASSWORD_HASH_METHOD).test_client()
    user, token = _invite(session, make)
    client.post(
        f"/invite/{token}",
        data={"password": "a long new passphrase", "confirm": "a long new passphrase"},
    )
    session.expire_all()
    assert session.get(User, user.id).password_hash.startswith("scrypt:")


def test_change_password_ends_other_sessions(app, make, auth):
    make.user(email="x@example.org")
    make.commit()
    other = app.test_client()
    other.post("/login", data={"email": "x@example.org", "password": PASSWORD})
    auth.login("x@example.org")
    response = auth.client.post(
        "/account/password",
        data={
            "current_password": "wrong one",
            "password": "a long new passphrase",
            "confirm": "a long new passphrase",
        },
    )
    assert response.status_code == 400
    assert "current password is not right" in response.get_data(as_text=True)
    response = auth.client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "a long new passphrase",
            "confirm": "a long new passphrase",
        },
    )
    assert response.status_code == 302
    assert auth.client.get("/account/password").status_code == 200  # this session goes on
    assert other.get("/account/password").status_code == 302  # the other one ended


# The first administrator -------------------------------------------------------------------


def test_create_admin_command(runner, session):
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Root@Example.org",
            "--name",
            "Root",
            "--password",
            "a long admin passphrase",
        ]
    )
    assert result.exit_code == 0, result.output
    user = session.scalar(sa.select(User))
    assert user.email == "root@example.org" and user.is_admin and user.is_active


def test_create_admin_refuses_a_weak_password_and_a_duplicate(runner):
    weak = runner.invoke(
        args=["create-admin", "--email", "a@example.org", "--name", "A", "--password", "short"]
    )
    assert weak.exit_code != 0 and "at least 12" in weak.output
    args = [
        "create-admin",
        "--email",
        "a@example.org",
        "--name",
        "A",
        "--password",
        "a long admin passphrase",
    ]
    assert runner.invoke(args=args).exit_code == 0
    duplicate = runner.invoke(args=args)
    assert duplicate.exit_code != 0 and "exists already" in duplicate.output


def test_the_last_administrator_keeps_the_role(session, make):
    admin = make.user(Role.ADMINISTRATOR)
    with pytest.raises(services.AccountError):
        services.remove_role(session, admin, admin.roles[0])
