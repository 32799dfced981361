"""Faults: the server killed mid-load, PostgreSQL restarted mid-load, a database that is
full or read-only. Real gunicorn, real databases; the throwaway PostgreSQL cluster is the
test's own (initdb and pg_ctl on a free port), never the machine's server."""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from bench import load
from board import create_app, ids
from board.audit.models import AuditEntry
from board.auth.models import Role
from board.boards.models import Board
from board.db import get_engine, make_engine, utcnow
from board.feedback.models import Feedback
from board.meetings.models import Meeting
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
MEMORY = "memory://"  # per worker: these tests need no shared limits, nor Redis


# Load that remembers what the server acknowledged ------------------------------------------


@dataclass
class Attempt:
    started: float
    status: int | None  # 0: the answer expected; None: no HTTP answer at all


@dataclass
class Feeders:
    """Threads that join as children, then send feedback until stopped."""

    port: int
    rooms: list
    threads: int = 4
    acked: load.Record = field(default_factory=load.Record)
    attempts: list[Attempt] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    workers: list[threading.Thread] = field(default_factory=list)

    def _send(self, device: requests.Session, method: str, path: str, form=None, expect=200):
        """One request, remembered with its start time; None unless it got ``expect``."""
        started, url = time.monotonic(), f"http://127.0.0.1:{self.port}{path}"
        try:
            answer = device.request(method, url, data=form, allow_redirects=False, timeout=10)
        except requests.RequestException:
            self.attempts.append(Attempt(started, None))
            return None
        status = answer.status_code
        self.attempts.append(Attempt(started, status if status != expect else 0))
        return answer if status == expect else None

    def _join(self, device: requests.Session, room) -> tuple[str, list[int]] | None:
        """A new child on the tablet; None if any step failed (the next try starts over)."""
        device.cookies.clear()
        page = self._send(device, "GET", f"/join?code={room.code}")
        if page is None:
            return None
        csrf = load.csrf_token(page.text)
        for path, form in (
            ("/join", {"csrf_token": csrf, "code": room.code}),
            ("/join/language", {"csrf_token": csrf, "lang": "en"}),
            ("/join/welcome", {"csrf_token": csrf}),
        ):
            if self._send(device, "POST", path, form, expect=302) is None:
                return None
        page = self._send(device, "GET", "/meeting/services")
        return (csrf, load.service_ids(page.text)) if page is not None else None

    def _run(self, index: int) -> None:
        room = self.rooms[index % len(self.rooms)]
        device = requests.Session()  # a maintained cookie jar
        try:
            self._feed(device, room)
        finally:
            device.close()

    def _feed(self, device: requests.Session, room) -> None:
        child, sent = None, 0
        while not self.stop.is_set():
            # A child rates each service once (a second rating would take the first one's
            # place), then the next child joins.
            if child is None or sent >= len(child[1]):
                child, sent = self._join(device, room), 0
                if child is None or not child[1]:
                    child = None
                    time.sleep(0.05)
                    continue
            csrf, services = child
            service, rating = services[sent % len(services)], sent % 5 + 1
            sent += 1
            path = f"/meeting/services/{service}"
            page = self._send(device, "GET", path)  # the server issues the form's token
            if page is None:
                time.sleep(0.05)
                continue
            form = {"csrf_token": csrf, "once": load.once_token(page.text), "rating": str(rating)}
            answer = self._send(device, "POST", path, form, 302)
            if answer is not None and answer.headers["Location"].startswith("/meeting/thanks"):
                with self.acked.lock:
                    self.acked.feedback[(room.meeting_id, service, rating)] += 1
            else:
                time.sleep(0.05)

    def start(self) -> None:
        self.workers = [
            threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(self.threads)
        ]
        for worker in self.workers:
            worker.start()

    def finish(self) -> None:
        self.stop.set()
        for worker in self.workers:
            worker.join(timeout=30)

    def wait_for_acks(self, count: int, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while sum(self.acked.feedback.values()) < count:
            assert time.monotonic() < deadline, "the load never got going"
            time.sleep(0.05)


# (a) SIGKILL mid-load ------------------------------------------------------------------------


@pytest.mark.slow  # servers under load, killed
def test_server_killed_mid_load_loses_nothing_acknowledged(tmp_path):
    url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    rooms = load.seed(url, boards=2)
    server = load.Server(url, tmp_path / "server.log", workers=2, threads=2, storage=MEMORY)
    server.start()
    feeders = Feeders(server.port, rooms)
    try:
        feeders.start()
        feeders.wait_for_acks(40)
        server.kill()  # master and workers at once, mid-request
        time.sleep(0.3)
    finally:
        feeders.finish()
        server.kill()
    acknowledged = sum(feeders.acked.feedback.values())
    lost, _in_flight = load.check_acknowledged(url, feeders.acked)["feedback"]
    assert acknowledged >= 40 and lost == 0
    with sqlite3.connect(tmp_path / "kill.sqlite3") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    again = load.Server(url, tmp_path / "server.log", workers=1, threads=2, storage=MEMORY)
    again.start()
    try:
        more = Feeders(again.port, rooms, threads=1)
        more.start()
        more.wait_for_acks(3)
        more.finish()
    finally:
        again.stop()
    feeders.acked.merge_acks(more.acked)
    assert load.check_acknowledged(url, feeders.acked)["feedback"][0] == 0


# (b) PostgreSQL restarted mid-load -----------------------------------------------------------


def _postgres_tools() -> tuple[str, str]:
    initdb = shutil.which("initdb") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)), None
    )
    if initdb is None:
        pytest.skip("initdb not found: PostgreSQL server binaries are not installed")
    pg_ctl = str(Path(initdb).with_name("pg_ctl"))
    if not Path(pg_ctl).exists():
        pytest.skip("pg_ctl not found next to initdb")
    return initdb, pg_ctl


