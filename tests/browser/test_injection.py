"""Script injection: hostile text typed into every kind of text field (a child's words and
ideas, a facilitator's note, names of boards, services, organisations, watch names, concerns,
a summary and its findings, a partner's answer), then every page that shows it opened in
Chromium: no dialog opens, the console stays clean (no CSP violation), no handler or
javascript: link reaches the DOM, and ``{{7*7}}`` stays text."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import time_machine
from flask import url_for

from board import create_app
from board.actions.models import Action
from board.auth.models import User
from board.db import get_engine, get_session
from board.feedback.models import Feedback
from board.meetings.models import Meeting, MeetingState
from board.moderation.models import Concern
from board.states import ModerationState
from board.summaries.models import ItemKind, Response, Summary, SummaryItem
from tests.browser.conftest import instrument, let_tablet_in
from tests.browser.test_accessibility import sign_in
from tests.conftest import FIXED_NOW, _config
from tests.factories import close_meeting, publish

pytestmark = pytest.mark.browser


def payload(tag: str) -> str:
    """One string carrying the usual vectors, marked so each can be traced to its field."""
    return (
        f'{tag}<script>alert("{tag}")</script>"><img src=x onerror=alert("{tag}")>'
        f"'><svg onload=alert('{tag}')> javascript:alert(1) tpl{{{{7*7}}}}"
    )


UNSAFE_DOM = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const value = a.value.trim().toLowerCase();
      if (a.name.startsWith('on')) found.push(`${el.tagName} ${a.name}`);
      if (['href', 'src', 'action', 'formaction'].includes(a.name) &&
          value.startsWith('javascript:')) found.push(`${el.tagName} ${a.name}=${a.value}`);
    }
  }
  for (const s of document.querySelectorAll('script:not([src])')) found.push('inline script');
  return found;
}"""


class Watcher:
    """Dialogs, console errors and unsafe DOM seen on every page visited."""

    def __init__(self, page):
        self.page = instrument(page)
        self.problems: list[str] = []
        self.shown = 0  # pages on which a payload was visible as text
        page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.problems.append(f"{self.page.url}: dialog {dialog.message!r}")
        dialog.dismiss()

    def check(self):
        page = self.page
        html = page.content()
        if "tpl49" in html:
            self.problems.append(f"{page.url}: a template expression was evaluated")
        self.problems += [f"{page.url}: {found}" for found in page.evaluate(UNSAFE_DOM)]
        self.problems += [f"{page.url}: console: {e}" for e in page.console_errors]
        page.console_errors.clear()
        if "tpl{{7*7}}" in page.inner_text("body"):
            self.shown += 1

    def visit(self, url):
        response = self.page.goto(url)
        assert response.status == 200, f"{url}: {response.status}"
        self.check()


