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

    def commit(self):
        self.session.commit()
