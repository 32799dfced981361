"""The moderation queue with the keyboard alone."""

from __future__ import annotations

import pytest

from tests.browser.test_accessibility import check_page, sign_in

pytestmark = pytest.mark.browser


def test_redact_and_approve_with_the_keyboard_alone(page, live_server):
    base = live_server.url
    sign_in(page, base, "facilitator.tirana@example.org")
    page.goto(f"{base}/boards/1/moderation")
    first = page.locator("article.queue-item").first
    item_id = first.get_attribute("id")
    assert first.locator("mark").count() >= 1  # personal details highlighted
    # From the first checkbox on, only keys: keep it ticked, type more words, approve.
    first.locator("input[name=remove]").first.focus()
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.name") != "words-happened":
        page.keyboard.press("Tab")
    page.keyboard.type("room")
    while page.evaluate("document.activeElement.value") != "approve":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Approved" in page.inner_text(".flashes")
    assert page.locator(f"#{item_id}").count() == 0
    assert not check_page(page)


def test_approve_all_lists_the_texts_and_confirms_with_the_keyboard(page, live_server):
    base = live_server.url
    sign_in(page, base, "facilitator.tirana@example.org")
    page.goto(f"{base}/boards/1/moderation")
    page.get_by_role("link", name="Approve all items without highlights").click()
    page.wait_for_load_state()
    assert page.url.endswith("/boards/1/moderation/approve-all")
    assert not check_page(page)
    listed = page.locator("ol.approve-list > li").count()
    assert page.locator("input[name=item]").count() == listed
    if listed:
        page.locator("input[name=confirm]").focus()
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert f"Approved: {listed} item" in page.inner_text(".flashes")
