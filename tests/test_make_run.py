"""`make run` never puts the Werkzeug debugger on the network (issue 13, item 9). The
README once suggested ``HOST=0.0.0.0 make run`` for the room's tablets, which served the
debugger, and with it a Python console, to everyone on the Wi-Fi. Loopback keeps the
debugger; any other address is served by gunicorn."""

from __future__ import annotations

import shutil
import subprocess  # nosec B404 (make, with fixed arguments, in a test)
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _serve_command(host: str) -> str:
    """The command `make run HOST=host` would serve with (printed, not run)."""
    printed = subprocess.run(  # noqa: S603  # nosec B603
        ["make", "--no-print-directory", "-n", "run", f"HOST={host}"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return printed.split("Serving http://", 1)[1]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.1.1"])
def test_this_machine_only_keeps_the_debugger(host):
    command = _serve_command(host)
    assert "run --debug" in command
    assert "gunicorn" not in command


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])  # noqa: S104
def test_any_other_address_is_served_without_the_debugger(host):
    command = _serve_command(host)
    assert "--debug" not in command and "flask" not in command.split("gunicorn")[0]
    assert "gunicorn -c gunicorn.conf.py" in command
    assert "BOARD_BIND=" in command and ":5000" in command
    # Plain HTTP on the local network: cookies that insisted on HTTPS would never come back.
    assert "BOARD_SESSION_COOKIE_SECURE=false" in command
