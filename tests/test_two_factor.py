"""Two-factor sign-in (board/auth/two_factor.py), with the network's shipped setting:
required for administrators and safeguarding leads, offered to everyone else."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
import time_machine
from flask_login import current_user

from board.audit.models import AuditEntry
from board.auth import services
from board.auth.models import RecoveryCode, Role, User
from tests import test_mail
from tests.conftest import FIXED_NOW
from tests.factories import PASSWORD, TOTP_SECRET, fill
from tests.test_access import MATRIX, _args_for
from tests.test_mail import mail_config

# A moment in the middle of a 30-second step: a code made "now" is the step's own, and no
# test straddles two steps. The clock stands still inside each test (no tick).
NOW = FIXED_NOW + timedelta(seconds=10)
TOTP = pyotp.TOTP(TOTP_SECRET)
ENROL = "/account/two-factor/enrol"
smtp = test_mail.smtp  # the fixture: a real mail server for the messages to the holder


@pytest.fixture(autouse=True)
def still_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def app(make_app):
    return make_app(TWO_FACTOR="required-for-leads-and-admins")


@pytest.fixture
def lead(make, world):
    """The board's safeguarding lead, enrolled with the known secret."""
    world.recovery_codes = make.two_factor(world.lead)
    make.commit()
    return world.lead


def _password(client, user, **data):
    return client.post("/login", data={"email": user.email, "password": PASSWORD, **data})


def _code(client, code):
    return client.post("/login/code", data={"code": code})


def _audit(session, action):
    session.expire_all()
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def _concerns(world):
    return f"/boards/{world.board.id}/concerns"


# Sign-in -------------------------------------------------------------------------------


def test_password_then_code_signs_in(client, world, lead):
    response = _password(client, lead, next=_concerns(world))
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/code"
    page = client.get("/login/code")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.text
    response = _code(client, TOTP.now())
    assert response.status_code == 302
    assert response.headers["Location"] == _concerns(world)  # where the person was going
    assert client.get(_concerns(world)).status_code == 200


def test_after_the_password_alone_nobody_is_signed_in(app, client, world, lead):
    _password(client, lead)
    with client:
        response = client.get(_concerns(world))
        assert not current_user.is_authenticated
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "/login" in client.get(f"/concerns/{1}").headers["Location"]
    assert "Sign out" not in client.get("/").text


def test_a_wrong_code_is_refused_at_the_field_and_audited(client, session, lead):
    _password(client, lead)
    wrong = "000000" if TOTP.now() != "000000" else "111111"
    response = _code(client, wrong)
    assert response.status_code == 401
    assert "This code is not right" in response.text
    assert 'aria-invalid="true"' in response.text
    assert [e.detail for e in _audit(session, "signin.second_step_failed")] == ["wrong"]
    # The sign-in goes on: the right code still works.
    assert _code(client, TOTP.now()).status_code == 302


def test_an_empty_code_is_bad_input(client, lead):
    _password(client, lead)
    response = _code(client, "")
    assert response.status_code == 400
    assert "This field is required." in response.text


ARABIC_INDIC = str.maketrans(
    "0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
)
PERSIAN = str.maketrans(
    "0123456789", "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9"
)
FULL_WIDTH = str.maketrans(
    "0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19"
)


def test_arabic_staff_sign_in_with_the_digits_of_their_keyboard(client, session, world, lead):
    lead.locale = "ar"
    session.commit()
    _password(client, lead)
    response = _code(client, TOTP.now().translate(ARABIC_INDIC))
    assert response.status_code == 302
    assert client.get(_concerns(world)).status_code == 200


@pytest.mark.parametrize(
    "code",
    [
        "\u0661\u0662\u0663\u0664\u0665\u0666",  # Arabic-Indic, not the code of the moment
        "\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width
        "\u00b2" * 6,  # isdigit(), but no decimal digit
        "\u0661\u0662\u0663",
        "\u0661\u0662\u0663\u0664\u0665\u0666\u0667",
    ],
)
def test_a_wrong_code_in_any_script_is_a_wrong_code(client, lead, code):
    _password(client, lead)
    response = _code(client, code)
    assert response.status_code == 401
    assert "This code is not right" in response.text


