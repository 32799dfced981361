"""One-line test data: ``make.board()``, ``make.meeting(board)``, ``make.world()``... and the
tablet's moves (``tablet``, ``join``, ``once``). Passwords are hashed once per run, with the
test configuration's cheap method (production keeps scrypt, slow on purpose)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path

import time_machine
from dateutil.relativedelta import relativedelta
from werkzeug.security import generate_password_hash

from board.auth.models import Role, RoleAssignment, User
from board.boards.models import Board, Organisation, OrganisationKind, Service, ServiceCategory

PASSWORD = "correct horse battery staple"
# The secret of every account a test enrols in two-factor sign-in (``make.two_factor``):
# ``pyotp.TOTP(TOTP_SECRET).now()`` is its code under the test's clock.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105  # nosec B105
# What tests/conftest.py sets as PASSWORD_HASH_METHOD: one round of PBKDF2 is enough for
# passwords that protect nothing, and keeps each sign-in of the suite cheap.
FAST_HASH = "pbkdf2:sha256:1"
_counter = itertools.count(1)

# Where every tablet of a test comes from, as the tests that look at logs expect to see it.
CLIENT_ADDRESS = "203.0.113.77"
USER_AGENT = "UniqueTabletAgent/9.9 (tablet-7)"
# A staff recording of a prompt as a browser would send it: a real Ogg Opus file (1.5 s).
OPUS = (Path(__file__).resolve().parent / "data" / "prompt.opus").read_bytes()


@cache
def password_hash() -> str:
    return generate_password_hash(PASSWORD, method=FAST_HASH)


@dataclass(eq=False)
class World:
    """A board with its service, partner organisation and staff of every role, and another
    board with its own facilitator and partner: who may see what is told by them. Modules
    hang what they add on it (``world.meeting``, ``world.secret``...)."""

    make: Factory = field(repr=False)
    org: Organisation
    other_org: Organisation
    board: Board
    other_board: Board
    service: Service
    admin: User
    facilitator: User
    lead: User
    partner: User
    other_facilitator: User
    other_partner: User
    people: dict[str, User] = field(init=False)

    def __post_init__(self):
        """Everyone, by the names of tests/test_access.py's roles (modules add their own)."""
        self.people = {
            "admin": self.admin,
            "facilitator": self.facilitator,
            "lead": self.lead,
            "partner": self.partner,
            "other_facilitator": self.other_facilitator,
            "other_partner": self.other_partner,
        }

    def __getitem__(self, name: str):
        """``world["summary"]`` is ``world.summary``."""
        return getattr(self, name)

    def every_table(self) -> dict:
        """Rows in nearly every table (an open meeting of a series with a help call, a ballot,
        feedback, a concern, a published summary answered by the partner, an API token, an
        invitation), committed; returns the values of every route's arguments."""
        return self.make.every_table(self)


