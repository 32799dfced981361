"""Audio on a child's tablet, in headless Chromium (which has no voice of its own): every
tile and face has audio that plays, "Read this page" plays the page in order and stops on a
second tap, and a prompt the facilitator recorded is played in place of the synthesised one.
The recordings page passes axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from board.db import get_session
from board.meetings.models import Meeting, MeetingState
from tests.browser.conftest import instrument, let_tablet_in
from tests.browser.test_accessibility import check_page, sign_in
from tests.conftest import require_synthesis

pytestmark = pytest.mark.browser
TABLET = {"width": 820, "height": 1180}
OPUS = Path(__file__).resolve().parent.parent / "data" / "prompt.opus"


@pytest.fixture(scope="module", autouse=True)
def needs_synthesis():
    require_synthesis()


@pytest.fixture
def open_meeting(live_app):
    with live_app.app_context():
        meeting = get_session().scalar(sa.select(Meeting).where(Meeting.state == MeetingState.OPEN))
        return meeting.join_code, meeting.board_id, meeting.board.name


def _child(browser, server, code, language="Shqip"):
    context = browser.new_context(viewport=TABLET, has_touch=True, locale="en-GB")
    tablet = instrument(context.new_page())
    base = server.url
    tablet.goto(f"{base}/join?code={code}")
    tablet.click("#submit")
    tablet.wait_for_url(f"{base}/join/language")
    tablet.click(f"button.language-button:text-is('{language}')")
    tablet.wait_for_url(f"{base}/join/welcome")
    tablet.click(".start-form button")
    let_tablet_in(tablet, server)
    return context, tablet


def _plays(tablet, click) -> str:
    """Click; the audio then fetched must be Opus that the browser can decode. Its URL."""
    with tablet.expect_response(lambda r: "/audio/" in r.url, timeout=15_000) as answer:
        click()
    response = answer.value
    assert response.status == 200, response.url
    assert response.headers["content-type"].startswith("audio/ogg")
    duration = tablet.evaluate(
        """url => new Promise((resolve, reject) => {
             const audio = new Audio();
             audio.preload = "metadata";
             audio.addEventListener("loadedmetadata", () => resolve(audio.duration));
             audio.addEventListener("error", () => reject(new Error("cannot decode " + url)));
             audio.src = url;
           })""",
        response.url,
    )
    assert duration > 0
    return response.url


def _stop(tablet):
    tablet.evaluate("window.speechSynthesis && window.speechSynthesis.cancel()")


def test_every_tile_and_face_has_audio_that_plays(browser, live_server, open_meeting):
    code, _board, _name = open_meeting
    context, tablet = _child(browser, live_server, code)
    base = live_server.url
    assert tablet.evaluate("speechSynthesis.getVoices().length") == 0  # no device voice
    # Nothing is fetched before a play.
    assert not [
        r
        for r in tablet.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        if "/audio/" in r
    ]
    tiles = tablet.locator(".menu > li")
    assert tiles.count() >= 4
    for index in range(tiles.count()):
        speaker = tiles.nth(index).locator("button.speaker")
        box = speaker.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
        assert speaker.get_attribute("aria-pressed") is not None
        _plays(tablet, speaker.click)
        assert tablet.url == f"{base}/meeting"  # heard, not followed
    # Played again: from the tablet's service worker, not the network.
    with tablet.expect_response(lambda r: "/audio/" in r.url) as again:
        tiles.first.locator("button.speaker").click()
    assert again.value.from_service_worker
    tablet.goto(f"{base}/meeting/services")
    services = tablet.locator(".child-tiles > li")
    assert services.count() >= 1
    for index in range(services.count()):
        _plays(tablet, services.nth(index).locator("button.speaker").click)
    tablet.locator(".child-tiles a").first.click()
    tablet.wait_for_url(f"{base}/meeting/services/*")
    faces = tablet.locator("label.face")
    assert faces.count() == 5
    heard = set()
    for index in range(5):
        heard.add(_plays(tablet, faces.nth(index).click))
        assert faces.nth(index).locator("input").is_checked()  # chosen too
    assert len(heard) == 5  # five words, five sounds
    tablet.goto(f"{base}/meeting/vote")
    for option in tablet.locator(".vote-options > li button.speaker").all():
        _plays(tablet, option.click)
    assert not tablet.console_errors, tablet.console_errors
    context.close()


def test_read_this_page_plays_in_order_and_stops(browser, live_server, open_meeting):
    code, _board, _name = open_meeting
    context, tablet = _child(browser, live_server, code)
    expected = tablet.evaluate(
        "[...document.querySelectorAll('body [data-speak][data-audio]')]"
        ".filter(e => !e.closest('[hidden]') && !e.closest('button.read-aloud'))"
        ".map(e => new URL(e.dataset.audio, location.href).href)"
    )
    assert len(expected) >= 5
    fetched = []
    tablet.on("request", lambda r: fetched.append(r.url) if "/audio/" in r.url else None)
    button = tablet.locator("button.read-page")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    tablet.wait_for_function(
        "() => performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('/audio/')).length >= 3",
        timeout=30_000,
    )
    in_order = list(dict.fromkeys(fetched))
    assert in_order[:3] == expected[:3]
    button.click()  # a second tap stops
    assert button.get_attribute("aria-pressed") == "false"
    count = len(set(fetched))
    tablet.wait_for_timeout(2500)
    assert len(set(fetched)) <= count + 1  # nothing more starts (one may be on its way)
    context.close()


def test_a_recorded_prompt_plays_in_place_of_the_synthesised_one(
    browser, live_server, open_meeting
):
    code, board_id, _name = open_meeting
    base = live_server.url
    with live_server.app.app_context():
        from board.auth.models import Role, RoleAssignment, User

        email = get_session().scalar(
            sa.select(User.email)
            .join(RoleAssignment)
            .where(RoleAssignment.board_id == board_id, RoleAssignment.role == Role.FACILITATOR)
        )
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = instrument(staff_context.new_page())
    sign_in(staff, base, email)
    staff.goto(f"{base}/boards/{board_id}/recordings?lang=sq")
    problems = check_page(staff)
    row = staff.locator("tr", has=staff.locator("input[name=msgid][value='Vote']"))
    row.locator("input[type=file]").set_input_files(str(OPUS))
    row.locator("button[data-save]").click()
    staff.wait_for_url(f"{base}/boards/{board_id}/recordings?lang=sq*")
    assert "1 of" in staff.locator("h2#prompts-title").inner_text()
    problems += check_page(staff)
    staff_context.close()
    assert not problems, "\n".join(problems)

    context, tablet = _child(browser, live_server, code)
    vote = tablet.locator(".menu > li", has=tablet.locator("a[href='/meeting/vote']"))
    url = _plays(tablet, vote.locator("button.speaker").click)
    assert "/audio/recordings/" in url
    assert (
        tablet.evaluate(f"fetch('{url}').then(r => r.arrayBuffer()).then(b => b.byteLength)")
        == OPUS.stat().st_size
    )
    # Another tile is still synthesised.
    other = tablet.locator(".menu > li", has=tablet.locator("a[href='/meeting/services']"))
    assert "/audio/sq/" in _plays(tablet, other.locator("button.speaker").click)
    context.close()