@pytest.mark.parametrize("code", ["\x00", "-----", " \u00a0 "])
def test_a_code_of_nothing_is_bad_input(client, lead, code):
    _password(client, lead)
    assert _code(client, code).status_code in (400, 401)


def test_enrolment_and_new_recovery_codes_take_other_scripts_digits(client, session, world):
    _password(client, world.admin)
    secret = _secret_on(client.get(ENROL).text)
    assert (
        client.post(ENROL, data={"code": "\u0661\u0662\u0663\u0664\u0665\u0666"}).status_code == 400
    )
    done = client.post(ENROL, data={"code": pyotp.TOTP(secret).now().translate(PERSIAN)})
    assert done.status_code == 200 and "<li><code>" in done.text
    url = "/account/two-factor/recovery-codes"
    assert client.post(url, data={"code": "\u00b2" * 6}).status_code == 401
    later = pyotp.TOTP(secret).at(NOW + timedelta(seconds=30))  # the next step: no replay
    assert client.post(url, data={"code": later.translate(FULL_WIDTH)}).status_code == 200


def test_a_code_is_accepted_once(client, session, lead):
    code = TOTP.now()
    _password(client, lead)
    assert _code(client, code).status_code == 302
    client.post("/logout")
    _password(client, lead)
    response = _code(client, code)
    assert response.status_code == 401
    assert "used already" in response.text
    assert [e.detail for e in _audit(session, "signin.second_step_failed")] == ["replayed"]


def test_the_neighbouring_step_is_accepted_and_an_old_one_has_expired(client, lead):
    _password(client, lead)
    old = TOTP.at(NOW - timedelta(seconds=150))
    response = _code(client, old)
    assert response.status_code == 401 and "expired" in response.text
    assert _code(client, TOTP.at(NOW - timedelta(seconds=30))).status_code == 302


def test_a_recovery_code_works_once(client, session, world, lead):
    first = world.recovery_codes[0]
    _password(client, lead)
    response = _code(client, first.upper())  # as typed from paper, in capitals
    assert response.status_code == 302
    assert "9 are left" in client.get("/").text
    assert len(_audit(session, "account.recovery_code_used")) == 1
    client.post("/logout")
    _password(client, lead)
    response = _code(client, first)
    assert response.status_code == 401
    assert "This recovery code has been used already" in response.text
    assert [e.detail for e in _audit(session, "signin.second_step_failed")] == ["used"]
    assert _code(client, world.recovery_codes[1]).status_code == 302


def test_codes_are_stored_hashed_and_the_secret_encrypted(session, world, lead):
    session.expire_all()
    stored = session.get(User, lead.id)
    assert TOTP_SECRET not in stored.totp_secret
    hashes = session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10
    assert not {c.replace("-", "") for c in world.recovery_codes} & set(hashes)


def test_a_database_copy_under_another_key_makes_no_codes(make_app, world, lead):
    """The secret opens only with the server's key: another SECRET_KEY (an attacker with the
    database alone) cannot check, or make, the account's codes."""
    client = make_app(TWO_FACTOR="required-for-leads-and-admins", SECRET_KEY="other").test_client()
    _password(client, lead)
    assert _code(client, TOTP.now()).status_code == 401


def test_the_second_step_is_rate_limited(make_app, session, world, lead, still_clock):
    app = make_app(
        TWO_FACTOR="required-for-leads-and-admins",
        LOGIN_FREE_FAILURES=3,
        LOGIN_LIMIT_PER_CLIENT="100 per minute",
    )
    client = app.test_client()
    _password(client, lead)
    for _ in range(3):  # the free failures; the third makes this address wait
        assert _code(client, "123456x").status_code == 401
    response = _code(client, TOTP.now())
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    # The right password again gives no fresh start to a guesser of codes.
    assert _password(client, lead).status_code == 302
    assert _code(client, TOTP.now()).status_code == 429
    # Once the wait is over, the right code signs in.
    still_clock.shift(timedelta(minutes=2))
    _password(client, lead)
    assert _code(client, TOTP.now()).status_code == 302


def test_the_second_step_is_limited_per_client_too(make_app, world, lead):
    app = make_app(
        TWO_FACTOR="required-for-leads-and-admins",
        LOGIN_FREE_FAILURES=100,
        LOGIN_LIMIT_PER_CLIENT="3 per 10 minutes",
    )
    client = app.test_client()
    _password(client, lead)
    for _ in range(3):
        assert _code(client, "654321x").status_code == 401
    assert _code(client, TOTP.now()).status_code == 429


