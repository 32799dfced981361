"""The tablets, as Locust users, run headless by bench/load.py in a process of their own
(importing locust monkeypatches the standard library with gevent: neither board nor tests
may import this module).

Each tablet is an HttpUser: a requests.Session with its cookie jar, the forms fetched and
their CSRF and once-tokens sent back, as a browser would. Three phases, each a fresh Locust
environment against the gunicorn bench/load.py started, each printing its table from
Locust's statistics:

1. the ceiling: CEILING_USERS users with no pause take turns, all at once, between windows of
   `GET /healthz` and windows of feedback (each user joined 8 children first), ROUNDS times;
2. TABLETS tablets, each serving CHILDREN children with a pause before each request;
3. TABLETS_TARGET tablets the same way, for the p95 target.

    python -m bench.locustfile http://127.0.0.1:PORT rooms.json out.json

out.json: every submission the server acknowledged (load.Record), the errors, the p95 at
TABLETS_TARGET tablets and the feedback/ceiling ratio.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, constant, task
from locust.clients import HttpSession
from locust.env import Environment
from locust.exception import StopUser
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from bench import load

HEADERS = {"User-Agent": load.USER_AGENT, "Accept-Language": "en"}
# gunicorn closes a keep-alive connection idle for 2 s (its default): a request sent on it as
# it closes is reset before the application sees it, and a browser sends it again, once, on a
# new connection. (The server is never stopped mid-run here, so no reset means anything else.)
ONCE_MORE = Retry(total=1, allowed_methods=None, redirect=False)
_VOTE_OPTION = re.compile(r'name="a(\d+)"')
_LANGUAGE = re.compile(r'name="lang" value="([^"]+)"')

ACKED = load.Record()


class StepFailed(Exception):
    pass


def browser_like(session: HttpSession) -> HttpSession:
    session.headers.update(HEADERS)
    session.mount("http://", HTTPAdapter(max_retries=ONCE_MORE))  # a pool of its own
    return session


class Child:
    """One child's path on a tablet; each request counted under its step's name."""

    def __init__(self, session: HttpSession, room: load.Room, rng: random.Random, think=None):
        self.session, self.room, self.rng, self.think = session, room, rng, think

    def step(self, name: str, method: str, path: str, form=None, expect=200, to=""):
        if self.think:
            gevent.sleep(self.rng.uniform(*self.think))
        with self.session.request(
            method, path, data=form, name=name, allow_redirects=False, catch_response=True
        ) as answer:
            location = urlsplit(answer.headers.get("Location", "")).path
            if answer.status_code != expect or not location.startswith(to):
                said = load.error_text(answer.text) if answer.status_code else answer.error
                answer.failure(f"{answer.status_code} {location} {said}")
                raise StepFailed
        return answer

    def join(self, lang: str | None = None) -> str:
        """Join the room's meeting as a new child; the CSRF token."""
        self.session.cookies.clear()
        code = self.room.code
        page = self.step("join page", "GET", f"/join?code={code}")
        csrf = load.csrf_token(page.text)
        self.step("join", "POST", "/join", {"csrf_token": csrf, "code": code}, 302, "/join/lang")
        ACKED.joins[self.room.meeting_id] += 1
        pages = lang is None  # a child reads each page; the ceiling's joins only post
        if pages:
            page = self.step("language page", "GET", "/join/language")
            lang = self.rng.choice(_LANGUAGE.findall(page.text))
        form = {"csrf_token": csrf, "lang": lang}
        self.step("language", "POST", "/join/language", form, 302, "/join/welcome")
        if pages:
            self.step("welcome page", "GET", "/join/welcome")
        self.step("welcome", "POST", "/join/welcome", {"csrf_token": csrf}, 302, "/meeting")
        return csrf

    def play(self) -> None:
        csrf = self.join()
        self.step("meeting home", "GET", "/meeting")
        page = self.step("services", "GET", "/meeting/services")
        for service in self.rng.sample(load.service_ids(page.text), 2):
            rating = self.rng.choice([1, 2, 3, 4, 5, None])
            text = self.rng.choice(load.TEXTS) if self.rng.random() < 0.3 else ""
            self.give_feedback(csrf, service, rating, text)
            self.step("thanks", "GET", "/meeting/thanks")
        self.vote(csrf)
        self.step("you said, we did", "GET", "/meeting/outcomes")
        self.step("finish", "POST", "/finish", {"csrf_token": csrf}, 302, "/join")

    def give_feedback(self, csrf: str, service: int, rating: int | None, text: str = "") -> None:
        path = f"/meeting/services/{service}"
        page = self.step("feedback form", "GET", path)  # the server issues its once-token
        form = {"csrf_token": csrf, "once": load.once_token(page.text), "better": ""}
        form["happened"] = text
        if rating is not None:
            form["rating"] = str(rating)
        self.step("feedback", "POST", path, form, 302, "/meeting/thanks")
        ACKED.feedback[(self.room.meeting_id, service, rating)] += 1

    def vote(self, csrf: str) -> None:
        page = self.step("vote page", "GET", "/meeting/vote")
        options = sorted({int(i) for i in _VOTE_OPTION.findall(page.text)})
        points = dict.fromkeys(options, 0)
        if 'data-dots="3"' in page.text:
            for _ in range(self.rng.randint(0, 3)):
                points[self.rng.choice(options)] += 1
        else:
            for option in options:
                points[option] = self.rng.randint(0, 1)
        form = {"csrf_token": csrf, **{f"a{k}": str(v) for k, v in points.items()}}
        self.step("vote", "POST", "/meeting/vote", form, 302, "/meeting/vote")
        ACKED.votes[self.room.ballot_id] += 1
        for action, value in points.items():
            ACKED.points[(self.room.ballot_id, action)] += value
        self.step("vote done", "GET", "/meeting/vote")