class Factory:
    def __init__(self, session, app=None):
        self.session = session
        self.app = app

    def organisation(self, name=None, kind=OrganisationKind.NGO, **kw) -> Organisation:
        org = Organisation(name=name or f"Organisation {next(_counter)}", kind=kind, **kw)
        self.session.add(org)
        self.session.flush()
        return org

    def board(self, name=None, partners=(), **kw) -> Board:
        n = next(_counter)
        values = {
            "name": name or f"Board {n}",
            "city": f"City {n}",
            "country": "AL",
            "timezone": "Europe/Tirane",
            "languages": "sq en ar",
            "helpline": "116 111",
        }
        values.update(kw)
        if "organisation" not in values:
            values["organisation"] = self.organisation()
        board = Board(**values)
        board.partners = list(partners)
        self.session.add(board)
        self.session.flush()
        return board

    def service(self, board, name=None, category=ServiceCategory.HEALTH, **kw) -> Service:
        service = Service(
            board=board, name=name or f"Service {next(_counter)}", category=category, **kw
        )
        self.session.add(service)
        self.session.flush()
        return service

    def user(
        self,
        role: Role | None = None,
        board: Board | None = None,
        *,
        organisation=None,
        email=None,
        password=True,
        **kw,
    ) -> User:
        user = User(
            email=email or f"person{next(_counter)}@example.org",
            name=kw.pop("name", "Test Person"),
            organisation=organisation or self.organisation(),
            password_hash=password_hash() if password else None,
            **kw,
        )
        self.session.add(user)
        if role is not None:
            self.session.add(RoleAssignment(user=user, role=role, board=board))
        self.session.flush()
        return user

    def two_factor(self, user: User, secret: str = TOTP_SECRET) -> list[str]:
        """Two-factor sign-in set up for ``user`` with a known secret, as enrolment leaves
        it; returns the ten recovery codes."""
        from board.auth import two_factor
        from board.db import utcnow

        with self.app.app_context():
            user.totp_secret = two_factor.seal(secret)
            user.totp_confirmed_at = utcnow()
            return two_factor.issue_recovery_codes(self.session, user)

    def world(self, **board) -> World:
        """See ``World``; ``board`` are the first board's columns."""
        org = self.organisation(name="City hall")
        other_org = self.organisation(name="Elsewhere")
        the_board = self.board(**{"partners": [org], **board})
        other_board = self.board(partners=[other_org])
        return World(
            make=self,
            org=org,
            other_org=other_org,
            board=the_board,
            other_board=other_board,
            service=self.service(the_board, name="Clinic"),
            admin=self.user(Role.ADMINISTRATOR),
            facilitator=self.user(Role.FACILITATOR, the_board),
            lead=self.user(Role.SAFEGUARDING_LEAD, the_board),
            partner=self.user(Role.PARTNER, organisation=org),
            other_facilitator=self.user(Role.FACILITATOR, other_board),
            other_partner=self.user(Role.PARTNER, organisation=other_org),
        )

    def meeting(
        self,
        board,
        day=date(2030, 1, 12),
        *,
        at=time(10),
        duration_minutes=120,
        place="",
        services=(),
        open=True,
    ):
        """A meeting of the board, opened (named its partners to the children, has a join
        code) unless ``open=False``; ``services`` is its agenda."""
        from board.meetings import services as meetings

        meeting = meetings.schedule_meeting(
            self.session,
            None,
            board,
            day=day,
            at=at,
            duration_minutes=duration_minutes,
            place=place,
            services=list(services),
        )
        self.session.flush()
        if open:
            meetings.open_meeting(self.session, None, meeting)
        return meeting

    def series(self, board, **kw):
        """A series of monthly meetings (the second Saturday of 2030's first half unless
        told), as the scheduling form makes it."""
        from board.meetings import services as meetings
        from board.meetings.recurrence import MonthlyRule, RuleKind

        values = {
            "rule": MonthlyRule(RuleKind.NTH_WEEKDAY, 2, 5),
            "start": date(2030, 1, 1),
            "until": date(2030, 6, 30),
            "at": time(10),
            "duration_minutes": 120,
            "place": "Room 1",
        }
        values.update(kw)
        return meetings.schedule_series(self.session, None, board, **values)

    def action(self, board, title=None, **kw):
        """An advocacy action proposed by an adult, shortlisted unless told otherwise."""
        from board.actions.models import Action, ActionStatus, Proposer

        values = {
            "title": title or f"Idea {next(_counter)}",
            "language": "en",
            "proposed_by": Proposer.ADULT,
            "status": ActionStatus.SHORTLISTED,
        }
        values.update(kw)
        action = Action(board_id=board.id, **values)
        self.session.add(action)
        self.session.flush()
        return action

    def proposal(self, board, title, **kw):
        """A child's idea from a tablet, waiting for moderation."""
        from board.actions.models import Action, Proposer
        from board.states import ModerationState

        values = {"language": "en", "moderation": ModerationState.PENDING}
        values.update(kw)
        action = Action(board_id=board.id, title=title, proposed_by=Proposer.CHILD, **values)
        self.session.add(action)
        self.session.flush()
        return action

    def actions(self, board, *titles, **kw) -> list:
        return [self.action(board, title, **kw) for title in titles]

    def ballot(self, meeting, actions, method=None, dots=5):
        """The vote on ``actions`` in the open ``meeting`` (approval unless told)."""
        from board.voting import services as voting
        from board.voting.models import BallotMethod

        return voting.open_ballot(
            self.session, None, meeting, actions, method=method or BallotMethod.APPROVAL, dots=dots
        )

    def summary(self, board, month, months=1, *, publish=False):
        """The board's summary of ``month`` (and the next ``months - 1``), a draft from the
        figures as they stand, published to the partners named at its meetings if
        ``publish``."""
        from board.summaries import services as summaries

        with self._app_context():
            summary = summaries.start_summary(self.session, None, board, month, months)
            if publish:
                with after(month, months):
                    summaries.publish(self.session, None, summary)
        return summary

    def moderated(self, board) -> None:
        """The facilitator has rejected every text of the board still waiting for
        moderation (a period is published once its texts are moderated)."""
        import sqlalchemy as sa

        from board.feedback.models import Feedback
        from board.meetings.models import Meeting
        from board.states import ModerationState

        meetings = sa.select(Meeting.id).where(Meeting.board_id == board.id)
        self.session.execute(
            sa.update(Feedback)
            .where(
                Feedback.moderation == ModerationState.PENDING, Feedback.meeting_id.in_(meetings)
            )
            .values(moderation=ModerationState.REJECTED)
        )

    def _app_context(self):
        from contextlib import nullcontext

        return self.app.app_context() if self.app is not None else nullcontext()

    def every_table(self, world: World) -> dict:
        """See ``World.every_table``."""
        from board.api.services import create_token
        from board.auth import services as accounts
        from board.feedback.models import Feedback
        from board.feedback.services import give_feedback
        from board.meetings import services as meetings
        from board.moderation.models import Concern, ConcernSource, ConcernUrgency
        from board.moderation.services import prepare_export
        from board.summaries.models import (
            ItemKind,
            Response,
            ResponseStatus,
            Summary,
            SummaryItem,
            SummaryState,
        )

        session, board, org = self.session, world.board, world.org
        meeting = meetings.series_meetings(session, self.series(board))[0]
        meetings.open_meeting(session, None, meeting)
        call = meetings.call_for_help(session, meeting)
        action, other_action = self.actions(board, "Idea", "Other")
        ballot = self.ballot(meeting, [action, other_action])
        feedback = session.get(
            Feedback,
            give_feedback(
                session,
                meeting,
                world.service,
                rating=3,
                happened="text",
                better=None,
                language="en",
            ),
        )
        concern = Concern(
            board_id=board.id,
            source=ConcernSource.OTHER,
            reason="seen",
            urgency=ConcernUrgency.TODAY,
            occurred_on=date(2030, 1, 1),
        )
        session.add(concern)
        export_token = prepare_export(session, world.lead, board)
        summary = Summary(
            board=board,
            month=date(2030, 1, 1),
            state=SummaryState.PUBLISHED,
            threshold_k=board.threshold_k,
            recipients=[org],
        )
        item = SummaryItem(kind=ItemKind.RECOMMENDATION, text="Do it")
        summary.items.append(item)
        session.add(summary)
        session.flush()
        response = Response(
            item=item, organisation_id=org.id, status=ResponseStatus.ACCEPTED, what="We will"
        )
        session.add(response)
        api_token, _secret = create_token(session, None, org, "reports")
        _invited, token = accounts.invite_user(
            session, None, email="invited@example.org", name="Invited", organisation=org
        )
        self.commit()
        return {
            "board_id": board.id,
            "service_id": world.service.id,
            "organisation_id": org.id,
            "user_id": world.facilitator.id,
            "assignment_id": world.facilitator.roles[0].id,
            "token": token,
            "filename": "board.css",
            "meeting_id": meeting.id,
            "call_id": call.id,
            "action_id": action.id,
            "ballot_id": ballot.id,
            "kind": "feedback",
            "item_id": feedback.id,
            "concern_id": concern.id,
            "export_token": export_token,
            "summary_id": summary.id,
            "summary_item_id": item.id,
            "response_id": response.id,
            "calendar_token": board.calendar_token,
            "token_id": api_token.id,
            "place": 1,
            **self._audio(board),
        }

    def _audio(self, board) -> dict:
        """A recording of the board's (an Ogg Opus file), and a synthesised prompt's key."""
        from board.voice.services import save_recording
        from board.voice.texts import key_for

        recording = save_recording(self.session, None, board, "en", "Vote", OPUS)
        self.session.commit()
        return {
            "recording_id": recording.id,
            "digest": recording.digest[:16],
            "lang": "en",
            "key": key_for(self.app.config["SECRET_KEY"], "en", "Vote"),
        }

    def rated_month(self, world: World) -> World:
        """The board's March 2030: a meeting that named City hall to the children (9
        present), a partner organisation linked after it (``people["late"]``, not a
        recipient), a School beside the Clinic, approved ratings, an approved text, a text
        taken out for safeguarding and one not yet moderated. Committed."""
        from board.feedback import tallies
        from board.feedback.models import Feedback
        from board.room import services as room
        from board.states import ModerationState

        board, clinic, day = world.board, world.service, date(2030, 3, 9)
        late_org = self.organisation(name="Joined later")
        school = self.service(board, name="School")
        meeting = self.meeting(board, day, duration_minutes=60)  # names City hall
        room.close_meeting(self.session, None, meeting)
        meeting.attendance = 9
        board.partners = [world.org, late_org]  # linked after the meeting: not a recipient

        def feedback(service, moderation=ModerationState.APPROVED, **kw):
            kw = {"rating": None, "happened": None, **kw}
            self.session.add(
                Feedback(
                    meeting_id=meeting.id,
                    service_id=service.id,
                    language="en",
                    day=day,
                    moderation=moderation,
                    **kw,
                )
            )

        for service, values in {clinic: [4] * 6 + [5] * 5, school: [1, 5, 5, 5, 5, 5]}.items():
            for value in values:
                feedback(service, rating=value)
        feedback(clinic, rating=2, happened="The nurse listened.")
        feedback(clinic, ModerationState.SAFEGUARDING, rating=1)
        feedback(school, ModerationState.PENDING, happened="Not yet moderated")
        tallies.rebuild(self.session)  # rows written directly, as a bulk import would
        world.meeting = meeting
        world.people["late"] = self.user(Role.PARTNER, organisation=late_org)
        world.people["other"] = world.other_partner
        self.commit()
        return world

    def held(self, board, day, ratings=None, *, attendance=10, texts=()):
        """A closed meeting on ``day`` that named the board's partners to the children,
        with approved ratings ({service: [1-5, ...]}) and approved texts counted."""
        from datetime import UTC, datetime, time

        from board.feedback import tallies
        from board.feedback.models import Feedback
        from board.meetings.models import Meeting, MeetingState
        from board.states import ModerationState

        meeting = Meeting(
            board=board,
            starts_at=datetime.combine(day, time(10), UTC),
            duration_minutes=120,
            state=MeetingState.CLOSED,
            attendance=attendance,
        )
        meeting.recipients = list(board.partners)
        self.session.add(meeting)
        self.session.flush()
        for service, values in (ratings or {}).items():
            for n, value in enumerate(values):
                self.session.add(
                    Feedback(
                        meeting_id=meeting.id,
                        service_id=service.id,
                        rating=value,
                        language="en",
                        day=day,
                        happened=texts[n] if n < len(texts) else None,
                        moderation=ModerationState.APPROVED,
                    )
                )
                tallies.adjust(
                    self.session,
                    board_id=board.id,
                    service_id=service.id,
                    day=day,
                    rating=value,
                    delta=1,
                )
        return meeting

    def commit(self):
        self.session.commit()