def _spread(app, lead, addresses, tries):
    """One pending sign-in, then ``tries`` wrong codes from each of ``addresses``."""
    client = app.test_client()
    _password(client, lead)
    responses = []
    for n in range(addresses):
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 10}"
        responses += [_code(client, "000000x") for _ in range(tries)]
    return client, responses


def test_codes_guessed_from_many_addresses_pause_the_account(
    make_app,
    session,
    smtp,
    world,
    lead,
    still_clock,
):
    app = make_app(
        TWO_FACTOR="required-for-leads-and-admins",
        LOGIN_FREE_FAILURES=3,
        LOGIN_LIMIT_PER_CLIENT="100 per minute",
        **mail_config(smtp.port),
    )
    # Two wrong codes from each address: no address ever waits on its own.
    client, responses = _spread(app, lead, addresses=5, tries=2)
    assert [r.status_code for r in responses] == [401] * 9 + [429]
    paused = responses[-1]
    assert int(paused.headers["Retry-After"]) == 15 * 60
    assert "Too many wrong codes were typed for this account" in paused.text
    assert len(_audit(session, "signin.second_step_failed")) == 10
    [entry] = _audit(session, "signin.second_step_paused")
    assert entry.target_id == lead.id
    [mail] = smtp.messages  # sent after the commit, to the holder, without a code
    assert mail["To"] == lead.email and "paused" in mail["Subject"]
    assert "tell your administrator" in mail.get_content()
    assert TOTP_SECRET not in mail.as_string() and TOTP.now() not in mail.as_string()
    # The pending sign-in has ended: even the right code asks for the password again.
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert _code(client, TOTP.now()).headers["Location"] == "/login"
    # Every browser and address waits, with the password too.
    still_clock.shift(timedelta(seconds=5))
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "203.0.113.10"
    assert _password(other, lead).status_code == 302
    refused = _code(other, TOTP.now())
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert len(smtp.messages) == 1  # told once
    # After the pause the right code signs in, and the account's count starts again.
    still_clock.shift(timedelta(minutes=16))
    assert _password(other, lead).status_code == 302
    assert _code(other, TOTP.now()).status_code == 302


def test_new_recovery_codes_respect_the_code_throttle(make_app, auth, world, lead):
    app = make_app(
        TWO_FACTOR="required-for-leads-and-admins",
        LOGIN_FREE_FAILURES=3,
        TWO_FACTOR_ACCOUNT_FAILURES=5,
    )
    url = "/account/two-factor/recovery-codes"
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = lead.get_id()
    for _ in range(3):  # this address's free failures: then it waits
        assert client.post(url, data={"code": "000001"}).status_code == 401
    waiting = client.post(url, data={"code": TOTP.now()})
    assert waiting.status_code == 429 and int(waiting.headers["Retry-After"]) > 0
    # They count for the account too: two more from the sign-in page pause it.
    _, responses = _spread(app, lead, addresses=1, tries=2)
    assert [r.status_code for r in responses] == [401, 429]
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    with elsewhere.session_transaction() as cookie:
        cookie["_user_id"] = lead.get_id()
    paused = elsewhere.post(url, data={"code": TOTP.now()})
    assert paused.status_code == 429
    assert "Too many wrong codes were typed for this account" in paused.text


def test_the_pending_sign_in_expires(client, lead, still_clock):
    _password(client, lead)
    still_clock.shift(timedelta(minutes=11))
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    response = _code(client, TOTP.now())
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "not finished in time" in client.get("/login").text


def test_a_new_password_ends_a_pending_sign_in(client, session, lead):
    _password(client, lead)
    services.set_password(session, session.get(User, lead.id), "another long passphrase")
    session.commit()
    assert _code(client, TOTP.now()).headers["Location"] == "/login"


def test_without_two_factor_a_facilitator_signs_in_with_the_password(client, world):
    response = _password(client, world.facilitator)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get(f"/boards/{world.board.id}/meetings").status_code == 200


# Enrolment -----------------------------------------------------------------------------


