"""Administration that prevents mistakes (issue 18, item 6): a time zone chosen from the IANA
list (the board's country first), invitations that expire listed and sent again, a copy
button for links, and the network never left without an administrator."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
import time_machine

from board.audit.models import AuditEntry
from board.auth.models import Invitation, Role, User
from board.boards.models import Board
from board.boards.zones import country_zones, zone_choices
from tests.conftest import FIXED_NOW
from tests.test_admin import _admin, _board_form


def _options(page: str) -> list[tuple[str, str]]:
    """(optgroup label, zone) in the order the time zone select offers them."""
    select = page[page.index('<select aria-describedby="timezone-hint') :]
    select = select[: select.index("</select>")]
    found, group = [], ""
    for match in re.finditer(r'<optgroup label="([^"]*)">|<option[^>]*value="([^"]*)"', select):
        if match.group(1) is not None:
            group = match.group(1)
        else:
            found.append((group, match.group(2)))
    return found


def test_zones_of_a_country_come_from_tzdata(app):
    assert country_zones()["AL"] == ("Europe/Tirane",)
    assert country_zones()["MK"] == ("Europe/Skopje",)
    assert country_zones()["XK"] == ("Europe/Belgrade",)  # Kosovo, not in ISO 3166
    assert "America/New_York" in country_zones()["US"]
    with app.test_request_context():
        groups = zone_choices("pl")
    assert list(groups)[:3] == [None, "Poland", "Europe"]
    assert [zone for zone, *_ in groups["Poland"]] == ["Europe/Warsaw"]


def test_the_boards_country_zones_come_first(client, make, auth):
    _admin(make, auth)
    board = make.board(country="BG", timezone="Europe/Sofia")
    make.commit()
    options = _options(client.get(f"/admin/boards/{board.id}").get_data(as_text=True))
    assert options[0] == ("", "")  # "Choose a time zone", outside every group
    assert options[1] == ("Bulgaria", "Europe/Sofia")
    assert options[2][0] == "Europe"
    assert ("Asia", "Asia/Tokyo") in options and ("UTC", "UTC") in options
    assert not [zone for _group, zone in options if zone.startswith(("Etc/", "US/"))]
    page = client.get(f"/admin/boards/{board.id}").get_data(as_text=True)
    assert re.search(r'<option data-countries="BG" selected value="Europe/Sofia">', page)
    assert "data-zone-finder hidden" in page and "js/zones." in page  # the finder needs JS


def test_a_new_board_chooses_its_zone_from_the_list(client, make, auth, session):
    _admin(make, auth)
    org = make.organisation()
    make.commit()
    page = client.get("/admin/boards/new").get_data(as_text=True)
    assert '<option selected value="">' in page  # nothing chosen for the administrator
    response = client.post("/admin/boards/new", data=_board_form(org.id, timezone="Europe/Skopje"))
    assert response.status_code == 302
    assert session.scalar(sa.select(Board.timezone)) == "Europe/Skopje"


def test_an_unknown_or_missing_zone_is_refused_at_the_field(client, make, auth, session):
    _admin(make, auth)
    org = make.organisation()
    make.commit()
    typed = _board_form(org.id, timezone="Europe/Nowhere", city="Kept city", country="mk")
    response = client.post("/admin/boards/new", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    error = page[page.index('id="timezone-error"') :]
    assert error.split("</p>")[0].endswith("This is not a known time zone, such as Europe/Tirane. ")
    assert ("As given", "Europe/Nowhere") in _options(page)  # kept as it was sent
    assert 'selected value="Europe/Nowhere"' in page and 'value="Kept city"' in page
    assert _options(page)[2] == ("North Macedonia", "Europe/Skopje")
    response = client.post("/admin/boards/new", data=_board_form(org.id, timezone=""))
    assert response.status_code == 400
    assert "Choose a time zone." in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(Board)) == 0


def test_the_last_administrator_is_never_deactivated_or_demoted(client, make, auth, session):
    admin = _admin(make, auth)
    # An administrator still invited (no password) cannot sign in: they do not count.
    invited = make.user(Role.ADMINISTRATOR, name="Invited admin", password=False)
    make.commit()
    for url, data in [
        (f"/admin/accounts/{admin.id}/active", {"active": "0"}),
        (f"/admin/roles/{admin.roles[0].id}/remove", {}),
    ]:
        response = client.post(url, data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 409
        assert "needs at least one administrator who can sign in" in page
        assert 'role="alert"' in page and "Admin" in page
    session.expire_all()
    assert session.get(User, admin.id).active and session.get(User, admin.id).is_admin
    # The invited one may go: the network keeps the administrator who signs in.
    assert (
        client.post(f"/admin/accounts/{invited.id}/active", data={"active": "0"}).status_code == 302
    )
    # With a second administrator who signs in, the first may still not deactivate
    # themselves (someone else does that).
    second = make.user(Role.ADMINISTRATOR, name="Second admin")
    make.commit()
    response = client.post(f"/admin/accounts/{admin.id}/active", data={"active": "0"})
    assert response.status_code == 409
    assert "cannot deactivate your own account" in response.get_data(as_text=True)
    assert (
        client.post(f"/admin/accounts/{second.id}/active", data={"active": "0"}).status_code == 302
    )
    response = client.post(f"/admin/roles/{admin.roles[0].id}/remove")
    assert response.status_code == 409  # the second one is deactivated now
    assert not [e for e in session.scalars(sa.select(AuditEntry.action)) if e == "role.remove"]


def test_expired_invitations_are_listed_and_sent_again(client, make, auth, session, app):
    from board.auth import services as accounts

    admin = _admin(make, auth)
    org = make.organisation()
    _late, old_token = accounts.invite_user(
        session, admin, email="late@example.org", name="Late Person", organisation=org
    )
    _soon, _ = accounts.invite_user(
        session, admin, email="soon@example.org", name="Soon Person", organisation=org
    )
    make.commit()
    page = client.get("/admin/invitations").get_data(as_text=True)
    assert "No expired invitation." in page and "Late Person" in page
    with time_machine.travel(FIXED_NOW + timedelta(hours=73)):
        auth.as_user(admin)  # a staff sign-in does not last three days
        page = client.get("/admin/invitations").get_data(as_text=True)
        expired = page[page.index("<caption>Expired") : page.index("<caption>Waiting")]
        assert "Late Person" in expired and "Soon Person" in expired
        assert "/admin/accounts/" in expired and "Send again" in expired
        response = client.post(f"/admin/accounts/{_late.id}/invitation", follow_redirects=True)
        page = response.get_data(as_text=True)
        new_link = re.search(r'value="(http://localhost/invite/[^"]+)"', page).group(1)
        assert 'data-copy="invitation-link"' in page and 'aria-live="polite"' in page
        assert "js/copy." in page
        listed = client.get("/admin/invitations").get_data(as_text=True)
        waiting = listed[listed.index("<caption>Waiting") :]
        assert "Late Person" in waiting and "Soon Person" not in waiting
        # The old link is dead, the new one works.
        assert "expired" in client.get(f"/invite/{old_token}").get_data(as_text=True)
        assert client.get(new_link).status_code == 200
    (resent,) = session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "account.new_invitation")
    )
    assert resent.actor_id == admin.id and resent.target_id == _late.id
    assert (
        session.scalar(
            sa.select(sa.func.count()).select_from(Invitation).where(Invitation.user_id == _late.id)
        )
        == 2
    )


def test_an_accepted_invitation_is_not_listed(client, make, auth, session):
    from board.auth import services as accounts

    admin = _admin(make, auth)
    _user, token = accounts.invite_user(
        session,
        admin,
        email="done@example.org",
        name="Done Person",
        organisation=admin.organisation,
    )
    accounts.accept_invitation(session, token, "a long enough passphrase 42")
    make.commit()
    response = client.get("/admin/invitations")
    assert response.status_code == 200 and "Done Person" not in response.get_data(as_text=True)


def test_a_boards_last_safeguarding_lead_is_never_deactivated_or_removed(
    client, make, auth, session, caplog
):
    """Its concerns would reach no one who handles them. With a second lead, either may go.
    A board that has none anyway (an old network) sends its concerns to the administrators,
    and the facilitator is told so."""
    import logging

    from board.moderation import services as moderation

    admin = _admin(make, auth)
    board = make.board(name="Tirana")
    lead = make.user(Role.SAFEGUARDING_LEAD, board, name="Only lead")
    facilitator = make.user(Role.FACILITATOR, board)
    meeting = make.meeting(board)
    make.commit()
    [assignment] = lead.roles
    for url, data in [
        (f"/admin/accounts/{lead.id}/active", {"active": "0"}),
        (f"/admin/roles/{assignment.id}/remove", {}),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 409
        assert "Tirana would have no safeguarding lead" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, lead.id).active and session.get(User, lead.id).board_ids(
        Role.SAFEGUARDING_LEAD
    ) == {board.id}
    second = make.user(Role.SAFEGUARDING_LEAD, board, name="Second lead")
    make.commit()
    assert client.post(f"/admin/roles/{assignment.id}/remove").status_code == 302
    # A board left without a lead by other means: the administrators are alerted instead.
    session.delete(second.roles[0])
    session.commit()
    caplog.set_level(logging.INFO, logger="board.mail")
    with make.app.app_context():
        moderation.raise_concern_in_room(
            session, facilitator, meeting, "He is scared to go home.", urgency="week"
        )
    session.commit()
    told = [r.getMessage() for r in caplog.records if "Safeguarding concern on" in r.getMessage()]
    assert [admin.email in m for m in told] == [True]
    auth.as_user(facilitator)
    home = client.get("/").get_data(as_text=True)
    assert "This board has no safeguarding lead: the network" in home
