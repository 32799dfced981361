"""Ballots cannot be recovered from the storage (CHILD-SAFETY rule 23; issue 13, item 2).

The attack: with the database's files (the SQLite ``-wal`` included, or PostgreSQL's dead
row versions) and a tablet's cookie, replay the writes one by one. When each ballot was one
write to the tallies, each tally version minus the one before was one child's ballot, and
the vote key (deleted at close, but still in the WAL or a dead row) tied the "who voted" row
to the cookie's session token. These tests replay the real files after real votes cast
through the real app, and find neither the key material nor a single ballot.
"""

from __future__ import annotations

import math
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from board import migrate
from board.actions.models import Action
from board.db import get_engine
from board.meetings.models import Meeting
from board.room import services as room
from board.states import ModerationState
from board.voting import box as ballot_box
from board.voting import services as voting
from board.voting.models import Ballot, BallotBatch, BallotTally
from tests import factories

K = 3
# Each ballot ticks at least two of the three actions, so that a batch of K ballots can
# never add up to what one ballot gives (at most three points).
BALLOTS = [(0, 1), (0, 2), (1, 2), (0, 1, 2), (0, 1), (1, 2)]


def _open_vote(session: Session) -> tuple[Meeting, Ballot, list[Action]]:
    make = factories.Factory(session)
    board = make.board(threshold_k=K)
    meeting = make.meeting(board, services=[make.service(board, name="Clinic")])
    approved = ModerationState.APPROVED
    actions = make.actions(board, "Idea A", "Idea B", "Idea C", moderation=approved)
    ballot = make.ballot(meeting, actions)
    session.commit()
    return meeting, ballot, actions


def _join(app, meeting):
    return factories.join(factories.tablet(app), meeting)


def _token(client) -> str:
    with client.session_transaction() as cookie:
        return cookie["tablet"]["token"]


def _vote(client, actions, choice) -> None:
    response = client.post("/meeting/vote", data={f"a{actions[i].id}": "1" for i in choice})
    assert response.status_code == 302
    assert "Your vote is counted" in client.get("/meeting/vote").get_data(as_text=True)


def _points(session: Session, actions: list[Action]) -> list[int]:
    """The tallies' points in the order of the actions (ids are random, not in order)."""
    points = {t.action_id: t.points for t in session.scalars(sa.select(BallotTally))}
    return [points.get(action.id, 0) for action in actions]


def _vector(actions, choice) -> tuple[int, ...]:
    return tuple(1 if i in choice else 0 for i in range(len(actions)))


