"""What a child sees on a phone and on a tablet (issue 17, item 3), at 320, 390 and 820 px
wide, in Albanian, Arabic and Romani: on every child page, from /join to the offline page,
the five faces are the same size as each other, every target is at least 44 x 44 px, the
"I want to talk to an adult" button is on screen even scrolled to the bottom, nothing
scrolls sideways, and axe-core finds nothing. Arabic typed on an Albanian page reads right
to left in its box and in "What I gave today" (and Albanian on an Arabic page, left to
right). The projector's room screen holds no control and no help call.

One phone per language goes the whole way once, and each page it comes to is looked at in
every width by resizing the window (the layout is CSS, media queries and flow, which follow
the window; no script of the child pages measures it): one join, one answer, one vote per
language rather than per width and language. axe-core runs once per page and language, at
320 px, the narrowest: its colour, name, ARIA and language rules do not depend on the width,
and the one rule that does (WCAG 2.5.8, targets of 24 px) is more than covered by the
44 x 44 px check made at every width. axe at 820 px in every shipped language is
tests/browser/test_tablet.py's.

With ``BOARD_LAYOUT_SHOTS=<folder>`` every page is also kept as a full-page PNG there, to
look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from board.db import get_session
from board.i18n import LANGUAGES, html_lang
from board.meetings import services as meeting_services
from board.meetings.models import Meeting, MeetingState
from tests.browser.conftest import instrument, let_tablet_in
from tests.browser.test_accessibility import check_page

pytestmark = pytest.mark.browser

WIDTHS = [820, 390, 320]  # each page is looked at in this order, ending where axe runs
HEIGHTS = {320: 568, 390: 844, 820: 1180}
AXE_WIDTH = 320
# The languages of the children the boards meet most, one of them right to left. Romani
# joins when board.i18n ships it.
LAYOUT_LANGUAGES = [code for code in ("sq", "ar", "rom") if code in LANGUAGES]
ARABIC = "الطبيب كان لطيفا لكن الانتظار طويل"
ALBANIAN = "Mjeku ishte i sjellshëm, por pritëm shumë."
BAR_AT_320 = 64  # px: the top bar on the smallest phone, both buttons on one row
SHOTS = os.environ.get("BOARD_LAYOUT_SHOTS")

# Every child target on the page that is smaller than 44 x 44 CSS px: links, buttons,
# fields, and the label that a radio button or a check box sits in (that label is what a
# finger touches). Hidden ones do not count; the skip link counts at its own size.
SMALL_TARGETS = """() => {
  const small = [], seen = new Set();
  const choice = "input[type=radio], input[type=checkbox]";
  for (const el of document.querySelectorAll("a[href], button, input, select, textarea, label")) {
    if (el.matches("input[type=hidden]")) continue;
    if (el.matches("label") && !(el.control && el.control.matches(choice))) continue;
    const target = el.matches(choice) ? (el.closest("label") || el.labels[0] || el) : el;
    if (seen.has(target)) continue;
    seen.add(target);
    if (!target.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const box = target.getBoundingClientRect();
    if (box.width < 43.99 || box.height < 43.99) {
      const name = (target.innerText || target.value || target.name || "").trim().slice(0, 40);
      small.push(`${target.tagName.toLowerCase()}.${target.className} "${name}": ` +
                 `${box.width.toFixed(1)} x ${box.height.toFixed(1)}`);
    }
  }
  return small;
}"""


@pytest.fixture
def open_meeting(live_app):
    """The open meeting of the demo, its board offering every shipped language for the test."""
    with live_app.app_context():
        session = get_session()
        meeting = session.scalar(sa.select(Meeting).where(Meeting.state == MeetingState.OPEN))
        board = meeting.board
        before, board.languages = board.languages, " ".join(LANGUAGES)
        session.commit()
        meeting_id, code = meeting.id, meeting.join_code
    yield meeting_id, code
    with live_app.app_context():
        session = get_session()
        session.get(Meeting, meeting_id).board.languages = before
        session.commit()


class Look:
    """One phone, checking each page it comes to in every width, and with axe at one."""

    def __init__(self, page, lang: str):
        self.page, self.lang = page, lang
        self.width = WIDTHS[-1]
        self.problems: list[str] = []

    def check(self, name: str) -> None:
        page = self.page
        assert page.get_attribute("html", "lang") == html_lang(self.lang), f"{self.lang} {name}"
        assert page.get_attribute("html", "dir") == LANGUAGES[self.lang][1], f"{self.lang} {name}"
        for width in WIDTHS:
            self.resize(width)
            self.check_layout(name)
            if width == AXE_WIDTH:
                self.problems += [f"{self.lang} {name}: {p}" for p in check_page(page)]
        self.resize(WIDTHS[-1])  # the way on is taken on the last (smallest) one

    def resize(self, width: int) -> None:
        if width != self.width:
            self.page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
            self.width = width

    def check_layout(self, name: str) -> None:
        page, where = self.page, f"{self.lang} {self.width}px {name}"
        wide = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        if wide > 0:
            self.problems.append(f"{where}: scrolls sideways by {wide} px")
        self.problems += [f"{where}: small target {t}" for t in page.evaluate(SMALL_TARGETS)]
        if page.locator(".child-bar").count():
            self.check_bar(where)
        if page.locator(".face").count():
            self.check_faces(where)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(Path(SHOTS) / f"{self.lang}-{self.width}-{name}.png"), full_page=True
            )
            page.evaluate("window.scrollTo(0, 0)")

    def check_bar(self, where: str) -> None:
        """One row, short on a small phone, and the adult button on screen at the bottom."""
        page = self.page
        bar = page.locator(".child-bar").bounding_box()
        if self.width == 320 and bar["height"] > BAR_AT_320:
            self.problems.append(f"{where}: the top bar is {bar['height']:.0f} px tall")
        actions = [b.bounding_box() for b in page.locator(".child-action").all()]
        if len(actions) != 2 or abs(actions[0]["y"] - actions[1]["y"]) > 1:
            self.problems.append(f"{where}: the two actions are not on one row")
        elif abs(actions[0]["width"] - actions[1]["width"]) > 1:
            self.problems.append(f"{where}: the two actions are not the same size")
        page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
        adult = page.locator(".child-action").first.bounding_box()
        inner = page.evaluate("window.innerHeight")
        if adult["y"] < 0 or adult["y"] + adult["height"] > inner:
            self.problems.append(f"{where}: scrolled down, the adult button is off screen")
        page.evaluate("window.scrollTo(0, 0)")

    def check_faces(self, where: str) -> None:
        """Equal answers: five faces, their boxes and pictures all of one size."""
        page = self.page
        for part in (".face", ".face img"):
            boxes = [b.bounding_box() for b in page.locator(part).all()]
            widths = [b["width"] for b in boxes]
            heights = [b["height"] for b in boxes]
            if len(boxes) != 5 or max(widths) - min(widths) > 1 or max(heights) - min(heights) > 1:
                sizes = ", ".join(f"{b['width']:.0f}x{b['height']:.0f}" for b in boxes)
                self.problems.append(f"{where}: unequal {part}: {sizes}")
        rows = {round(b["y"]) for b in (f.bounding_box() for f in page.locator(".face").all())}
        if len(rows) != 1:
            self.problems.append(f"{where}: the faces are not on one row")


def direction(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).direction")


@pytest.mark.parametrize("lang", LAYOUT_LANGUAGES)
def test_every_child_page_fits_the_screen(browser, live_server, open_meeting, lang):
    base, (_meeting_id, code) = live_server.url, open_meeting
    smallest = WIDTHS[-1]
    context = browser.new_context(
        viewport={"width": smallest, "height": HEIGHTS[smallest]},
        has_touch=True,
        locale=html_lang(lang),
    )
    page = instrument(context.new_page())
    look = Look(page, lang)

    page.goto(f"{base}/join?code={code}")
    look.check("join")
    page.click("#submit")
    page.wait_for_url(f"{base}/join/language")
    look.check("language")
    page.click(f"#lang-{lang}")
    page.wait_for_url(f"{base}/join/welcome")
    look.check("welcome")
    page.click(".start-form button")
    let_tablet_in(page, live_server, check=lambda: look.check("waiting"))
    look.check("home")
    page.goto(f"{base}/meeting/services")
    look.check("services")
    page.click(".tile-link >> nth=0")
    page.wait_for_url(f"{base}/meeting/services/*")
    look.check("feedback")
    # A text in the other direction than the page's: its box follows the text.
    other, other_direction = (ALBANIAN, "ltr") if lang == "ar" else (ARABIC, "rtl")
    page.fill("#happened", other)
    assert direction(page, "#happened") == other_direction
    page.click("#submit")
    page.wait_for_url(f"{base}/meeting/thanks")
    look.check("thanks")
    page.goto(f"{base}/meeting/propose")
    look.check("propose")
    page.fill("#title", other)
    assert direction(page, "#title") == other_direction
    page.click("#submit")
    page.wait_for_url(f"{base}/meeting/thanks")
    page.goto(f"{base}/meeting/mine")
    look.check("mine")
    shown = page.locator(".given .child-text")
    assert shown.all_inner_texts() == [other, other]
    assert {direction(page, f".given .child-text >> nth={i}") for i in range(2)} == {
        other_direction
    }
    page.goto(f"{base}/meeting/vote")
    look.check("vote")
    page.click(".vote-form > button.primary")  # an empty ballot is a ballot too
    page.wait_for_url(f"{base}/meeting/vote")
    look.check("vote_done")
    page.goto(f"{base}/meeting/outcomes")
    look.check("outcomes")
    page.goto(f"{base}/help")
    look.check("help_sent")
    page.goto(f"{base}/join/offline/{lang}?state=waiting")
    look.check("offline")
    page.goto(f"{base}/join/offline/{lang}?state=help")
    look.check("offline-help")
    context.close()
    assert not look.problems, "\n".join(look.problems)


def test_the_projector_shows_no_control_and_no_help_call(browser, live_server, open_meeting):
    """A child asked for an adult: the control screen says so, the room screen does not,
    and the room screen has nothing to press."""
    from tests.browser.test_accessibility import ACCOUNTS, sign_in

    meeting_id, _code = open_meeting
    with live_server.app.app_context():
        session = get_session()
        meeting_services.call_for_help(session, session.get(Meeting, meeting_id))
        session.commit()
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = instrument(context.new_page())
    sign_in(page, live_server.url, ACCOUNTS["facilitator"])
    page.goto(f"{live_server.url}/meetings/{meeting_id}")
    assert page.locator(".help-call").count() >= 1
    call = page.inner_text(".help-call-text >> nth=0")
    page.goto(f"{live_server.url}/meetings/{meeting_id}/room")
    assert page.locator("form, button, a, input, select, textarea, nav, [onclick]").count() == 0
    assert page.locator(".help-call, [data-help], [role=alert]").count() == 0
    assert call not in page.inner_text("body")
    problems = check_page(page)
    context.close()
    assert not problems, "\n".join(problems)
