"""A child's way in on a tablet (820×1180), in English and Arabic, checked by axe-core;
the idle warning and reset; the keyboard alone; the room screen at 1920×1080."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from board.db import get_session
from board.i18n import LANGUAGES, html_lang
from board.meetings.models import Meeting, MeetingState
from tests.browser.conftest import instrument, let_tablet_in
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


@pytest.mark.parametrize("width", [320, 390, 820])
def test_the_join_page_offers_a_language_before_the_code(browser, live_server, open_meeting, width):
    """An English tablet: the row of languages comes before the code, each one big enough to
    touch and named in itself, with nothing scrolling sideways; a tap on Arabic turns the
    page, and the rest of the way in, to Arabic; a code typed in lower case with a space
    goes in."""
    base, (_id, code, _idle) = live_server.url, open_meeting
    context = browser.new_context(
        viewport={"width": width, "height": 900}, has_touch=True, locale="en-GB"
    )
    tablet = instrument(context.new_page())
    tablet.goto(f"{base}/join")
    assert tablet.get_attribute("html", "lang") == "en"
    buttons = tablet.locator(".join-languages button")
    assert buttons.count() == len(LANGUAGES)
    boxes = [button.bounding_box() for button in buttons.all()]
    assert all(box["height"] >= 44 and box["width"] >= 44 for box in boxes)
    field = tablet.locator("#code").bounding_box()
    assert max(box["y"] + box["height"] for box in boxes) < field["y"]  # before the code
    assert tablet.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    problems = check_page(tablet)
    tablet.click(".join-languages button:text-is('العربية')")
    tablet.wait_for_url(f"{base}/join")
    assert tablet.get_attribute("html", "lang") == "ar"
    assert tablet.get_attribute("html", "dir") == "rtl"
    assert tablet.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    problems += check_page(tablet)
    tablet.fill("#code", f"{code[:4].lower()} {code[4:].lower()}")
    tablet.click("#submit")
    tablet.wait_for_url(f"{base}/join/welcome")  # no second choice of language
    assert tablet.get_attribute("html", "lang") == "ar"
    context.close()
    assert not problems, "\n".join(problems)


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
    let_tablet_in(tablet, live_server, check=lambda: problems.extend(check_page(tablet)))
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


@pytest.fixture
def every_language_offered(live_app, open_meeting):
    """The open meeting's board offers all seven shipped languages for the test."""
    with live_app.app_context():
        session = get_session()
        board = session.get(Meeting, open_meeting[0]).board
        before, board.languages = board.languages, " ".join(LANGUAGES)
        session.commit()
    yield
    with live_app.app_context():
        session = get_session()
        session.get(Meeting, open_meeting[0]).board.languages = before
        session.commit()


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_child_page_in_every_language(
    browser, live_server, open_meeting, every_language_offered, lang
):
    """axe on each page a child can reach, on a tablet set to each shipped language."""
    base, (_id, code, _idle) = live_server.url, open_meeting
    context = browser.new_context(viewport=TABLET, has_touch=True, locale=html_lang(lang))
    tablet = instrument(context.new_page())
    problems = []

    def check(path=None):
        if path:
            tablet.goto(base + path)
        assert tablet.get_attribute("html", "lang") == html_lang(lang), tablet.url
        assert tablet.get_attribute("html", "dir") == LANGUAGES[lang][1]
        problems.extend(check_page(tablet))

    tablet.goto(f"{base}/join?code={code}")
    check()  # join: the tablet's own language, before anyone chose
    tablet.click("#submit")
    tablet.wait_for_url(f"{base}/join/language")
    check()
    tablet.click(f"#lang-{lang}")
    tablet.wait_for_url(f"{base}/join/welcome")
    check()
    tablet.click(".start-form button")
    let_tablet_in(tablet, live_server, check=check)  # the waiting page, in the language
    check()
    check("/meeting/services")
    tablet.click(".tile-link >> nth=0")
    tablet.wait_for_url(f"{base}/meeting/services/*")
    check()  # the feedback form
    for path in ["/meeting/propose", "/meeting/vote", "/meeting/outcomes", "/meeting/mine"]:
        check(path)
    check("/meeting/thanks")
    check("/help")  # "an adult is coming" (seen without calling anyone)
    tablet.click("#finish-form button")
    tablet.wait_for_url(f"{base}/join?code={code}&done=1")
    check()
    context.close()
    assert not problems, "\n".join(problems)


def test_a_wrong_code_is_explained_kindly(tablet, live_server):
    tablet.goto(f"{live_server.url}/join")
    tablet.fill("#code", "AAAAAA")
    tablet.click("#submit")
    assert "does not work" in tablet.inner_text("#code-error")
    assert tablet.get_attribute("#code", "aria-invalid") == "true"
    assert not check_page(tablet)


# Where the keyboard's focus is, and whether a child can see it (WCAG 2.4.7 and 2.4.11): a
# visible outline on the element (or on the face it belongs to), inside the viewport, and
# not covered by anything else. An empty answer means all is well.
FOCUS_PROBLEM = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "nothing has the focus";
  const face = el.closest("label");
  const name = el.outerHTML.slice(0, 90);
  const outlined = [el, face].filter(Boolean).some((e) => {
    const style = getComputedStyle(e);
    return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  });
  if (!outlined) return "no visible focus on " + name;
  let box = el.getBoundingClientRect();
  if (face && (box.width < 2 || box.height < 2)) box = face.getBoundingClientRect();
  if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth)
    return "focus outside the screen: " + name;
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  if (!hit || !(el.contains(hit) || (face && face.contains(hit))))
    return "focus covered by " + (hit ? hit.outerHTML.slice(0, 60) : "nothing") + ": " + name;
  return "";
}"""


def tab_to(page, is_target: str, limit: int = 40) -> None:
    """Press Tab until ``is_target`` (a JavaScript expression about ``el``) holds, checking
    at every stop that the child can see where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        problem = page.evaluate(FOCUS_PROBLEM)
        assert not problem, f"{page.url}: {problem}"
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {is_target}; }})()"):
            return
    raise AssertionError(f"{page.url}: Tab never reached {is_target}")


