"""A tablet whose network drops (issue 16), in Chromium: the tablet reaches the server
through a link the test cuts (tests/browser/network.py), while the facilitator's side reads
the server directly.

- Each thing a child sends while cut (an answer with words, an idea, a vote, a help call)
  is kept, shown as kept (a help call as not reaching the adult), and arrives exactly once
  when the link is back; the room counted the tablet meanwhile.
- "I am finished" while cut, and the next child at the tablet while still cut, then online:
  the first child's answer arrives, and the next child sees nothing of it anywhere (pages,
  the back button, the caches, IndexedDB read through the page).
- The idle reset sends a started answer (or keeps it), and drops an untouched form.
- axe on the offline page, in every shipped language.
"""

from __future__ import annotations

import time
import types

import pytest
import sqlalchemy as sa

from board.actions.models import Action
from board.db import get_session
from board.feedback.models import Feedback
from board.i18n import LANGUAGES, html_lang
from board.meetings.models import HelpCall, Meeting, MeetingState
from board.participate import offline
from board.voting import services as voting
from board.voting.queries import count_votes
from tests.browser.conftest import instrument, let_tablet_in
from tests.browser.network import Link
from tests.browser.test_accessibility import check_page

pytestmark = pytest.mark.browser
TABLET = {"width": 820, "height": 1180}
QUEUE_SEND = b'"ping"'  # the queue's count report carries it; its sends do not


@pytest.fixture(scope="module")
def link(live_server):
    port = int(live_server.url.rsplit(":", 1)[1])
    with Link(port) as link:
        yield link


@pytest.fixture
def room(live_app):
    """The open meeting, offering every shipped language, and a service on its agenda."""
    with live_app.app_context():
        session = get_session()
        meeting = session.scalar(sa.select(Meeting).where(Meeting.state == MeetingState.OPEN))
        board = meeting.board
        before, board.languages = board.languages, " ".join(LANGUAGES)
        session.commit()
        service = next(s for s in board.services if s.active)
        yield types.SimpleNamespace(
            id=meeting.id, code=meeting.join_code, board_id=board.id, service_id=service.id
        )
        session = get_session()
        session.get(Meeting, meeting.id).board.languages = before
        session.commit()


@pytest.fixture
def tablet(browser, link):
    context = browser.new_context(viewport=TABLET, has_touch=True)
    page = instrument(context.new_page())
    yield page
    link.restore()
    context.close()


def _join(tablet, link, live_server, room, lang="en") -> None:
    base = link.url
    tablet.goto(f"{base}/join?code={room.code}")
    tablet.click("#submit")
    tablet.wait_for_url(f"{base}/join/language")
    tablet.click(f"#lang-{lang}")
    tablet.wait_for_url(f"{base}/join/welcome")
    tablet.click(".start-form button")
    let_tablet_in(tablet, types.SimpleNamespace(url=base, app=live_server.app))
    # The service worker is in charge, and has what it needs to show the offline page. Asked
    # from here, not with wait_for_function: its polling runs on the page's timers, which the
    # idle tests' installed clock holds still.
    # A busy machine may fail the worker's first install (one precache fetch lost): as a
    # tablet's next page would, a reload registers it again and is then in its charge.
    for tick in range(1, 301):
        if tablet.evaluate("navigator.serviceWorker.controller !== null"):
            break
        if tick % 60 == 0:
            tablet.reload()
        time.sleep(0.1)
    assert tablet.evaluate("navigator.serviceWorker.controller !== null"), "no service worker"


def _count(live_app, model, *where) -> int:
    with live_app.app_context():
        session = get_session()
        return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _waiting(live_app, meeting_id) -> int:
    """What the room screen shows: tablets holding answers not sent yet."""
    with live_app.app_context():
        return offline.waiting_tablets(get_session().get(Meeting, meeting_id))