@pytest.fixture(scope="module")
def planted(live_app, database_url):
    """Hostile text submitted through the staff forms (a second app on the same database,
    without CSRF so the test client can post); the child's part is typed in the browser."""
    staff_app = create_app(_config(database_url, SERVER_NAME=None))
    with live_app.app_context():
        db = get_session()
        meeting = db.scalar(sa.select(Meeting).where(Meeting.state == MeetingState.OPEN))
        board = meeting.board
        user = {
            email: db.scalar(sa.select(User).where(User.email == email))
            for email in (
                "admin@example.org",
                "facilitator.tirana@example.org",
                "lead.tirana@example.org",
                "partner.municipality@example.org",
            )
        }
        partner_org = user["partner.municipality@example.org"].organisation
        service = meeting.services[0] if meeting.services else board.services[0]
        # The board's own form has many fields; its name is set as the form would store it.
        board.name = payload("board")[:200]
        db.commit()
        ids = {
            "board": board.id,
            "meeting": meeting.id,
            "code": meeting.join_code,
            "service": service.id,
            "org": partner_org.id,
            "org_kind": partner_org.kind.value,
            "org_country": partner_org.country or "",
            "category": service.category.value,
        }
        users = {email: u.get_id() for email, u in user.items()}
    client = staff_app.test_client()

    def as_user(email):
        with client.session_transaction() as sess:
            sess["_user_id"] = users[email]

    def post(url, data):
        response = client.post(url, data=data)
        assert response.status_code in (200, 302), (url, response.status_code)

    as_user("admin@example.org")
    post(
        f"/admin/organisations/{ids['org']}",
        {"name": payload("org"), "kind": ids["org_kind"], "country": ids["org_country"]},
    )
    post(
        f"/admin/services/{ids['service']}",
        {"name": payload("svc"), "category": ids["category"], "active": "y"},
    )
    as_user("facilitator.tirana@example.org")
    post(f"/boards/{ids['board']}/watch-names", {"watch_names": payload("watch")})
    post(
        f"/boards/{ids['board']}/actions/new",
        {
            "title": payload("act")[:160],
            "description": payload("actdesc"),
            "language": "en",
            "pictogram": ids["category"],
            "status": "shortlisted",
        },
    )
    post(f"/meetings/{ids['meeting']}/concern", {"reason": payload("concern"), "urgency": "today"})
    yield staff_app, client, as_user, post, ids
    get_engine(staff_app).dispose()