class Cluster:
    """A PostgreSQL cluster of the test's own, in a temporary folder, on a free port. initdb
    refuses to run as root: as root, the commands run as the ``postgres`` system user."""

    def __init__(self):
        self.initdb, self.pg_ctl = _postgres_tools()
        self.as_user: list[str] = []
        self.folder = Path(tempfile.mkdtemp(prefix="board-pg-"))
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            try:
                import pwd

                owner = pwd.getpwnam("postgres")
            except KeyError:
                owner = None
            if runuser is None or owner is None:
                shutil.rmtree(self.folder)
                pytest.skip("running as root without runuser or a postgres user for initdb")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self.as_user = [runuser, "-u", "postgres", "--"]
        self.data = self.folder / "data"
        self.port = load.free_port()
        self.url = f"postgresql+psycopg://board@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, *args], check=True, capture_output=True, timeout=60, cwd=self.folder
        )

    def start(self) -> None:
        self._run(self.initdb, "-D", str(self.data), "-U", "board", "-A", "trust", "--no-sync")
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        log = str(self.folder / "postgres.log")
        self._run(self.pg_ctl, "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def restart(self) -> None:
        log = str(self.folder / "postgres.log")
        self._run(self.pg_ctl, "-D", str(self.data), "-l", log, "-m", "fast", "-w", "restart")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [*self.as_user, self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=60,
                check=False,
                cwd=self.folder,
            )
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.mark.slow  # a server under load, PostgreSQL restarted
def test_postgres_restart_mid_load_recovers_without_restarting_the_app(tmp_path):
    cluster = Cluster()
    server = None
    try:
        cluster.start()
        rooms = load.seed(cluster.url, boards=2)
        server = load.Server(
            cluster.url, tmp_path / "server.log", workers=2, threads=2, storage=MEMORY
        )
        server.start()
        processes = sorted(server.pids())
        feeders = Feeders(server.port, rooms)
        feeders.start()
        feeders.wait_for_acks(30)
        down = time.monotonic()
        cluster.restart()
        up = time.monotonic()
        before = sum(feeders.acked.feedback.values())
        feeders.wait_for_acks(before + 40)
        feeders.finish()

        assert sorted(server.pids()) == processes, "the application was restarted"
        failed = [a for a in feeders.attempts if a.status != 0]
        # Only requests made while the database was going down, down or coming back failed,
        # and each of them got an answer: the 503 page, not a dropped connection.
        assert failed, "the restart went unnoticed: the test proves nothing"
        assert all(down - 0.5 <= a.started <= up + 1.0 for a in failed), (down, up, failed)
        assert all(a.status == 503 for a in failed)
        assert load.check_acknowledged(cluster.url, feeders.acked)["feedback"][0] == 0
    finally:
        if server is not None:
            server.stop()
        cluster.remove()


# (c) a full or read-only database --------------------------------------------------------


def _config(url: str) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "faults-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


def _join(client, code: str) -> None:
    assert client.post("/join", data={"code": code}).status_code == 302
    assert client.post("/join/language", data={"lang": "en"}).status_code == 302
    assert client.post("/join/welcome").status_code == 302


def _fill(engine: sa.Engine, table: sa.Table, row) -> None:
    """Fill every byte the page limit leaves in ``table``, with rows of shrinking size, until
    even the smallest no longer fits: its next row needs a page there is no room for."""
    for size in (2000, 400, 60, 8, 0):
        while True:
            try:
                with engine.begin() as connection:
                    connection.execute(sa.insert(table).values(**row(size)))
            except sa.exc.OperationalError as error:
                assert error.orig.sqlite_errorname == "SQLITE_FULL"
                break


@dataclass
class Broken:
    app: object
    client: object
    meeting_id: int
    board_id: int
    service_id: int
    writable_url: str  # the same database, for arranging rows it refuses to the app


def _read_only_sqlite(tmp_path) -> Broken:
    path = tmp_path / "board.sqlite3"
    rooms = load.seed(f"sqlite:///{path}", boards=1)
    writable = create_app(_config(f"sqlite:///{path}"))
    client = writable.test_client()
    _join(client, rooms[0].code)
    cookie = client.get_cookie("board_session").value
    get_engine(writable).dispose()
    # The same file, opened read-only: SQLITE_READONLY on every write, as with a file or a
    # disk that cannot be written to (root ignores file modes, so chmod would prove nothing).
    app = create_app(_config(f"sqlite:///file:{path}?mode=ro&uri=true"))
    # The same ephemeral store too (Redis, between real instances): the tablet was let in
    # and its forms' tokens are issued there.
    app.extensions["ended_sessions"] = writable.extensions["ended_sessions"]
    client = app.test_client()
    client.set_cookie("board_session", cookie)
    return _broken(app, client, rooms[0])


def _full_sqlite(tmp_path) -> Broken:
    path = tmp_path / "board.sqlite3"
    rooms = load.seed(f"sqlite:///{path}", boards=1)
    app = create_app(_config(f"sqlite:///{path}"))
    client = app.test_client()
    _join(client, rooms[0].code)
    broken = _broken(app, client, rooms[0])
    engine = get_engine(app)
    engine.dispose()
    limit = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0] + 3

    def page_limit(connection, _record):
        # SQLITE_FULL, the very error a full disk gives, without filling the machine's disk.
        connection.execute(f"PRAGMA max_page_count = {limit}")

    event.listen(engine, "connect", page_limit)
    # The tables a child's answer and a facilitator's action write to.
    _fill(
        engine,
        Feedback.__table__,
        lambda size: {
            "id": ids.random_id(),
            "meeting_id": broken.meeting_id,
            "service_id": broken.service_id,
            "happened": "x" * size or None,
            "language": "en",
            "day": utcnow().date(),
            "moderation": "approved",
            "happened_spans": [],
            "better_spans": [],
            "moderator_note": "",
        },
    )
    _fill(
        engine,
        AuditEntry.__table__,
        lambda size: {"at": utcnow(), "action": "filler", "target_type": "x", "detail": "x" * size},
    )
    return broken