def _flush(tablet) -> None:
    """What the page does every 15 seconds and when the browser says it is online again."""
    tablet.evaluate("navigator.serviceWorker.controller.postMessage({type: 'flush'})")


def _kept(tablet) -> str:
    """Everything in the tablet's IndexedDB, read through the page as anyone could."""
    return tablet.evaluate(
        """async () => {
          const names = (await indexedDB.databases()).map((d) => d.name);
          if (!names.includes("board-queue")) return "";
          const db = await new Promise((ok, no) => {
            const r = indexedDB.open("board-queue");
            r.onsuccess = () => ok(r.result);
            r.onerror = no;
          });
          const read = (store) => new Promise((ok) => {
            const r = db.transaction(store).objectStore(store).getAll();
            r.onsuccess = () => ok(r.result);
          });
          const text = JSON.stringify({items: await read("items"), meta: await read("meta")});
          db.close();
          return text;
        }"""
    )


def _cached(tablet) -> list[str]:
    return tablet.evaluate(
        """async () => {
          const urls = [];
          for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
          }
          return urls;
        }"""
    )


def _state(tablet) -> str:
    return tablet.get_attribute("[data-offline-page] [data-state]:not([hidden])", "data-state")


def _send_while_cut(tablet, link, live_app, room, submit, expected_state: str) -> None:
    """Cut the link, send, see it kept; bring the link back for everything but the queue's
    sends (a link that carries a little only): the room counts the tablet; then all of it."""
    link.cut()
    submit()
    tablet.wait_for_url(f"{link.url}/join/offline/**")
    assert _state(tablet) == expected_state
    lang = tablet.get_attribute("body", "data-lang")
    assert tablet.get_attribute("html", "lang") == html_lang(lang)  # the child's language
    link.up = True
    link.drop = lambda method, path, body: path == "/meeting/queue" and QUEUE_SEND not in body
    _flush(tablet)
    tablet.evaluate("true")  # a round trip: let the page's message go
    for _ in range(100):
        if _waiting(live_app, room.id) == 1:
            break
        tablet.wait_for_timeout(100)
    assert _waiting(live_app, room.id) == 1
    link.restore()
    _flush(tablet)
    for _ in range(100):
        if _waiting(live_app, room.id) == 0 and '"items":[]' in _kept(tablet):
            break
        tablet.wait_for_timeout(100)
    assert _waiting(live_app, room.id) == 0


