"""The network's settings an administrator changes on a page: who must use two-factor
sign-in. The deployment's configuration (``TWO_FACTOR``) gives the starting value; a change
here takes over from it, is audited, and is told to every administrator by mail (sent after
the commit), so that no one lowers the network's protection unnoticed.

Services flush and audit; views commit.
"""

from __future__ import annotations

import functools
from datetime import datetime

import sqlalchemy as sa
from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from board.audit.services import record
from board.auth.models import Role, User
from board.db import Base, UTCDateTime, utcnow
from board.mail import queue_mail

TWO_FACTOR = "two_factor"


class NetworkSetting(Base):
    """One setting's value as an administrator chose it (no row: the configuration's)."""

    __tablename__ = "network_setting"

    name: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200))
    changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by: Mapped[User | None] = relationship()


def chosen(session: Session, name: str) -> NetworkSetting | None:
    """The administrators' choice for ``name``, read once per request (every staff page asks
    who must use two-factor sign-in)."""
    cache = g.setdefault("_network_settings", {}) if has_app_context() else {}
    if name not in cache:
        cache[name] = session.get(NetworkSetting, name)
    return cache[name]


@functools.cache
def _insert(dialect_name: str):
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return (
        dialect.insert(NetworkSetting)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(NetworkSetting.name)
    )


def change(session: Session, actor: User, name: str, value: str, fallback: str) -> bool:
    """Set ``name`` to ``value``; False if it was that already (``fallback``: its value while
    no administrator has chosen). Two administrators saving at once: the first choice is
    inserted once, the second waits for the row's lock and reads what the first saved, so
    the audit's "old -> new" is always true. Every administrator is told by mail."""
    from board.auth.queries import users_with_role

    now = utcnow()
    setting = session.get(NetworkSetting, name, with_for_update=True, populate_existing=True)
    if setting is None:
        if value == fallback:
            return False
        made = session.execute(
            _insert(session.get_bind().dialect.name),
            {"name": name, "value": value, "changed_by_id": actor.id, "changed_at": now},
        ).first()
        old = fallback
        if made is None:  # another administrator's first choice came first: after it
            setting = session.get(
                NetworkSetting, name, with_for_update=True, populate_existing=True
            )
    if setting is not None:
        old = setting.value
        if value == old:
            return False
        setting.value, setting.changed_by_id, setting.changed_at = value, actor.id, now
    if has_app_context():
        g.pop("_network_settings", None)
    record(session, actor, "network.setting", None, detail=f"{name}: {old} -> {value}")
    for admin in users_with_role(session, None, Role.ADMINISTRATOR):
        queue_mail(
            session,
            admin,
            _l("A network setting of board was changed"),
            _l(
                "An administrator changed who must use two-factor sign-in on board. The audit "
                "log says who and when. If no administrator of your network meant to do this, "
                "change it back and reset that administrator's password."
            ),
        )
    session.flush()
    return True
