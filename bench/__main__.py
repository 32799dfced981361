"""`make bench`: the benchmarks, printing their tables.

pages: for each page, the median and 95th-percentile server time over repeated requests
(in-process WSGI, SQLite, the demo network), the bytes of HTML + CSS + JavaScript gzip-
compressed, and the number of references to other origins (target: 0).
tablet: /join, the meeting's home and a feedback page through Chromium on a slowed link
(400 ms round trip, 400 kbit/s) and CPU (4x), first and repeat view: bytes, requests,
DOMContentLoaded and load against the physical floor, against gunicorn (bench/tablet.py).
history: a summary and its export with 10,000 and 1,000,000 answers (bench/history.py).
load: 300 tablets in 30 open meetings against gunicorn (Locust users, bench/locustfile.py),
the /healthz ceiling, acknowledged submissions against the database, and the anonymity check
(bench/load.py).
detect: the personal-details detector's recall and false positives per language on its
corpus, and its microseconds per text (bench/detect.py).
voice: per language, the share of child-facing texts with audio (recorded or synthesised
offline; target 100 %), the synthesised files' sizes and build time (bench/voice.py).
disclosure: on a simulated network, the share of rows, board-months and children's answers
that reach a published distribution, today's rule against the cascade (bench/disclosure.py).
wordings: per language, the share of the texts children read (services' names, actions,
partners' answers) with a wording in it on the demo network, target 100 %, and the child
messages its catalogue leaves untranslated (bench/wordings.py).
"""

from __future__ import annotations

import gzip
import re
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.history import bench_app
from board.db import get_session
from board.demo import DEMO_PASSWORD, seed

REPEAT = 60
PAGES = [
    ("anonymous", "/"),
    ("anonymous", "/login"),
    ("anonymous", "/healthz"),
    ("admin@example.org", "/"),
    ("admin@example.org", "/admin/boards"),
    ("admin@example.org", "/admin/accounts"),
    ("admin@example.org", "/admin/audit"),
    ("facilitator.tirana@example.org", "/"),
    ("facilitator.tirana@example.org", "/boards/1"),
    ("facilitator.tirana@example.org", "/home/today"),  # polled every 15 s by the home page
    ("lead.tirana@example.org", "/"),
    ("partner.international@example.org", "/"),
]
ASSET = re.compile(r'(?:src|href)="([^"]+)"')


def _weight(client, html: str) -> tuple[int, int]:
    """gzip bytes of the page with its own CSS and JS, and references to other origins."""
    total = len(gzip.compress(html.encode(), 9))
    foreign = 0
    for ref in ASSET.findall(html):
        parts = urlsplit(ref)
        if parts.netloc:
            foreign += 1
        elif parts.path.endswith((".css", ".js")):
            response = client.get(parts.path)
            total += len(gzip.compress(response.data, 9))
            response.close()
    return total, foreign


def bench_pages() -> list[tuple]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = bench_app(url)
        with app.app_context():
            session = get_session()
            seed(session)
            session.commit()
        rows = []
        for who, path in PAGES:
            client = app.test_client()
            if who != "anonymous":
                client.post("/login", data={"email": who, "password": DEMO_PASSWORD})
            timings = []
            for _ in range(REPEAT):
                start = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (who, path, response.status_code)
            html = response.get_data(as_text=True)
            size, foreign = _weight(client, html)
            timings.sort()
            rows.append(
                (
                    who.split("@")[0],
                    path,
                    statistics.median(timings),
                    timings[int(len(timings) * 0.95) - 1],
                    size,
                    foreign,
                )
            )
        return rows, bench_child_pages(app)


CHILD_PAGES = [
    "/join",
    "/join/language",
    "/join/welcome",
    "/join/wait",
    "/meeting",
    "/meeting/services",
    "/meeting/services/1",
    "/meeting/propose",
    "/meeting/vote",
    "/meeting/outcomes",
    "/meeting/mine",
    "/help",
]
ONE_ROUND_TRIP = 14 * 1024


def bench_child_pages(app) -> list[tuple]:
    """Each child page: HTML + CSS + JS gzip bytes (pictograms apart), other origins."""
    from board.demo import open_meetings
    from board.participate import admission

    with app.app_context():
        meeting = open_meetings(get_session())[0]
        code, meeting_id = meeting.join_code, meeting.id
    client = app.test_client()
    client.post("/join", data={"code": code})
    client.post("/join/language", data={"lang": "sq"})
    rows = []
    for path in CHILD_PAGES:
        if path == "/meeting":
            client.post("/join/welcome")
            with app.app_context():  # the demo's facilitator lets the tablet in
                session = get_session()
                meeting = session.get(type(meeting), meeting_id)
                for waiting in admission.waiting(meeting):
                    admission.let_in(session, meeting, waiting.place)
                session.commit()
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        size, foreign = _weight(client, response.get_data(as_text=True))
        rows.append((path, size, foreign))
    return rows


def main() -> None:
    import os

    from bench import detect, disclosure, history, load, tablet, voice, wordings

    rows, child_rows = bench_pages()
    print(f"\npages (SQLite, demo network, {REPEAT} requests each, in-process)")
    header = (
        f"{'who':<24} {'page':<18} {'p50 ms':>8} {'p95 ms':>8} {'gzip B':>8} {'other origins':>14}"
    )
    print(header)
    print("-" * len(header))
    for who, path, p50, p95, size, foreign in rows:
        print(f"{who:<24} {path:<18} {p50:>8.2f} {p95:>8.2f} {size:>8} {foreign:>14}")
    print("\nchild pages on a tablet (HTML + CSS + JS, gzip -9; pictograms apart)")
    header = f"{'page':<18} {'gzip B':>8} {'target':>8} {'within':>7} {'other origins':>14}"
    print(header)
    print("-" * len(header))
    for path, size, foreign in child_rows:
        within = "yes" if size <= ONE_ROUND_TRIP else "NO"
        print(f"{path:<18} {size:>8} {ONE_ROUND_TRIP:>8} {within:>7} {foreign:>14}")
    wordings.main()
    tablet.main()
    voice.main()
    detect.main()
    disclosure.main()
    with tempfile.TemporaryDirectory() as folder:
        history.run(f"sqlite:///{Path(folder) / 'history.sqlite3'}", "SQLite")
    if os.environ.get("BENCH_POSTGRES_URL"):
        history.run(os.environ["BENCH_POSTGRES_URL"], "PostgreSQL")
    else:
        print("\n(set BENCH_POSTGRES_URL to run the history benchmark on PostgreSQL too)")
    load.main()


if __name__ == "__main__":
    main()
