"""The tablet benchmark (bench/tablet.py) in its quick mode, one run: it serves the demo with
gunicorn, joins a tablet through Chromium on the slowed link, and prints its table. What it
measures that does not depend on the machine's speed is held to the targets: first views
within 14 KB on the wire, repeat views one request.

It runs as a process of its own: gunicorn keeps the real clock, so the demo it serves is
seeded on that clock too, not on the suite's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import chromium_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parent.parent.parent
PAGES = ["/join", "/meeting", "/meeting/services/<id>"]


@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="the benchmark seeds SQLite of its own: the SQLite pass of the suite runs it once",
)
def test_the_tablet_benchmark_prints_its_table_and_meets_the_size_targets():
    if chromium_path() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium not found: required under CI")
        pytest.skip("Chromium not found (apt-get install chromium)")
    done = subprocess.run(
        [sys.executable, "-m", "bench.tablet"],
        cwd=ROOT,
        env={**os.environ, "BENCH_TABLET_RUNS": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    rows = {}
    for line in lines:
        fields = line.split()
        if fields and fields[0] in PAGES and fields[1] in ("first", "repeat"):
            rows[fields[0], fields[1]] = fields
    assert set(rows) == {(page, view) for page in PAGES for view in ("first", "repeat")}
    for (_page, view), fields in rows.items():
        size, requests = int(fields[2]), int(fields[5 if view == "first" else 3])
        assert size > 0 and requests >= 1, fields
        if view == "first":
            assert size <= 14 * 1024 and fields[4] == "yes", fields
        else:
            assert requests == 1 and fields[5] == "yes", fields
    assert any(line.startswith("service worker:") for line in lines)
