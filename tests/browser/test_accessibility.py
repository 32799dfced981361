"""Every page each role can reach from its home, in every shipped language: zero WCAG 2.2
A/AA violations found by axe-core in a real Chromium, and no CSP violation in the console.

How each language is covered (the crawls were most of a CI pass's browser time): the pages'
HTML is the same in every language but for its words, ``lang`` and ``dir``. So each role's
whole crawl, every page shape checked with axe, runs in English and in Arabic (right to left);
in each other staff language every page shape of every role is still visited (its status
must be 200, its console clean), and axe checks each endpoint once in that language: a
page's words, its language and its direction are all that can differ, and one page of each
endpoint shows them. The words of a page shape that axe skipped there are the same catalogue
entries as its endpoint's page that it checked."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from board.demo import DEMO_PASSWORD
from board.i18n import LANGUAGES, STAFF_LANGUAGES
from tests.browser.conftest import instrument

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
ACCOUNTS = {
    "admin": "admin@example.org",
    "facilitator": "facilitator.tirana@example.org",
    "safeguarding_lead": "lead.sofia@example.org",
    "partner": "partner.international@example.org",
}
_axe = Axe()


def check_page(page) -> list[str]:
    """axe violations and console errors of the page as it is now."""
    results = _axe.run(page, options=AXE_OPTIONS)
    problems = [
        f"{page.url}: {v['id']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in results.response["violations"]
    ]
    problems += [f"{page.url}: console: {e}" for e in page.console_errors]
    page.console_errors.clear()
    return problems


def sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#submit")
    page.wait_for_url(f"{base}/")


def choose_language(page, name):
    page.click("details.language-switcher summary")
    page.click(f"details.language-switcher button:text-is('{name}')")


def _shape(path: str) -> str:
    """A page's shape: its ids and its ``lang=`` choice left out (the recordings page has one
    per language of the board, alike but for their words)."""
    return re.sub(r"lang=[^&]*", "lang=L", re.sub(r"\d+", "N", path))


# Pages checked in every language by their own test, not once per role by the crawl:
# tests/browser/test_two_factor_pages.py.
CHECKED_ELSEWHERE = {"/account/two-factor/enrol"}


def crawl(page, base, start="/", limit=60, app=None, checked: set[str] | None = None) -> list[str]:
    """Visit every page linked from ``start`` (one per URL shape), checking each; with
    ``checked`` (endpoints axe has checked already), axe checks only a new endpoint's page,
    the console of every page being read all the same."""
    seen_shapes, queue, problems, visited = set(), [start], [], 0
    while queue and visited < limit:
        path = queue.pop(0)
        shape = _shape(path)
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        response = page.goto(base + path)
        visited += 1
        assert response.status == 200, f"{path}: {response.status}"
        if checked is None:
            problems += check_page(page)
        else:
            endpoint = _endpoint(app, path)
            if endpoint not in checked:
                checked.add(endpoint)
                problems += check_page(page)
            else:
                problems += [f"{page.url}: console: {e}" for e in page.console_errors]
                page.console_errors.clear()
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if parts.netloc != urlsplit(base).netloc or parts.path.startswith("/static/"):
                continue
            if parts.path.endswith((".ics", ".json", ".svg", ".csv", ".xlsx")):
                continue  # downloads and data, not pages
            if parts.path in CHECKED_ELSEWHERE:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if _shape(target) not in seen_shapes:
                queue.append(target)
    return problems


def _endpoint(app, path) -> str:
    """The app's endpoint that answers ``path`` (its view, whatever the ids and query)."""
    return app.url_map.bind("127.0.0.1").match(urlsplit(path).path, method="GET")[0]


# Staff pages in every language staff are offered (Romani is for children: its child pages
# are checked in tests/browser/test_tablet.py and test_child_layout.py). Every page shape,
# with axe, in one language of each direction.
FULL_CRAWL_LANGUAGES = ["en", "ar"]


@pytest.mark.parametrize("code", FULL_CRAWL_LANGUAGES)
@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_every_page_of_each_role_is_accessible(page, live_server, role, code):
    base = live_server.url
    sign_in(page, base, ACCOUNTS[role])
    choose_language(page, LANGUAGES[code][0])
    assert page.get_attribute("html", "lang") == code.replace("_", "-")
    problems = crawl(page, base)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("code", [c for c in STAFF_LANGUAGES if c not in FULL_CRAWL_LANGUAGES])
def test_every_endpoint_is_accessible_in_every_language(browser, live_server, code):
    """Each role's every page shape visited in the language, and axe on each endpoint's
    first page (see the module's docstring): the roles in turn, sharing what axe checked."""
    base, checked, problems = live_server.url, set(), []
    for role in ACCOUNTS:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = instrument(context.new_page())
        sign_in(page, base, ACCOUNTS[role])
        choose_language(page, LANGUAGES[code][0])
        assert page.get_attribute("html", "lang") == code.replace("_", "-")
        problems += crawl(page, base, app=live_server.app, checked=checked)
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("code", list(STAFF_LANGUAGES))
def test_public_pages_are_accessible(page, live_server, code):
    base = live_server.url
    page.goto(f"{base}/login")
    choose_language(page, LANGUAGES[code][0])
    problems = []
    for path in ["/", "/login", "/no-such-page", "/invite/not-a-token"]:
        page.goto(base + path)
        problems += check_page(page)
    # A refused form, with its messages next to the fields.
    page.goto(f"{base}/login")
    page.fill("#email", f"nobody.{code}@example.org")  # one account each: its own limit
    page.fill("#password", "wrong password")
    page.click("#submit")
    assert page.locator(".error").count() >= 1
    problems += check_page(page)
    assert not problems, "\n".join(problems)


