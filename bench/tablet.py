"""Tablet: the child pages as a shared tablet on a poor link loads them (issue 16, "Measured").

gunicorn as deployed (``gunicorn -c gunicorn.conf.py "board:create_app()"``, its defaults:
one worker, memory storage) serves a temporary SQLite database with the demo network seeded.
Debian's Chromium, driven by Playwright, is slowed down through the DevTools protocol:
400 ms round trip and 400 kbit/s each way (``Network.emulateNetworkConditions``), the CPU
4 times slower (``Emulation.setCPUThrottlingRate``).

A tablet joins like a child: the code (``/join?code=...``, the QR code's link), a language,
the explanation, then it waits at the door until the facilitator, signed in on a laptop of
their own (another browser context, not slowed down), taps "Let in". Measured, each a first
view and a repeat view:

- ``/join``: first view in a fresh browser (nothing in its cache);
- ``/meeting``, the meeting's home, and ``/meeting/services/<id>``, a feedback page: first
  view is the first visit in a session that just joined, so what the join pages loaded
  (the stylesheet, the script, the header's icons) may be in the cache already;
- repeat view: the same address again, a moment later.

Per view: bytes on the wire (``Network.loadingFinished`` encodedDataLength, headers
included, of every request the page sent to the network), the requests that went to the
network (those served from the browser's cache or by a service worker are not), the
DOMContentLoaded and load times from the page's Navigation Timing, and the physical floor:
connection set-up (1 round trip, when the page's own connection was new) + 1 round trip +
the bytes at 400 kbit/s. DevTools throttling delays each request by the latency and meters
its bytes but has no TCP handshake to slow down, so a first view can come in just under its
floor. Once the service worker controls the tablet (it registers on /join), a page's own
document reaches the network through it (the navigation preload), out of the page's
DevTools' sight: that request is the page's and counted with it, its body's bytes from the
benchmark server's access log, its headers as the page received them. Its own fetches (its
script, the precache of styles, pictures and the offline pages) are not the page's: they
are counted apart, on a line of their own.

    python -m bench.tablet     # BENCH_TABLET_RUNS=3: medians of that many runs;
                               # BENCH_TABLET_TRACE=1: each view's milestones
"""

from __future__ import annotations

import os
import re
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError

from bench.history import bench_app
from bench.load import Server
from board.db import get_session
from board.demo import DEMO_PASSWORD, open_meetings, seed

RTT_MS = 400
BYTES_PER_SECOND = 50_000  # 400 kbit/s
CPU_SLOWDOWN = 4
RUNS = int(os.environ.get("BENCH_TABLET_RUNS", 3))
# A tablet in portrait.
VIEWPORT = {"width": 800, "height": 1280}
# Targets (issue 16).
FIRST_VIEW_BYTES = 14 * 1024
REPEAT_VIEW_REQUESTS = 1
DCL_FIRST_MS = 1000.0
DCL_REPEAT_MS = 600.0
# After the load event, wait this long for late requests (a service worker's precache).
SETTLE_MS = 1500

# BENCH_TABLET_TRACE=1 prints each view's Navigation Timing milestones (ms), to see where
# the time goes.
TRACE = bool(os.environ.get("BENCH_TABLET_TRACE"))
MILESTONES = """() => {
  const n = performance.getEntriesByType("navigation")[0];
  return ["requestStart", "responseStart", "responseEnd", "domInteractive",
          "domContentLoadedEventStart", "loadEventStart"]
    .map(k => `${k} ${Math.round(n[k])}`).join(", ");
}"""
NAVIGATION_TIMING = """() => {
  const n = performance.getEntriesByType("navigation")[0];
  return [n.domContentLoadedEventStart, n.loadEventStart];
}"""


@dataclass
class Demo:
    """What the tablet needs to know about the seeded demo."""

    code: str
    meeting_id: int
    service_id: int
    facilitator: str


@dataclass
class View:
    page: str
    view: str
    bytes: int
    requests: int
    dcl_ms: float
    load_ms: float
    new_connection: bool
    served_by_worker: int = 0

    @property
    def floor_ms(self) -> float:
        setup = RTT_MS if self.new_connection else 0
        return setup + RTT_MS + self.bytes * 1000 / BYTES_PER_SECOND