def _secret_on(page: str) -> str:
    match = re.search(r'<code class="secret" translate="no">([A-Z2-7 ]+)</code>', page)
    assert match, "the key is shown for typing in"
    return match.group(1).replace(" ", "")


def test_an_administrator_enrols_after_the_password(client, session, world):
    response = _password(client, world.admin, next="/admin/")
    assert response.headers["Location"] == ENROL
    with client:
        page = client.get(ENROL)
        assert not current_user.is_authenticated
    assert page.status_code == 200
    assert "<svg" in page.text and "<title>" in page.text  # the QR code, inline
    assert "http" not in re.search(r"<svg.*?</svg>", page.text, re.S).group(0).replace(
        "http://www.w3.org/2000/svg", ""
    )
    secret = _secret_on(page.text)
    assert client.get("/admin/").headers["Location"].startswith("/login")
    # A reload shows the same key: what the phone scanned stays valid.
    assert _secret_on(client.get(ENROL).text) == secret
    wrong = client.post(
        ENROL, data={"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "1"}
    )
    assert wrong.status_code == 400
    assert "This code is not right" in wrong.text
    assert _secret_on(wrong.text) == secret  # nothing lost: the same key, still to confirm
    done = client.post(ENROL, data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.text)
    assert len(codes) == len(set(codes)) == 10
    assert 'href="/admin/"' in done.text  # continue to where the person was going
    assert client.get("/admin/").status_code == 200
    assert len(_audit(session, "account.two_factor_enrol")) == 1
    # Next time: password, then the code.
    client.post("/logout")
    assert _password(client, world.admin).headers["Location"] == "/login/code"


def test_a_pending_enrolment_is_this_browsers_alone(make_app, session, smtp, world):
    """Someone else with the administrator's password, while the administrator is half way
    through enrolling, is given another key, and it never works."""
    app = make_app(TWO_FACTOR="required-for-leads-and-admins", **mail_config(smtp.port))
    admin, intruder = app.test_client(), app.test_client()
    _password(admin, world.admin)
    secret = _secret_on(admin.get(ENROL).text)
    _password(intruder, world.admin)
    other = _secret_on(intruder.get(ENROL).text)
    assert other != secret
    session.expire_all()
    assert session.get(User, world.admin.id).totp_secret is None  # nothing stored yet
    assert _secret_on(admin.get(ENROL).text) == secret  # each browser keeps its own
    assert secret not in admin.get_cookie("board_session").value  # sealed in the cookie
    done = admin.post(ENROL, data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "<li><code>" in done.text
    session.expire_all()
    stored = session.get(User, world.admin.id).totp_secret
    assert stored and secret not in stored
    # The intruder's key does not confirm, nor sign in, now or later.
    assert intruder.post(ENROL, data={"code": pyotp.TOTP(other).now()}).status_code == 302
    _password(intruder, world.admin)
    assert _code(intruder, pyotp.TOTP(other).now()).status_code == 401
    # The holder is told, after the commit, with no secret in the mail.
    [mail] = smtp.to(world.admin.email)
    assert "Two-factor sign-in is on" in mail["Subject"]
    assert "If this was not you, tell your administrator" in mail.get_content()
    assert secret not in mail.as_string() and other not in mail.as_string()


def test_enrolment_ends_the_other_sessions(app, session, world):
    elsewhere, here = app.test_client(), app.test_client()
    _password(elsewhere, world.facilitator)
    assert elsewhere.get("/account/two-factor").status_code == 200
    _password(here, world.facilitator)
    secret = _secret_on(here.get(ENROL).text)
    assert here.post(ENROL, data={"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert here.get("/account/two-factor").status_code == 200
    assert elsewhere.get("/account/two-factor").headers["Location"].startswith("/login")


def test_an_unenrolled_administrator_opens_nothing_but_enrolment(app, client, world, auth):
    """A session from before the setting (or a policy made stricter): every page sends the
    administrator to enrolment, and none shows anything."""
    args = world.every_table()
    auth.as_user(world.admin)
    open_ones = {"static", "auth.enrol", "auth.logout", "home.healthz"}
    for endpoint, (method, _allowed) in MATRIX.items():
        if method != "GET" or endpoint in open_ones:
            continue
        for rule in (r for r in app.url_map.iter_rules() if r.endpoint == endpoint):
            url = fill(rule.rule, _args_for(endpoint, args))
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.headers["Location"] == ENROL, url
    assert client.post(f"/concerns/{args['concern_id']}/acknowledge").headers["Location"] == ENROL
    assert client.get(ENROL).status_code == 200
    assert client.post("/logout").status_code == 302


@pytest.mark.parametrize(
    ("setting", "who", "sent_to_enrol"),
    [
        ("required-for-leads-and-admins", "lead", True),
        ("required-for-leads-and-admins", "facilitator", False),
        ("required-for-leads-and-admins", "partner", False),
        ("required-for-all", "partner", True),
        ("optional", "admin", False),
        ("no-such-setting", "admin", True),  # a mistyped setting protects
    ],
)
def test_who_must_enrol_is_the_networks_setting(make_app, world, setting, who, sent_to_enrol):
    client = make_app(TWO_FACTOR=setting).test_client()
    response = _password(client, world.people[who])
    assert (response.headers["Location"] == ENROL) is sent_to_enrol


def test_an_invited_lead_enrols_before_going_anywhere(client, session, make, world):
    user, token = services.invite_user(
        session,
        None,
        email="new.lead@example.org",
        name="New Lead",
        organisation=world.org,
        roles=[(Role.SAFEGUARDING_LEAD, world.board)],
    )
    session.commit()
    data = {"password": "a long new passphrase", "confirm": "a long new passphrase"}
    response = client.post(f"/invite/{token}", data=data)
    assert response.headers["Location"] == ENROL
    assert client.get(_concerns(world)).headers["Location"].startswith("/login")


def test_an_optional_user_enrols_from_their_page(client, world, auth):
    auth.as_user(world.partner)
    page = client.get("/account/two-factor")
    assert "Set up two-factor sign-in" in page.text
    assert client.get(ENROL).status_code == 200


# Recovery codes and reset --------------------------------------------------------------


def test_new_recovery_codes_need_a_current_code(client, session, world, lead):
    _password(client, lead)
    _code(client, world.recovery_codes[0])
    page = client.get("/account/two-factor")
    assert "Recovery codes left" in page.text and "<dd>9</dd>" in page.text
    wrong = client.post("/account/two-factor/recovery-codes", data={"code": "000001"})
    assert wrong.status_code == 401 and "This code is not right" in wrong.text
    empty = client.post("/account/two-factor/recovery-codes", data={"code": ""})
    assert empty.status_code == 400
    done = client.post("/account/two-factor/recovery-codes", data={"code": TOTP.now()})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]{11})</code></li>", done.text)
    assert len(codes) == 10
    assert len(_audit(session, "account.recovery_codes_new")) == 1
    client.post("/logout")
    _password(client, lead)
    assert _code(client, world.recovery_codes[1]).status_code == 401  # the old ones are gone
    assert _code(client, codes[0]).status_code == 302


def test_an_administrator_resets_it_audited_and_the_sessions_end(app, session, make, world, lead):
    make.two_factor(world.admin)
    make.commit()
    leads_browser = app.test_client()
    _password(leads_browser, lead)
    _code(leads_browser, TOTP.now())
    assert leads_browser.get(_concerns(world)).status_code == 200

    admin = app.test_client()
    with admin.session_transaction() as cookie:
        cookie["_user_id"] = world.admin.get_id()
    account = admin.get(f"/admin/accounts/{lead.id}")
    reset_url = f"/admin/accounts/{lead.id}/two-factor/reset"
    assert reset_url in account.text
    question = admin.get(reset_url)
    assert question.status_code == 200 and "signed out everywhere" in question.text
    assert admin.post(reset_url).headers["Location"] == f"/admin/accounts/{lead.id}"
    link = re.search(
        r'id="invitation-link"[^>]*value="([^"]+)"', admin.get(account.request.path).text
    )

    session.expire_all()
    reset = session.get(User, lead.id)
    assert reset.totp_secret is None and reset.totp_confirmed_at is None
    assert (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == lead.id)
        )
        == 0
    )
    [entry] = _audit(session, "account.two_factor_reset")
    assert (entry.actor_id, entry.target_id) == (world.admin.id, lead.id)
    assert leads_browser.get(_concerns(world)).headers["Location"].startswith("/login")
    # The password ended too: whoever knew it cannot set up their own phone first.
    refused = _password(leads_browser, lead)
    assert refused.status_code == 400 and "The email or the password is not right." in refused.text
    assert reset.password_hash is None
    # The lead chooses a new password from the link (mailed, and shown to the administrator
    # once), then sets two-factor sign-in up again.
    assert link, "the account page shows the new sign-in link once"
    path = link.group(1).split("localhost", 1)[-1]
    new_password = {"password": "a new long passphrase 42", "confirm": "a new long passphrase 42"}
    assert leads_browser.post(path, data=new_password).headers["Location"] == ENROL


