"""The network's settings an administrator changes on a page: who must use two-factor
sign-in. The deployment's configuration (``TWO_FACTOR``) gives the starting value; a change
here takes over from it, is audited, and is told to every administrator by mail (sent after
the commit), so that no one lowers the network's protection unnoticed.

Services flush and audit; views commit.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
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


def change(session: Session, actor: User, name: str, value: str, old: str) -> bool:
    """Set ``name`` to ``value`` (``old``: what applied until now); False if nothing changed.
    Audited with both values; every administrator is told by mail."""
    from board.auth.queries import users_with_role

    if value == old:
        return False
    setting = session.get(NetworkSetting, name, with_for_update=True)
    if setting is None:
        setting = NetworkSetting(name=name)
        session.add(setting)
    setting.value, setting.changed_by_id, setting.changed_at = value, actor.id, utcnow()
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