@dataclass
class Wire:
    """What one page sent to the network, from the DevTools protocol's Network events."""

    sent: dict[str, str] = field(default_factory=dict)  # request id -> resource type
    cached: set[str] = field(default_factory=set)
    by_worker: set[str] = field(default_factory=set)
    bytes: dict[str, int] = field(default_factory=dict)
    connections: set = field(default_factory=set)  # every connection seen, all views
    document_new_connection: bool = False

    def listen(self, cdp) -> None:
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)

    def reset(self) -> None:
        self.sent.clear()
        self.cached.clear()
        self.by_worker.clear()
        self.bytes.clear()
        self.document_new_connection = False

    def _sent(self, event) -> None:
        if event["request"]["url"].startswith(("http://", "https://")):
            self.sent[event["requestId"]] = event.get("type", "")

    def _from_cache(self, event) -> None:
        self.cached.add(event["requestId"])

    def _response(self, event) -> None:
        response, request_id = event["response"], event["requestId"]
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            self.cached.add(request_id)
        if response.get("fromServiceWorker"):
            self.by_worker.add(request_id)
        # A connection id not seen before: the page's own connection is new (Chromium may
        # open it before the request, so the response's connect timing says nothing).
        connection = response.get("connectionId")
        if event.get("type") == "Document":
            self.document_new_connection = connection not in self.connections
        self.connections.add(connection)

    def _finished(self, event) -> None:
        self.bytes[event["requestId"]] = int(event.get("encodedDataLength", 0))

    def on_the_wire(self) -> list[str]:
        return [r for r in self.sent if r not in self.cached and r not in self.by_worker]


def _background(url: str) -> bool:
    """What the service worker fetches for itself, not for the page in front of it: its own
    script, its precache (static files, the offline pages), its queue."""
    path = urlsplit(url).path
    return path == "/sw.js" or path.startswith(("/static/", "/join/offline/", "/meeting/queue"))


@dataclass
class WorkerFetches:
    """Requests a service worker sent to the network for itself (its script, its precache),
    counted apart from the pages."""

    requests: int = 0
    bytes: int = 0

    def listen(self, context) -> None:
        context.on("requestfinished", self._finished)

    def _finished(self, request) -> None:
        if request.service_worker is None:
            return
        try:
            sizes = request.sizes()
        except PlaywrightError:  # the context closed first
            return
        if _background(request.url):
            self.requests += 1
            self.bytes += sizes["responseHeadersSize"] + sizes["responseBodySize"]


def seed_demo(url: str) -> Demo:
    """The demo network in a fresh database; its open meeting, one service on its agenda and
    the facilitator of its board."""
    from board.demo.data import facilitator_email

    app = bench_app(url)
    with app.app_context():
        session = get_session()
        seed(session)
        session.commit()
        meeting = open_meetings(session)[0]
        service = next(s for s in meeting.services if s.active)
        slug = meeting.board.city.lower()
        return Demo(meeting.join_code, meeting.id, service.id, facilitator_email(slug))


def _slow(cdp, on: bool) -> None:
    if on:
        conditions = {
            "offline": False,
            "latency": RTT_MS,
            "downloadThroughput": BYTES_PER_SECOND,
            "uploadThroughput": BYTES_PER_SECOND,
        }
    else:
        conditions = {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": -1,
        }
    cdp.send("Network.emulateNetworkConditions", conditions)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN if on else 1})


class AccessLog:
    """gunicorn's access log, for the benchmark's server only (production keeps it off):
    once the service worker controls the tablet, a page's document reaches the network
    through it (the navigation preload), where DevTools on the page does not see its bytes.
    The log gives the body as sent (compressed); the headers are those the page received."""

    def __init__(self, path: Path):
        self.path = path
        self.seen = 0

    def mark(self) -> None:
        self.seen = len(self._lines())

    def _lines(self) -> list[str]:
        return self.path.read_text().splitlines() if self.path.exists() else []

    def body_bytes(self, path: str) -> int | None:
        for line in self._lines()[self.seen :]:
            match = re.match(r'"GET (\S+) HTTP/1\.1" (\d+) (\d+|-)', line)
            if match and match.group(1) == path and match.group(3) != "-":
                return int(match.group(3))
        return None


