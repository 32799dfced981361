"""Administration: organisations, boards, services, accounts, roles and the audit log."""

from __future__ import annotations

import sqlalchemy as sa

from board.audit.models import AuditEntry
from board.auth.models import Invitation, Role, RoleAssignment, User
from board.boards.models import Board, Organisation, Service
from tests.factories import once_token


def _admin(make, auth):
    admin = make.user(Role.ADMINISTRATOR, name="Admin")
    make.commit()
    auth.as_user(admin)
    return admin


def _board_form(org_id, **overrides):
    data = {
        "name": "Skopje children's board",
        "city": "Skopje",
        "country": "mk",
        "timezone": "Europe/Skopje",
        "languages": ["en", "sq"],
        "helpline": "116 111",
        "threshold_k": "5",
        "idle_seconds": "180",
        "offline_grace_minutes": "60",
        "retention_months": "24",
        "safeguarding_retention_months": "72",
        "organisation_id": str(org_id),
        "partner_ids": [],
    }
    data.update(overrides)
    return data


def test_create_an_organisation_and_a_board_with_partners(client, make, auth, session):
    _admin(make, auth)
    response = client.post(
        "/admin/organisations/new", data={"name": "Skopje NGO", "kind": "ngo", "country": "mk"}
    )
    assert response.status_code == 302
    client.post(
        "/admin/organisations/new",
        data={"name": "City of Skopje", "kind": "public_authority", "country": "MK"},
    )
    ngo, city = session.scalars(
        sa.select(Organisation)
        .where(Organisation.name.in_(["Skopje NGO", "City of Skopje"]))
        .order_by(Organisation.id)
    ).all()
    assert ngo.country == "MK"
    response = client.post(
        "/admin/boards/new",
        data=_board_form(ngo.id, partner_ids=[str(city.id)], service_months="3"),
    )
    assert response.status_code == 302
    board = session.scalar(sa.select(Board))
    assert board.country == "MK" and board.language_codes == ["en", "sq"]
    assert [p.name for p in board.partners] == ["City of Skopje"]
    assert board.threshold_k == 5 and board.service_months == 3  # service rows each quarter
    page = client.get(f"/boards/{board.id}").get_data(as_text=True)
    assert "City of Skopje" in page and "116 111" in page


