"""The network's settings page: an administrator chooses who must use two-factor sign-in;
the choice takes over from the configuration, is audited and told to every administrator."""

from __future__ import annotations

import logging
import re

import pytest
import sqlalchemy as sa

from board.admin.settings import NetworkSetting
from board.audit.models import AuditEntry
from tests.factories import PASSWORD

ENROL = "/account/two-factor/enrol"


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


def test_the_choice_overrides_the_configuration(make_app, session, world):
    session.add(NetworkSetting(name="two_factor", value="required-for-all"))
    session.commit()
    assert _sent_to_enrol(make_app(TWO_FACTOR="optional"), world.partner)
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
    counts = re.findall(r'id="two_factor-\d-count">(\d+) active', page)
    everyone = sum(1 for u in world.people.values() if u.active and not u.has_two_factor)
    assert counts == ["1", str(everyone), "0"]  # the lead; everyone not enrolled; no one
