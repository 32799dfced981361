"""One-line test data. Passwords are hashed once per run: scrypt is slow on purpose."""

from __future__ import annotations

import itertools
from functools import cache

from werkzeug.security import generate_password_hash

from board.auth.models import Role, RoleAssignment, User
from board.boards.models import Board, Organisation, OrganisationKind, Service, ServiceCategory

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@cache
def password_hash() -> str:
    return generate_password_hash(PASSWORD, method="scrypt")


class Factory:
    def __init__(self, session):
        self.session = session

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