def after(month: date, months: int = 1):
    """The clock on the second day after the period of ``months`` from ``month`` (08:30
    UTC), ticking: a period is published once it is over, and the suite's clock is earlier
    than the 2030 months most tests use."""
    day = month.replace(day=1) + relativedelta(months=months, days=1)
    return time_machine.travel(datetime.combine(day, time(8, 30), UTC), tick=True)


ONCE = re.compile(r'name="(?:once|confirm_admin)"[^>]*\svalue="([^"]+)"')


def once_token(page: str) -> str:
    """The one-time answer (board.confirm) of the first question on ``page`` ("" if the
    page asks none: the act is refused, as a test may want)."""
    found = ONCE.search(page)
    return found.group(1) if found else ""


def confirm(client, question: str, answer: str | None = None, **data):
    """Read the question at ``question`` (a page), then answer it (posted to ``answer``, or
    to the question's own address) with its one-time token: an act confirmed as a person
    would, in two steps."""
    token = once_token(client.get(question).get_data(as_text=True))
    return client.post(answer or question, data={"once": token, **data})


def close_meeting(client, meeting, **kwargs):
    """The facilitator closes ``meeting`` from its control screen, confirming."""
    return confirm(client, f"/meetings/{meeting.id}/close", **kwargs)


def publish(client, summary, **data):
    """The facilitator publishes ``summary`` from its preview, ticking the confirmation."""
    return confirm(
        client,
        f"/summaries/{summary.id}",
        f"/summaries/{summary.id}/publish",
        **{"confirm": "y", **data},
    )