def test_hostile_text_never_runs_anywhere(browser, live_server, live_app, planted):
    staff_app, client, as_user, post, ids = planted
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        # The child types it on the tablet.
        child = Watcher(context.new_page())
        child.visit(f"{base}/join?code={ids['code']}")
        child.page.click("#submit")
        child.page.wait_for_url(f"{base}/join/language")
        child.page.click("button.language-button:text-is('English')")
        child.page.wait_for_url(f"{base}/join/welcome")
        child.check()  # the partners' names are read out here
        child.page.click(".start-form button")
        let_tablet_in(child.page, live_server)
        child.visit(f"{base}/meeting/services/{ids['service']}")
        child.page.locator("input[name=rating]").first.check(force=True)
        child.page.fill("textarea[name=happened]", payload("happened"))
        child.page.fill("textarea[name=better]", payload("better"))
        child.page.locator("form.child-form [type=submit]").click()
        child.page.wait_for_url(f"{base}/meeting/thanks")
        child.visit(f"{base}/meeting/propose")
        child.page.fill("input[name=title]", payload("idea")[:160])
        child.page.fill("textarea[name=description]", payload("ideadesc"))
        child.page.locator("form.child-form [type=submit]").click()
        child.page.wait_for_url(f"{base}/meeting/thanks")
        for path in (
            "/meeting",
            "/meeting/services",
            "/meeting/mine",
            "/meeting/vote",
            "/meeting/outcomes",
            f"/meeting/services/{ids['service']}",
        ):
            child.visit(base + path)

        # The facilitator approves it with a note, and quotes it in a published summary.
        with live_app.app_context():
            db = get_session()
            feedback = db.scalar(sa.select(Feedback).where(Feedback.happened.like("happened%")))
            assert feedback is not None, "the child's words were not stored"
            feedback_id = feedback.id
        as_user("facilitator.tirana@example.org")
        post(
            f"/moderation/feedback/{feedback_id}", {"decision": "approve", "note": payload("note")}
        )
        month = FIXED_NOW.date().replace(day=1)  # the suite's clock: a month with a held meeting
        post(f"/boards/{ids['board']}/summaries", {"period": f"{month.isoformat()}/1"})
        with live_app.app_context():
            db = get_session()
            summary_id = db.scalar(
                sa.select(Summary.id).where(
                    Summary.board_id == ids["board"], Summary.month == month
                )
            )
        post(
            f"/summaries/{summary_id}/edit",
            {
                "narrative": payload("narrative")
                + '<a href="javascript:alert(1)">x</a><p onclick="alert(2)">p</p>',
                "recommendations": payload("rec"),
                "quotes": [f"{feedback_id}:happened"],
                "findings-0-text": payload("finding"),
                "findings-0-figures": ["all"],
                "findings-0-quotes": [f"{feedback_id}:happened"],
            },
        )
        # A period is published once it is over, its meetings closed and its texts
        # moderated: the meeting closes, the rest of the queue is rejected, and the
        # facilitator publishes in the first days of the next month.
        assert close_meeting(client, SimpleNamespace(id=ids["meeting"])).status_code == 302
        with live_app.app_context():
            db = get_session()
            db.execute(
                sa.update(Feedback)
                .where(Feedback.moderation == ModerationState.PENDING)
                .values(moderation=ModerationState.REJECTED)
            )
            db.commit()
        next_month = datetime.combine(month + timedelta(days=32), time(8), UTC).replace(day=2)
        with time_machine.travel(next_month, tick=True):
            as_user("facilitator.tirana@example.org")
            assert publish(client, SimpleNamespace(id=summary_id)).status_code == 302
        as_user("facilitator.tirana@example.org")
        with live_app.app_context():
            published = get_session().get(Summary, summary_id)
            assert published.published, "the summary was not published"
        with live_app.app_context():
            db = get_session()
            item_id = db.scalar(
                sa.select(SummaryItem.id).where(
                    SummaryItem.summary_id == summary_id, SummaryItem.kind == ItemKind.FINDING
                )
            )
        as_user("partner.municipality@example.org")
        post(f"/summary-items/{item_id}/respond", {"status": "accepted", "what": payload("answer")})
        with live_app.app_context():
            db = get_session()
            response_id = db.scalar(sa.select(Response.id).where(Response.item_id == item_id))
            concern_id = db.scalar(sa.select(sa.func.max(Concern.id)))
            # Ids are random: the adult's action is found by its words, not as the newest.
            action_id = db.scalar(sa.select(Action.id).where(Action.title.like("act<script>%")))
        with staff_app.test_request_context():
            pages = {
                "facilitator.tirana@example.org": [
                    url_for("home.index"),
                    url_for("home.board", board_id=ids["board"]),
                    url_for("meetings.board_meetings", board_id=ids["board"]),
                    url_for("room.meeting", meeting_id=ids["meeting"]),
                    url_for("room.screen", meeting_id=ids["meeting"]),
                    url_for("moderation.queue", board_id=ids["board"]),
                    url_for("moderation.confirm_approve_all", board_id=ids["board"]),
                    url_for("actions.board_actions", board_id=ids["board"]),
                    url_for("actions.action", action_id=action_id),
                    url_for("summaries.board_summaries", board_id=ids["board"]),
                    url_for("summaries.view", summary_id=summary_id),
                    url_for("summaries.for_children", response_id=response_id),
                ],
                "admin@example.org": [
                    url_for("admin.organisations"),
                    url_for("admin.organisation", organisation_id=ids["org"]),
                    url_for("admin.boards_list"),
                    url_for("admin.board", board_id=ids["board"]),
                    url_for("admin.service", service_id=ids["service"]),
                    url_for("admin.accounts_list"),
                    url_for("admin.audit"),
                ],
                "lead.tirana@example.org": [
                    url_for("home.index"),
                    url_for("moderation.concerns", board_id=ids["board"]),
                    url_for("moderation.concern", concern_id=concern_id),
                ],
                "partner.municipality@example.org": [
                    url_for("home.index"),
                    url_for("summaries.view", summary_id=summary_id),
                    url_for("summaries.waiting"),
                ],
            }
        problems, shown = list(child.problems), child.shown
        for email, paths in pages.items():
            staff_context = browser.new_context(viewport={"width": 1280, "height": 900})
            try:
                watcher = Watcher(staff_context.new_page())
                sign_in(watcher.page, base, email)
                for path in paths:
                    watcher.visit(base + path)
                problems += watcher.problems
                shown += watcher.shown
            finally:
                staff_context.close()
    finally:
        context.close()
    assert not problems, problems
    # The payloads were really on those pages, as text (else this test proves nothing).
    assert shown >= 15, shown