@pytest.mark.parametrize("who", ["facilitator", "partner"])
def test_only_administrators_reset_it(client, auth, world, lead, who):
    auth.as_user(world.people[who])
    url = f"/admin/accounts/{lead.id}/two-factor/reset"
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert lead.has_two_factor


def test_reset_refuses_a_missing_csrf_token(make_app, session, make, world, lead):
    app = make_app(TWO_FACTOR="optional", WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = world.admin.get_id()
    response = client.post(f"/admin/accounts/{lead.id}/two-factor/reset")
    assert response.status_code == 400
    session.expire_all()
    assert session.get(User, lead.id).has_two_factor


def test_a_reset_mails_the_holder_a_link_and_not_a_deactivated_one(
    session, make, world, lead, auth, client, caplog
):
    caplog.set_level(logging.INFO, logger="board.mail")
    make.two_factor(world.admin)
    other = world.facilitator
    make.two_factor(other)
    make.commit()
    auth.as_user(world.admin)
    client.post(f"/admin/accounts/{lead.id}/two-factor/reset")
    [mail] = [r.getMessage() for r in caplog.records if "was reset" in r.getMessage()]
    assert lead.email in mail and "/invite/" in mail
    assert TOTP_SECRET not in mail and PASSWORD not in mail
    # A deactivated account: reset, and no link until it is reactivated.
    caplog.clear()
    other.active = False
    session.commit()
    client.post(f"/admin/accounts/{other.id}/two-factor/reset")
    assert not [r for r in caplog.records if "was reset" in r.getMessage()]
    session.expire_all()
    assert not session.get(User, other.id).has_two_factor


def test_a_new_password_ends_a_pause_someone_with_the_old_one_caused(
    make_app, session, make, world, lead, still_clock
):
    """Someone with the lead's password guessed codes until the account paused: the reset
    (new password from the link, two-factor set up again) lets the lead back in at once,
    though the pause had 15 minutes to go."""
    app = make_app(
        TWO_FACTOR="required-for-leads-and-admins",
        LOGIN_FREE_FAILURES=3,
        LOGIN_LIMIT_PER_CLIENT="100 per minute",
    )
    _client, responses = _spread(app, lead, addresses=5, tries=2)
    assert responses[-1].status_code == 429
    still_clock.shift(timedelta(seconds=5))
    make.two_factor(world.admin)
    make.commit()
    admin = app.test_client()
    with admin.session_transaction() as cookie:
        cookie["_user_id"] = world.admin.get_id()
    account = admin.get(f"/admin/accounts/{lead.id}").text
    assert "Signing in is paused for 15 more minutes" in account  # the administrator sees it
    with app.app_context():
        token = services.reissue_invitation(session, world.admin, lead)
        session.commit()
    holder = app.test_client()
    holder.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    new = {"password": "a new long passphrase 42", "confirm": "a new long passphrase 42"}
    assert holder.post(f"/invite/{token}", data=new).headers["Location"] == "/login/code"
    assert _code(holder, TOTP.now()).status_code == 302  # not 429
    assert "Signing in is paused" not in admin.get(f"/admin/accounts/{lead.id}").text


def test_an_administrator_does_not_reset_their_own(client, session, make, world, auth):
    """It would end their own password and session before they saw the link."""
    make.two_factor(world.admin)
    make.commit()
    auth.as_user(world.admin)
    url = f"/admin/accounts/{world.admin.id}/two-factor/reset"
    response = client.post(url, follow_redirects=True)
    assert "reset by another administrator" in response.text
    session.expire_all()
    me = session.get(User, world.admin.id)
    assert me.has_two_factor and me.password_hash
