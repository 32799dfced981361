"""The administrator's two small scripts in a real Chromium (issue 18, item 6): the time zone
finder with the country's zones brought to the top, and the invitation link's copy button
that says "Copied" in a live region."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

pytestmark = pytest.mark.browser


def test_find_a_zone_and_copy_an_invitation_link(browser, empty_live_server):
    base = empty_live_server.url
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#email", ADMIN_EMAIL)
    page.fill("#password", ADMIN_PASSWORD)
    page.click("#submit")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/admin/boards/new")
    page.fill("#country", "pl")
    page.dispatch_event("#country", "change")
    assert page.eval_on_selector("#timezone optgroup", "g => g.label") == "PL"
    page.fill("#timezone-finder", "wars")
    assert page.input_value("#timezone") == "Europe/Warsaw"
    shown = page.eval_on_selector_all(
        "#timezone option:not([hidden])", "options => options.map(o => o.value)"
    )
    assert set(shown) == {"", "Europe/Warsaw"}

    page.goto(f"{base}/admin/accounts")
    page.click("text=Nora Admin")
    page.click("button:text-is('Make a new sign-in link')")
    link = page.input_value("#invitation-link")
    assert "/invite/" in link
    page.click("button:text-is('Copy the link')")
    status = page.locator("[data-copy-status='invitation-link']")
    status.wait_for(state="attached")
    expect(status).to_have_text("Copied")
    assert status.get_attribute("aria-live") == "polite"
    assert page.evaluate("navigator.clipboard.readText()") == link
    context.close()
