"""The demo network: five boards, their services, staff and partners.

Everything here is invented; the organisations are fictional.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from board.actions.models import Action, ActionStatus, Proposer
from board.auth.models import Role, User
from board.auth.services import assign_role, set_password
from board.boards.models import Board, Organisation, OrganisationKind, Service, ServiceCategory
from board.db import Base, utcnow
from board.feedback import tallies
from board.feedback.models import Feedback
from board.feedback.services import give_feedback
from board.meetings import services as meetings
from board.meetings.models import Meeting, MeetingState
from board.meetings.recurrence import MonthlyRule, RuleKind
from board.states import ModerationState
from board.summaries.models import ResponseStatus
from board.voting import services as voting
from board.voting.models import Ballot, BallotBatch, BallotMethod, BallotState, BallotTally

DEMO_PASSWORD = "board-demo-2026"  # noqa: S105 (printed for the demo only)  # nosec B105
ADMIN_EMAIL = "admin@example.org"

C = ServiceCategory
BOARDS = [
    # slug, city, country, zone, languages, running NGO, services
    (
        "tirana",
        "Tirana",
        "AL",
        "Europe/Tirane",
        "sq en ar",
        "Tirana Child Protection Centre",
        [
            ("Blloku drop-in centre", C.DROP_IN_CENTRE),
            ("Street team Tirana", C.STREET_OUTREACH),
            ("School no. 7 support class", C.SCHOOL_EDUCATION),
            ("Health centre no. 3", C.HEALTH),
            ("Civil registry help desk", C.REGISTRATION_DOCUMENTS),
            ("Night shelter", C.SHELTER_HOUSING),
            ("Free legal clinic", C.LEGAL_AID),
        ],
    ),
    (
        "prishtina",
        "Prishtina",
        "XK",
        "Europe/Belgrade",
        "sq sr_Latn en",
        "Prishtina Youth Support",
        [
            ("Youth drop-in centre", C.DROP_IN_CENTRE),
            ("Mobile outreach team", C.STREET_OUTREACH),
            ("Catch-up classes", C.SCHOOL_EDUCATION),
            ("Family health centre", C.HEALTH),
            ("Documents help desk", C.REGISTRATION_DOCUMENTS),
            ("Emergency response team", C.EMERGENCY_TEAM),
        ],
    ),
    (
        "sofia",
        "Sofia",
        "BG",
        "Europe/Sofia",
        "bg en ar",
        "Sofia Children's Aid",
        [
            ("Day centre for children", C.DROP_IN_CENTRE),
            ("Street work team", C.STREET_OUTREACH),
            ("Bulgarian language classes", C.SCHOOL_EDUCATION),
            ("Refugee health point", C.HEALTH),
            ("Asylum registration help", C.REGISTRATION_DOCUMENTS),
            ("Safe house", C.SHELTER_HOUSING),
            ("Lawyers for children", C.LEGAL_AID),
        ],
    ),
    (
        "warsaw",
        "Warsaw",
        "PL",
        "Europe/Warsaw",
        "pl en ar",
        "Warsaw Migrant Youth Foundation",
        [
            ("Youth club", C.DROP_IN_CENTRE),
            ("Station outreach", C.STREET_OUTREACH),
            ("Preparatory class", C.SCHOOL_EDUCATION),
            ("Clinic for young people", C.HEALTH),
            ("Residence card help", C.REGISTRATION_DOCUMENTS),
            ("Group home", C.SHELTER_HOUSING),
            ("Guardianship and legal advice", C.LEGAL_AID),
        ],
    ),
    (
        "bucharest",
        "Bucharest",
        "RO",
        "Europe/Bucharest",
        "ro en ar",
        "Bucharest Street Children Association",
        [
            ("Day centre", C.DROP_IN_CENTRE),
            ("Night street team", C.STREET_OUTREACH),
            ("Second chance school", C.SCHOOL_EDUCATION),
            ("Mobile clinic", C.HEALTH),
            ("Identity papers help", C.REGISTRATION_DOCUMENTS),
            ("Emergency shelter", C.SHELTER_HOUSING),
            ("Child protection hotline team", C.EMERGENCY_TEAM),
        ],
    ),
]

# name, kind, country, boards they partner with ("*" for all), partner account slug
PARTNERS = [
    ("Municipality of Tirana", OrganisationKind.PUBLIC_AUTHORITY, "AL", ["tirana"], "municipality"),
    (
        "Ministry of Labour and Social Policy",
        OrganisationKind.PUBLIC_AUTHORITY,
        "BG",
        ["sofia"],
        "ministry",
    ),
    (
        "Balkan Child Rights Observatory",
        OrganisationKind.INTERNATIONAL_BODY,
        None,
        ["*"],
        "international",
    ),
    ("Legal Aid for Children", OrganisationKind.NGO, "PL", ["warsaw", "bucharest"], "legalaid"),
]

NETWORK = "Child Consultation Network (demo)"


def _account(session: Session, email: str, name: str, org: Organisation) -> User:
    user = User(email=email, name=name, organisation=org, locale=None)
    session.add(user)
    session.flush()
    set_password(session, user, DEMO_PASSWORD)
    return user


def seed(session: Session) -> bool | None:
    """Seed the demo; True when seeded now, False when present, None when other data exists."""
    if session.scalar(sa.select(Organisation).where(Organisation.name == NETWORK)) is not None:
        return False
    if session.scalar(sa.select(sa.func.count()).select_from(Organisation)):
        return None
    network = Organisation(name=NETWORK, kind=OrganisationKind.NGO)
    session.add(network)
    admin = _account(session, ADMIN_EMAIL, "Ana Admin", network)
    assign_role(session, None, admin, Role.ADMINISTRATOR, audit=False)

    boards: dict[str, Board] = {}
    for slug, city, country, zone, languages, ngo_name, services in BOARDS:
        ngo = Organisation(name=ngo_name, kind=OrganisationKind.NGO, country=country)
        board = Board(
            name=f"{city} children's board",
            city=city,
            country=country,
            timezone=zone,
            languages=languages,
            helpline="116 111",
            organisation=ngo,
        )
        board.services = [Service(name=n, category=c) for n, c in services]
        session.add_all([ngo, board])
        boards[slug] = board
        facilitator = _account(
            session, f"facilitator.{slug}@example.org", f"Facilitator {city}", ngo
        )
        lead = _account(session, f"lead.{slug}@example.org", f"Safeguarding lead {city}", ngo)
        assign_role(session, None, facilitator, Role.FACILITATOR, board, audit=False)
        assign_role(session, None, lead, Role.SAFEGUARDING_LEAD, board, audit=False)

    for name, kind, country, links, slug in PARTNERS:
        org = Organisation(name=name, kind=kind, country=country)
        org.partner_of = list(boards.values()) if links == ["*"] else [boards[s] for s in links]
        session.add(org)
        partner = _account(session, f"partner.{slug}@example.org", f"Partner ({name})", org)
        assign_role(session, None, partner, Role.PARTNER, audit=False)
    session.flush()
    _seed_meetings(session, boards)
    _seed_concern(session, boards["sofia"])
    tallies.rebuild(session)  # the demo wrote feedback rows directly
    for board in boards.values():
        _seed_summary(session, board)
    return True


def _seed_meetings(session: Session, boards: dict[str, Board]) -> None:
    """A monthly series per board (second Saturday, 10:00) from six months back to six
    ahead; the past ones held and closed; in Tirana, one meeting open now."""
    rng = random.Random(2026)  # noqa: S311 (demo figures, not security)  # nosec B311
    today = date.today()
    start = (today.replace(day=1) - timedelta(days=170)).replace(day=1)
    for slug, board in boards.items():
        series = meetings.schedule_series(
            session,
            None,
            board,
            rule=MonthlyRule(RuleKind.NTH_WEEKDAY, 2, 5),
            start=start,
            until=today + timedelta(days=180),
            at=time(10),
            duration_minutes=120,
            place=f"{board.city} drop-in centre, meeting room",
            services=board.services[:4],
        )
        held = []
        for meeting in meetings.series_meetings(session, series):
            if meeting.starts_at < utcnow():
                meeting.state = MeetingState.CLOSED
                meeting.opened_at = meeting.starts_at
                meeting.closed_at = meeting.starts_at + timedelta(hours=2)
                meeting.attendance = rng.randint(8, 14)
                meeting.recipients = list(board.partners)
                held.append(meeting)
                _seed_feedback(session, rng, meeting)
        actions = _seed_actions(session, board)
        if held:
            _seed_ballot(session, rng, held[-1], actions[:3])
            _seed_queue(session, held[-1])
        if slug == "tirana":
            now = meetings.schedule_meeting(
                session,
                None,
                board,
                day=meetings.in_board_zone(board, utcnow()).date(),
                at=time(9),
                duration_minutes=600,
                place="Tirana drop-in centre, meeting room",
                services=board.services[:5],
            )
            session.flush()
            meetings.open_meeting(session, None, now)
            board.watch_names = "Ana\nDritan"
            voting.open_ballot(session, None, now, actions[3:6], method=BallotMethod.DOTS, dots=3)
            for service, rating, happened, better in TODAY:
                give_feedback(
                    session,
                    now,
                    board.services[service],
                    rating=rating,
                    happened=happened,
                    better=better,
                    language="en",
                )
    session.flush()


# How many children rated each agenda service at a held meeting: the first two by more than
# five (so that summaries can show them), the others by fewer.
RATINGS_PER_SERVICE = [(6, 12), (6, 10), (3, 7), (1, 4)]
APPROVED_TEXTS = [
    ("The staff listened to me.", "Open on Sundays too."),
    ("I waited a long time.", "More people to help."),
    ("They gave me warm food.", None),
    (None, "Somebody who speaks my language."),
]


def _seed_feedback(session: Session, rng: random.Random, meeting: Meeting) -> None:
    """Ratings (and a few moderated texts) for a past meeting's agenda services."""
    day = meeting.starts_at.date()
    for position, (service, (low, high)) in enumerate(
        zip(meeting.services, RATINGS_PER_SERVICE, strict=False)
    ):
        if position == 0:
            # A service most children agree on, in groups of at least five for each rating
            # given, so that its distribution can be published.
            ratings = [3] * rng.choice([0, 5]) + [4] * rng.randint(5, 7) + [5] * rng.randint(5, 8)
        else:
            mood = rng.choice([2, 3, 4])
            ratings = [
                max(1, min(5, round(rng.gauss(mood + 0.5, 1.1))))
                for _ in range(rng.randint(low, high))
            ]
        for rating in ratings:
            text = rng.choice(APPROVED_TEXTS) if rng.random() < 0.15 else (None, None)
            session.add(
                Feedback(
                    meeting_id=meeting.id,
                    service_id=service.id,
                    rating=rating,
                    happened=text[0],
                    better=text[1],
                    language="en",
                    day=day,
                    moderation=ModerationState.APPROVED,
                )
            )


