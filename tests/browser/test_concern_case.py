"""Immediate danger, in a real browser: the facilitator raises it from the meeting (a refused
form first), it tops the facilitator's and the lead's home pages, the lead acknowledges from
their home and writes on the timeline. Every page on the way is axe-clean."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from board.db import get_engine
from board.meetings.models import Meeting, MeetingState
from tests.browser.conftest import instrument
from tests.browser.test_accessibility import check_page, sign_in

pytestmark = pytest.mark.browser

HEADING = "A child may be in immediate danger"


def test_immediate_danger_from_the_room_to_the_leads_timeline(browser, live_app, live_server):
    base = live_server.url
    with get_engine(live_app).connect() as connection:
        meeting_id = connection.scalar(
            sa.select(Meeting.id).where(Meeting.state == MeetingState.OPEN)
        )
    contexts = [browser.new_context(), browser.new_context()]
    try:
        _day(base, meeting_id, *(instrument(c.new_page()) for c in contexts))
    finally:
        for context in contexts:
            context.close()


def _day(base, meeting_id, facilitator, lead):
    problems: list[str] = []
    sign_in(facilitator, base, "facilitator.tirana@example.org")
    facilitator.goto(f"{base}/meetings/{meeting_id}")
    facilitator.click("text=Raise a safeguarding concern")
    facilitator.fill("#reason", "A man waits outside for a girl.")
    facilitator.click("#submit")  # no urgency chosen
    assert facilitator.locator("#urgency-error").is_visible()
    assert facilitator.input_value("#reason") == "A man waits outside for a girl."
    problems += check_page(facilitator)
    facilitator.check("input[value=immediate]")
    facilitator.click("#submit")
    facilitator.wait_for_url(f"{base}/meetings/{meeting_id}")
    facilitator.goto(f"{base}/")
    banner = facilitator.locator("section.urgent")
    assert HEADING in banner.inner_text() and banner.locator("a").count() == 0
    problems += check_page(facilitator)

    sign_in(lead, base, "lead.tirana@example.org")
    assert "man waits" not in lead.content()
    problems += check_page(lead)
    lead.click("section.urgent button")  # acknowledge, from the home page
    lead.wait_for_url("**/concerns/*")
    assert "A man waits outside for a girl." in lead.content()
    lead.check("input[value=contacted]")
    lead.fill("#text", "The police, by phone.")
    lead.click("text=Add to the timeline >> nth=-1")
    assert "The police, by phone." in lead.locator("ol.timeline").inner_text()
    problems += check_page(lead)
    lead.goto(f"{base}/")
    assert lead.locator("section.urgent").count() == 0
    facilitator.reload()
    assert facilitator.locator("section.urgent").count() == 0
    assert not problems, "\n".join(problems)