def text_is(words: str) -> str:
    return f"el.innerText.trim() === {words!r}"


def test_the_keyboard_alone_from_join_to_finished(tablet, live_server, open_meeting):
    """join → language → explanation → feedback → vote → "I am finished", keys only."""
    base, (_id, code, _idle) = live_server.url, open_meeting
    tablet.goto(f"{base}/join")
    tab_to(tablet, "el.id === 'code'")
    tablet.keyboard.type(code)
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{base}/join/language")
    tab_to(tablet, "el.id === 'lang-en'")
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{base}/join/welcome")
    tab_to(tablet, text_is("I understand. Let us start."))
    tablet.keyboard.press("Enter")
    let_tablet_in(tablet, live_server, by_itself=True)  # no key to press: it looks again
    tab_to(tablet, text_is("Tell us about a service"))
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{base}/meeting/services")
    tab_to(tablet, "el.classList.contains('tile-link')")
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{base}/meeting/services/*")
    tab_to(tablet, "el.name === 'rating'")
    tablet.keyboard.press("ArrowRight")  # a radio group: arrows move the choice
    tablet.keyboard.press("ArrowRight")
    assert tablet.evaluate(FOCUS_PROBLEM) == ""
    assert tablet.locator(".face input:checked").get_attribute("value") == "3"
    tab_to(tablet, "el.id === 'happened'")
    tablet.keyboard.type("Fine.")
    tab_to(tablet, "el.id === 'submit'")
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{base}/meeting/thanks")
    tab_to(tablet, text_is("Back to the start"))
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{base}/meeting")
    tab_to(tablet, text_is("Vote"))
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{base}/meeting/vote")
    tab_to(tablet, "el.dataset.dotsStep === '1'")
    tablet.keyboard.press("Enter")
    tablet.keyboard.press("Enter")
    assert tablet.evaluate(FOCUS_PROBLEM) == ""
    tab_to(tablet, text_is("Send my vote"))
    with tablet.expect_navigation():
        tablet.keyboard.press("Enter")
    assert tablet.locator(".calm").count() == 1  # "your vote is counted"
    tab_to(tablet, text_is("I am finished"))
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{base}/join?code={code}&done=1")
    tab_to(tablet, "el.id === 'code'")


def test_an_idle_tablet_warns_then_starts_over(tablet, live_server, open_meeting):
    base, (_id, code, idle) = live_server.url, open_meeting
    tablet.clock.install()
    tablet.goto(f"{base}/join?code={code}")
    tablet.click("#submit")
    tablet.click("button.language-button >> nth=0")
    tablet.click(".start-form button")
    let_tablet_in(tablet, live_server)
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
    assert page.locator("form, button, nav").count() == 0  # nothing to press in front of all
    assert not check_page(page)
    context.close()


def test_the_room_screen_follows_a_new_code(browser, live_server, open_meeting):
    """The new code is made on the facilitator's own screen; the projected one, a few
    seconds later, shows it by itself."""
    meeting_id, code, _idle = open_meeting
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    room = instrument(context.new_page())
    sign_in(room, live_server.url, "facilitator.tirana@example.org")
    room.clock.install()
    room.goto(f"{live_server.url}/meetings/{meeting_id}/room")
    control = instrument(context.new_page())
    control.goto(f"{live_server.url}/meetings/{meeting_id}")
    control.get_by_role("button", name="Make a new code").click()
    control.wait_for_load_state()
    new = control.inner_text(".code-small")
    assert new != code
    room.clock.run_for(4500)
    expect(room.locator(".room-code")).to_contain_text(new[-3:])
    assert room.inner_text(".room-code").replace("\u202f", "").replace(" ", "") == new
    assert not check_page(room)
    context.close()


def _join(tablet, base, code, language, live_server):
    tablet.goto(f"{base}/join?code={code}")
    tablet.click("#submit")
    tablet.click(f"button.language-button:text-is('{language}')")
    tablet.click(".start-form button")
    let_tablet_in(tablet, live_server)


@pytest.mark.parametrize("language", ["English", "العربية"])
def test_a_child_gives_feedback_proposes_votes_and_takes_back(
    tablet, live_server, open_meeting, language
):
    base, (_id, code, _idle) = live_server.url, open_meeting
    problems = []
    _join(tablet, base, code, language, live_server)
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
    expect(tablet.locator(".given > li")).to_have_count(2)
    tablet.click(".given > li >> nth=0 >> button")
    tablet.wait_for_load_state()
    # the page reloads after the taking back; expect() waits for it, count() did not
    expect(tablet.locator(".given > li")).to_have_count(1)
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


def test_child_pages_at_200_percent_zoom(browser, live_server, open_meeting):
    """An 820 px tablet at 200 % zoom is a 410 px viewport: nothing scrolls sideways."""
    base, (_id, code, _idle) = live_server.url, open_meeting
    context = browser.new_context(viewport={"width": 410, "height": 590}, device_scale_factor=2)
    page = instrument(context.new_page())
    _join(page, base, code, "English", live_server)
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