def _read_only_postgres(tmp_path) -> Broken:
    url = TEST_DATABASE_URL
    rooms = load.seed(url, boards=1)
    app = create_app(_config(url))
    client = app.test_client()
    _join(client, rooms[0].code)
    engine = get_engine(app)
    engine.dispose()

    def read_only(connection, _record):
        # What a hot standby after a failover, or a database set read-only, answers to writes.
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        connection.commit()

    event.listen(engine, "connect", read_only)
    return _broken(app, client, rooms[0])


def _broken(app, client, room) -> Broken:
    engine = make_engine(app.config["DATABASE_URL"])
    with engine.connect() as connection:
        meeting = connection.execute(sa.select(Meeting).where(Meeting.id == room.meeting_id)).one()
        service_id = connection.execute(
            sa.text("SELECT id FROM service WHERE board_id = :b ORDER BY id"),
            {"b": meeting.board_id},
        ).scalar()
    engine.dispose()
    writable = app.config["DATABASE_URL"].replace("file:", "").split("?")[0]
    return Broken(app, client, room.meeting_id, meeting.board_id, service_id, writable)


CASES = [
    pytest.param(_read_only_sqlite, id="sqlite-read-only"),
    pytest.param(_full_sqlite, id="sqlite-full"),
]
if TEST_DATABASE_URL:
    CASES.append(pytest.param(_read_only_postgres, id="postgres-read-only"))


