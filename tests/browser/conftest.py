"""Browser tests: the app served on 127.0.0.1 from a thread, driven by Debian's Chromium
through Playwright. Without Chromium they are skipped with a message, except under CI,
where a missing browser is a failure."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from board import create_app
from board.db import get_engine, get_session
from tests.conftest import _config, wipe

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    candidate = os.environ.get("BOARD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if candidate and os.path.exists(candidate) else None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium not found (apt-get install chromium): browser tests skipped"
        if os.environ.get("CI") == "true":
            pytest.fail(message.replace("skipped", "required under CI"))
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _Handler(WSGIRequestHandler):
    """When the browser goes away mid-response (a test closed its page while pictures
    were still coming), close the response: werkzeug leaves its open file to the garbage
    collector, whose ResourceWarning fails whichever test happens to be running."""

    def connection_dropped(self, error, environ=None):
        response = (environ or {}).get("tests.response")
        if hasattr(response, "close"):
            response.close()


def _keeping_the_response(app):
    def wsgi(environ, start_response):
        environ["tests.response"] = response = app(environ, start_response)
        return response

    return wsgi


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server(
            "127.0.0.1", 0, _keeping_the_response(app), threaded=True, request_handler=_Handler
        )
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join()
        self.server.server_close()


@pytest.fixture(scope="module")
def live_app(database_url):
    """The demo network, served for the module's tests; wiped afterwards."""
    app = create_app(_config(database_url, WTF_CSRF_ENABLED=True, SERVER_NAME=None))
    from board import demo

    with app.app_context():
        session = get_session()
        demo.clear(session)
        demo.seed(session)
        session.commit()
    yield app
    engine = get_engine(app)
    wipe(engine)
    engine.dispose()


ADMIN_EMAIL = "nora.admin@network.example.org"
ADMIN_PASSWORD = "a long network password"


@pytest.fixture(scope="module")
def live_settings() -> dict:
    """Settings a test module's live app takes on top of the tests' own (override it)."""
    return {}


@pytest.fixture(scope="module")
def empty_live_app(database_url, live_settings):
    """An empty network with one administrator, made as the README says (``create-admin``)."""
    app = create_app(
        _config(database_url, WTF_CSRF_ENABLED=True, SERVER_NAME=None, **live_settings)
    )
    engine = get_engine(app)
    wipe(engine)
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", ADMIN_EMAIL, "--name", "Nora Admin"],
        input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    yield app
    wipe(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def empty_live_server(empty_live_app):
    with LiveServer(empty_live_app) as server:
        yield server


@pytest.fixture(scope="module")
def live_server(live_app):
    with LiveServer(live_app) as server:
        yield server


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def instrument(page):
    """Collect console errors and failed sub-resources (CSP violations show up here)."""
    page.console_errors = []

    def on_console(message):
        # An error page's own status is logged as a console error; that one is expected.
        if message.type == "error" and "the server responded with a status" not in message.text:
            page.console_errors.append(message.text)

    def on_response(response):
        if response.request.resource_type != "document" and response.status >= 400:
            page.console_errors.append(f"{response.url} answered {response.status}")

    page.on("console", on_console)
    page.on("response", on_response)
    return page


@pytest.fixture
def page(context):
    yield instrument(context.new_page())


def tablet_label(tablet) -> str:
    """The short name a waiting tablet shows ("4F7"), as the facilitator reads it."""
    return tablet.get_attribute(".tablet-label", "data-label")


def let_tablet_in(tablet, server, *, check=None, by_itself=False) -> None:
    """A tablet that just pressed "start" waits at the door; the facilitator's tap (through
    the same service as the door page's "Let in" button); the tablet looks again and is in:
    by the address of its "Look again" link (the way without JavaScript), or, with
    ``by_itself``, by the page's own refresh. ``check`` runs on the waiting page."""
    import sqlalchemy as sa

    from board.meetings.models import Meeting, MeetingState
    from board.participate import admission

    base = server.url
    tablet.wait_for_url(f"{base}/join/wait")
    if check is not None:
        check()
    label = tablet_label(tablet)
    with server.app.app_context():
        session = get_session()
        open_now = sa.select(Meeting).where(Meeting.state == MeetingState.OPEN)
        for meeting in session.scalars(open_now):
            for waiting in admission.waiting(meeting):
                if waiting.label == label:
                    admission.let_in(session, meeting, waiting.place)
        session.commit()
    if not by_itself:  # (the page may have looked again already: its refresh is timed)
        tablet.goto(f"{base}/join/wait")
    tablet.wait_for_url(f"{base}/meeting", timeout=20_000)