def compose(client, auth, session, board, people, **draft):
    """The facilitator's summary of March 2030 (``Factory.rated_month``), started and saved
    through the pages; returns it and the answer to the save."""
    import sqlalchemy as sa

    from board.summaries.models import Summary

    auth.as_user(people["facilitator"])
    client.post(f"/boards/{board.id}/summaries", data={"period": "2030-03-01/1"})
    summary = session.scalar(sa.select(Summary))
    data = {
        "narrative": "<p>Children <strong>liked</strong> the clinic.</p>",
        "recommendations": "Open the clinic on Saturdays\n\n",
        "quotes": [],
    }
    data.update(draft)
    response = client.post(f"/summaries/{summary.id}/edit", data=data)
    return summary, response


def tablet(app, **environ):
    """A test client as a child's tablet: English in the browser, the suite's address."""
    client = app.test_client()
    client.environ_base.update(
        REMOTE_ADDR=CLIENT_ADDRESS, HTTP_USER_AGENT=USER_AGENT, HTTP_ACCEPT_LANGUAGE="en"
    )
    client.environ_base.update(environ)
    return client


def join(client, meeting, lang="en", *, admit=True):
    """A new child on this tablet, with the code from the big screen, let in by the
    facilitator unless ``admit=False``."""
    response = client.post("/join", data={"code": meeting.join_code})
    assert response.headers["Location"] == "/join/language"
    client.post("/join/language", data={"lang": lang})
    client.post("/join/welcome")
    if admit:
        assert let_in(client)
    return client