def test_arabic_mirrors_the_layout(page, live_server):
    base = live_server.url
    page.goto(f"{base}/login")
    choose_language(page, "العربية")
    assert page.get_attribute("html", "dir") == "rtl"
    brand = page.locator(".brand").bounding_box()
    tools = page.locator(".header-tools").bounding_box()
    assert brand["x"] > tools["x"], "in Arabic the brand sits on the right"


def test_no_horizontal_scroll_at_200_percent_zoom(browser, live_server):
    """A 1280 px window at 200 % zoom is a 640 px viewport: nothing may overflow it."""
    context = browser.new_context(viewport={"width": 640, "height": 450}, device_scale_factor=2)
    page = context.new_page()
    sign_in(page, live_server.url, ACCOUNTS["admin"])
    for path in ["/", "/admin/boards", "/admin/accounts", "/admin/boards/1", "/admin/audit"]:
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    context.close()


def test_keyboard_reaches_the_skip_link_first(page, live_server):
    page.goto(f"{live_server.url}/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_door_is_accessible_on_both_sides(browser, live_server, lang):
    """A tablet waiting to be let in (in the child's language), and the facilitator's own
    page that lists it, with a refused number of children and then the tap."""
    import sqlalchemy as sa

    from board.db import get_session
    from board.meetings.models import Meeting, MeetingState
    from tests.browser.conftest import instrument, tablet_label

    base = live_server.url
    with live_server.app.app_context():
        meeting = get_session().scalar(sa.select(Meeting).where(Meeting.state == MeetingState.OPEN))
        meeting_id, code = meeting.id, meeting.join_code
    tablet_context = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True)
    tablet = instrument(tablet_context.new_page())
    tablet.goto(f"{base}/join?code={code}")
    tablet.click("#submit")
    tablet.click(f"#lang-{lang}")
    tablet.wait_for_url(f"{base}/join/welcome")
    tablet.click(".start-form button")
    tablet.wait_for_url(f"{base}/join/wait")
    assert tablet.get_attribute("html", "lang") == lang
    problems = check_page(tablet)
    label = tablet_label(tablet)

    staff_context = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = instrument(staff_context.new_page())
    sign_in(staff, base, ACCOUNTS["facilitator"])
    staff.goto(f"{base}/meetings/{meeting_id}/door")
    assert f"Tablet {label}" in staff.inner_text("main")
    problems += check_page(staff)
    staff.fill("#present", "-3")
    staff.get_by_role("button", name="Save the number").click()
    staff.wait_for_load_state()
    assert staff.locator(".error").count() == 1
    problems += check_page(staff)
    staff.get_by_role("button", name=f"Let in tablet {label}").click()
    staff.wait_for_load_state()
    assert "The tablet is in." in staff.inner_text(".flashes")
    problems += check_page(staff)

    tablet.wait_for_url(f"{base}/meeting", timeout=20_000)  # the page looks again by itself
    tablet_context.close()
    staff_context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("code", list(STAFF_LANGUAGES))
def test_both_room_screens_are_accessible(page, live_server, code):
    """The facilitator's control screen in their language, with a help call waiting, and
    the room screen in every language of the board (each block with its own lang and dir),
    where the call does not appear."""
    import sqlalchemy as sa

    from board.db import get_session
    from board.i18n import direction, html_lang
    from board.meetings import services
    from board.meetings.models import Meeting, MeetingState

    base = live_server.url
    with live_server.app.app_context():
        session = get_session()
        meeting = session.scalar(
            sa.select(Meeting).where(Meeting.state == MeetingState.OPEN).order_by(Meeting.id)
        )
        services.call_for_help(session, meeting)
        session.commit()
        meeting_id, board_languages = meeting.id, meeting.board.language_codes
    sign_in(page, base, ACCOUNTS["facilitator"])
    choose_language(page, LANGUAGES[code][0])
    page.goto(f"{base}/meetings/{meeting_id}")
    assert page.get_attribute("html", "lang") == html_lang(code)
    assert page.locator(".help-call").count() >= 1
    assert page.locator("#sound-check").is_visible()
    problems = check_page(page)
    call_text = page.inner_text(".help-call-text >> nth=0")
    page.goto(f"{base}/meetings/{meeting_id}/room")
    assert page.get_attribute("html", "lang") == html_lang(board_languages[0])
    blocks = page.locator(".room-language")
    assert [b.get_attribute("lang") for b in blocks.all()] == [
        html_lang(c) for c in board_languages
    ]
    assert [b.get_attribute("dir") for b in blocks.all()] == [direction(c) for c in board_languages]
    assert call_text not in page.inner_text("body")
    assert page.locator("form, button, nav, .help-call").count() == 0
    problems += check_page(page)
    assert not problems, "\n".join(problems)
