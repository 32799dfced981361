"""Two-factor sign-in's pages in a real Chromium, in every language staff are offered: the
enrolment, the recovery codes, the second step, one's own page and the administrator's reset
(each checked once, in its refused state where it has one: the page and its messages).
axe-core finds nothing on any of them, and the round trip works as a lead would do it: scan
(here: read the key), confirm, sign out, sign in with a recovery code; the administrator
resets it for the next language."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from board import create_app
from board.auth.models import Role
from board.db import get_engine
from board.i18n import LANGUAGES, STAFF_LANGUAGES
from tests.browser.conftest import LiveServer, instrument
from tests.browser.test_accessibility import check_page, choose_language
from tests.conftest import _config, wipe
from tests.factories import PASSWORD, TOTP_SECRET, Factory

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def two_factor_server(database_url):
    """An administrator enrolled with the known secret and an unenrolled lead, served with
    the shipped setting (required for both)."""
    from sqlalchemy.orm import Session

    app = create_app(
        _config(
            database_url,
            WTF_CSRF_ENABLED=True,
            SERVER_NAME=None,
            TWO_FACTOR="required-for-leads-and-admins",
        )
    )
    engine = get_engine(app)
    with Session(bind=engine, expire_on_commit=False) as session:
        make = Factory(session, app)
        board = make.board()
        admin = make.user(Role.ADMINISTRATOR, email="admin.2fa@example.org")
        make.two_factor(admin)
        lead = make.user(Role.SAFEGUARDING_LEAD, board, email="lead.2fa@example.org")
        session.commit()
        lead_id = lead.id
    with LiveServer(app) as server:
        server.lead_id = lead_id
        yield server
    wipe(engine)
    engine.dispose()


def _password(page, base, email):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#submit")


def test_two_factor_pages_in_every_staff_language(browser, two_factor_server):
    base, problems = two_factor_server.url, []
    lead = instrument(browser.new_context().new_page())
    admin = instrument(browser.new_context().new_page())
    _password(admin, base, "admin.2fa@example.org")
    admin.wait_for_url(f"{base}/login/code")
    admin.fill("#code", pyotp.TOTP(TOTP_SECRET).now())
    admin.click("#submit")
    admin.wait_for_url(f"{base}/")
    reset = f"{base}/admin/accounts/{two_factor_server.lead_id}/two-factor/reset"

    link = None  # after a reset: the link to choose a new password
    for code in STAFF_LANGUAGES:
        name = LANGUAGES[code][0]
        lead.goto(f"{base}/login")
        choose_language(lead, name)
        # The password (after a reset, a new one from the link), then the enrolment the
        # lead must do before anything else.
        if link is None:
            _password(lead, base, "lead.2fa@example.org")
        else:
            lead.goto(link)
            problems += check_page(lead)
            lead.fill("#password", PASSWORD)
            lead.fill("#confirm", PASSWORD)
            lead.click("#submit")
        lead.wait_for_url(f"{base}/account/two-factor/enrol")
        assert lead.locator(".qr-code svg").count() == 1
        secret = lead.inner_text("code.secret").replace(" ", "")
        right = pyotp.TOTP(secret).now()
        lead.fill("#code", "000000" if right != "000000" else "111111")
        lead.click("#submit")
        expect(lead.locator("#code-error")).to_have_count(1)
        problems += check_page(lead)
        lead.fill("#code", right)
        lead.click("#submit")
        recovery = lead.locator(".recovery-codes code")
        expect(recovery).to_have_count(10)
        problems += check_page(lead)
        first = recovery.first.inner_text()
        lead.goto(f"{base}/account/two-factor")
        problems += check_page(lead)
        # Next sign-in: the second step, a wrong code refused, then a recovery code.
        lead.click("form[action='/logout'] button")  # sign out
        _password(lead, base, "lead.2fa@example.org")
        lead.wait_for_url(f"{base}/login/code")
        lead.fill("#code", "12345678")
        lead.click("#submit")
        expect(lead.locator("#code-error")).to_have_count(1)
        problems += check_page(lead)
        lead.fill("#code", first)
        lead.click("#submit")
        lead.wait_for_url(f"{base}/")
        # The administrator resets it (for the next language's enrolment).
        admin.goto(f"{base}/login")
        choose_language(admin, name)
        admin.goto(reset)
        problems += check_page(admin)
        admin.click("button.danger")
        admin.wait_for_url(f"{base}/admin/accounts/{two_factor_server.lead_id}")
        assert admin.locator("a.danger").count() == 0  # nothing left to reset
        link = admin.input_value("#invitation-link")  # shown once, to hand over
        problems += check_page(admin)
    lead.context.close()
    admin.context.close()
    assert not problems, "\n".join(problems)
