"""The missing-wordings pages in a real Chromium (issue 17, item 2): the board's page with
something missing, the facilitator's page for a service's names with a refused name, and the
warning on a scheduled meeting's page, each with zero axe-core violations in English,
Albanian and Arabic; and an Arabic name typed into the Albanian page keeps its own direction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from board.boards.models import Board
from board.db import get_session
from board.meetings.models import Meeting, MeetingState
from tests.browser.test_accessibility import ACCOUNTS, check_page, choose_language, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def gap(live_server):
    """Tirana's first service loses its Arabic name: the board's page lists it, and the
    board's next scheduled meeting (the service on its agenda) warns."""
    with live_server.app.app_context():
        session = get_session()
        board = session.scalar(sa.select(Board).where(Board.city == "Tirana"))
        meeting = session.scalar(
            sa.select(Meeting)
            .where(Meeting.board_id == board.id, Meeting.state == MeetingState.SCHEDULED)
            .order_by(Meeting.starts_at)
        )
        service = meeting.services[0]
        service.names = {k: v for k, v in service.names.items() if k != "ar"}
        session.commit()
        return {"board": board.id, "meeting": meeting.id, "service": service.id}


@pytest.mark.parametrize("code", ["en", "sq", "ar"])
def test_the_wordings_pages_are_accessible(page, live_server, gap, code):
    base = live_server.url
    sign_in(page, base, ACCOUNTS["facilitator"])
    names = {"en": "English", "sq": "Shqip", "ar": "العربية"}
    choose_language(page, names[code])
    problems = []

    page.goto(f"{base}/boards/{gap['board']}/wordings")
    assert page.locator(f'#language-ar ~ table a[href="/services/{gap["service"]}/names"]').count()
    problems += check_page(page)

    page.goto(f"{base}/meetings/{gap['meeting']}")
    assert page.locator("#missing-wordings li").count() >= 1
    problems += check_page(page)

    page.goto(f"{base}/services/{gap['service']}/names")
    page.fill("#name_ar", "العيادة")
    page.fill("#name_sq", "x" * 201)  # the browser's maxlength stops at 200...
    page.evaluate("document.querySelector('#name_sq').removeAttribute('maxlength')")
    page.fill("#name_sq", "x" * 201)  # ...a page without it is refused by the server
    page.locator("form.form button[type=submit], form.form input[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#name_sq-error").count() == 1
    assert page.input_value("#name_ar") == "العيادة"
    # Arabic typed on an Albanian page runs right to left in its own field.
    direction = page.evaluate("getComputedStyle(document.querySelector('#name_ar')).direction")
    assert direction == "rtl"
    problems += check_page(page)
    assert not problems, "\n".join(problems)