class Tablet(HttpUser):
    """A shared tablet: CHILDREN children one after the other, each on a fresh session (a
    child who fails a step is replaced by the next one); then the user stops."""

    wait_time = constant(0)
    rooms: list[load.Room] = []
    seed = 0
    numbers = itertools.count()

    def on_start(self) -> None:
        browser_like(self.client)
        n = next(self.numbers)
        self.room = self.rooms[n % len(self.rooms)]
        self.rng = random.Random(self.seed * 100_000 + n)

    @task
    def serve(self) -> None:
        for _ in range(load.CHILDREN):
            with contextlib.suppress(StepFailed):
                Child(self.client, self.room, self.rng, load.THINK).play()
        raise StopUser


class Ceiling(HttpUser):
    """No pause: `GET /healthz` or one feedback (its form, then the answer) from the next of
    8 children joined at the start, as the window says; a child's second answer about a
    service takes the place of the first, as on a tablet."""

    wait_time = constant(0)
    rooms: list[load.Room] = []
    numbers = itertools.count()
    window: str | None = None  # "healthz", "feedback", or None between windows
    ready = 0
    busy = 0
    done: Counter = Counter()

    def on_start(self) -> None:
        n = next(self.numbers)
        self.rng = random.Random(n)
        browser_like(self.client)
        self.children, self.turn = [], 0
        try:
            self.join_children(n)
        finally:
            Ceiling.ready += 1

    def join_children(self, n: int) -> None:
        for k in range(8):
            session = browser_like(HttpSession(self.host, self.environment.events.request, self))
            child = Child(session, self.rooms[(n * 8 + k) % len(self.rooms)], self.rng)
            try:
                csrf = child.join(lang="en")
                page = child.step("services", "GET", "/meeting/services")
            except StepFailed:
                continue
            self.children.append((child, csrf, load.service_ids(page.text), {}))

    @task
    def once(self) -> None:
        kind = Ceiling.window
        if kind is None or (kind == "feedback" and not self.children):
            gevent.sleep(0.005)
            return
        Ceiling.busy += 1
        try:
            if kind == "healthz":
                with self.client.get("/healthz", name="/healthz", catch_response=True) as answer:
                    ok = answer.status_code == 200
            else:
                ok = self.feedback()
            Ceiling.done[kind] += ok
        finally:
            Ceiling.busy -= 1

    def feedback(self) -> bool:
        child, csrf, services, given = self.children[self.turn % len(self.children)]
        self.turn += 1
        service, rating = self.rng.choice(services), self.rng.randint(1, 5)
        try:
            child.give_feedback(csrf, service, rating)
        except StepFailed:
            return False
        earlier = given.get(service)
        if earlier is not None:
            ACKED.feedback[(child.room.meeting_id, service, earlier)] -= 1
        given[service] = rating
        return True


def environment(user: type[HttpUser], host: str) -> Environment:
    env = Environment(user_classes=[user], host=host)
    env.create_local_runner()
    return env