@pytest.mark.slow  # fills a disk, stops the database
@pytest.mark.parametrize("breaking", CASES)
def test_unwritable_database_calm_child_precise_staff_503_health(
    breaking, tmp_path, caplog, database_url, monkeypatch
):
    if breaking is _full_sqlite:
        # A child's answer gets a random id (board.ids), which may land on a page of the
        # table with room left; here ids count up (SQLite's integers go past 2**31), so the
        # filler packs the last page and the answer has to go there.
        counter = itertools.count(ids.HIGH + 1)
        monkeypatch.setattr(ids, "random_id", lambda: next(counter))
    try:
        _unwritable(breaking(tmp_path), tmp_path, caplog)
    finally:
        if TEST_DATABASE_URL:
            from tests.conftest import wipe

            engine = make_engine(TEST_DATABASE_URL)
            wipe(engine)
            engine.dispose()


def _unwritable(broken: Broken, tmp_path, caplog) -> None:
    client = broken.client
    words = "Nobody at the centre listened to me"
    form = client.get(f"/meeting/services/{broken.service_id}")
    assert form.status_code == 200
    once = load.once_token(form.get_data(as_text=True))

    answer = client.post(
        f"/meeting/services/{broken.service_id}",
        data={"rating": "2", "happened": words, "once": once},
    )

    page = answer.get_data(as_text=True)
    assert answer.status_code == 503
    assert "Something went wrong." in page and "Please tell your facilitator." in page
    assert f'name="happened" value="{words}"' in page  # kept, to send again
    assert f'name="once" value="{once}"' in page  # and still good for sending again
    assert "Traceback" not in page and "database" not in page.lower()
    assert words not in caplog.text  # the child's words never reach the log

    health = broken.app.test_client().get("/healthz")
    assert health.status_code == 503
    assert health.json == {"status": "unavailable", "database": "read-only or full"}

    staff = broken.app.test_client()
    writable = make_engine(broken.writable_url)
    with Session(bind=writable) as s:
        user = factories.Factory(s).user(Role.FACILITATOR, s.get(Board, broken.board_id))
        user_id = user.get_id()
        s.commit()
    writable.dispose()
    with staff.session_transaction() as cookie:
        cookie["_user_id"] = user_id
        cookie["_fresh"] = True
    # Reading still works, and every staff page says what is wrong.
    answer = staff.get(f"/boards/{broken.board_id}")
    assert answer.status_code == 200
    assert "The database cannot be written to" in answer.get_data(as_text=True)
    answer = staff.post(f"/meetings/{broken.meeting_id}/code")
    assert answer.status_code == 503
    assert "The database cannot be written to: the disk is full or read-only." in (
        answer.get_data(as_text=True)
    )
    get_engine(broken.app).dispose()
