"""The deployment path: gunicorn with our settings serves the app and its health check."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow  # starts gunicorn
def test_gunicorn_serves_healthz(database_url, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "BOARD_DATABASE_URL": database_url,
        "BOARD_SECRET_KEY": "deploy-test-key",
        "BOARD_BIND": f"127.0.0.1:{port}",
        "BOARD_WORKERS": "1",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "board:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    assert b'"database":"ok"' in r.read().replace(b" ", b"")
                    break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as r:
            assert "Set-Cookie" in r.headers and "Secure" in r.headers["Set-Cookie"]
            page = r.read().decode()
        # The stylesheet under its hashed name, precompressed, cached for good (board.assets).
        [css] = re.findall(r'href="(/static/board\.[0-9a-f]{12}\.css)"', page)
        asked = urllib.request.Request(
            f"http://127.0.0.1:{port}{css}", headers={"Accept-Encoding": "br"}
        )
        with urllib.request.urlopen(asked, timeout=2) as r:  # noqa: S310 (our own server)
            assert r.headers["Content-Encoding"] == "br"
            assert "immutable" in r.headers["Cache-Control"]
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
    output = (tmp_path / "gunicorn.log").read_text()
    assert "127.0.0.1 -" not in output and "GET /" not in output  # no access log


def test_one_gunicorn_worker_unless_limits_are_shared(monkeypatch):
    """Finished tablet sessions live in the limiter's storage: in memory, several workers
    would each keep their own, and a copied cookie could outlive "I am finished"."""
    import runpy

    conf = str(Path(__file__).parent.parent / "gunicorn.conf.py")
    for name in ("BOARD_WORKERS", "BOARD_THREADS", "BOARD_RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    assert runpy.run_path(conf)["workers"] == 1
    monkeypatch.setenv("BOARD_RATELIMIT_STORAGE_URI", "memory://")
    assert runpy.run_path(conf)["workers"] == 1
    monkeypatch.setenv("BOARD_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    assert runpy.run_path(conf)["workers"] > 1