@pytest.mark.parametrize("lang", ["sq", "ar"])
def test_what_a_child_sends_offline_arrives_once(tablet, link, live_server, live_app, room, lang):
    words = f"offline words {lang}"
    answers = Feedback.meeting_id == room.id
    before = _count(live_app, Feedback, answers)
    _join(tablet, link, live_server, room, lang)

    # An answer with words: kept, then "sent" on the same page once it went.
    tablet.goto(f"{link.url}/meeting/services/{room.service_id}")
    tablet.check("input[name='rating'][value='4']", force=True)
    tablet.fill("textarea[name='happened']", words)

    def send_answer():
        tablet.click("form[data-offline='answer'] [type='submit'].primary")

    _send_while_cut(tablet, link, live_app, room, send_answer, "saved")
    tablet.wait_for_selector("[data-state='sent']:not([hidden])")
    assert _count(live_app, Feedback, answers, Feedback.happened == words) == 1
    assert words not in _kept(tablet)

    # An idea.
    ideas = _count(live_app, Action, Action.title == f"idea {lang}")
    tablet.goto(f"{link.url}/meeting/propose")
    tablet.fill("input[name='title']", f"idea {lang}")
    _send_while_cut(tablet, link, live_app, room, send_answer, "saved")
    assert _count(live_app, Action, Action.title == f"idea {lang}") == ideas + 1

    # A vote.
    with live_app.app_context():
        session = get_session()
        meeting = session.get(Meeting, room.id)
        ballot = voting.current_ballot(session, meeting)
        if ballot is None:
            options = session.scalars(
                sa.select(Action).where(Action.board_id == room.board_id).limit(2)
            ).all()
            for option in options:
                option.status = "shortlisted"
            ballot = voting.open_ballot(session, None, meeting, list(options), method="approval")
            session.commit()
        ballot_id, votes = ballot.id, count_votes(session, ballot)
    tablet.goto(f"{link.url}/meeting/vote")
    ticks = tablet.locator(".vote-options input[type='checkbox']")
    if ticks.count():
        ticks.first.check(force=True)
    else:  # dots: one for the first idea
        tablet.locator("button[data-dots-step='1']").first.click()
    _send_while_cut(tablet, link, live_app, room, send_answer, "saved")
    with live_app.app_context():
        session = get_session()
        assert count_votes(session, session.get(voting.Ballot, ballot_id)) == votes + 1

    # A help call: never shown as sent; it reaches the facilitator once the link is back.
    calls = _count(live_app, HelpCall, HelpCall.meeting_id == room.id)
    tablet.goto(f"{link.url}/meeting")

    def call_for_help():
        tablet.click("form[data-offline='help'] button")

    _send_while_cut(tablet, link, live_app, room, call_for_help, "help")
    assert _state(tablet) == "help"  # still: it was not sent when the child looked
    assert _count(live_app, HelpCall, HelpCall.meeting_id == room.id) == calls + 1

    # Nothing arrives twice: the queue is empty, and sending again changes nothing.
    _flush(tablet)
    tablet.wait_for_timeout(500)
    assert _count(live_app, Feedback, answers) == before + 1
    assert _count(live_app, HelpCall, HelpCall.meeting_id == room.id) == calls + 1
    assert not tablet.console_errors, tablet.console_errors


def test_the_next_child_sees_nothing_of_the_last_one(tablet, link, live_server, live_app, room):
    words = "the first child's private words"
    _join(tablet, link, live_server, room, "en")
    tablet.goto(f"{link.url}/meeting/services/{room.service_id}")
    tablet.fill("textarea[name='better']", words)
    link.cut()
    tablet.click("form[data-offline='answer'] [type='submit'].primary")
    tablet.wait_for_url(f"{link.url}/join/offline/**")
    assert _state(tablet) == "saved"
    tablet.click("#finish-form button")  # "I am finished", still without a network
    tablet.wait_for_url(f"{link.url}/join/offline/**state=finished*")
    assert _state(tablet) == "finished"

    # The next child, still offline: the way in waits for the network.
    tablet.goto(f"{link.url}/join?code={room.code}")
    assert _state(tablet) == "finished"
    seen = [tablet.content()]
    for _ in range(4):
        tablet.go_back()
        seen.append(tablet.content())
    kept = _kept(tablet)
    assert words not in kept and "better" not in kept  # sealed
    assert all(words not in page for page in seen)
    cached = _cached(tablet)
    assert cached and all("/static/" in url or "/join/offline/" in url for url in cached)

    # Online again: the first child's answer and "I am finished" arrive; the next child
    # comes in fresh.
    link.restore()
    _join(tablet, link, live_server, room, "en")
    assert _count(live_app, Feedback, Feedback.better == words) == 1
    for path in ["/meeting", "/meeting/mine", "/meeting/thanks"]:
        tablet.goto(link.url + path)
        assert words not in tablet.content()
    for _ in range(6):
        tablet.go_back()
        assert words not in tablet.content(), tablet.url
    assert '"items":[]' in _kept(tablet)