def print_table(title: str, env: Environment, seconds: float) -> None:
    print(f"\n{title}")
    header = (
        f"{'step':<18} {'requests':>9} {'rps':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7}"
    )
    print(header)
    print("-" * len(header))
    for entry in [*env.stats.entries.values(), env.stats.total]:
        name = "all" if entry is env.stats.total else entry.name
        print(
            f"{name:<18} {entry.num_requests:>9} {entry.num_requests / seconds:>8.1f} "
            + " ".join(f"{entry.get_response_time_percentile(q):>8.0f}" for q in (0.5, 0.95, 0.99))
            + f" {entry.num_failures:>7}"
        )
    finish = env.stats.get("finish", "POST")
    finished = finish.num_requests - finish.num_failures
    print(f"children who finished: {finished}; run: {seconds:.1f} s")
    for error in list(env.stats.errors.values())[:5]:
        print(f"  error: {error.name}: {error.error} ({error.occurrences}x)")


def ceiling(host: str, rooms: list[load.Room]) -> tuple[float, int]:
    """The ratio of feedback to `/healthz` (the median round's) and the errors."""
    Ceiling.rooms = rooms
    env = environment(Ceiling, host)
    env.runner.start(load.CEILING_USERS, spawn_rate=load.CEILING_USERS)
    while Ceiling.ready < load.CEILING_USERS:
        gevent.sleep(0.05)
    rates: dict[str, list[float]] = {"healthz": [], "feedback": []}
    for kind in [kind for _ in range(load.ROUNDS) for kind in rates]:
        before = Ceiling.done[kind]
        started = time.monotonic()
        Ceiling.window = kind
        gevent.sleep(load.WINDOW_SECONDS)
        Ceiling.window = None
        while Ceiling.busy:  # what started within the window counts, up to its answer
            gevent.sleep(0.001)
        rates[kind].append((Ceiling.done[kind] - before) / (time.monotonic() - started))
    env.runner.quit()
    healthz, feedback = (statistics.median(rates[kind]) for kind in rates)
    ratio = statistics.median(f / h for h, f in zip(*rates.values(), strict=True))
    stats = env.stats
    print(
        f"\nceiling and feedback, {load.CEILING_USERS} Locust users with no pause, taking turns "
        f"in {load.WINDOW_SECONDS:g} s windows, {load.ROUNDS} rounds (medians):\n"
        f"  GET /healthz {healthz:.0f} rps ({stats.get('/healthz', 'GET').num_failures} errors;"
        " windows: " + " ".join(f"{r:.0f}" for r in rates["healthz"]) + ")\n"
        f"  feedback submissions {feedback:.0f} rps (form and answer; windows: "
        + " ".join(f"{r:.0f}" for r in rates["feedback"])
        + f")\n  ratio {ratio:.0%}, the median of each round's (target at least "
        f"{load.RATIO_TARGET:.0%}); errors, the 8 joins of each user included: "
        f"{stats.total.num_failures}",
        flush=True,
    )
    for error in list(stats.errors.values())[:5]:
        print(f"  error: {error.name}: {error.error} ({error.occurrences}x)")
    return ratio, stats.total.num_failures


def tablets(host: str, rooms: list[load.Room], count: int, seed: int) -> tuple[float, int]:
    """``count`` tablets, started over the longest pause; the p95 and the errors."""
    Tablet.rooms, Tablet.seed, Tablet.numbers = rooms, seed, itertools.count()
    env = environment(Tablet, host)
    started = time.monotonic()
    env.runner.start(count, spawn_rate=count / load.THINK[1])
    env.runner.spawning_greenlet.join()
    env.runner.user_greenlets.join()
    seconds = time.monotonic() - started
    env.runner.quit()
    think = f"a pause of {load.THINK[0]:g}-{load.THINK[1]:g} s before each request"
    print_table(f"{count} tablets, {len(rooms)} meetings, {think}", env, seconds)
    sys.stdout.flush()
    return env.stats.total.get_response_time_percentile(0.95), env.stats.total.num_failures


def main(host: str, rooms_file: str, out: str) -> None:
    rooms = [load.Room(**room) for room in json.loads(Path(rooms_file).read_text())]
    ratio, ceiling_errors = ceiling(host, rooms)
    _, big_errors = tablets(host, rooms, load.TABLETS, 1)
    target_p95, target_errors = tablets(host, rooms, load.TABLETS_TARGET, 2)
    played = {
        "acked": ACKED.dump(),
        "errors": ceiling_errors + big_errors + target_errors,
        "target_p95": target_p95,
        "ratio": ratio,
    }
    Path(out).write_text(json.dumps(played))


if __name__ == "__main__":
    main(*sys.argv[1:])
