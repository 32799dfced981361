"""Load: 300 tablets in 30 open meetings against gunicorn on 127.0.0.1, the way children use
them (join with the code, language, welcome, services, feedback, vote, "You said, we did",
finish), with the same server's `GET /healthz` throughput as the framework's ceiling.

The tablets are Locust users (bench/locustfile.py), run headless in a process of their own:
importing locust monkeypatches the standard library with gevent, so this module, which
tests import for the server, the seeding and the checks, never does.

Afterwards: every submission the server acknowledged must be in the database and nothing
else (feedback per meeting, service and rating; votes per ballot and per action; joins per
meeting), and no table or log line may hold the client's address or user agent.

The generator runs on the same cores as the server, so every figure is a lower bound of
what the server alone would do.

    python -m bench.load                    # SQLite
    BENCH_POSTGRES_URL=postgresql+psycopg://... python -m bench.load
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import time as clock
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BOARDS = 30  # one open meeting each
# Children each meeting says are present: above every join the bench makes, so its
# boards (tap switched off) let each new tablet in by themselves.
PRESENT = 1_000_000
TABLETS = 300
TABLETS_TARGET = 100  # the p95 target is set at this many concurrent tablets
P95_TARGET_MS = 100.0
RATIO_TARGET = 0.40
# A child reads, thinks and taps: a pause between requests (seconds, uniform). Short on
# purpose: real children are slower, so this loads the server more than a room would.
THINK = (1.0, 3.0)
# Children each tablet serves, one after the other.
CHILDREN = int(os.environ.get("BENCH_LOAD_CHILDREN", 1))
# The ceiling and feedback take turns in windows of this many seconds, ROUNDS times each.
ROUNDS = 4
WINDOW_SECONDS = 2.0
CEILING_USERS = 16
WORKERS = int(os.environ.get("BENCH_WORKERS", 4))
SHARED_STORAGE = os.environ.get("BENCH_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
THREADS = int(os.environ.get("BENCH_THREADS", 4))
TEXTS = [
    "The staff were kind to me.",
    "I waited a long time.",
    "Please open on Sundays.",
    "Nobody spoke my language.",
]
# Distinctive, so that the anonymity check can look for it in every table and log line.
USER_AGENT = "board-loadgen/1.0 (tablet-simulator; ua-marker-7f3c9e)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Seeding ----------------------------------------------------------------------------------


@dataclass
class Room:
    meeting_id: int
    code: str
    ballot_id: int


def wipe(engine: sa.Engine) -> None:
    from board.db import Base

    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def seed(url: str, boards: int = BOARDS) -> list[Room]:
    """``boards`` boards, each with services, actions with outcomes, and one open meeting with
    an open ballot (approval and dots in turn), through the product's own services."""
    from board import create_app, migrate
    from board.actions.models import Action, ActionStatus, Proposer
    from board.boards.models import (
        Board,
        Organisation,
        OrganisationKind,
        Service,
        ServiceCategory,
    )
    from board.db import get_engine, get_session
    from board.meetings import services as meetings
    from board.states import ModerationState
    from board.voting import services as voting
    from board.voting.models import BallotMethod

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    migrate.upgrade(app)
    wipe(get_engine(app))
    rooms = []
    with app.app_context():
        session = get_session()
        network = Organisation(name="Load network", kind=OrganisationKind.NGO)
        partner = Organisation(name="Load partner", kind=OrganisationKind.PUBLIC_AUTHORITY)
        session.add_all([network, partner])
        categories = list(ServiceCategory)
        for b in range(boards):
            board = Board(
                name=f"Load board {b}",
                city=f"City {b}",
                country="AL",
                timezone="UTC",
                languages="sq en",
                helpline="116 111",
                organisation=network,
                partners=[partner],
                # Tablets come in by themselves up to the children present (set below, far
                # above what the bench sends): no facilitator taps "Let in" for each child,
                # and each join still writes what admission writes (the attendance).
                admit_by_tap=False,
            )
            board.services = [
                Service(name=f"Service {s}", category=categories[s % len(categories)])
                for s in range(4)
            ]
            session.add(board)
            session.flush()
            done = [
                Action(
                    board=board,
                    title=f"Idea {i} that came true",
                    language="en",
                    proposed_by=Proposer.CHILD,
                    status=ActionStatus.DONE,
                    moderation=ModerationState.APPROVED,
                    outcome="It was done.",
                    outcome_reason="Children asked for it.",
                )
                for i in range(2)
            ]
            shortlisted = [
                Action(
                    board=board,
                    title=f"Idea {i} to vote on",
                    language="en",
                    proposed_by=Proposer.CHILD,
                    status=ActionStatus.SHORTLISTED,
                    moderation=ModerationState.APPROVED,
                )
                for i in range(3)
            ]
            session.add_all(done + shortlisted)
            meeting = meetings.schedule_meeting(
                session,
                None,
                board,
                day=meetings.in_board_zone(board, meetings.utcnow()).date(),
                at=clock(0),
                duration_minutes=600,
                place="Meeting room",
                services=board.services,
            )
            session.flush()
            meetings.open_meeting(session, None, meeting)
            meeting.present = PRESENT
            method = BallotMethod.APPROVAL if b % 2 == 0 else BallotMethod.DOTS
            ballot = voting.open_ballot(session, None, meeting, shortlisted, method=method, dots=3)
            session.flush()
            rooms.append(Room(meeting.id, meeting.join_code, ballot.id))
        session.commit()
    get_engine(app).dispose()
    return rooms


