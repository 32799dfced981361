"""Issue 7: one month of a board, in a real browser, from an empty network to the
safeguarding lead closing a concern. Each step is one person doing one thing, and checks
what that person sees on the screen (never the database). Every page visited is checked
with axe-core and must log no console or CSP error.

The steps share one ``Month`` (the browser contexts and what people read off their
screens: links, the join code); later steps (the summary, the partner's answer, next
month's "You said, we did") are appended to ``test_the_month`` in the same way.

Time: the facilitator schedules a monthly series on today's date in the board's zone, at
the current hour, so this month's meeting is "now" and next month's is the second row of
"Coming meetings"; a meeting can be opened before its day, so "next month" needs no clock
on the server. The room screen's polling runs on Playwright's clock. With
``BOARD_SCREENSHOTS=<folder>`` (``make screenshots``) the steps also save PNGs there.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyotp
import pytest
import time_machine
from flask_babel import gettext
from playwright.sync_api import expect

from board.db import utcnow
from board.i18n import force_language
from board.meetings import codes
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, instrument, tablet_label
from tests.browser.test_accessibility import check_page
from tests.conftest import FIXED_NOW
from tests.factories import csv_table

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}
ROOM = {"width": 1920, "height": 1080}
DESK = {"width": 1280, "height": 900}
ZONE = "Europe/Tirane"
BOARD = "Tirana children's board"
NGO = "Tirana Child Protection Centre"
PARTNER_ORG = "Municipality of Tirana"
DROP_IN, HEALTH = "Blloku drop-in centre", "Health centre no. 3"
ACTIONS = ["A quiet room for homework", "Longer opening hours on Saturday"]
PASSWORDS = {
    "facilitator": "elira chooses a long password",
    "lead": "dritan chooses a long password",
    "partner": "mira chooses a long password",
}
PEOPLE = {
    "facilitator": ("Elira Facilitator", "elira@tirana-cpc.example.org", NGO, "Facilitator"),
    "lead": ("Dritan Lead", "dritan@tirana-cpc.example.org", NGO, "Safeguarding lead"),
    "partner": ("Mira Partner", "mira@tirana.example.gov", PARTNER_ORG, "Partner"),
}
# What the children write. The first has a phone number and a name (from the board's list).
WITH_DETAILS = "My name is Arben and my phone is 069 123 4567. The staff listened to me."
IN_DANGER = "Një burrë në stacion na merr dokumentet dhe thotë që do të na rrahë."
TAKEN_BACK = "الطبيب كان لطيفا لكن الانتظار طويل"
IDEA = "Free bus tickets to the centre"
REASON = "A child says a man at the station takes documents and threatens them."
SHOTS = os.environ.get("BOARD_SCREENSHOTS")


@dataclass
class Month:
    """What the people of the journey share: their browser windows and what they read."""

    browser: object
    base: str
    app: object
    contexts: list = field(default_factory=list)
    pages: dict = field(default_factory=dict)
    links: dict = field(default_factory=dict)
    code: str = ""
    meeting_url: str = ""
    summary_url: str = ""

    def window(self, who: str, viewport=DESK, **options):
        context = self.browser.new_context(viewport=viewport, **options)
        context.set_default_timeout(5000)
        self.contexts.append(context)
        page = instrument(context.new_page())
        self.pages[who] = page
        return page

    def said(self, lang: str, message: str, **variables) -> str:
        """The interface's words as a person reading ``lang`` sees them."""
        with self.app.test_request_context(), force_language(lang):
            return gettext(message, **variables)

    def close(self):
        for context in self.contexts:
            context.close()


def seen(page) -> None:
    """The page as it is now has no axe violation and logged no error."""
    problems = check_page(page)
    assert not problems, "\n".join(problems)


