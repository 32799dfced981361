"""The network's settings page: an administrator chooses who must use two-factor sign-in;
the choice takes over from the configuration, is audited and told to every administrator."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from board.audit.models import AuditEntry
from board.auth.settings import NetworkSetting
from tests.conftest import FIXED_NOW
from tests.factories import PASSWORD, TOTP_SECRET

ENROL = "/account/two-factor/enrol"


@pytest.fixture(autouse=True)
def still_clock():
    with time_machine.travel(FIXED_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def app(make_app):
    return make_app(TWO_FACTOR="required-for-leads-and-admins")


@pytest.fixture
def admin(make, world):
    make.two_factor(world.admin)
    make.commit()
    return world.admin


def _entries(session):
    session.expire_all()
    return list(
        session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "network.setting"))
    )


def _sent_to_enrol(app, user) -> bool:
    response = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    return response.headers["Location"] == ENROL


def _checked(page: str) -> str:
    (value,) = re.findall(r'<input[^>]* checked [^>]*value="([^"]+)"', page)
    return value


def test_an_administrator_requires_it_for_everyone(
    app, client, auth, session, world, admin, caplog
):
    caplog.set_level(logging.INFO, logger="board.mail")
    auth.as_user(admin)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert _checked(page) == "required-for-leads-and-admins"
    assert "As the server's configuration says" in page
    assert not _sent_to_enrol(app, world.facilitator)
    response = client.post("/admin/settings", data={"two_factor": "required-for-all"})
    assert response.status_code == 302
    assert [e.detail for e in _entries(session)] == [
        "two_factor: required-for-leads-and-admins -> required-for-all"
    ]
    assert _sent_to_enrol(app, world.facilitator) and _sent_to_enrol(app, world.partner)
    told = [r.getMessage() for r in caplog.records if "network setting" in r.getMessage()]
    assert told and all(world.admin.email in m for m in told)
    assert "two-factor" in told[0] and PASSWORD not in told[0]
    page = client.get("/admin/settings").get_data(as_text=True)
    assert f"Chosen by {admin.name}" in page and _checked(page) == "required-for-all"
    # The same choice again changes nothing and logs nothing.
    client.post("/admin/settings", data={"two_factor": "required-for-all"})
    assert len(_entries(session)) == 1


def test_the_stricter_of_the_choice_and_the_configuration_applies(make_app, session, world):
    session.add(NetworkSetting(name="two_factor", value="required-for-all"))
    session.commit()
    assert _sent_to_enrol(make_app(TWO_FACTOR="optional"), world.partner)
    # Whoever runs the server can raise it back over a lowered choice (a misused admin).
    session.execute(sa.update(NetworkSetting).values(value="optional"))
    session.commit()
    assert _sent_to_enrol(make_app(TWO_FACTOR="required-for-all"), world.partner)
    assert not _sent_to_enrol(make_app(TWO_FACTOR="optional"), world.partner)
    # A value no release knows (an old or tampered row) protects, as a mistyped setting does.
    session.execute(sa.update(NetworkSetting).values(value="off"))
    session.commit()
    assert _sent_to_enrol(make_app(TWO_FACTOR="optional"), world.admin)
    assert not _sent_to_enrol(make_app(TWO_FACTOR="optional"), world.partner)


@pytest.mark.parametrize("value", ["", "off", "Optional", "x" * 500])
def test_a_bad_choice_is_refused_at_the_field(client, auth, session, admin, value):
    auth.as_user(admin)
    response = client.post("/admin/settings", data={"two_factor": value})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose who must use it." in page or "Not a valid choice." in page
    assert 'id="two-factor-error"' in page
    assert session.scalar(sa.select(sa.func.count()).select_from(NetworkSetting)) == 0
    assert _entries(session) == []


def test_the_page_says_how_many_accounts_each_choice_would_send_to_enrol(
    client, auth, world, admin
):
    auth.as_user(admin)
    page = client.get("/admin/settings").get_data(as_text=True)
    counts = re.findall(r'id="two_factor-\d-count">(?:[^<]*requires more\. )?(\d+) active', page)
    everyone = sum(1 for u in world.people.values() if u.active and not u.has_two_factor)
    assert counts == ["1", str(everyone), "0"]  # the lead; everyone not enrolled; no one
    # Below the configuration's rule: shown, not offered.
    assert re.search(r'<input[^>]*disabled[^>]*value="optional"', page)


def test_requiring_it_of_fewer_accounts_takes_a_current_code(
    client, auth, session, world, admin, still_clock
):
    """A stolen administrator's session alone cannot lower the rule: a code from the app,
    counted like the second step's (a wrong one is audited)."""
    auth.as_user(admin)
    client.post("/admin/settings", data={"two_factor": "required-for-all"})  # raising: no code
    assert [e.detail for e in _entries(session)][-1].endswith("-> required-for-all")
    lower = {"two_factor": "required-for-leads-and-admins"}
    none = client.post("/admin/settings", data=lower)
    assert none.status_code == 400 and "Type the code your app shows now." in none.text
    wrong = "000000" if pyotp.TOTP(TOTP_SECRET).now() != "000000" else "111111"
    refused = client.post("/admin/settings", data={**lower, "code": wrong})
    assert refused.status_code == 401 and "This code is not right" in refused.text
    assert _entries_of(session, "signin.second_step_failed")
    assert len(_entries(session)) == 1  # nothing lowered
    still_clock.shift(timedelta(seconds=30))
    right = pyotp.TOTP(TOTP_SECRET).now()
    assert client.post("/admin/settings", data={**lower, "code": right}).status_code == 302
    assert [e.detail for e in _entries(session)][-1] == (
        "two_factor: required-for-all -> required-for-leads-and-admins"
    )


def test_below_the_configuration_is_refused_at_the_field(client, auth, session, admin):
    auth.as_user(admin)
    code = pyotp.TOTP(TOTP_SECRET).now()
    response = client.post("/admin/settings", data={"two_factor": "optional", "code": code})
    assert response.status_code == 400
    assert "The server&#39;s configuration requires at least this" in response.text or (
        "The server's configuration requires at least this" in response.text
    )
    assert _entries(session) == []


def _entries_of(session, action):
    session.expire_all()
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))