# The server -------------------------------------------------------------------------------


class Server:
    """gunicorn with the repository's gunicorn.conf.py, serving ``url`` on a free port."""

    def __init__(
        self,
        url: str,
        log: Path,
        workers: int = WORKERS,
        threads: int = THREADS,
        storage: str = SHARED_STORAGE,
    ):
        self.url, self.log_path, self.storage = url, log, storage
        self.workers, self.threads = workers, threads
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "BOARD_DATABASE_URL": self.url,
            "BOARD_SECRET_KEY": "bench-load-secret",
            "BOARD_BIND": f"127.0.0.1:{self.port}",
            "BOARD_WORKERS": str(self.workers),
            "BOARD_THREADS": str(self.threads),
            # Plain http on 127.0.0.1: a Secure cookie would never come back.
            "BOARD_SESSION_COOKIE_SECURE": "false",
            # Several workers share rate limits and finished sessions only through Redis,
            # as in production (gunicorn.conf.py runs one worker without it).
            "BOARD_RATELIMIT_STORAGE_URI": self.storage,
        }

    def start(self, wait: float = 30.0) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [str(gunicorn), "-c", "gunicorn.conf.py", "board:create_app()"],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as one
        )
        log.close()
        deadline = time.monotonic() + wait
        while True:
            try:
                with urllib.request.urlopen(self.address("/healthz"), timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{self.log_path.read_text()}")
            time.sleep(0.2)

    def address(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def pids(self) -> list[int]:
        """The master and its workers."""
        if self.process is None:
            return []
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [self.process.pid, *(int(p) for p in out.split())]

    def kill(self) -> None:
        """SIGKILL the whole process group: master and workers, no goodbye."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None


# What the server acknowledged, and what the pages hold --------------------------------------


@dataclass
class Record:
    """Every submission the server acknowledged, to compare with the database."""

    feedback: Counter = field(default_factory=Counter)  # (meeting, service, rating) -> n
    votes: Counter = field(default_factory=Counter)  # ballot -> n
    points: Counter = field(default_factory=Counter)  # (ballot, action) -> points
    joins: Counter = field(default_factory=Counter)  # meeting -> n
    lock: threading.Lock = field(default_factory=threading.Lock)

    KINDS = ("feedback", "votes", "points", "joins")

    def merge_acks(self, other: Record) -> None:
        for kind in self.KINDS:
            getattr(self, kind).update(getattr(other, kind))

    def dump(self) -> dict:
        """JSON-ready: keys that are tuples become lists."""
        return {kind: [[k, n] for k, n in getattr(self, kind).items()] for kind in self.KINDS}

    @classmethod
    def load(cls, data: dict) -> Record:
        record = cls()
        for kind in cls.KINDS:
            for key, n in data[kind]:
                getattr(record, kind)[tuple(key) if isinstance(key, list) else key] += n
        return record


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_ONCE = re.compile(r'name="once"[^>]*value="([^"]+)"')
_SERVICE_LINK = re.compile(r'href="/meeting/services/(\d+)"')
_PARAGRAPH = re.compile(r"<p[^>]*>([^<]*)</p>")


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    if match is None:
        raise ValueError("no CSRF token in the page")
    return match[1]


def once_token(html: str) -> str | None:
    """The form's once-token, issued by the server (board.participate.guard)."""
    match = _ONCE.search(html)
    return match[1] if match else None


def service_ids(html: str) -> list[int]:
    return sorted({int(i) for i in _SERVICE_LINK.findall(html)})


def error_text(html: str) -> str:
    """The sentence an error page gives (its first paragraph), to say what went wrong."""
    match = _PARAGRAPH.search(html)
    return match[1].strip() if match else ""


# Checks -----------------------------------------------------------------------------------


def close_votes(url: str, storage: str, rooms: list[Room]) -> None:
    """Close every room's vote, as the facilitator would: ballots still waiting in the ballot
    box (Redis, shared with the stopped server) reach the tallies only then."""
    from board import create_app
    from board.db import get_engine, get_session
    from board.voting import services as voting
    from board.voting.models import Ballot

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_STORAGE_URI": storage})
    with app.app_context():
        session = get_session()
        for room in rooms:
            voting.close_ballot(session, None, session.get(Ballot, room.ballot_id))
        session.commit()
    get_engine(app).dispose()


def check_acknowledged(url: str, acked: Record) -> dict[str, tuple[int, int]]:
    """(lost, extra) per kind: acknowledged but missing, and present but never acknowledged."""
    from board.db import make_engine
    from board.feedback.models import Feedback
    from board.meetings.models import Meeting
    from board.voting.models import BallotBatch, BallotTally

    engine = make_engine(url)
    with engine.connect() as c:
        stored_feedback = Counter(
            {
                (m, s, r): n
                for m, s, r, n in c.execute(
                    sa.select(
                        Feedback.meeting_id, Feedback.service_id, Feedback.rating, sa.func.count()
                    ).group_by(Feedback.meeting_id, Feedback.service_id, Feedback.rating)
                )
            }
        )
        stored_votes = Counter(
            dict(
                c.execute(
                    sa.select(BallotBatch.ballot_id, sa.func.sum(BallotBatch.ballots)).group_by(
                        BallotBatch.ballot_id
                    )
                ).all()
            )
        )
        stored_points = Counter(
            {
                (b, a): p
                for b, a, p in c.execute(
                    sa.select(BallotTally.ballot_id, BallotTally.action_id, BallotTally.points)
                )
                if p
            }
        )
        stored_joins = Counter(
            {m: n for m, n in c.execute(sa.select(Meeting.id, Meeting.attendance)) if n}
        )
    engine.dispose()

    def compare(acknowledged: Counter, stored: Counter) -> tuple[int, int]:
        keys = set(acknowledged) | set(stored)
        lost = sum(max(0, acknowledged[k] - stored[k]) for k in keys)
        extra = sum(max(0, stored[k] - acknowledged[k]) for k in keys)
        return lost, extra

    return {
        "feedback": compare(acked.feedback, stored_feedback),
        "votes": compare(acked.votes, stored_votes),
        "vote points": compare(acked.points, stored_points),
        "joins": compare(acked.joins, stored_joins),
    }


def check_anonymity(url: str, log: Path, server_port: int) -> list[str]:
    """Every row of every table and every log line, searched for the client's address and the
    generator's user agent. Returns what was found (nothing, we hope) and prints the scope.

    Client and server share 127.0.0.1 here, so the server's own address as it announces it
    ("Listening at: http://127.0.0.1:<port>") is the one occurrence that is not the client's;
    any other 127.0.0.1 counts."""
    from board.db import make_engine

    needles = ["127.0.0.1", USER_AGENT, "ua-marker-7f3c9e", "board-loadgen"]
    found, rows, cells = [], 0, 0
    engine = make_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as c:
        for table in metadata.sorted_tables:
            for row in c.execute(sa.select(table)):
                rows += 1
                for column, value in zip(table.columns, row, strict=True):
                    cells += 1
                    if isinstance(value, bytes | bytearray | memoryview):
                        text = bytes(value).decode("latin-1")
                    else:
                        text = str(value)
                    for needle in needles:
                        if needle in text:
                            found.append(f"table {table.name}.{column.name}: {needle!r}")
    engine.dispose()
    lines = log.read_text(errors="replace").splitlines()
    own = f"127.0.0.1:{server_port}"
    for number, line in enumerate(lines, 1):
        line = line.replace(own, "<server>")
        for needle in needles:
            if needle in line:
                found.append(f"log line {number}: {needle!r}")
    print(
        f"anonymity: {len(metadata.tables)} tables, {rows} rows, {cells} cells and "
        f"{len(lines)} log lines searched for the client address and user agent: "
        + ("none found" if not found else f"FOUND {len(found)}")
    )
    return found


# The run ----------------------------------------------------------------------------------


def play(server: Server, rooms: list[Room], folder: Path) -> dict:
    """The Locust phases (bench/locustfile.py) in their own process, which prints their
    tables; returns what it acknowledged and the figures the targets need."""
    (Path(folder) / "rooms.json").write_text(json.dumps([vars(room) for room in rooms]))
    out = Path(folder) / "played.json"
    subprocess.run(
        [sys.executable, "-m", "bench.locustfile", server.address(""), folder / "rooms.json", out],
        cwd=ROOT,
        check=True,
    )
    return json.loads(out.read_text())


def run(url: str, label: str) -> bool:
    """The whole load benchmark on one database; True when every target is met."""
    with tempfile.TemporaryDirectory() as folder:
        if url == "sqlite":
            url = f"sqlite:///{Path(folder) / 'load.sqlite3'}"
        log = Path(folder) / "server.log"
        rooms = seed(url)
        server = Server(url, log)
        server.start()
        try:
            print(
                f"\nload ({label}): gunicorn on 127.0.0.1 with gunicorn.conf.py, "
                f"{server.workers} workers x {server.threads} threads (BENCH_WORKERS, "
                f"BENCH_THREADS), {len(rooms)} open meetings; Locust on the same "
                f"{os.cpu_count()} cores as the server; load average at the start: "
                f"{os.getloadavg()[0]:.1f}",
                flush=True,
            )
            played = play(server, rooms, Path(folder))
        finally:
            server.stop()
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        acked = Record.load(played["acked"])
        close_votes(url, server.storage, rooms)
        checks = check_acknowledged(url, acked)
        print(
            "acknowledged vs stored: "
            + "; ".join(
                f"{kind}: {sum(getattr(acked, attr).values())} acknowledged, "
                f"lost {lost}, extra {extra}"
                for (kind, (lost, extra)), attr in zip(checks.items(), Record.KINDS, strict=True)
            )
        )
        found = check_anonymity(url, log, server.port)
        lost = sum(lost for lost, _ in checks.values())
        extra = sum(extra for _, extra in checks.values())
        met = {
            "zero errors": played["errors"] == 0,
            "zero lost, nothing extra": lost == 0 and extra == 0,
            f"p95 < {P95_TARGET_MS:g} ms at {TABLETS_TARGET} tablets": played["target_p95"]
            < P95_TARGET_MS,
            f"feedback >= {RATIO_TARGET:.0%} of ceiling": played["ratio"] >= RATIO_TARGET,
            "no address or user agent stored or logged": not found,
        }
        print("targets: " + "; ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in met.items()))
        if found:
            for item in found[:20]:
                print(f"  FOUND {item}")
            raise SystemExit(f"anonymity check failed on {label}: client data stored or logged")
        if url.startswith("postgresql"):
            from board.db import make_engine

            wipe(make_engine(url))
        return all(met.values())


def main() -> None:
    run("sqlite", "SQLite")
    if os.environ.get("BENCH_POSTGRES_URL"):
        run(os.environ["BENCH_POSTGRES_URL"], "PostgreSQL")
    else:
        print("\n(set BENCH_POSTGRES_URL to run the load benchmark on PostgreSQL too)")


if __name__ == "__main__":
    main()