ACTIONS = [
    # title, status, proposed by, outcome, reason
    (
        "Open the drop-in centre on Sundays",
        ActionStatus.DONE,
        Proposer.CHILD,
        "The centre is now open on Sunday afternoons.",
        "The municipality paid for one more worker.",
    ),
    (
        "Interpreters at the health centre",
        ActionStatus.ADOPTED,
        Proposer.CHILD,
        "Partners are looking for interpreters.",
        "",
    ),
    (
        "Free bus tickets for school",
        ActionStatus.NOT_ADOPTED,
        Proposer.ADULT,
        "Children chose other ideas this time.",
        "It got the fewest votes.",
    ),
    ("A quiet room for homework", ActionStatus.SHORTLISTED, Proposer.CHILD, "", ""),
    ("Help with documents in our languages", ActionStatus.SHORTLISTED, Proposer.CHILD, "", ""),
    ("Sports on Saturdays", ActionStatus.SHORTLISTED, Proposer.ADULT, "", ""),
]


def _seed_actions(session: Session, board: Board) -> list[Action]:
    actions = []
    for title, status, proposer, outcome, reason in ACTIONS:
        action = Action(
            board=board,
            title=title,
            language="en",
            proposed_by=proposer,
            status=status,
            outcome=outcome,
            outcome_reason=reason,
            pictogram=ServiceCategory.OTHER
            if proposer is Proposer.ADULT
            else ServiceCategory.DROP_IN_CENTRE,
        )
        session.add(action)
        actions.append(action)
    # A child's idea from the tablet, waiting for a facilitator.
    session.add(
        Action(
            board=board,
            title="More football",
            language="en",
            proposed_by=Proposer.CHILD,
            moderation=ModerationState.PENDING,
        )
    )
    session.flush()
    return actions