@pytest.mark.parametrize("online", [True, False])
def test_the_idle_reset_keeps_a_started_answer(tablet, link, live_server, live_app, room, online):
    words = f"started before the idle time {online}"
    _join(tablet, link, live_server, room, "en")
    tablet.clock.install()  # after joining: the idle timer is the next page's
    with live_app.app_context():
        idle = get_session().get(Meeting, room.id).board.idle_seconds
    tablet.goto(f"{link.url}/meeting/services/{room.service_id}")
    tablet.fill("textarea[name='happened']", words)
    if not online:
        link.cut()
    tablet.clock.run_for(idle * 1000 + 1000)
    if online:
        tablet.wait_for_url(f"{link.url}/join?code={room.code}&done=1&sent=1")
        assert "The answer you started was sent." in tablet.inner_text("main")
    else:
        tablet.wait_for_url(f"{link.url}/join/offline/**state=finished*")
        link.restore()
        _flush(tablet)
        for _ in range(100):
            if '"items":[]' in _kept(tablet):
                break
            tablet.wait_for_timeout(100)
    assert _count(live_app, Feedback, Feedback.happened == words) == 1
    tablet.goto(f"{link.url}/meeting")
    assert tablet.url.startswith(f"{link.url}/join")  # the session ended


def test_the_idle_reset_drops_an_untouched_form(tablet, link, live_server, live_app, room):
    _join(tablet, link, live_server, room, "en")
    tablet.clock.install()  # after joining: the idle timer is the next page's
    with live_app.app_context():
        idle = get_session().get(Meeting, room.id).board.idle_seconds
    answers = _count(live_app, Feedback, Feedback.meeting_id == room.id)
    tablet.goto(f"{link.url}/meeting/services/{room.service_id}")
    tablet.clock.run_for(idle * 1000 + 1000)
    tablet.wait_for_url(f"{link.url}/join?code={room.code}&done=1")
    assert "was sent" not in tablet.inner_text("main")
    assert _count(live_app, Feedback, Feedback.meeting_id == room.id) == answers


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_offline_page_in_every_language(browser, link, lang):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = instrument(context.new_page())
    problems = []
    for state in ["waiting", "saved", "help", "finished"]:
        page.goto(f"{link.url}/join/offline/{lang}?state={state}")
        assert page.get_attribute("html", "lang") == html_lang(lang)
        assert page.get_attribute("html", "dir") == LANGUAGES[lang][1]
        assert _state(page) == state
        problems += check_page(page)
    context.close()
    assert not problems, "\n".join(problems)


def test_another_site_cannot_use_the_tablet_s_passes(tablet, link, live_server, live_app, room):
    """A page of another site posts "I want to talk to an adult" to the tablet's address
    while the network is down: the service worker keeps nothing and calls nobody."""
    calls = _count(live_app, HelpCall, HelpCall.meeting_id == room.id)
    _join(tablet, link, live_server, room, "en")
    tablet.goto(f"{link.url}/meeting")
    link.cut()
    tablet.goto("about:blank")
    tablet.set_content(
        f'<form method="post" action="{link.url}/help"><button>go</button></form>'
        f'<form method="post" action="{link.url}/finish" id="f"><button>end</button></form>'
    )
    tablet.click("form button")
    tablet.wait_for_url(f"{link.url}/join/offline/**")
    assert _state(tablet) == "waiting"
    assert '"items":[]' in _kept(tablet)
    link.restore()
    _flush(tablet)
    tablet.wait_for_timeout(500)
    assert _count(live_app, HelpCall, HelpCall.meeting_id == room.id) == calls
    tablet.goto(f"{link.url}/meeting")
    assert tablet.url == f"{link.url}/meeting"  # the child's session goes on


def test_what_the_server_refuses_is_not_called_sent(tablet, link, live_server, live_app, room):
    _join(tablet, link, live_server, room, "en")
    tablet.goto(f"{link.url}/meeting/propose")
    tablet.fill("textarea[name='description']", "an idea without its few words")
    link.cut()
    tablet.click("form[data-offline='answer'] [type='submit'].primary")
    tablet.wait_for_url(f"{link.url}/join/offline/**")
    assert _state(tablet) == "saved"
    link.restore()
    _flush(tablet)
    tablet.wait_for_selector("[data-state='refused']:not([hidden])")
    assert '"items":[]' in _kept(tablet)
