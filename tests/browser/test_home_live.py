"""The facilitator's home page on a meeting day: a child's call for an adult appears by
itself, without a reload, and the page stays axe-clean as it changes (board.home)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from board.db import get_session
from board.meetings import services as meetings
from board.meetings.models import Meeting, MeetingState
from tests.browser.test_accessibility import check_page, sign_in

pytestmark = pytest.mark.browser


def test_a_help_call_arrives_on_the_home_page_without_a_reload(page, live_server):
    app, base = live_server.app, live_server.url
    app.config["HOME_REFRESH_SECONDS"] = 1  # the page's own interval is 15 s
    try:
        sign_in(page, base, "facilitator.tirana@example.org")
        today = page.locator("#today")
        assert "Open now" in today.inner_text()
        assert "No call right now." in today.inner_text()
        page.evaluate("window.notReloaded = true")
        with app.app_context():
            session = get_session()
            meeting = session.scalars(
                sa.select(Meeting).where(Meeting.state == MeetingState.OPEN)
            ).first()
            assert meeting is not None and meeting.board.city == "Tirana"
            meetings.call_for_help(session, meeting)  # what the tablet's button does
            session.commit()
        call = today.locator(".help-call")
        call.wait_for(timeout=10_000)
        assert "A child asked for an adult just now" in call.inner_text()
        assert page.evaluate("window.notReloaded") is True
        assert page.inner_text("#today-news") == "A child wants to talk to an adult."
        assert not check_page(page)
        # The button in the fresh part works as the control screen's, and comes back home.
        call.get_by_role("button", name="Done: I went to them").click()
        page.wait_for_url(f"{base}/")
        assert "No call right now." in page.locator("#today").inner_text()
    finally:
        app.config.pop("HOME_REFRESH_SECONDS", None)