def _header_bytes(response) -> int:
    """An HTTP/1.1 response's status line and headers, as they travel."""
    lines = [f"HTTP/1.1 {response.status} {response.status_text}"]
    lines += [f"{name}: {value}" for name, value in response.headers_array()]
    return sum(len(line.encode()) + 2 for line in lines) + 2


def _visit(page, wire: Wire, log: AccessLog, url: str, name: str, view: str) -> View:
    wire.reset()
    log.mark()
    response = page.goto(url, wait_until="load")
    page.wait_for_timeout(SETTLE_MS)
    dcl, load = page.evaluate(NAVIGATION_TIMING)
    if TRACE:
        print(f"{name} {view}: {page.evaluate(MILESTONES)}")
    ids = wire.on_the_wire()
    size, requests = sum(wire.bytes.get(r, 0) for r in ids), len(ids)
    if response is not None and response.from_service_worker:
        split = urlsplit(url)
        body = log.body_bytes(split.path + (f"?{split.query}" if split.query else ""))
        if body is not None:  # the document went to the network, through the worker
            size, requests = size + body + _header_bytes(response), requests + 1
    return View(
        page=name,
        view=view,
        bytes=size,
        requests=requests,
        dcl_ms=dcl,
        load_ms=load,
        new_connection=wire.document_new_connection,
        served_by_worker=len(wire.by_worker),
    )


class Facilitator:
    """The facilitator's laptop: signed in, taps "Let in" on the door page."""

    def __init__(self, browser, base: str, demo: Demo):
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.base, self.demo = base, demo
        self.page.goto(f"{base}/login")
        self.page.fill("input[name=email]", demo.facilitator)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        self.page.click("main form [type=submit]")
        self.page.wait_for_load_state()

    def let_in(self, label: str) -> None:
        self.page.goto(f"{self.base}/meetings/{self.demo.meeting_id}/door")
        self.page.get_by_role("button", name=f"Let in tablet {label}").click()
        self.page.wait_for_url(f"{self.base}/meetings/{self.demo.meeting_id}/door")

    def close(self) -> None:
        self.context.close()


def one_run(
    browser, base: str, demo: Demo, facilitator: Facilitator, log: AccessLog
) -> tuple[list, WorkerFetches]:
    """A fresh tablet: /join first and repeat, joins, then the meeting's pages."""
    context = browser.new_context(viewport=VIEWPORT)
    worker = WorkerFetches()
    worker.listen(context)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        wire = Wire()
        wire.listen(cdp)
        join = f"{base}/join?code={demo.code}"
        _slow(cdp, True)
        views = [
            _visit(page, wire, log, join, "/join", "first"),
            _visit(page, wire, log, join, "/join", "repeat"),
        ]
        _slow(cdp, False)
        page.click("#submit")
        page.wait_for_url(f"{base}/join/language")
        page.locator("button.language-button").first.click()
        page.wait_for_url(f"{base}/join/welcome")
        page.click(".start-form button")
        page.wait_for_url(f"{base}/join/wait")
        label = page.get_attribute(".tablet-label", "data-label")
        # Away from the waiting page before the tap: it looks again by itself, and would
        # load the meeting's home before it is measured.
        page.goto("about:blank")
        facilitator.let_in(label)
        _slow(cdp, True)
        home = f"{base}/meeting"
        feedback = f"{base}/meeting/services/{demo.service_id}"
        for url, name in ((home, "/meeting"), (feedback, "/meeting/services/<id>")):
            views.append(_visit(page, wire, log, url, name, "first"))
            views.append(_visit(page, wire, log, url, name, "repeat"))
        return views, worker
    finally:
        context.close()


