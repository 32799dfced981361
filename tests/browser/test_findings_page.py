"""Findings on the draft page, in Chromium (the page has no script: plain form posts): a
facilitator writes a finding, ticks the figures and the children's words it rests on, and a
finding with ticks and no words comes back refused with everything typed still there; the
pages pass axe. The preview shows the finding with what it rests on beside it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from board.boards.models import Board
from board.db import get_session
from board.summaries.models import Summary, SummaryState
from tests.browser.test_accessibility import check_page, sign_in

pytestmark = pytest.mark.browser

FINDING = "Children say the drop-in centre closes before school ends."


@pytest.fixture
def draft(live_app):
    """Tirana's newest summary, made a draft again (the demo publishes every month)."""
    with live_app.app_context():
        session = get_session()
        board = session.scalar(sa.select(Board).where(Board.city == "Tirana"))
        summary = session.scalars(
            sa.select(Summary).where(Summary.board_id == board.id).order_by(Summary.month.desc())
        ).first()
        summary.state, summary.published_at = SummaryState.DRAFT, None
        summary.recipients = []
        summary.figures = []
        session.commit()
        return summary.id


def test_a_facilitator_writes_a_finding(page, live_server, draft):
    sign_in(page, live_server.url, "facilitator.tirana@example.org")
    page.goto(f"{live_server.url}/summaries/{draft}/edit")
    assert not check_page(page)
    saved = page.get_by_label("Finding 1").input_value()  # the demo's own finding
    assert saved
    slot = page.locator(".finding-slot").nth(2)  # the first empty one
    slot.get_by_label("Finding 3").fill("")
    figures = slot.get_by_role("group", name="Figures it rests on")
    figures.get_by_label("All services").check()
    page.get_by_label("Recommendations, one per line").fill("Open after school")
    page.get_by_role("button", name="Save the draft").click()
    # Refused at its slot, nothing typed lost.
    assert "Write the finding in words, or clear its boxes." in slot.inner_text()
    assert page.get_by_label("Recommendations, one per line").input_value() == ("Open after school")
    assert figures.get_by_label("All services").is_checked()
    assert page.get_by_label("Finding 1").input_value() == saved
    assert not check_page(page)
    slot.get_by_label("Finding 3").fill(FINDING)
    words = slot.get_by_role("group", name="Children's words it rests on")
    words.get_by_role("checkbox").first.check()
    quoted = words.locator("label").first.inner_text()
    page.get_by_role("button", name="Save the draft").click()
    assert page.url.endswith(f"/summaries/{draft}")
    item = page.locator("article.summary-item").filter(has_text=FINDING)
    shown = item.inner_text()
    assert re.search(r"All services: \d+ ratings", shown) and quoted in shown
    assert not check_page(page)
