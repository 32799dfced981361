"""API tokens: made by administrators for one organisation, shown once, kept as a hash."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from board.api.models import ApiToken
from board.audit.services import record
from board.boards.models import Organisation
from board.db import utcnow
from board.rules import RuleError

PREFIX = "brd_"
TOUCH_EVERY_SECONDS = 3600  # "last used" is kept to the hour: no trail of every call


class TokenError(RuleError):
    """A rule about API tokens was broken."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, actor, organisation: Organisation, name: str
) -> tuple[ApiToken, str]:
    """A new token for the organisation; the secret is returned once and never kept."""
    if not name.strip():
        raise TokenError(_l("Say what the token is for."), "name")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation=organisation,
        name=name.strip()[:200],
        token_hash=_digest(secret),
        prefix=secret[:10],
        created_by_id=getattr(actor, "id", None),
    )
    session.add(token)
    session.flush()
    record(session, actor, "token.create", token, detail=f"{organisation.name}: {token.name}"[:300])
    return token, secret


def revoke_token(session: Session, actor, token: ApiToken) -> None:
    """The token stops opening the API at once, for good."""
    if token.revoked_at is not None:
        raise TokenError(_l("This token is revoked already."))
    token.revoked_at = utcnow()
    session.flush()
    record(session, actor, "token.revoke", token, detail=token.organisation.name)


def authenticate(session: Session, secret: str) -> ApiToken | None:
    """The live token with this secret, or None."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == _digest(secret), ApiToken.revoked_at.is_(None)
        )
    )
    if token is not None:
        now = utcnow()
        if (
            token.last_used_at is None
            or (now - token.last_used_at).total_seconds() > TOUCH_EVERY_SECONDS
        ):
            token.last_used_at = now
    return token


def organisation_tokens(session: Session, organisation: Organisation) -> list[ApiToken]:
    return list(
        session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.organisation_id == organisation.id)
            .order_by(ApiToken.created_at.desc())
        )
    )