def _versions(states: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """The tallies as they changed: consecutive equal states are one version."""
    out: list[tuple[int, ...]] = []
    for state in states:
        if not out or out[-1] != state:
            out.append(state)
    return out


def _close(app, session, meeting) -> None:
    with app.app_context():
        room.close_meeting(session, None, session.get(Meeting, meeting.id))
        session.commit()


def _box_name(ballot: Ballot) -> str:
    return f"board-ballot:{ballot.id}:{ballot.box}"


def _secrets_in_box(app, ballot: Ballot) -> list[str]:
    """What an attacker would look for: the salt, the voters' HMACs, the waiting ballots."""
    held = app.extensions["ballot_box"].contents(_box_name(ballot))
    found = [held["salt"], *held.get("voters", ())]
    found += list(held.get("waiting", ()))
    for ballots in held.get("claims", {}).values():
        found += ballots
    return found


# SQLite: the database file and its write-ahead log ----------------------------------------


def _replay_wal(database: Path, wal: bytes, where: Path, ballot_id: int) -> list[tuple]:
    """The tallies after every committed transaction in ``wal``, replayed on a copy of the
    database file one commit at a time (the attack, done with SQLite itself)."""
    page_size = int.from_bytes(wal[8:12], "big")
    frame = 24 + page_size
    commits = [
        end
        for end in range(32 + frame, len(wal) + 1, frame)
        if int.from_bytes(wal[end - frame + 4 : end - frame + 8], "big")  # a commit frame
    ]
    states = []
    for n, end in enumerate(commits):
        copy = where / f"replay-{n}.sqlite3"
        shutil.copyfile(database, copy)
        (where / f"replay-{n}.sqlite3-wal").write_bytes(wal[:end])
        connection = sqlite3.connect(copy)
        try:
            rows = connection.execute(
                "SELECT points FROM ballot_tally WHERE ballot_id = ? ORDER BY action_id",
                (ballot_id,),
            ).fetchall()
        except sqlite3.OperationalError:  # before the tables existed
            rows = []
        finally:
            connection.close()
        if rows:
            states.append(tuple(points for (points,) in rows))
    return states


def test_sqlite_files_and_wal_give_back_no_ballot_and_no_key(make_app, tmp_path):
    """Six ballots from six tablet sessions, on a SQLite file in WAL mode that is never
    checkpointed: the file and its -wal, read byte by byte and replayed commit by commit,
    hold no key, no HMAC, no token, and no tally version that differs by one ballot."""
    path = tmp_path / "wal.sqlite3"
    app = make_app(DATABASE_URL=f"sqlite:///{path}")
    migrate.upgrade(app)
    engine = get_engine(app)
    engine.dispose()
    sa.event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA wal_autocheckpoint=0"))
    # An open connection keeps SQLite from checkpointing the WAL into the file when the
    # app's connections close: the -wal then holds every write of the test.
    keeper = sqlite3.connect(path)
    keeper.execute("PRAGMA wal_autocheckpoint=0")
    try:
        keeper.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the migrations, out of the way
        with Session(bind=engine, expire_on_commit=False) as session:
            meeting, ballot, actions = _open_vote(session)
            actions.sort(key=lambda action: action.id)  # as the replay reads the tallies
            clients = [_join(app, meeting) for _ in BALLOTS]
            tokens = [_token(client) for client in clients]
            for client, choice in zip(clients, BALLOTS, strict=True):
                _vote(client, actions, choice)
            wanted = _secrets_in_box(app, ballot)
            assert len(wanted) > len(BALLOTS)  # the salt, six HMACs, and the waiting ballots
            _close(app, session, meeting)
            session.expire_all()
            assert voting.count_votes(session, ballot) == len(BALLOTS)
            batches = session.scalars(
                sa.select(BallotBatch.ballots).where(BallotBatch.ballot_id == ballot.id)
            ).all()
        database, wal = path.read_bytes(), Path(f"{path}-wal").read_bytes()
        assert len(wal) > 32 + 4096  # the votes are in the WAL, not checkpointed away
        states = _replay_wal(path, wal, tmp_path, ballot.id)
    finally:
        keeper.close()

    # The attack on the old code found 6 of 6 ballots this way.
    versions = _versions(states)
    assert versions[0] == (0, 0, 0)
    assert versions[-1] == tuple(
        sum(_vector(actions, choice)[i] for choice in BALLOTS) for i in range(3)
    )
    assert len(versions) <= math.ceil(len(BALLOTS) / K) + 1
    singles = {_vector(actions, choice) for choice in BALLOTS}
    for before, after in zip(versions, versions[1:], strict=False):
        step = tuple(b - a for a, b in zip(before, after, strict=True))
        assert step not in singles
        assert sum(step) >= 2 * K  # K ballots at least, each ticking two or more
    assert all(n >= K for n in batches) and sum(batches) == len(BALLOTS)
    raw = database + wal
    for secret in [*tokens, *wanted]:
        assert secret.encode() not in raw
    for needle in (b"ballot_cast", b"vote_key"):
        assert needle not in raw


# PostgreSQL: dead row versions ------------------------------------------------------------


def test_postgresql_keeps_no_tally_version_per_ballot(app, session):
    """heap_page_items on the tallies after six ballots: at most ceil(6/k)+1 versions of
    each row (the zero at opening, one per batch), and no more distinct writers (xmin)."""
    if session.bind.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: dead row versions and xmin")
    try:
        with session.bind.begin() as connection:
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    except sa.exc.DBAPIError as error:
        pytest.skip(f"pageinspect cannot be created here: {error.orig}")
    meeting, ballot, actions = _open_vote(session)
    for choice in BALLOTS:
        _vote(_join(app, meeting), actions, choice)
    _close(app, session, meeting)
    with session.bind.connect() as connection:
        versions = connection.execute(
            sa.text(
                "SELECT t_xmin, t_xmax FROM heap_page_items(get_raw_page('ballot_tally', 0))"
                " WHERE t_data IS NOT NULL"
            )
        ).all()
    limit = math.ceil(len(BALLOTS) / K) + 1
    assert len(actions) <= len(versions) <= limit * len(actions)
    assert len({xmin for xmin, _xmax in versions}) <= limit
    assert "ballot_cast" not in sa.inspect(session.bind).get_table_names()
    assert "vote_key" not in {c["name"] for c in sa.inspect(session.bind).get_columns("meeting")}


# The ballot box ---------------------------------------------------------------------------


def test_a_session_votes_once_even_sending_its_ballot_twice(app, session):
    meeting, ballot, actions = _open_vote(session)
    client = _join(app, meeting)
    token = _token(client)
    _vote(client, actions, (0, 1))
    with app.app_context():
        with pytest.raises(voting.AlreadyVoted):
            voting.cast_vote(session, meeting, ballot, token, {actions[2].id: 1})
        assert voting.count_votes(session, ballot) == 1
        assert voting.has_voted(session, meeting, ballot, token)
    # The same cookie again, as a copy on another device would send it.
    again = client.post("/meeting/vote", data={f"a{actions[2].id}": "1"})
    assert "Your vote is counted" in again.get_data(as_text=True)
    _close(app, session, meeting)
    session.expire_all()
    assert _points(session, actions) == [
        1,
        1,
        0,
    ]


def test_voting_after_the_close_is_refused_and_the_box_forgets_every_voter(app, session):
    meeting, ballot, actions = _open_vote(session)
    clients = [_join(app, meeting) for _ in range(4)]
    for client, choice in zip(clients[:3], BALLOTS, strict=False):
        _vote(client, actions, choice)
    name = _box_name(ballot)
    store = app.extensions["ballot_box"]
    assert len(store.contents(name)["voters"]) == 3
    with app.app_context():
        voting.close_ballot(session, None, session.get(Ballot, ballot.id))
        session.commit()
        # Nothing about voters is left: no salt, no HMAC, no ballot, no claim.
        assert store.contents(name) == {"salt": ballot_box.CLOSED}
        # The meeting is still open: a late tablet gets the results, not a ballot.
        late = clients[3].post("/meeting/vote", data={f"a{actions[0].id}": "1"})
        assert "Results of the vote" in late.get_data(as_text=True)
        with pytest.raises(voting.VoteError):
            voting.cast_vote(session, meeting, ballot, _token(clients[3]), {actions[0].id: 1})
        assert voting.count_votes(session, ballot) == 3
    assert store.contents(name) == {"salt": ballot_box.CLOSED}


def test_a_cast_racing_the_close_is_refused_not_lost(app, session):
    """The close marks the box closed: a cast that read "open" from the database a moment
    before cannot slip a ballot into a box nobody will count again."""
    meeting, ballot, actions = _open_vote(session)
    client = _join(app, meeting)
    token = _token(client)
    store = app.extensions["ballot_box"]
    with app.app_context():
        stale = session.get(Ballot, ballot.id)
        store.close(_box_name(stale), "x" * 32, 60)  # the close's first step, elsewhere
        with pytest.raises(voting.VoteError):
            voting.cast_vote(session, meeting, stale, token, {actions[0].id: 1})
    assert store.contents(_box_name(ballot)) == {"salt": ballot_box.CLOSED}


def test_a_batch_whose_write_failed_is_counted_at_close_once(app, session):
    """A worker claims a batch, then its transaction fails: the claim stays in the box and
    the close counts it; a claim already counted is not counted again."""
    meeting, ballot, actions = _open_vote(session)
    for choice in BALLOTS:  # 2k ballots: one batch of k written, k waiting
        _vote(_join(app, meeting), actions, choice)
    store = app.extensions["ballot_box"]
    name = _box_name(ballot)
    counted = session.scalars(sa.select(BallotBatch.id)).all()
    assert len(counted) == 1 and len(store.contents(name)["waiting"]) == K
    # A claim taken by a worker that died before its commit: its ballots would be lost.
    lost = store.claim(name, "f" * 32, size=K, keep=0, seconds=60)
    assert len(lost) == K
    # And a counted claim whose "forget" never reached the box: counting it again would
    # add these made-up ballots.
    store._held[name].claims[counted[0]] = ["0 1:1"] * K
    _close(app, session, meeting)
    session.expire_all()
    assert voting.count_votes(session, ballot) == len(BALLOTS)
    points = _points(session, actions)
    assert points == [sum(_vector(actions, c)[i] for c in BALLOTS) for i in range(3)]


def _cast_at_once(app, meeting, actions, clients, choices) -> list[int]:
    codes: list[int] = []
    start = threading.Barrier(len(clients))

    def run(client, choice):
        start.wait()
        response = client.post("/meeting/vote", data={f"a{actions[i].id}": "1" for i in choice})
        codes.append(response.status_code)

    threads = [
        threading.Thread(target=run, args=pair) for pair in zip(clients, choices, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def _check_at_once(app, session):
    """Twelve tablets at the same moment, and one tablet sending its ballot six times at
    once: every ballot counted exactly once, the repeats refused."""
    meeting, ballot, actions = _open_vote(session)
    clients = [_join(app, meeting) for _ in range(12)]
    choices = [BALLOTS[n % len(BALLOTS)] for n in range(12)]
    codes = _cast_at_once(app, meeting, actions, clients, choices)
    assert codes.count(302) == 12
    one = _join(app, meeting)
    token = _token(one)
    copies = []
    for _ in range(6):
        copy = app.test_client()
        with one.session_transaction() as original, copy.session_transaction() as cloned:
            cloned.update(original)
        copies.append(copy)
    codes = _cast_at_once(app, meeting, actions, copies, [(0,)] * 6)
    assert sorted(codes) == [200] * 5 + [302]  # the others see "Your vote is counted"
    _close(app, session, meeting)
    session.expire_all()
    assert voting.count_votes(session, ballot) == 13
    points = _points(session, actions)
    expected = [sum(_vector(actions, c)[i] for c in choices) for i in range(3)]
    expected[0] += 1
    assert points == expected
    batches = session.scalars(sa.select(BallotBatch.ballots)).all()
    assert all(n >= K for n in batches) and sum(batches) == 13
    assert token  # (the copies shared one session)


def test_ballots_sent_at_the_same_moment_in_memory(app, session):
    _check_at_once(app, session)


@pytest.fixture
def redis_uri(tmp_path):
    """A throwaway redis-server of the test's own (skipped where none is installed)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", tmp_path],
        stdout=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    process.terminate()
    process.wait(10)


def test_ballots_sent_at_the_same_moment_in_redis(make_app, session, redis_uri):
    """The same with the box every gunicorn worker shares: Redis, changed by scripts."""
    app = make_app(RATELIMIT_STORAGE_URI=redis_uri)
    assert isinstance(app.extensions["ballot_box"], ballot_box.RedisBox)
    _check_at_once(app, session)
    keys = app.extensions["ballot_box"].redis.keys("*")
    assert all(key.endswith(":salt") for key in keys if key.startswith("board-ballot:"))