def snap(page, name: str, *, full_page: bool = False) -> None:
    """With BOARD_SCREENSHOTS set, keep a picture of this screen (or the whole page)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full_page)


def enrols(month: Month, page) -> None:
    """Two-factor sign-in, set up as a person does it: the key read off the page into an
    authenticator app (here pyotp, on the suite's clock), its code typed back; the ten
    recovery codes are kept."""
    assert page.inner_text("h1") == "Set up two-factor sign-in"
    assert page.locator(".qr-code svg").count() == 1
    seen(page)
    secret = page.inner_text("code.secret").replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    click(page, "Turn on two-factor sign-in")
    assert page.locator(".recovery-codes code").count() == 10
    seen(page)
    click(page, "I have kept them: continue", "link")


def flash(page) -> str:
    return page.inner_text(".flashes")


def click(page, name: str, role: str = "button") -> None:
    page.get_by_role(role, name=name, exact=True).click()
    page.wait_for_load_state()


# The administrator ------------------------------------------------------------------------


def admin_signs_in(month: Month) -> None:
    page = month.window("admin")
    page.goto(f"{month.base}/login")
    seen(page)
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    click(page, "Sign in")
    enrols(month, page)  # an administrator's password alone opens nothing (the shipped setting)
    assert page.inner_text("h1") == "Hello, Nora Admin"
    assert page.get_by_role("heading", name="Network administration").is_visible()
    seen(page)


def admin_adds_organisations(month: Month) -> None:
    page = month.pages["admin"]
    click(page, "Organisations", "link")
    seen(page)
    for name, kind in [(NGO, "Non-governmental organisation"), (PARTNER_ORG, "Public authority")]:
        click(page, "Add an organisation", "link")
        seen(page)
        page.get_by_label("Name").fill(name)
        page.get_by_label("Kind").select_option(label=kind)
        page.get_by_label("Country code").fill("AL")
        click(page, "Save")
        assert "The organisation is saved." in flash(page)
        assert page.get_by_role("link", name=name).is_visible()
    seen(page)


def admin_sets_up_the_board(month: Month) -> None:
    page = month.pages["admin"]
    page.goto(f"{month.base}/admin/")
    click(page, "Boards and services", "link")
    seen(page)
    click(page, "Add a board", "link")
    seen(page)
    page.get_by_label("Name", exact=True).fill(BOARD)
    page.get_by_label("City").fill("Tirana")
    page.get_by_label("Country code").fill("AL")
    page.get_by_label("Find a time zone").fill(ZONE.split("/")[1])  # the list keeps the match
    assert page.get_by_label("Time zone", exact=True).input_value() == ZONE
    languages = page.get_by_role("group", name="Languages offered to children")
    for name in ["English", "Shqip", "Български", "Polski", "Română", "Srpski", "العربية"]:
        languages.get_by_label(name, exact=True).check()
    page.get_by_label("Child helpline number").fill("116 111")
    page.get_by_label("Names to look for in children's text").fill("Arben\nBlloku")
    page.get_by_label("Organisation that runs the board").select_option(label=NGO)
    partners = page.get_by_role("group", name="Partner organisations (they read the summaries)")
    partners.get_by_label(PARTNER_ORG).check()
    click(page, "Save")
    assert "The board is saved." in flash(page)
    assert page.inner_text("h1") == BOARD
    seen(page)
    for name, kind in [(DROP_IN, "Drop-in centre"), (HEALTH, "Health")]:
        click(page, "Add a service", "link")
        seen(page)
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("Kind of service").select_option(label=kind)
        assert page.get_by_label("Children can choose this service").is_checked()
        click(page, "Save")
        assert "The service is saved." in flash(page)
        assert page.get_by_role("link", name=name).is_visible()
    seen(page)


def admin_invites(month: Month, who: str) -> None:
    """The administrator creates the account and reads the link off the screen, once."""
    name, email, organisation, role = PEOPLE[who]
    page = month.pages["admin"]
    page.goto(f"{month.base}/admin/")
    click(page, "Accounts and roles", "link")
    seen(page)
    page.goto(f"{month.base}/admin/accounts/new")
    seen(page)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Organisation").select_option(label=organisation)
    page.get_by_label("Language of the account").select_option(label="English")
    page.get_by_label("Role").select_option(label=role)
    if who != "partner":
        page.get_by_label("Board").select_option(label=BOARD)
    click(page, "Create the account and the invitation link")
    assert "Send the person their invitation link." in flash(page)
    assert page.inner_text("h1") == name
    assert page.get_by_role("listitem").filter(has_text=role).count() == 1
    link = page.get_by_label("Link").input_value()
    assert link.startswith(f"{month.base}/invite/")
    month.links[who] = link
    seen(page)
    page.reload()
    assert page.get_by_label("Link").count() == 0, "the link is shown only once"


def accepts_invitation(month: Month, who: str) -> None:
    name = PEOPLE[who][0]
    page = month.window(who)
    page.goto(month.links.pop(who))
    assert page.inner_text("h1") == "Choose your password"
    seen(page)
    page.get_by_label("New password", exact=True).fill(PASSWORDS[who])
    page.get_by_label("Repeat the new password").fill(PASSWORDS[who])
    click(page, "Set password and sign in")
    assert "Welcome. Your password is set." in flash(page)
    if who == "lead":  # a safeguarding lead must add a code from a phone first
        enrols(month, page)
    assert page.inner_text("h1") == f"Hello, {name}"
    assert page.get_by_role("link", name=BOARD).is_visible()
    seen(page)


# The facilitator prepares and runs the meeting -----------------------------------------


def facilitator_schedules_the_series(month: Month) -> None:
    """A monthly series on today's date, at this hour: this month's meeting is now."""
    page = month.pages["facilitator"]
    now = utcnow().astimezone(ZoneInfo(ZONE))  # the suite's ticking clock (tests/conftest.py)
    click(page, "Meetings", "link")
    assert page.get_by_text("No meeting is scheduled.").is_visible()
    seen(page)
    click(page, "Schedule a monthly series", "link")
    seen(page)
    page.get_by_label("A date, such as the 15th").check()
    page.get_by_label("Day of the month").fill(str(now.day))
    page.get_by_label("First possible date").fill(now.strftime("%Y-%m-%d"))
    page.get_by_label("Start time").fill(now.strftime("%H:00"))
    page.get_by_label("Place").fill("Youth room, first floor")
    agenda = page.get_by_role("group", name="Services on the agenda")
    agenda.get_by_label(DROP_IN, exact=False).check()
    agenda.get_by_label(HEALTH, exact=False).check()
    click(page, "Save the series")
    assert "The monthly series is scheduled." in flash(page)
    coming = page.get_by_role("table", name="Coming meetings").locator("tbody tr")
    assert coming.count() >= 12
    first = coming.first.get_by_role("link")
    assert str(now.day) in first.inner_text()
    seen(page)
    first.click()
    page.wait_for_load_state()
    month.meeting_url = page.url
    assert page.locator(".facts strong").inner_text() == "Scheduled"
    assert f"{DROP_IN}, {HEALTH}" in page.inner_text(".facts")
    seen(page)


def facilitator_shortlists_actions(month: Month) -> None:
    page = month.pages["facilitator"]
    page.goto(month.base)
    page.get_by_role("link", name="Advocacy actions").first.click()
    assert page.get_by_text("No action yet.").is_visible()
    seen(page)
    for title in ACTIONS:
        click(page, "Add an action", "link")
        seen(page)
        page.get_by_label("Title", exact=True).fill(title)
        page.get_by_label("State", exact=True).select_option(label="Chosen for a vote")
        click(page, "Save the action")
        assert "The action is saved." in flash(page)
    rows = page.get_by_role("table", name="Advocacy actions").locator("tbody tr")
    assert sorted(r.locator("td").first.inner_text().strip() for r in rows.all()) == ACTIONS
    seen(page)


def facilitator_opens_the_meeting(month: Month) -> None:
    """From a second window, on the room's big screen: the facilitator opens the meeting
    and, from the meeting page, shows the room screen; it holds no control, and its words
    are in every language of the board."""
    facilitator = month.pages["facilitator"]
    room = instrument(facilitator.context.new_page())
    room.set_viewport_size(ROOM)
    room.clock.install()  # the screen polls every few seconds; the test moves its clock
    month.pages["room"] = room
    room.goto(month.base)  # the home page: the next meeting, and the way to its page
    today = room.get_by_role("region", name=f"Today at {BOARD}")
    assert "Next meeting:" in today.inner_text()
    today.get_by_role("link", name="Open its page").click()
    room.wait_for_url(month.meeting_url)
    click(room, "Open the meeting")
    assert room.url == month.meeting_url
    assert "The meeting is open." in flash(room)
    click(room, "Show the room screen", "link")
    assert room.url == f"{month.meeting_url}/room"
    assert room.locator("form, button, nav, .flashes").count() == 0
    english = room.locator(".room-language[lang=en]")
    assert english.locator("h2").inner_text() == "Join on a tablet"
    arabic = room.locator(".room-language[lang=ar]")
    assert arabic.get_attribute("dir") == "rtl"
    assert arabic.locator("h2").inner_text() == month.said("ar", "Join on a tablet")
    month.code = room.inner_text(".room-code").replace("\u202f", "").replace(" ", "")
    assert re.fullmatch(f"[{codes.ALPHABET}]{{{codes.LENGTH}}}", month.code), month.code
    assert room.locator(".room-code").bounding_box()["height"] >= 100  # across the room
    assert room.locator(".room-qr").bounding_box()["width"] >= 300
    assert room.evaluate("document.querySelector('.room-qr').naturalWidth") > 0
    assert "Tablets that joined: 0" in english.inner_text()
    seen(room)


def facilitator_watches_the_room(month: Month) -> None:
    """The facilitator's own screen (a laptop): the meeting page, which rings when a child
    calls an adult. Its sound is tried once, which lets the browser play it later."""
    control = instrument(month.pages["facilitator"].context.new_page())
    control.clock.install()
    month.pages["control"] = control
    control.goto(month.meeting_url)
    click(control, "Test the sound")
    assert control.get_attribute("[data-live-url]", "data-rung") == "1"
    assert control.get_by_text("No call right now.").is_visible()
    seen(control)


def facilitator_opens_the_vote(month: Month) -> None:
    page = month.pages["facilitator"]
    page.goto(month.meeting_url)
    assert page.locator(".facts strong").inner_text() == "Open now"
    assert page.locator(".code-small").inner_text() == month.code
    seen(page)
    votes = page.get_by_role("group", name="Actions to vote on")
    for title in ACTIONS:
        votes.get_by_label(title).check()
    page.get_by_label("Tick as many as you like").check()
    click(page, "Open the vote")
    assert "The vote is open on the tablets." in flash(page)
    seen(page)
    room = month.pages["room"]
    room_screen_updates(month)
    expect(room.locator(".room-language[lang=en]")).to_contain_text(
        "The vote is open on the tablets."
    )
    seen(room)
    snap(room, "room-screen")


def room_screen_updates(month: Month, screen: str = "room") -> None:
    """A few seconds pass on the room screen (or the facilitator's control screen): it asks
    for the counts again (and reloads itself when the meeting or the vote changed)."""
    page = month.pages[screen]
    page.clock.run_for(4500)
    page.wait_for_load_state()


# The children --------------------------------------------------------------------------


def child_joins(
    month: Month, who: str, language: str, lang: str, shots: bool = False, viewport=TABLET
):
    tablet = month.window(who, viewport, has_touch=True)
    tablet.goto(f"{month.base}/join")
    assert tablet.get_attribute("html", "lang") == "en"
    seen(tablet)
    if shots:
        snap(tablet, "join")
    tablet.get_by_label("Code").fill(month.code)
    click(tablet, "Go in")
    assert tablet.url == f"{month.base}/join/language"
    buttons = tablet.locator("button.language-button")
    assert buttons.count() == 7
    seen(tablet)
    if shots:
        snap(tablet, "language")
    tablet.get_by_role("button", name=language, exact=True).click()
    tablet.wait_for_url(f"{month.base}/join/welcome")
    assert tablet.get_attribute("html", "lang") == lang.replace("_", "-")
    assert tablet.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    assert tablet.inner_text("h1") == month.said(lang, "Before you start")
    assert tablet.locator(".recipients li").all_inner_texts() == [PARTNER_ORG]
    seen(tablet)
    if shots:
        snap(tablet, "explanation")
    tablet.locator(".start-form button").click()
    # At the door, until the facilitator lets this tablet in from their own screen.
    tablet.wait_for_url(f"{month.base}/join/wait")
    assert tablet.inner_text("h1") == month.said(lang, "Your facilitator will let you in")
    seen(tablet)
    if shots:
        snap(tablet, "waiting")
    label = tablet_label(tablet)
    facilitator = month.pages["facilitator"]
    facilitator.goto(f"{month.meeting_url}/door")
    seen(facilitator)
    click(facilitator, f"Let in tablet {label}")
    assert flash(facilitator) == "The tablet is in."
    assert f"Tablet {label}" not in facilitator.inner_text("main")
    tablet.wait_for_url(f"{month.base}/meeting", timeout=20_000)  # it looks again by itself
    assert tablet.inner_text("h1") == month.said(lang, "Welcome")
    seen(tablet)
    return tablet


def child_gives_feedback(month, tablet, lang, service, face, text, shot=None) -> None:
    """With ``shot``, the filled-in page is kept as the picture of that name."""
    tablet.get_by_role("link", name=month.said(lang, "Tell us about a service")).click()
    tablet.wait_for_url(f"{month.base}/meeting/services")
    assert tablet.inner_text("h1") == month.said(lang, "Which service do you want to talk about?")
    seen(tablet)
    tablet.locator(".tile-link").filter(has_text=service).click()
    tablet.wait_for_url(re.compile(r".*/meeting/services/\d+$"))
    assert service in tablet.inner_text("h1")
    assert tablet.locator(".face input:checked").count() == 0  # nothing pre-selected
    tablet.get_by_label(month.said(lang, face), exact=True).check()
    tablet.get_by_label(month.said(lang, "What happened?")).fill(text)
    seen(tablet)
    if shot:
        tablet.evaluate("window.scrollTo(0, 0)")  # the faces and the answer, from the top
        snap(tablet, shot)
    click(tablet, month.said(lang, "Send"))
    assert tablet.url == f"{month.base}/meeting/thanks"
    assert tablet.inner_text("h1") == month.said(lang, "Thank you!")
    seen(tablet)
    click(tablet, month.said(lang, "Back to the start"), "link")


def child_proposes(month, tablet, lang, idea) -> None:
    tablet.get_by_role("link", name=month.said(lang, "Give an idea for a change")).click()
    tablet.wait_for_url(f"{month.base}/meeting/propose")
    seen(tablet)
    tablet.get_by_label(month.said(lang, "Your idea, in a few words")).fill(idea)
    click(tablet, month.said(lang, "Send my idea"))
    assert tablet.inner_text("h1") == month.said(lang, "Thank you!")
    click(tablet, month.said(lang, "Back to the start"), "link")


def child_votes(month, tablet, lang, choices, shots=False) -> None:
    tablet.get_by_role("link", name=month.said(lang, "Vote"), exact=True).click()
    tablet.wait_for_url(f"{month.base}/meeting/vote")
    options = tablet.locator(".vote-option")
    assert sorted(t.strip() for t in options.all_inner_texts()) == ACTIONS
    assert tablet.locator(".vote-option input:checked").count() == 0
    for title in choices:
        tablet.get_by_label(title).check()
    seen(tablet)
    if shots:
        snap(tablet, "vote")
    click(tablet, month.said(lang, "Send my vote"))
    assert tablet.inner_text("h1") == month.said(lang, "Your vote is counted. Thank you!")
    seen(tablet)
    click(tablet, month.said(lang, "Back to the start"), "link")


def child_sees_you_said_we_did(month, tablet, lang, answers=(), shots=False) -> None:
    """The outcomes page shows each of ``answers``; with none, it says so kindly."""
    tablet.get_by_role("link", name=month.said(lang, "You said, we did")).click()
    tablet.wait_for_url(f"{month.base}/meeting/outcomes")
    assert tablet.inner_text("h1") == month.said(lang, "You said, we did")
    shown = tablet.inner_text("main")
    if answers:
        assert all(answer in shown for answer in answers), shown
    else:
        assert month.said(lang, "Nothing to show yet. Adults are still working on your ideas.") in (
            shown
        )
    seen(tablet)
    if shots:
        snap(tablet, "you-said-we-did")
    click(tablet, month.said(lang, "Back to the start"), "link")


def child_calls_an_adult(month, tablet, lang) -> None:
    click(tablet, month.said(lang, "I want to talk to an adult"))
    assert tablet.url == f"{month.base}/help"
    assert tablet.inner_text("h1") == month.said(lang, "An adult is coming to you")
    seen(tablet)
    click(tablet, month.said(lang, "Back to the meeting"), "link")


def child_takes_an_answer_back(month, tablet, lang) -> None:
    tablet.get_by_role("link", name=month.said(lang, "What I gave today")).click()
    tablet.wait_for_url(f"{month.base}/meeting/mine")
    assert tablet.locator(".given .child-text").all_inner_texts() == [TAKEN_BACK]
    seen(tablet)
    click(tablet, month.said(lang, "Take it back"))
    assert month.said(lang, "It is taken back. Nobody will read it.") in flash(tablet)
    assert tablet.get_by_text(month.said(lang, "Nothing yet.")).is_visible()
    assert tablet.get_by_text(TAKEN_BACK).count() == 0
    seen(tablet)
    click(tablet, month.said(lang, "Back to the start"), "link")


def child_finishes(month, tablet, lang) -> None:
    click(tablet, month.said(lang, "I am finished"))
    assert tablet.url == f"{month.base}/join?code={month.code}&done=1"
    # The session (and its language) is gone: the page speaks the tablet's own language.
    assert tablet.get_attribute("html", "lang") == "en"
    assert tablet.get_by_role("status").inner_text() == (
        "Thank you! The tablet is ready for the next person."
    )
    assert tablet.get_by_label("Code").input_value() == month.code
    seen(tablet)
    tablet.goto(f"{month.base}/meeting")
    assert tablet.url == f"{month.base}/join", "the session is gone"
    tablet.context.close()
    month.contexts.remove(tablet.context)


# The facilitator in the room, then after the meeting -----------------------------------


def facilitator_sees_the_day_at_home(month: Month) -> None:
    """Mid-meeting, the facilitator's home page: the meeting open now and how to reach its
    screens, the child's call waiting and how long ago, the texts waiting per meeting."""
    page = month.pages["facilitator"]
    page.goto(month.base)
    today = page.get_by_role("region", name=f"Today at {BOARD}")
    assert "Open now" in today.inner_text()
    for name in ("Open the control screen", "Show the room screen", "Close the meeting"):
        assert today.get_by_role("link", name=name).is_visible()
    calls = today.locator(".help-call")
    expect(calls).to_have_count(1)
    expect(calls).to_contain_text("A child asked for an adult")
    waiting = today.get_by_role("list").filter(has_text="Meeting of").inner_text()
    assert "2 texts" in waiting, waiting
    seen(page)
    snap(page, "facilitator-home")


def facilitator_goes_to_the_child(month: Month) -> None:
    """The call shows on the facilitator's screen, with a sound, without a reload; never on
    the room screen, which counts the tablets all the same."""
    control = month.pages["control"]
    room_screen_updates(month, "control")
    calls = control.locator(".help-call")
    expect(calls).to_have_count(1)
    expect(calls).to_contain_text("A child asked for an adult at")
    assert control.get_attribute("[data-live-url]", "data-rung") == "2"  # it rang
    assert control.get_attribute("[data-live-url]", "data-sound") == "running"
    assert control.get_by_text("No call right now.").is_hidden()
    seen(control)
    snap(control, "control-screen-help")
    room = month.pages["room"]
    room_screen_updates(month)
    expect(room.locator(".room-language[lang=en] .room-count")).to_contain_text(
        "Tablets that joined: 3"
    )
    for lang in ("en", "sq", "ar"):
        assert month.said(lang, "A child asked for an adult at %(time)s", time="") not in (
            room.inner_text("main")
        )
    assert room.locator(".help-call").count() == 0
    seen(room)
    # The call's buttons came with the page's own form token: "Done" works.
    calls.get_by_role("button", name="Done: I went to them").click()
    control.wait_for_load_state()
    assert control.get_by_text("No call right now.").is_visible()
    seen(control)
    control.close()


def facilitator_closes_the_vote_and_meeting(month: Month) -> None:
    page = month.pages["facilitator"]
    page.goto(month.meeting_url)
    assert page.locator("[data-live=votes]").inner_text() == "3"
    click(page, "Close the vote and show the results")
    assert "The vote is closed." in flash(page)
    results = page.get_by_role("region", name="Vote").inner_text()
    assert "3 children voted." in results
    seen(page)
    click(page, "Close the meeting")  # a question first, saying what closing does
    assert page.locator("h1").inner_text() == "Close the meeting?"
    assert "The vote" not in page.locator(".happens").inner_text()  # closed already
    seen(page)
    click(page, "Back, do nothing", role="link")
    assert page.locator(".facts strong").inner_text() == "Open now"
    click(page, "Close the meeting")
    click(page, "Yes, close the meeting")
    assert page.locator(".facts strong").inner_text() == "Closed"
    undo = page.locator("#close button")
    assert undo.inner_text().startswith("Undo close (until ")
    assert page.locator(".code-small").count() == 0
    seen(page)
    # Closed too soon (a child came back in): undone, with a new code; the vote stays closed.
    undo.click()
    page.wait_for_load_state()
    assert "The meeting is open again with a new code." in flash(page)
    assert page.locator(".facts strong").inner_text() == "Open now"
    assert page.locator(".code-small").inner_text() != month.code
    assert "3 children voted." in page.get_by_role("region", name="Vote").inner_text()
    assert page.get_by_role("button", name="Open the vote").count() == 0
    seen(page)
    # And closed again, from the home page's link, through the same question.
    page.goto(month.base)
    page.get_by_role("region", name=f"Today at {BOARD}").get_by_role(
        "link", name="Close the meeting"
    ).click()
    page.wait_for_load_state()
    click(page, "Close the meeting")
    click(page, "Yes, close the meeting")
    assert page.locator(".facts strong").inner_text() == "Closed"
    room = month.pages["room"]
    room_screen_updates(month)  # it sees the meeting closed and says so by itself
    expect(room.locator(".room-language[lang=en]")).to_have_text("This meeting is not open")
    expect(room.locator(".room-language[lang=ar]")).to_have_text(
        month.said("ar", "This meeting is not open")
    )
    seen(room)
    room.close()


def facilitator_moderates(month: Month) -> None:
    page = month.pages["facilitator"]
    page.goto(month.base)
    # From the home page, this meeting's texts (the children's ideas belong to no meeting).
    page.get_by_role("link", name=re.compile("^Meeting of ")).click()
    page.wait_for_load_state()
    assert "meeting=" in page.url
    items = page.locator("article.queue-item")
    texts = page.locator(".child-text").all_inner_texts()
    assert WITH_DETAILS in texts and IN_DANGER in texts and IDEA not in texts
    assert TAKEN_BACK not in " ".join(texts), "what a child took back is gone"
    assert items.count() == 2
    seen(page)
    snap(page, "moderation-queue")

    # Redact: the name and the phone number are highlighted and ticked; approve.
    detailed = items.filter(has_text="Personal details found")
    assert detailed.count() == 1
    assert sorted(detailed.locator("mark").all_inner_texts()) == ["069 123 4567", "Arben"]
    assert detailed.locator("input[name=remove]:checked").count() == 2
    detailed.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    assert "Approved, with 2 parts removed." in flash(page)
    approved = page.locator("#approved").inner_text()  # as partners will read it
    assert "partners will read:" in approved and "[removed]" in approved
    assert "Arben" not in approved and "069 123 4567" not in approved
    seen(page)

    # The child in danger: a safeguarding concern, and the text leaves the queue. Its
    # urgency and reason are asked for; without an urgency, nothing typed is lost.
    danger = page.locator("article.queue-item").filter(has_text=IN_DANGER)
    danger.locator("summary").click()
    danger.get_by_label("Why you raise this concern").fill(REASON)
    danger.get_by_role("button", name="Raise a safeguarding concern").click()
    page.wait_for_load_state()
    assert page.get_by_label("Why you raise this concern").input_value() == REASON
    assert page.locator("fieldset.has-error .error").is_visible()  # at the urgency
    seen(page)
    page.get_by_label("Immediate danger").check()
    click(page, "Raise a safeguarding concern")
    assert "The safeguarding lead is alerted." in flash(page)
    assert page.get_by_text("Nothing is waiting. Thank you.").is_visible()

    # The idea, in the whole queue, is fine as it is.
    page.goto(month.base)
    page.get_by_role("link", name="Children's ideas").click()
    page.wait_for_load_state()
    idea = page.locator("article.queue-item").filter(has_text=IDEA)
    idea.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    assert "Approved." in flash(page)
    assert page.get_by_text("Nothing is waiting. Thank you.").is_visible()
    counters = page.locator(".counters").inner_text()
    assert "Approved: 2" in counters.replace("\n", " ")
    assert "Safeguarding concerns: 1" in counters.replace("\n", " ")
    seen(page)

    # The facilitator's home keeps the concern on top until the lead acknowledges it.
    page.goto(month.base)
    urgent = page.get_by_role("region", name="A child may be in immediate danger")
    assert BOARD in urgent.inner_text() and urgent.get_by_role("link").count() == 0
    alert = page.get_by_role("region", name="Safeguarding concerns not yet acknowledged")
    assert "The safeguarding lead is alerted." in alert.inner_text()
    seen(page)


# The safeguarding lead -----------------------------------------------------------------


def lead_acknowledges_and_closes(month: Month) -> None:
    """The lead was mailed a link (never the words); the home page has the concern on top
    and acknowledges it in one press; the case is worked on its timeline, then closed."""
    page = month.pages["lead"]
    page.goto(month.base)
    urgent = page.get_by_role("region", name="A child may be in immediate danger")
    assert BOARD in urgent.inner_text()
    assert IN_DANGER not in page.inner_text("main")
    seen(page)
    urgent.get_by_role("button", name="Acknowledge: I am taking care of it").click()
    page.wait_for_load_state()
    assert "Acknowledged." in flash(page)
    assert page.inner_text("h1") == "Safeguarding concern"
    assert page.locator("blockquote.child-text").inner_text() == IN_DANGER
    facts = page.inner_text(".facts")
    assert "Immediate danger" in facts and "Acknowledged" in facts
    assert "Elira Facilitator" in facts and "Youth room, first floor" in facts  # the meeting
    seen(page)
    notes = page.get_by_role("group", name="What happened")
    for kind, text in (
        ("Contacted", "Spoke to the child's case worker by phone; she meets the child today."),
        ("Referred", "Police child protection unit, Tirana."),
    ):
        notes.get_by_label(kind, exact=True).check()
        page.get_by_role("textbox", name="Note").fill(text)
        click(page, "Add to the timeline")
        assert "Added to the timeline." in flash(page)
        assert text in page.locator("ol.timeline").inner_text()
    page.get_by_label("Outcome").fill("The child is safe in the shelter.")
    click(page, "Close the concern")
    assert "The concern is closed." in flash(page)
    timeline = page.locator("ol.timeline li").all_inner_texts()
    assert [entry.split(" · ")[0] for entry in timeline] == [
        "Raised",
        "Acknowledged",
        "Contacted",
        "Referred",
        "Closed, with the outcome",
    ]
    seen(page)
    snap(page, "lead-case-timeline", full_page=True)
    page.goto(month.base)
    assert page.get_by_text("A child may be in immediate danger").count() == 0
    assert page.get_by_text("Safeguarding concerns not yet acknowledged").count() == 0
    seen(page)
    facilitator = month.pages["facilitator"]
    facilitator.goto(month.base)
    assert facilitator.get_by_text("Safeguarding concerns not yet acknowledged").count() == 0


# The summary, the partner's answer, and next month -------------------------------------

REDACTED = "My name is [removed] and my phone is [removed]. The staff listened to me."
RECOMMENDATION = "Keep a quiet room for homework open every afternoon"
FINDING = "Children say the drop-in centre closes before school ends"
ANSWER = "We will open the library room on weekday afternoons from next month."
CHANGED = "We will open the library room on Monday to Thursday afternoons from next month."
FOR_CHILDREN = {
    "en": "From next month, the library room is open for homework from Monday to Thursday.",
    "sq": "Nga muaji tjetër, salla e bibliotekës është e hapur për detyrat nga e hëna në të enjte.",
    "ar": "من الشهر القادم، غرفة المكتبة مفتوحة للواجبات من الاثنين إلى الخميس.",
}


def next_month() -> datetime:
    """09:00 on the second day of the next month in the board's zone."""
    local = FIXED_NOW.astimezone(ZoneInfo(ZONE))
    first = (local.replace(day=1) + timedelta(days=32)).replace(day=2, hour=9, minute=0)
    return first.astimezone(UTC)


def signs_in_again(month: Month, who: str) -> None:
    page = month.pages[who]
    page.goto(f"{month.base}/login")
    page.get_by_label("Email").fill(PEOPLE[who][1])
    page.get_by_label("Password").fill(PASSWORDS[who])
    click(page, "Sign in")
    assert page.inner_text("h1") == f"Hello, {PEOPLE[who][0]}"


def facilitator_composes_and_publishes(month: Month) -> None:
    page = month.pages["facilitator"]
    page.goto(month.base)
    page.get_by_role("link", name="Summaries for partners").first.click()
    page.wait_for_load_state()
    assert page.get_by_text("No summary yet.").is_visible()
    seen(page)
    this_month = FIXED_NOW.astimezone(ZoneInfo(ZONE)).strftime("%B %Y")  # "June 2026"
    page.get_by_label("Period").select_option(label=this_month)
    click(page, "Compose the summary of this period")
    assert page.inner_text("h1") == "Compose the summary"
    seen(page)
    page.get_by_label("What the children said, in your words").fill(
        "<p>Children feel <strong>listened to</strong> at the drop-in centre.</p>"
        "<script>alert('x')</script>"
    )
    # A finding in plain words, with the figures and the words it rests on.
    slot = page.locator(".finding-slot").first
    slot.get_by_label("Finding 1").fill(FINDING)
    slot.get_by_role("group", name="Figures it rests on").get_by_label("All services").check()
    slot.get_by_role("group", name="Children's words it rests on").get_by_label(REDACTED).check()
    page.get_by_label("Recommendations, one per line").fill(RECOMMENDATION)
    quotes = page.get_by_role("group", name="Approved words to quote")
    assert quotes.get_by_label(WITH_DETAILS).count() == 0, "only the redacted words"
    quotes.get_by_label(REDACTED).check()
    click(page, "Save the draft")
    assert "The draft is saved. Check the preview before you publish." in flash(page)
    # The preview is the partners' page itself.
    assert "Preview: this is exactly what partners will see once you publish." in page.inner_text(
        "main"
    )
    main = page.inner_text("main")
    assert REDACTED in main and "Arben" not in main and "069" not in main
    assert f"({this_month})" in main  # a quote carries its month, never its day
    assert page.locator(".narrative strong").inner_text() == "listened to"
    assert page.locator(".narrative script").count() == 0 and "alert" not in main
    figures = page.get_by_role("table", name=re.compile("How children rated the services"))
    assert "<5" in figures.inner_text()  # three children: every count is under k
    finding = page.locator("article.summary-item").filter(has_text=FINDING)
    assert "All services" in finding.inner_text() and REDACTED in finding.inner_text()
    votes = page.get_by_role(
        "table", name="Advocacy actions in the votes of this period, best first"
    )
    assert all(title in votes.inner_text() for title in ACTIONS)
    # Who receives it comes before the button; publishing asks for a confirmation.
    preview = page.inner_text("main")
    assert preview.index("It will be sent to:") < preview.index(PARTNER_ORG)
    assert "It cannot be published yet" not in preview
    seen(page)
    snap(page, "summary-preview")
    click(page, "Publish to the partners named to the children")
    assert "Tick the box to confirm that you want to publish it." in page.inner_text("main")
    seen(page)
    page.get_by_label(
        f"I have checked the preview. The summary goes to {PARTNER_ORG}; it cannot be changed "
        "afterwards."
    ).check()
    click(page, "Publish to the partners named to the children")
    assert f"Published to: {PARTNER_ORG}" in flash(page)
    assert page.get_by_text("Preview: this is exactly").count() == 0
    seen(page)
    month.summary_url = page.url


def partner_reads_exports_and_answers(month: Month) -> None:
    page = month.pages["partner"]
    page.goto(month.base)
    received = page.get_by_role("region", name="Summaries your organisation received")
    received.get_by_role("link", name=re.compile(BOARD)).click()
    page.wait_for_load_state()
    assert page.url == month.summary_url
    assert page.inner_text("h1").startswith(f"What children said: {BOARD}")
    assert REDACTED in page.inner_text("main")
    seen(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Every table as CSV").click()
    exported = Path(download.value.path()).read_text()
    header, rows = csv_table(exported, "ratings")
    assert header[:4] == ["service", "period", "shown as", "ratings"]
    assert any(row[3] == "<5" for row in rows)
    assert FINDING in "".join(",".join(r) for r in csv_table(exported, "findings")[1])
    # The partner answers the finding, with the figures and words it rests on beside it.
    item = page.locator("article.summary-item").filter(has_text=FINDING)
    assert REDACTED in item.inner_text()
    item.locator("summary").click()
    item.get_by_label("Your answer").select_option(label="We will do it")
    item.get_by_label("What you will do").fill(ANSWER)
    click(page, "Send the answer")
    assert "Thank you. Your answer is recorded; the children will hear it." in flash(page)
    answered = page.locator("article.summary-item").filter(has_text=FINDING)
    assert f"{PARTNER_ORG}: We will do it" in answered.inner_text()
    seen(page)
    # An empty answer keeps the partner at the item, the error beside the field.
    answered.get_by_text("Change or withdraw your answer").click()
    answered.get_by_label("What you will do").fill("")
    click(page, "Save the change")
    answered = page.locator("article.summary-item").filter(has_text=FINDING)
    assert "Write what you will do." in answered.inner_text()
    seen(page)
    # The partner brings the answer up to date; the earlier words are kept.
    answered.get_by_label("Your answer").select_option(label="We will do part of it")
    answered.get_by_label("What you will do").fill(CHANGED)
    click(page, "Save the change")
    assert "Your answer is updated; the earlier one is kept." in flash(page)
    answered = page.locator("article.summary-item").filter(has_text=FINDING)
    assert f"{PARTNER_ORG}: We will do part of it" in answered.inner_text()
    assert "changed on" in answered.inner_text()
    answered.get_by_text("1 earlier version").click()
    assert ANSWER in answered.locator("details.versions").inner_text()
    seen(page)
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_load_state()
    assert page.inner_text("h1") == "What children said, across boards"
    assert "1 summary" in page.inner_text("main")
    assert page.get_by_role("img", name="Ratings per period").is_visible()
    periods = page.get_by_role("table", name="Ratings per period")
    assert FIXED_NOW.astimezone(ZoneInfo(ZONE)).strftime("%B %Y") in periods.inner_text()
    seen(page)
    snap(page, "partner-dashboard")


def facilitator_words_it_for_children(month: Month) -> None:
    page = month.pages["facilitator"]
    page.goto(month.summary_url)
    item = page.locator("article.summary-item").filter(has_text=FINDING)
    assert CHANGED in item.inner_text()
    item.get_by_role("link", name="Children's wording").click()
    page.wait_for_load_state()
    assert page.inner_text("h1") == "The answer in children's words"
    seen(page)
    for lang, text in FOR_CHILDREN.items():
        page.locator(f"#text-{lang}").fill(text)
    click(page, "Show it to the children")
    assert "The children will see this answer." in flash(page)
    seen(page)


def next_month_a_child_hears_the_answer(month: Month) -> None:
    """Next month's meeting (the second of the series) opens; a child reads the answer."""
    page = month.pages["facilitator"]
    page.goto(month.base)
    click(page, "Meetings", "link")
    coming = page.get_by_role("table", name="Coming meetings").locator("tbody tr")
    coming.first.get_by_role("link").click()
    page.wait_for_load_state()
    month.meeting_url = page.url
    click(page, "Open the meeting")
    month.code = page.inner_text(".code-small")
    seen(page)
    for lang, language in (("sq", "Shqip"), ("ar", "العربية")):
        tablet = child_joins(month, f"next-{lang}", language, lang)
        shots = lang == "sq"
        answer = [FOR_CHILDREN[lang], PARTNER_ORG]
        child_sees_you_said_we_did(month, tablet, lang, answer, shots=shots)
        child_finishes(month, tablet, lang)


# The month, in order --------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_settings():
    """The month runs with two-factor sign-in as shipped: required for administrators and
    safeguarding leads (the rest of the suite signs in with passwords alone)."""
    return {"TWO_FACTOR": "required-for-leads-and-admins"}


@pytest.fixture
def month(browser, empty_live_server):
    month = Month(browser=browser, base=empty_live_server.url, app=empty_live_server.app)
    yield month
    month.close()


def test_the_month(month):
    admin_signs_in(month)
    admin_adds_organisations(month)
    admin_sets_up_the_board(month)
    for who in ("facilitator", "lead", "partner"):
        admin_invites(month, who)
    for who in ("facilitator", "lead", "partner"):
        accepts_invitation(month, who)

    facilitator_schedules_the_series(month)
    facilitator_shortlists_actions(month)
    facilitator_opens_the_meeting(month)
    facilitator_opens_the_vote(month)
    facilitator_watches_the_room(month)

    # Three children, three tablets, three languages.
    amira = child_joins(month, "child-en", "English", "en", shots=True)
    child_gives_feedback(month, amira, "en", DROP_IN, "Good", WITH_DETAILS, shot="feedback")
    child_proposes(month, amira, "en", IDEA)
    child_votes(month, amira, "en", ACTIONS[:1], shots=True)
    child_sees_you_said_we_did(month, amira, "en", shots=True)  # nothing yet, the first month

    besa = child_joins(month, "child-sq", "Shqip", "sq")
    child_gives_feedback(month, besa, "sq", HEALTH, "Very bad", IN_DANGER)
    child_votes(month, besa, "sq", ACTIONS)
    child_calls_an_adult(month, besa, "sq")
    facilitator_sees_the_day_at_home(month)

    karim = child_joins(month, "child-ar", "العربية", "ar", viewport=PHONE)  # on a phone
    child_gives_feedback(month, karim, "ar", DROP_IN, "Okay", TAKEN_BACK, shot="feedback-ar-phone")
    child_takes_an_answer_back(month, karim, "ar")
    child_votes(month, karim, "ar", ACTIONS[1:])

    facilitator_goes_to_the_child(month)
    for tablet, lang in ((amira, "en"), (besa, "sq"), (karim, "ar")):
        child_finishes(month, tablet, lang)

    facilitator_closes_the_vote_and_meeting(month)
    facilitator_moderates(month)
    lead_acknowledges_and_closes(month)

    # A month is published once it is over: the rest of the story happens in the first
    # days of the next month (everyone signs in again, their sessions are days old).
    with time_machine.travel(next_month(), tick=True):
        for who in ("facilitator", "partner"):
            signs_in_again(month, who)
        facilitator_composes_and_publishes(month)
        partner_reads_exports_and_answers(month)
        facilitator_words_it_for_children(month)
        next_month_a_child_hears_the_answer(month)
