"""Load: 300 tablets in 30 open meetings against gunicorn on 127.0.0.1, the way children use
them (join with the code, language, welcome, services, feedback, vote, "You said, we did",
finish), with the same server's `GET /healthz` throughput as the framework's ceiling.

Afterwards: every submission the server acknowledged must be in the database and nothing
else (feedback per meeting, service and rating; votes per ballot and per action; joins per
meeting), and no table or log line may hold the client's address or user agent.

The generator is ours (threads, one keep-alive connection and cookie jar per tablet; see
bench/tablet.py). It runs on the same 2 cores as the server, so every figure is a lower
bound of what the server alone would do.

    python -m bench.load                    # SQLite
    BENCH_POSTGRES_URL=postgresql+psycopg://... python -m bench.load
"""

from __future__ import annotations

import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import time as clock
from pathlib import Path

import sqlalchemy as sa

from bench import tablet as tb

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
CEILING_THREADS = 16
WORKERS = int(os.environ.get("BENCH_WORKERS", 4))
SHARED_STORAGE = os.environ.get("BENCH_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
THREADS = int(os.environ.get("BENCH_THREADS", 4))
TEXTS = [
    "The staff were kind to me.",
    "I waited a long time.",
    "Please open on Sundays.",
    "Nobody spoke my language.",
]


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


# What tablets did, and what the server acknowledged ---------------------------------------


@dataclass
class Record:
    """Timings per step and every acknowledged submission (thread-safe)."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    feedback: Counter = field(default_factory=Counter)  # (meeting, service, rating) -> n
    votes: Counter = field(default_factory=Counter)  # ballot -> n
    points: Counter = field(default_factory=Counter)  # (ballot, action) -> points
    joins: Counter = field(default_factory=Counter)  # meeting -> n
    children: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def time(self, step: str, ms: float) -> None:
        with self.lock:
            self.timings[step].append(ms)

    def error(self, step: str, detail: str) -> None:
        with self.lock:
            self.errors[step] += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{step}: {detail}")

    def merge_acks(self, other: Record) -> None:
        self.feedback.update(other.feedback)
        self.votes.update(other.votes)
        self.points.update(other.points)
        self.joins.update(other.joins)


class StepFailed(Exception):
    pass


class Child:
    """One child's path on a tablet; each request timed under its step's name."""

    def __init__(self, device: tb.Tablet, room: Room, record: Record, rng, think=None):
        self.device, self.room, self.record = device, room, record
        self.rng, self.think = rng, think

    def _pause(self) -> None:
        if self.think:
            time.sleep(self.rng.uniform(*self.think))

    def step(self, name: str, method: str, path: str, form=None, expect=200, to=None):
        self._pause()
        try:
            answer = self.device.request(method, path, form)
        except tb.RequestFailed as e:
            self.record.error(name, f"no answer: {e}")
            raise StepFailed from e
        if answer.status != expect or (to is not None and not answer.location.startswith(to)):
            detail = f"{answer.status} {answer.location} {tb.error_text(answer.body)}"
            self.record.error(name, detail)
            raise StepFailed
        self.record.time(name, answer.ms)
        return answer

    def play(self) -> None:
        self.device.cookies.clear()
        code = self.room.code
        page = self.step("join page", "GET", f"/join?code={code}")
        csrf = tb.csrf_token(page.body)
        self.step("join", "POST", "/join", {"csrf_token": csrf, "code": code}, 302, "/join/lang")
        with self.record.lock:
            self.record.joins[self.room.meeting_id] += 1
        page = self.step("language page", "GET", "/join/language")
        lang = self.rng.choice(tb.languages(page.body))
        form = {"csrf_token": csrf, "lang": lang}
        self.step("language", "POST", "/join/language", form, 302, "/join/welcome")
        self.step("welcome page", "GET", "/join/welcome")
        self.step("welcome", "POST", "/join/welcome", {"csrf_token": csrf}, 302, "/meeting")
        self.step("meeting home", "GET", "/meeting")
        page = self.step("services", "GET", "/meeting/services")
        for service in self.rng.sample(tb.service_ids(page.body), 2):
            self.give_feedback(csrf, service)
        self.vote(csrf)
        self.step("you said, we did", "GET", "/meeting/outcomes")
        self.step("finish", "POST", "/finish", {"csrf_token": csrf}, 302, "/join")
        with self.record.lock:
            self.record.children += 1

    def give_feedback(self, csrf: str, service: int) -> None:
        path = f"/meeting/services/{service}"
        page = self.step("feedback form", "GET", path)
        rating = self.rng.choice([1, 2, 3, 4, 5, None])
        form = {"csrf_token": csrf, "once": tb.once_token(page.body), "better": ""}
        form["happened"] = self.rng.choice(TEXTS) if self.rng.random() < 0.3 else ""
        if rating is not None:
            form["rating"] = str(rating)
        self.step("feedback", "POST", path, form, 302, "/meeting/thanks")
        with self.record.lock:
            self.record.feedback[(self.room.meeting_id, service, rating)] += 1
        self.step("thanks", "GET", "/meeting/thanks")

    def vote(self, csrf: str) -> None:
        page = self.step("vote page", "GET", "/meeting/vote")
        options = tb.vote_options(page.body)
        dots = 'data-dots="3"' in page.body
        points = dict.fromkeys(options, 0)
        if dots:
            for _ in range(self.rng.randint(0, 3)):
                points[self.rng.choice(options)] += 1
        else:
            for option in options:
                points[option] = self.rng.randint(0, 1)
        form = {"csrf_token": csrf, **{f"a{k}": str(v) for k, v in points.items()}}
        self.step("vote", "POST", "/meeting/vote", form, 302, "/meeting/vote")
        with self.record.lock:
            self.record.votes[self.room.ballot_id] += 1
            for action, value in points.items():
                self.record.points[(self.room.ballot_id, action)] += value
        self.step("vote done", "GET", "/meeting/vote")


def play_tablets(port, rooms, count, children, think, seed_value) -> tuple[Record, float]:
    """``count`` tablets, spread over the rooms, each serving ``children`` children one after
    the other; a child who fails a step is replaced by the next one on a fresh session."""
    record = Record()

    def run(index: int) -> None:
        rng = random.Random(seed_value * 100_000 + index)
        device = tb.Tablet("127.0.0.1", port)
        room = rooms[index % len(rooms)]
        # Tablets don't all start in the same millisecond.
        time.sleep(rng.uniform(0, think[1] if think else 0.5))
        for _ in range(children):
            try:
                Child(device, room, record, rng, think).play()
            except StepFailed:
                device.close()
        device.close()

    workers = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return record, time.monotonic() - started


def throughput(port, rooms, rounds=ROUNDS, window=WINDOW_SECONDS, threads=CEILING_THREADS):
    """The same ``threads`` clients, with no pause, take turns: a window of `GET /healthz`
    (the framework's ceiling), then a window of feedback submissions, ``rounds`` times. Taking
    turns puts both under the same conditions on a shared machine, whose speed drifts over
    seconds. Each client first joins 8 tablet sessions (as children would) and sends feedback
    from each in turn: each answer fetches its form (the server issues its once-token), then
    sends it, so a feedback counts both requests; a session's second answer about a service
    takes the place of its first, as on a tablet.

    Returns per-window requests per second ({"healthz": [...], "feedback": [...]}), the
    number of failed `/healthz` requests, and the record of acknowledged feedback."""
    record, warm = Record(), Record()
    windows = [kind for _ in range(rounds) for kind in ("healthz", "feedback")]
    counts = [[0] * len(windows) for _ in range(threads)]
    healthz_failures = [0] * threads
    barrier = threading.Barrier(threads + 1)
    deadline = [0.0]

    def join_sessions(i: int, rng) -> list:
        sessions = []
        for n in range(8):
            room = rooms[(i * 8 + n) % len(rooms)]
            child = Child(tb.Tablet("127.0.0.1", port), room, warm, rng)
            try:
                page = child.step("join page", "GET", f"/join?code={room.code}")
                csrf = tb.csrf_token(page.body)
                form = {"csrf_token": csrf, "code": room.code}
                child.step("join", "POST", "/join", form, 302, "/join/lang")
                with warm.lock:
                    warm.joins[room.meeting_id] += 1
                form = {"csrf_token": csrf, "lang": "en"}
                child.step("language", "POST", "/join/language", form, 302, "/join/welcome")
                child.step("welcome", "POST", "/join/welcome", {"csrf_token": csrf}, 302)
                page = child.step("services", "GET", "/meeting/services")
            except StepFailed:
                child.device.close()
                continue
            child.record = record
            sessions.append((child, csrf, tb.service_ids(page.body)))
        return sessions

    def healthz(i: int, device: tb.Tablet) -> bool:
        try:
            if device.get("/healthz").status == 200:
                return True
        except tb.RequestFailed:
            pass
        healthz_failures[i] += 1
        return False

    # The rating each session gave each service: a second one takes its place (one rating
    # per service per session), so the tally it replaces is taken off the record.
    given: dict[tuple[int, int], int] = {}

    def feedback(i: int, sessions: list, turn: int, rng) -> bool:
        which = turn % len(sessions)
        child, csrf, services = sessions[which]
        service, rating = rng.choice(services), rng.randint(1, 5)
        path = f"/meeting/services/{service}"
        try:
            # The form's once-token is the server's: each answer fetches its form first.
            page = child.step("feedback form", "GET", path)
            form = {
                "csrf_token": csrf,
                "once": tb.once_token(page.body),
                "rating": str(rating),
                "happened": "",
                "better": "",
            }
            child.step("feedback", "POST", path, form, 302, "/meeting/thanks")
        except StepFailed:
            return False
        with record.lock:
            earlier = given.get((i * 8 + which, service))
            if earlier is not None:
                record.feedback[(child.room.meeting_id, service, earlier)] -= 1
            given[(i * 8 + which, service)] = rating
            record.feedback[(child.room.meeting_id, service, rating)] += 1
        return True

    def run(i: int) -> None:
        rng = random.Random(i)
        device = tb.Tablet("127.0.0.1", port)
        try:
            sessions = join_sessions(i, rng)
        finally:
            barrier.wait()
        turn = 0
        for w, kind in enumerate(windows):
            barrier.wait()  # the window starts for every client at once
            while time.monotonic() < deadline[0]:
                if kind == "healthz":
                    counts[i][w] += healthz(i, device)
                elif sessions:
                    counts[i][w] += feedback(i, sessions, turn, rng)
                    turn += 1
            barrier.wait()  # and ends for every client before the next one
        device.close()
        for child, _csrf, _services in sessions:
            child.device.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    rates: dict[str, list[float]] = {"healthz": [], "feedback": []}
    for w, kind in enumerate(windows):
        deadline[0] = time.monotonic() + window
        barrier.wait()
        started = time.monotonic()
        barrier.wait()
        rates[kind].append(sum(c[w] for c in counts) / (time.monotonic() - started))
    for worker in workers:
        worker.join()
    record.joins.update(warm.joins)
    record.errors.update(warm.errors)
    record.error_samples += warm.error_samples
    return rates, sum(healthz_failures), record


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

    needles = ["127.0.0.1", tb.USER_AGENT, "ua-marker-7f3c9e", "board-loadgen"]
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


# Report -----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


def print_table(title: str, record: Record, seconds: float) -> dict[str, float]:
    print(f"\n{title}")
    header = (
        f"{'step':<18} {'requests':>9} {'rps':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7}"
    )
    print(header)
    print("-" * len(header))
    every: list[float] = []
    order = list(record.timings) + [s for s in record.errors if s not in record.timings]
    for step in order:
        values = record.timings.get(step, [])
        every += values
        print(
            f"{step:<18} {len(values):>9} {len(values) / seconds:>8.1f} "
            f"{percentile(values, 0.5):>8.1f} {percentile(values, 0.95):>8.1f} "
            f"{percentile(values, 0.99):>8.1f} {record.errors[step]:>7}"
        )
    errors = sum(record.errors.values())
    print(
        f"{'all':<18} {len(every):>9} {len(every) / seconds:>8.1f} {percentile(every, 0.5):>8.1f} "
        f"{percentile(every, 0.95):>8.1f} {percentile(every, 0.99):>8.1f} {errors:>7}"
    )
    print(f"children who finished: {record.children}; run: {seconds:.1f} s")
    for sample in record.error_samples:
        print(f"  error: {sample}")
    return {"p95": percentile(every, 0.95), "errors": errors}


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
                f"BENCH_THREADS), {len(rooms)} open meetings. The load generator shares the "
                f"machine's {os.cpu_count()} cores with the server; load average at the start: "
                f"{os.getloadavg()[0]:.1f}"
            )
            rates, healthz_errors, burst = throughput(server.port, rooms)
            big, big_s = play_tablets(server.port, rooms, TABLETS, CHILDREN, THINK, 1)
            target, target_s = play_tablets(server.port, rooms, TABLETS_TARGET, CHILDREN, THINK, 2)
        finally:
            server.stop()
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        think = f"a pause of {THINK[0]:g}-{THINK[1]:g} s before each request"
        big_summary = print_table(f"{TABLETS} tablets, {len(rooms)} meetings, {think}", big, big_s)
        target_summary = print_table(f"{TABLETS_TARGET} tablets, {think}", target, target_s)
        acked = Record()
        for part in (burst, big, target):
            acked.merge_acks(part)
        healthz, feedback_rps = (statistics.median(rates[kind]) for kind in rates)
        ratio = statistics.median(f / h for h, f in zip(*rates.values(), strict=True))
        burst_errors = sum(burst.errors.values())
        print(
            f"\nceiling and feedback, {CEILING_THREADS} clients with no pause, taking turns in "
            f"{WINDOW_SECONDS:g} s windows, {ROUNDS} rounds (medians):\n"
            f"  GET /healthz {healthz:.0f} rps ({healthz_errors} errors; windows: "
            + " ".join(f"{r:.0f}" for r in rates["healthz"])
            + f")\n  feedback submissions {feedback_rps:.0f} rps ({burst_errors} errors; windows: "
            + " ".join(f"{r:.0f}" for r in rates["feedback"])
            + f")\n  ratio {ratio:.0%}, the median of each round's (target at least "
            f"{RATIO_TARGET:.0%})"
        )
        for sample in burst.error_samples:
            print(f"  error: {sample}")
        close_votes(url, server.storage, rooms)
        checks = check_acknowledged(url, acked)
        print(
            "acknowledged vs stored: "
            + "; ".join(
                f"{kind}: {sum(getattr(acked, attr).values())} acknowledged, "
                f"lost {lost}, extra {extra}"
                for (kind, (lost, extra)), attr in zip(
                    checks.items(), ["feedback", "votes", "points", "joins"], strict=True
                )
            )
        )
        found = check_anonymity(url, log, server.port)
        errors = big_summary["errors"] + target_summary["errors"] + burst_errors + healthz_errors
        lost = sum(lost for lost, _ in checks.values())
        extra = sum(extra for _, extra in checks.values())
        met = {
            "zero errors": errors == 0,
            "zero lost, nothing extra": lost == 0 and extra == 0,
            f"p95 < {P95_TARGET_MS:g} ms at {TABLETS_TARGET} tablets": target_summary["p95"]
            < P95_TARGET_MS,
            f"feedback >= {RATIO_TARGET:.0%} of ceiling": ratio >= RATIO_TARGET,
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