def typo(code: str, at: int = -1) -> str:
    """``code`` with one character changed to another of the alphabet: a child's mistake,
    still a well-formed code (so it is looked up, and counts)."""
    at %= len(code)
    from board.meetings import codes

    alphabet = codes.ALPHABET
    return code[:at] + alphabet[(alphabet.index(code[at]) + 1) % len(alphabet)] + code[at + 1 :]


def once(client, path) -> str | None:
    """The one-use form token of the form at ``path`` (None if the page has no form)."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="once" type="hidden" value="([^"]+)"', page)
    return found.group(1) if found else None


def fill(rule: str, args: dict) -> str:
    """A URL rule (``/boards/<int:board_id>``) with the arguments put in."""
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(args[m.group(1)]), rule)


def let_in(client) -> bool:
    """The facilitator's "Let in" for the tablet session of this test client (the label the
    tablet shows is the one the facilitator taps). True if it came in now."""
    from board.db import db
    from board.meetings.models import Meeting
    from board.participate import admission

    with client.session_transaction() as cookie:
        raw = cookie.get("tablet")
    if not raw:
        return False
    token, meeting_id = str(raw["token"]), int(raw["meeting_id"])
    with client.application.app_context():
        meeting = db.get(Meeting, meeting_id)
        label = admission.label_for(token)
        done = any(
            admission.let_in(db, meeting, waiting.place)
            for waiting in admission.waiting(meeting)
            if waiting.label == label
        )
        db.commit()
    return done


def csv_table(text: str, name: str) -> tuple[list[str], list[list[str]]]:
    """One table of a summary's CSV (each follows a line "# <name>"): its header and rows."""
    import csv
    import io

    lines = list(csv.reader(io.StringIO(text)))
    start = lines.index([f"# {name}"]) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i]), len(lines))
    return lines[start], lines[start + 1 : end]
