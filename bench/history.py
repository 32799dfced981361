"""Years of history must not slow a partner's page: compose a summary, export it, read its
page and the partners' dashboard (every board's 60 months published), with 10,000 and with
1,000,000 answers in the database (50 boards × 60 months), and print the times and their
ratio (target: at most 2)."""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, date, datetime

import sqlalchemy as sa

from board import create_app, migrate
from board.auth.models import Role, RoleAssignment, User
from board.boards.models import Board, Organisation, OrganisationKind, Service, ServiceCategory
from board.db import get_session
from board.feedback import tallies
from board.feedback.models import Feedback
from board.meetings.models import Meeting, MeetingState, meeting_recipients
from board.states import ModerationState
from board.summaries import figures
from board.summaries import services as summaries

BOARDS, MONTHS, SERVICES = 50, 60, 6
REPEAT = 15
CHUNK = 50_000


def _months():
    return [date(2021 + (i // 12), i % 12 + 1, 1) for i in range(MONTHS)]


def _wipe(session):
    from board.db import Base

    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())
    session.commit()


def seed(session, items: int) -> tuple[int, int]:
    """A network with ``items`` answers; returns (board id, partner user id)."""
    rng = random.Random(7)  # noqa: S311
    _wipe(session)
    network = Organisation(name="Bench network", kind=OrganisationKind.NGO)
    partner = Organisation(name="Bench partner", kind=OrganisationKind.PUBLIC_AUTHORITY)
    session.add_all([network, partner])
    boards = []
    for b in range(BOARDS):
        board = Board(
            name=f"Board {b}",
            city=f"City {b}",
            country="AL",
            timezone="UTC",
            languages="en",
            helpline="116 111",
            organisation=network,
            partners=[partner],
        )
        board.services = [
            Service(name=f"Service {s}", category=ServiceCategory.HEALTH) for s in range(SERVICES)
        ]
        boards.append(board)
    session.add_all(boards)
    session.flush()
    meetings = []
    for board in boards:
        for month in _months():
            meetings.append(
                {
                    "board_id": board.id,
                    "starts_at": datetime(month.year, month.month, 10, 10, tzinfo=UTC),
                    "duration_minutes": 120,
                    "place": "",
                    "notes": "",
                    "state": MeetingState.CLOSED.value,
                    "edited": False,
                    "attendance": 12,
                    "sequence": 0,
                    "created_at": datetime.now(UTC),
                }
            )
    session.execute(sa.insert(Meeting.__table__), meetings)
    meeting_rows = session.execute(
        sa.select(Meeting.id, Meeting.board_id, Meeting.starts_at).order_by(Meeting.id)
    ).all()
    session.execute(
        sa.insert(meeting_recipients),
        [{"meeting_id": row.id, "organisation_id": partner.id} for row in meeting_rows],
    )
    service_ids = {b.id: [s.id for s in b.services] for b in boards}
    batch = []
    for n in range(items):
        meeting_id, board_id, starts = meeting_rows[n % len(meeting_rows)]
        batch.append(
            {
                "meeting_id": meeting_id,
                "service_id": service_ids[board_id][rng.randrange(SERVICES)],
                "rating": rng.randint(1, 5),
                "language": "en",
                "day": starts.date(),
                "moderation": ModerationState.APPROVED.value,
                "happened_spans": [],
                "better_spans": [],
                "moderator_note": "",
            }
        )
        if len(batch) == CHUNK:
            session.execute(sa.insert(Feedback.__table__), batch)
            batch = []
    if batch:
        session.execute(sa.insert(Feedback.__table__), batch)
    tallies.rebuild(session)
    user = User(
        email="partner@bench.example",
        name="Partner",
        organisation=partner,
        password_hash="x",  # noqa: S106
    )
    session.add(user)
    session.flush()
    session.add(RoleAssignment(user=user, role=Role.PARTNER))
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        # A live database has planner statistics (autovacuum); a fresh bulk load does not.
        session.execute(sa.text("ANALYZE"))
        session.commit()
    return boards[0].id, user.id


def _median_ms(action) -> float:
    timings = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def bench_app(url: str):
    """An app on ``url``, migrated, without CSRF, rate limits or the second sign-in step:
    the benchmarks' own (they time pages, not signing in)."""
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "TWO_FACTOR": "optional",
        }
    )
    migrate.upgrade(app)
    return app


def measure(url: str, items: int) -> dict[str, float]:
    app = bench_app(url)
    with app.app_context():
        session = get_session()
        started = time.perf_counter()
        board_id, user_id = seed(session, items)
        seeded = time.perf_counter() - started
        board = session.get(Board, board_id)
        month = _months()[-1]

        def compose():
            figures.ratings(session, board, month)
            figures.attendance(session, board, month)

        compose_ms = _median_ms(compose)
        started = time.perf_counter()
        summary_id = publish_all(session)
        published = time.perf_counter() - started
        login_id = session.get(User, user_id).get_id()
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = login_id
    export_ms = _median_ms(lambda: client.get(f"/summaries/{summary_id}.csv").close())
    page_ms = _median_ms(lambda: client.get(f"/summaries/{summary_id}").close())
    dashboard_ms = _median_ms(lambda: _ok(client.get("/dashboard")))
    filtered_ms = _median_ms(
        lambda: _ok(client.get("/dashboard.csv?category=health&start=2024-01"))
    )
    from board.db import get_engine

    get_engine(app).dispose()
    return {
        "seed s": seeded,
        "publish s": published,
        "compose ms": compose_ms,
        "export ms": export_ms,
        "page ms": page_ms,
        "dashboard ms": dashboard_ms,
        "dash csv ms": filtered_ms,
    }


def _ok(response) -> None:
    assert response.status_code == 200, response.status_code
    response.close()


def publish_all(session) -> int:
    """Every board's every month composed and published, as facilitators would have done
    over five years; returns the newest summary of the first board."""
    last = None
    for board in session.scalars(sa.select(Board).order_by(Board.id)):
        for month in _months():
            summary = summaries.start_summary(session, None, board, month)
            summaries.publish(session, None, summary)
            last = last or (summary.id if month == _months()[-1] else None)
        session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("ANALYZE"))
        session.commit()
    return last


def run(url: str, label: str) -> None:
    small, large = measure(url, 10_000), measure(url, 1_000_000)
    print(f"\nhistory ({label}): {BOARDS} boards × {MONTHS} months, median of {REPEAT}")
    header = f"{'measure':<14} {'10k items':>10} {'1M items':>10} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for key in ("compose ms", "export ms", "page ms", "dashboard ms", "dash csv ms"):
        ratio = large[key] / small[key]
        print(f"{key:<14} {small[key]:>10.2f} {large[key]:>10.2f} {ratio:>7.2f}")
    for key in ("seed s", "publish s"):
        print(f"{key:<14} {small[key]:>10.1f} {large[key]:>10.1f}")