def _seed_ballot(session: Session, rng: random.Random, meeting: Meeting, actions) -> None:
    """A closed vote at the last held meeting: its totals and how many voted, as one batch
    (synthetic: the past meeting's votes never went through the ballot box)."""
    ballot = Ballot(
        meeting=meeting,
        method=BallotMethod.APPROVAL,
        options=list(actions),
        state=BallotState.CLOSED,
        opened_at=meeting.starts_at,
        closed_at=meeting.starts_at + timedelta(hours=1),
    )
    session.add(ballot)
    session.flush()
    voters = rng.randint(6, meeting.attendance)
    session.add(BallotBatch(id=secrets.token_hex(16), ballot_id=ballot.id, ballots=voters))
    for action in actions:
        session.add(
            BallotTally(ballot_id=ballot.id, action_id=action.id, points=rng.randint(1, voters))
        )


# Answers given at the open meeting, waiting for moderation (some with personal details).
TODAY = [
    (0, 4, "Dritan at the centre helped me with my papers.", "Call me on 069 123 4567"),
    (1, 2, "I waited three hours.", None),
    (3, 5, None, "My friend's insta is @ana_tr, she wants to come too."),
]


# Texts from the last held meeting, still waiting in each board's moderation queue.
WAITING = [
    (0, 3, "The new worker Dritan was nice but the room was cold.", None),
    (1, 2, "Nobody came when I called +359 88 712 3456 at night.", "Answer the phone."),
    (2, 5, None, "More games please"),
]