def _median_view(runs: list[View]) -> View:
    """The run with the median DOMContentLoaded, its load time the median of the runs."""
    ordered = sorted(runs, key=lambda v: v.dcl_ms)
    middle = ordered[len(ordered) // 2]
    middle.load_ms = statistics.median(v.load_ms for v in runs)
    return middle


def measure(runs: int = RUNS) -> tuple[list[View], WorkerFetches]:
    """Seed, serve, and play ``runs`` tablets; one View per page and view (medians)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS, chromium_path

    path = chromium_path()
    if path is None:
        raise SystemExit("Chromium not found (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'tablet.sqlite3'}"
        demo = seed_demo(url)
        server = Server(url, Path(folder) / "server.log", workers=1, threads=8, storage="memory://")
        log = AccessLog(Path(folder) / "access.log")
        # The benchmark's own server logs requests (a production server does not).
        os.environ["GUNICORN_CMD_ARGS"] = f"--access-logfile {log.path}"
        try:
            server.start()
        finally:
            del os.environ["GUNICORN_CMD_ARGS"]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
                facilitator = Facilitator(browser, server.address(""), demo)
                all_runs = []
                worker = WorkerFetches()
                for _ in range(runs):
                    views, fetched = one_run(browser, server.address(""), demo, facilitator, log)
                    all_runs.append(views)
                    worker.requests += fetched.requests
                    worker.bytes += fetched.bytes
                facilitator.close()
                browser.close()
        finally:
            server.stop()
    medians = [_median_view([run[i] for run in all_runs]) for i in range(len(all_runs[0]))]
    worker.requests //= runs
    worker.bytes //= runs
    return medians, worker


def _within(view: View) -> tuple[str, str, str]:
    """The targets beside each figure: bytes (first view), requests (repeat), DCL."""
    if view.view == "first":
        size = f"<={FIRST_VIEW_BYTES // 1024}K " + (
            "yes" if view.bytes <= FIRST_VIEW_BYTES else "NO"
        )
        dcl_target = DCL_FIRST_MS
        requests = ""
    else:
        size = ""
        requests = f"={REPEAT_VIEW_REQUESTS} " + (
            "yes" if view.requests <= REPEAT_VIEW_REQUESTS else "NO"
        )
        dcl_target = DCL_REPEAT_MS
    dcl = f"<={dcl_target:.0f} " + ("yes" if view.dcl_ms <= dcl_target else "NO")
    return size, requests, dcl


def report(runs: int = RUNS) -> list[View]:
    """Measure and print the table; return the views (for the smoke test)."""
    views, worker = measure(runs)
    print(
        f"\ntablet: Chromium, {RTT_MS} ms round trip, {BYTES_PER_SECOND * 8 // 1000} kbit/s each "
        f"way, CPU {CPU_SLOWDOWN}x slower; gunicorn as deployed; median of {runs} run(s)\n"
        "(/join first: empty cache; /meeting and the feedback page first: first visit right "
        "after joining, the join pages' stylesheet, script and icons may be cached)"
    )
    header = (
        f"{'page':<24} {'view':<7} {'bytes':>6} {'target':>9} {'reqs':>4} {'target':>6} "
        f"{'DCL ms':>7} {'target':>9} {'load ms':>8} {'floor ms':>9} {'DCL/floor':>9}"
    )
    print(header)
    print("-" * len(header))
    for v in views:
        size, requests, dcl = _within(v)
        print(
            f"{v.page:<24} {v.view:<7} {v.bytes:>6} {size:>9} {v.requests:>4} {requests:>6} "
            f"{v.dcl_ms:>7.0f} {dcl:>9} {v.load_ms:>8.0f} {v.floor_ms:>9.0f} "
            f"{v.dcl_ms / v.floor_ms:>9.2f}"
        )
    served = max(v.served_by_worker for v in views)
    if worker.requests or served:
        print(
            f"service worker: {worker.requests} request(s) of its own, {worker.bytes} bytes "
            f"(its script and precache, in the background after /join, not counted above); "
            f"up to {served} of a page's requests answered by it (its document, fetched "
            "through it, is counted with the page)"
        )
    else:
        print("service worker: none fetched anything")
    return views


def main() -> None:
    report()


if __name__ == "__main__":
    main()
