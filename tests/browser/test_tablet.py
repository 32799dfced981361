"""A child's way in on a tablet (820×1180), in English and Arabic, checked by axe-core;
the idle warning and reset; the keyboard alone; the room screen at 1920×1080."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from board.db import get_session
from board.meetings.models import Meeting, MeetingState
from tests.browser.conftest import instrument
from tests.browser.test_accessibility import check_page, sign_in

pytestmark = pytest.mark.browser
TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def open_meeting(live_app):
    with live_app.app_context():
        meeting = get_session().scalar(sa.select(Meeting).where(Meeting.state == MeetingState.OPEN))
        return meeting.id, meeting.join_code, meeting.board.idle_seconds


@pytest.fixture
def tablet(browser):
    context = browser.new_context(viewport=TABLET, has_touch=True)
    yield instrument(context.new_page())
    context.close()


@pytest.mark.parametrize(
    ("language", "lang", "direction"), [("English", "en", "ltr"), ("العربية", "ar", "rtl")]
)
def test_a_child_joins_and_finishes(tablet, live_server, open_meeting, language, lang, direction):
    base, (_id, code, _idle) = live_server.url, open_meeting
    problems = []
    tablet.goto(f"{base}/join?code={code}")
    assert tablet.input_value("#code") == code
    problems += check_page(tablet)
    tablet.click("#submit")
    tablet.wait_for_url(f"{base}/join/language")
    problems += check_page(tablet)
    tablet.click(f"button.language-button:text-is('{language}')")
    tablet.wait_for_url(f"{base}/join/welcome")
    assert tablet.get_attribute("html", "lang") == lang
    assert tablet.get_attribute("html", "dir") == direction
    assert tablet.locator(".recipients li").count() >= 1  # the partners are named
    problems += check_page(tablet)
    tablet.click(".start-form button")
    tablet.wait_for_url(f"{base}/meeting")
    problems += check_page(tablet)
    # Both actions are there, the same size (no nudge), and big enough to touch.
    boxes = [b.bounding_box() for b in tablet.locator(".child-action").all()]
    assert len(boxes) == 2 and abs(boxes[0]["height"] - boxes[1]["height"]) < 1
    assert abs(boxes[0]["width"] - boxes[1]["width"]) < 2
    assert all(b["height"] >= 44 and b["width"] >= 44 for b in boxes)
    tablet.locator(".child-action").first.click()
    tablet.wait_for_url(f"{base}/help")
    problems += check_page(tablet)
    tablet.locator(".child-action").last.click()
    tablet.wait_for_url(f"{base}/join?code={code}&done=1")
    assert tablet.input_value("#code") == code
    problems += check_page(tablet)
    tablet.goto(f"{base}/meeting")
    assert tablet.url == f"{base}/join"  # the session is gone
    assert not problems, "\n".join(problems)


def test_a_wrong_code_is_explained_kindly(tablet, live_server):
    tablet.goto(f"{live_server.url}/join")
    tablet.fill("#code", "AAAAAA")
    tablet.click("#submit")
    assert "does not work" in tablet.inner_text("#code-error")
    assert tablet.get_attribute("#code", "aria-invalid") == "true"
    assert not check_page(tablet)


def test_the_keyboard_alone_gets_a_child_in(tablet, live_server, open_meeting):
    base, (_id, code, _idle) = live_server.url, open_meeting
    tablet.goto(f"{base}/join")
    tablet.keyboard.press("Tab")  # skip link
    tablet.keyboard.press("Tab")
    assert tablet.evaluate("document.activeElement.id") == "code"
    tablet.keyboard.type(code)
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{base}/join/language")
    tablet.focus("button.language-button")
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{base}/join/welcome")
    tablet.focus(".start-form button")
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{base}/meeting")


def test_an_idle_tablet_warns_then_starts_over(tablet, live_server, open_meeting):
    base, (_id, code, idle) = live_server.url, open_meeting
    tablet.clock.install()
    tablet.goto(f"{base}/join?code={code}")
    tablet.click("#submit")
    tablet.click("button.language-button >> nth=0")
    tablet.click(".start-form button")
    tablet.wait_for_url(f"{base}/meeting")
    warning = tablet.locator("#idle-warning")
    assert warning.is_hidden()
    tablet.clock.run_for((idle - 29) * 1000)
    assert warning.is_visible()
    assert tablet.evaluate("document.activeElement.id") == "idle-continue"
    assert not check_page(tablet)
    tablet.click("#idle-continue")  # WCAG 2.2.1: a way to extend
    assert warning.is_hidden()
    tablet.clock.run_for((idle - 29) * 1000)
    assert warning.is_visible()
    tablet.clock.run_for(40 * 1000)
    tablet.wait_for_url(f"{base}/join?code={code}&done=1")


def test_the_room_screen_shows_the_code_across_the_room(browser, live_server, open_meeting):
    meeting_id, code, _idle = open_meeting
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = instrument(context.new_page())
    sign_in(page, live_server.url, "facilitator.tirana@example.org")
    page.goto(f"{live_server.url}/meetings/{meeting_id}/room")
    shown = page.inner_text(".room-code").replace(" ", "").replace("\u202f", "")
    assert shown == code
    code_box = page.locator(".room-code").bounding_box()
    assert code_box["height"] >= 100  # readable from the back of a room
    qr = page.locator(".room-qr").bounding_box()
    assert qr["width"] >= 300
    assert page.evaluate("document.querySelector('.room-qr').naturalWidth") > 0
    assert not check_page(page)
    context.close()


def _join(tablet, base, code, language):
    tablet.goto(f"{base}/join?code={code}")
    tablet.click("#submit")
    tablet.click(f"button.language-button:text-is('{language}')")
    tablet.click(".start-form button")
    tablet.wait_for_url(f"{base}/meeting")


@pytest.mark.parametrize("language", ["English", "العربية"])
def test_a_child_gives_feedback_proposes_votes_and_takes_back(
    tablet, live_server, open_meeting, language
):
    base, (_id, code, _idle) = live_server.url, open_meeting
    problems = []
    _join(tablet, base, code, language)
    problems += check_page(tablet)
    tablet.click(".menu-item >> nth=0")
    tablet.wait_for_url(f"{base}/meeting/services")
    problems += check_page(tablet)
    tablet.click(".tile-link >> nth=0")
    problems += check_page(tablet)
    faces = [f.bounding_box() for f in tablet.locator(".face").all()]
    assert len(faces) == 5 and len({round(f["width"]) for f in faces}) == 1  # all the same
    assert all(f["height"] >= 44 for f in faces)
    assert tablet.locator(".face input:checked").count() == 0
    tablet.click(".face >> nth=3")
    tablet.fill("#happened", "The doctor was kind.")
    assert "20" in tablet.inner_text("#happened-count")  # the counter follows the typing
    tablet.click("#submit")
    tablet.wait_for_url(f"{base}/meeting/thanks")
    problems += check_page(tablet)
    tablet.goto(f"{base}/meeting/propose")
    problems += check_page(tablet)
    tablet.fill("#title", "A room for homework")
    tablet.click("#submit")
    tablet.wait_for_url(f"{base}/meeting/thanks")
    tablet.goto(f"{base}/meeting/mine")
    problems += check_page(tablet)
    assert tablet.locator(".given > li").count() == 2
    tablet.click(".given > li >> nth=0 >> button")
    assert tablet.locator(".given > li").count() == 1
    tablet.goto(f"{base}/meeting/vote")
    problems += check_page(tablet)
    plus = tablet.locator("button[data-dots-step='1']")
    for _ in range(5):  # more presses than dots: the extra ones do nothing
        plus.first.click()
    assert tablet.inner_text("[data-dots-left]") == "0"
    tablet.click(".vote-form > button.primary")
    tablet.wait_for_url(f"{base}/meeting/vote")
    assert tablet.locator(".calm").count() == 1  # "your vote is counted"
    problems += check_page(tablet)
    tablet.goto(f"{base}/meeting/outcomes")
    problems += check_page(tablet)
    assert tablet.locator(".outcome").count() >= 1
    assert not problems, "\n".join(problems)


def test_feedback_with_the_keyboard_alone(tablet, live_server, open_meeting):
    base, (_id, code, _idle) = live_server.url, open_meeting
    _join(tablet, base, code, "English")
    tablet.goto(f"{base}/meeting/services")
    tablet.focus(".tile-link")
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{base}/meeting/services/*")
    tablet.focus(".face input >> nth=0")
    tablet.keyboard.press("ArrowRight")  # radio group: arrows move the choice
    tablet.keyboard.press("ArrowRight")
    assert tablet.locator(".face input:checked").get_attribute("value") == "3"
    tablet.keyboard.press("Tab")
    tablet.keyboard.type("Fine.")
    tablet.focus("#submit")
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{base}/meeting/thanks")


def test_child_pages_at_200_percent_zoom(browser, live_server, open_meeting):
    """An 820 px tablet at 200 % zoom is a 410 px viewport: nothing scrolls sideways."""
    base, (_id, code, _idle) = live_server.url, open_meeting
    context = browser.new_context(viewport={"width": 410, "height": 590}, device_scale_factor=2)
    page = instrument(context.new_page())
    _join(page, base, code, "English")
    for path in [
        "/meeting",
        "/meeting/services",
        "/meeting/propose",
        "/meeting/vote",
        "/meeting/outcomes",
        "/meeting/mine",
        "/help",
    ]:
        page.goto(base + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    page.goto(f"{base}/meeting/services")
    page.click(".tile-link >> nth=0")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"feedback form scrolls sideways by {overflow}px"
    context.close()