def _seed_queue(session: Session, meeting: Meeting) -> None:
    from board.text.detect import find_personal_details

    for index, rating, happened, better in WAITING:
        service = meeting.services[index]
        session.add(
            Feedback(
                meeting_id=meeting.id,
                service_id=service.id,
                rating=rating,
                happened=happened,
                better=better,
                language="en",
                day=meeting.starts_at.date(),
                moderation=ModerationState.PENDING,
                happened_spans=[s.as_list() for s in find_personal_details(happened or "")],
                better_spans=[s.as_list() for s in find_personal_details(better or "")],
            )
        )
    session.flush()


def _seed_concern(session: Session, board: Board) -> None:
    """One open safeguarding concern, on Sofia's last held meeting."""
    from board.moderation.services import raise_concern

    meeting = session.scalar(
        sa.select(Meeting)
        .where(Meeting.board_id == board.id, Meeting.state == MeetingState.CLOSED)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    facilitator = session.scalar(
        sa.select(User).where(User.email == "facilitator.sofia@example.org")
    )
    item = Feedback(
        meeting_id=meeting.id,
        service_id=meeting.services[0].id,
        rating=1,
        language="en",
        happened="A man at the station says I owe him money and must work for him.",
        day=meeting.starts_at.date(),
        moderation=ModerationState.PENDING,
    )
    session.add(item)
    session.flush()
    raise_concern(session, facilitator, item, "The child may be exploited. Needs follow-up.")


def _seed_summary(session: Session, board: Board) -> None:
    """Every held month summarised and published (so the partners' dashboard has months to
    show); the last one with a narrative, recommendations and quotes, answered by a partner
    in words the children see."""
    from board.summaries import services as summaries

    held = session.scalars(
        sa.select(Meeting.starts_at)
        .where(Meeting.board_id == board.id, Meeting.state == MeetingState.CLOSED)
        .order_by(Meeting.starts_at)
    )
    months = sorted({moment.date().replace(day=1) for moment in held})
    for month in months[:-1]:
        summaries.publish(session, None, summaries.start_summary(session, None, board, month))
    month = months[-1]
    summary = summaries.start_summary(session, None, board, month)
    quotes = [key for key, _text, _month in summaries.quotable(session, summary)][:2]
    summaries.save_draft(
        session,
        None,
        summary,
        narrative="<p>Children told us the drop-in centre feels <strong>safe</strong>, "
        "but waiting times at the health centre are long.</p>",
        recommendations=[
            "Add a second nurse on Saturdays",
            "Explain documents in the children's languages",
        ],
        quotes=quotes,
    )
    summaries.publish(session, None, summary)
    partner = session.scalar(
        sa.select(User).where(User.email == "partner.international@example.org")
    )
    recommendation = next(i for i in summary.items if i.kind.value == "recommendation")
    response = summaries.respond(
        session,
        partner,
        recommendation,
        status=ResponseStatus.PARTLY,
        what="We will fund an interpreter two days a week from next month.",
        by_when=None,
    )
    summaries.approve_for_children(
        session,
        None,
        response,
        {"en": "An interpreter will come two days a week, starting next month."},
    )
    voted = next((i for i in summary.items if i.kind.value == "action" and i.rank == 1), None)
    if voted is not None:
        answer = summaries.respond(
            session,
            partner,
            voted,
            status=ResponseStatus.ACCEPTED,
            what="We will put this to the city council and report back.",
            by_when=month + timedelta(days=120),
        )
        summaries.approve_for_children(
            session,
            None,
            answer,
            {"en": "Your top idea goes to the city council. We will tell you what they say."},
        )


def open_meetings(session: Session) -> list[Meeting]:
    return list(session.scalars(sa.select(Meeting).where(Meeting.state == MeetingState.OPEN)))


def clear(session: Session) -> None:
    """Delete every row of every table (children first)."""
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())
    session.flush()


def describe(session: Session) -> str:
    """The logins, as a table for the terminal."""
    users = session.scalars(
        sa.select(User).where(User.email.like("%@example.org")).order_by(User.id)
    )
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD})"]
    for user in users:
        roles = ", ".join(
            a.role.value + (f" ({a.board.city})" if a.board else "") for a in user.roles
        )
        lines.append(f"  {user.email:<40} {roles}")
    for meeting in open_meetings(session):
        lines.append(
            f"Meeting open now: {meeting.board.name}, "
            f"join code {meeting.join_code} (children: /join); "
            f"its facilitator lets each tablet in at /meetings/{meeting.id}/door"
        )
    return "\n".join(lines)