def test_bad_board_input_keeps_what_was_typed(client, make, auth, session):
    _admin(make, auth)
    org = make.organisation()
    make.commit()
    response = client.post(
        "/admin/boards/new",
        data=_board_form(
            org.id, threshold_k="2", timezone="Europe/Nowhere", city="Kept city", service_months="2"
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Kept city"' in page
    assert "Number must be between 3 and 100." in page and "Not a valid choice." in page
    assert session.scalar(sa.select(sa.func.count()).select_from(Board)) == 0
    response = client.post("/admin/boards/new", data=_board_form(org.id, timezone="Europe/Nowhere"))
    assert response.status_code == 400
    assert "not a known time zone" in response.get_data(as_text=True)
    response = client.post("/admin/boards/new", data=_board_form(org.id, languages=["xx"]))
    assert response.status_code == 400
    response = client.post("/admin/boards/new", data=_board_form("999"))
    assert response.status_code == 400


def test_duplicate_names_are_refused_next_to_the_field(client, make, auth):
    _admin(make, auth)
    make.organisation(name="Taken")
    make.commit()
    response = client.post("/admin/organisations/new", data={"name": "Taken", "kind": "ngo"})
    assert response.status_code == 400
    assert "exists already" in response.get_data(as_text=True)


def test_services_of_a_board(client, make, auth, session):
    _admin(make, auth)
    board = make.board()
    make.commit()
    response = client.post(
        f"/admin/boards/{board.id}/services/new",
        data={"name": "Clinic", "category": "health", "active": "y"},
    )
    assert response.status_code == 302
    service = session.scalar(sa.select(Service))
    assert service.board_id == board.id and service.active
    response = client.post(
        f"/admin/services/{service.id}", data={"name": "Clinic", "category": "legal_aid"}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Service, service.id).category.value == "legal_aid"
    assert not session.get(Service, service.id).active
    bad = client.post(f"/admin/services/{service.id}", data={"name": "Clinic", "category": "spa"})
    assert bad.status_code == 400
    assert client.get("/admin/services/9999").status_code == 404
    assert client.get("/admin/boards/9999/services/new").status_code == 404


def test_invite_a_facilitator_who_accepts(client, make, auth, session, app):
    _admin(make, auth)
    org = make.organisation()
    board = make.board()
    make.commit()
    response = client.post(
        "/admin/accounts/new",
        data={
            "name": "Fatima",
            "email": "Fatima@Example.org",
            "organisation_id": org.id,
            "locale": "ar",
            "role": "facilitator",
            "board_id": board.id,
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "/invite/" in page
    link = page.split('id="invitation-link" class="copy" type="text" readonly value="')[1].split(
        '"'
    )[0]
    # The link is shown once.
    assert "/invite/" not in client.get(response.headers["Location"]).get_data(as_text=True)
    auth.logout()
    path = link.split("localhost", 1)[1]
    response = client.post(
        path, data={"password": "a long new passphrase", "confirm": "a long new passphrase"}
    )
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert 'lang="ar"' in home and 'dir="rtl"' in home  # the account's language
    user = session.scalar(sa.select(User).where(User.email == "fatima@example.org"))
    assert user.board_ids(Role.FACILITATOR) == {board.id}


def test_invite_refuses_a_per_board_role_without_a_board(client, make, auth, session):
    _admin(make, auth)
    org = make.organisation()
    make.commit()
    response = client.post(
        "/admin/accounts/new",
        data={
            "name": "X",
            "email": "x@example.org",
            "organisation_id": org.id,
            "locale": "en",
            "role": "safeguarding_lead",
            "board_id": 0,
        },
    )
    assert response.status_code == 400
    assert "Choose the board" in response.get_data(as_text=True)
    assert session.scalar(sa.select(User).where(User.email == "x@example.org")) is None
    response = client.post(
        "/admin/accounts/new",
        data={
            "name": "X",
            "email": "not an email",
            "organisation_id": org.id,
            "locale": "en",
            "role": "partner",
            "board_id": 0,
        },
    )
    assert response.status_code == 400


def test_roles_added_and_removed(client, make, auth, session):
    admin = _admin(make, auth)
    board = make.board()
    user = make.user()
    make.commit()
    client.post(
        f"/admin/accounts/{user.id}/roles", data={"role": "facilitator", "board_id": board.id}
    )
    client.post(
        f"/admin/accounts/{user.id}/roles", data={"role": "facilitator", "board_id": board.id}
    )
    assignments = session.scalars(
        sa.select(RoleAssignment).where(RoleAssignment.user_id == user.id)
    ).all()
    assert len(assignments) == 1  # no duplicate
    client.post(f"/admin/roles/{assignments[0].id}/remove")
    assert (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(RoleAssignment)
            .where(RoleAssignment.user_id == user.id)
        )
        == 0
    )
    response = client.post(f"/admin/roles/{admin.roles[0].id}/remove", follow_redirects=True)
    assert "at least one administrator" in response.get_data(as_text=True)


def test_no_role_is_chosen_in_advance(client, make, auth, session):
    """Attack: the role selector showed "Network administrator" first, so one click on
    "Create" made anyone an administrator. Now nobody gets a role nobody chose."""
    _admin(make, auth)
    org = make.organisation()
    user = make.user(name="Ana")
    make.commit()
    for path in ("/admin/accounts/new", f"/admin/accounts/{user.id}"):
        page = client.get(path).get_data(as_text=True)
        select = page.split('name="role"', 1)[1].split("</select>", 1)[0]
        first = select.split("<option", 2)[1]
        assert 'value=""' in first and "Choose a role" in first
        assert "selected" not in select.split('value="administrator"', 1)[1].split(">", 1)[0]
    invite = {"name": "X", "email": "x@example.org", "organisation_id": org.id, "locale": "en"}
    response = client.post("/admin/accounts/new", data={**invite, "board_id": 0})
    assert response.status_code == 400 and "Choose a role." in response.get_data(as_text=True)
    assert session.scalar(sa.select(User).where(User.email == "x@example.org")) is None
    response = client.post(f"/admin/accounts/{user.id}/roles", data={"role": "", "board_id": 0})
    assert response.status_code == 400 and "Choose a role." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, user.id).roles == []


def _admin_grants(session) -> list[tuple[int | None, str]]:
    return session.execute(
        sa.select(AuditEntry.target_id, AuditEntry.detail).where(
            AuditEntry.action == "role.assign", AuditEntry.detail == "administrator"
        )
    ).all()


def test_making_an_administrator_asks_first_and_is_audited(client, make, auth, session):
    admin = _admin(make, auth)
    org = make.organisation()
    user = make.user(name="Ana")
    make.commit()
    invite = {
        "name": "Bea",
        "email": "bea@example.org",
        "organisation_id": org.id,
        "locale": "en",
        "role": "administrator",
        "board_id": 0,
    }
    question = client.post("/admin/accounts/new", data=invite)
    text = question.get_data(as_text=True)
    assert question.status_code == 200
    assert "Make this person a network administrator?" in text and "Bea" in text
    assert "give any role" in text and "audit log" in text
    assert 'name="confirm_admin" value="' in text and 'value="bea@example.org"' in text
    assert session.scalar(sa.select(User).where(User.email == "bea@example.org")) is None
    # An answer made up (or out of date) asks again; the real one, once.
    forged = client.post("/admin/accounts/new", data={**invite, "confirm_admin": "yes"})
    assert forged.status_code == 400 and "This confirmation is out of date." in forged.text
    answer = {**invite, "confirm_admin": once_token(text)}
    assert client.post("/admin/accounts/new", data=answer).status_code == 302
    bea = session.scalar(sa.select(User).where(User.email == "bea@example.org"))
    assert bea.is_admin
    again = client.post("/admin/accounts/new", data=answer)
    assert again.status_code == 409 and "nothing was done again" in again.text
    # A yes given for one address is no yes for another: asked again for the new one.
    asked = client.post("/admin/accounts/new", data={**invite, "email": "dan@example.org"})
    other = {**invite, "email": "eve@example.org", "confirm_admin": once_token(asked.text)}
    swapped = client.post("/admin/accounts/new", data=other)
    assert swapped.status_code == 400 and "This changed since the question" in swapped.text
    assert session.scalar(sa.select(User).where(User.email == "eve@example.org")) is None
    # The same address written differently is the same address.
    question = client.post("/admin/accounts/new", data={**invite, "email": "eve@example.org"})
    shouted = {**invite, "email": "Eve@Example.org", "confirm_admin": once_token(question.text)}
    assert client.post("/admin/accounts/new", data=shouted).status_code == 302
    eve = session.scalar(sa.select(User).where(User.email == "eve@example.org"))

    question = client.post(
        f"/admin/accounts/{user.id}/roles", data={"role": "administrator", "board_id": 0}
    )
    assert question.status_code == 200 and "Ana" in question.get_data(as_text=True)
    session.expire_all()
    assert not session.get(User, user.id).is_admin
    answer = client.post(
        f"/admin/accounts/{user.id}/roles",
        data={"role": "administrator", "board_id": 0, "confirm_admin": once_token(question.text)},
    )
    assert answer.status_code == 302
    session.expire_all()
    assert session.get(User, user.id).is_admin
    assert sorted(_admin_grants(session)) == sorted(
        [(bea.id, "administrator"), (eve.id, "administrator"), (user.id, "administrator")]
    )
    actors = session.scalars(
        sa.select(AuditEntry.actor_id).where(AuditEntry.detail == "administrator")
    ).all()
    assert set(actors) == {admin.id}
    # Other roles need no second question.
    response = client.post(
        f"/admin/accounts/{user.id}/roles", data={"role": "partner", "board_id": 0}
    )
    assert response.status_code == 302


def test_deactivate_and_reactivate(client, make, auth, session):
    admin = _admin(make, auth)
    user = make.user()
    make.commit()
    client.post(f"/admin/accounts/{user.id}/active", data={"active": "0"})
    session.expire_all()
    assert not session.get(User, user.id).active
    response = client.post(
        f"/admin/accounts/{admin.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert response.status_code == 409  # the network's only administrator
    assert "at least one administrator" in response.get_data(as_text=True)
    client.post(f"/admin/accounts/{user.id}/active", data={"active": "1"})
    session.expire_all()
    assert session.get(User, user.id).active


def test_new_sign_in_link(client, make, auth, session):
    _admin(make, auth)
    user = make.user()
    make.commit()
    response = client.post(f"/admin/accounts/{user.id}/invitation", follow_redirects=True)
    assert "/invite/" in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 1


def test_audit_log_records_and_filters_administrative_actions(client, make, auth, session):
    admin = _admin(make, auth)
    client.post("/admin/organisations/new", data={"name": "Logged NGO", "kind": "ngo"})
    org = session.scalar(sa.select(Organisation).where(Organisation.name == "Logged NGO"))
    client.post("/admin/boards/new", data=_board_form(org.id))
    entries = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["organisation.create", "board.create"]
    assert all(e.actor_id == admin.id for e in entries)
    page = client.get("/admin/audit?action=board.create").get_data(as_text=True)
    rows = page.split("<tbody>")[1]
    assert "Added a board" in rows and "Added an organisation" not in rows
    assert client.get("/admin/audit?board=abc&actor=-3").status_code == 400
    assert client.get("/admin/audit?page=zero").status_code == 200


def test_unknown_ids_are_404(client, make, auth):
    _admin(make, auth)
    for path in [
        "/admin/boards/999",
        "/admin/organisations/999",
        "/admin/accounts/999",
        "/boards/999",
    ]:
        assert client.get(path).status_code == 404
    assert client.post("/admin/roles/999/remove").status_code == 404
