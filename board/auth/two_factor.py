"""Two-factor sign-in for staff: a TOTP code from an app on the phone, or a recovery code.

The rules:
- Who must use it is the network's setting (``Policy``): the configuration's ``TWO_FACTOR``
  is the least (by default administrators and safeguarding leads, who open safeguarding
  records; everyone else may), and an administrator may require more on the settings page
  (board.auth.settings); lowering it again takes a current code.
- The TOTP secret is stored encrypted (Fernet, under a key derived from SECRET_KEY with its
  own label; SECRET_KEY_FALLBACKS open it during a key change): a copy of the database alone
  makes no codes. A new SECRET_KEY without the old one as a fallback makes every enrolment
  unreadable, and an administrator resets them.
- Enrolment is pending until the person types a code their app made from the new secret; until
  then the secret is kept (sealed) in the session of the browser that started it, so another
  browser with the password never sees it, and it is written to the account on confirmation.
- A code is accepted for the current 30-second step and one either side (a phone's clock is
  rarely exact); the step that signed in is kept, and a code of that step or an earlier one
  is refused (replay). The check and the write are one conditional update, so two requests
  racing with the same code sign in once.
- Ten recovery codes, shown once, stored hashed like passwords; each works once (spent by a
  conditional update as well). New ones need a current code and replace the old ones.
- Resetting is an administrator's act; it ends every session of the account.
Services flush and audit; views commit.
"""

from __future__ import annotations

import base64
import enum
import hmac
import secrets
import time
import unicodedata

import pyotp
import segno
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app, url_for
from flask import session as browser_session
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from board.audit.services import record
from board.auth.models import RecoveryCode, Role, User
from board.cookie import derive_key, secret_fallbacks
from board.db import utcnow
from board.mail import queue_mail
from board.rules import RuleError

KEY_INFO = b"board totp secret v1"
ISSUER = "board"
RECOVERY_CODES = 10
# Steps either side of now whose code is accepted (clock drift), and how far back a code is
# recognised as one that expired, to say so rather than "not right".
WINDOW = 1
EXPIRED_WINDOW = 20
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper and typed


class Policy(enum.StrEnum):
    """The network's setting: who must sign in with a second factor."""

    LEADS_AND_ADMINS = "required-for-leads-and-admins"
    ALL = "required-for-all"
    OPTIONAL = "optional"

    @property
    def strength(self) -> int:
        """How many accounts it protects, in order: no one, leads and admins, everyone."""
        return (Policy.OPTIONAL, Policy.LEADS_AND_ADMINS, Policy.ALL).index(self)


class TwoFactorError(RuleError):
    """A code was refused; ``message`` is translated, ``field`` is the form's "code"."""

    def __init__(self, message, reason: str):
        super().__init__(message, field="code")
        self.reason = reason  # for the audit log: wrong, expired, replayed, used


WRONG = _l("This code is not right. Type the code your app shows now.")
EXPIRED = _l("This code has expired. Type the code your app shows now.")
REPLAYED = _l("This code has been used already. Wait for the next code in your app.")
USED = _l("This recovery code has been used already. Each one works once.")
PAUSED = _l(
    "Too many wrong codes were typed for this account, so signing in to it is paused for a "
    "while. Try again later."
)


def configured() -> Policy:
    """The deployment's setting ``TWO_FACTOR``: the least the network requires. Administrators
    may require more on the settings page, never less: whoever runs the server can always
    raise it back (after an administrator's account was misused, say)."""
    try:
        return Policy(current_app.config["TWO_FACTOR"])
    except ValueError:
        return Policy.LEADS_AND_ADMINS  # a mistyped setting protects, it does not open


def policy() -> Policy:
    """Who must use a second factor: the administrators' choice or the configuration,
    whichever protects more."""
    from board.auth.settings import TWO_FACTOR, chosen
    from board.db import db

    floor, setting = configured(), chosen(db, TWO_FACTOR)
    if setting is None:
        return floor
    try:
        rule = Policy(setting.value)
    except ValueError:
        rule = Policy.LEADS_AND_ADMINS  # a value no release knows protects
    return max(floor, rule, key=lambda p: p.strength)


def confirm_with_code(session: Session, user: User, code: str) -> None:
    """A current code from ``user``'s app, for an act that lowers protection (raises
    TwoFactorError; the step is spent, so the same code does not serve twice)."""
    _verify_totp(session, user, normalise(code))


def required_for(user: User, rule: Policy | None = None) -> bool:
    """Must this account sign in with a second factor (under the network's setting, or
    ``rule``)?"""
    rule = rule or policy()
    if rule is Policy.ALL:
        return True
    if rule is Policy.OPTIONAL:
        return False
    return user.is_admin or user.has_role(Role.SAFEGUARDING_LEAD)


def must_enrol(user: User) -> bool:
    """Required and not set up: this account may open nothing but the enrolment page."""
    return required_for(user) and not user.has_two_factor


# The secret, encrypted at rest ---------------------------------------------------------


def _fernet() -> MultiFernet:
    keys = [current_app.config["SECRET_KEY"], *secret_fallbacks(current_app)]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(derive_key(k, KEY_INFO))) for k in keys])


def seal(secret: str) -> str:
    """The secret as the database keeps it: encrypted under the current key."""
    return _fernet().encrypt(secret.encode()).decode()


def _secret(user: User) -> str | None:
    if not user.totp_secret:
        return None
    try:
        return _fernet().decrypt(user.totp_secret.encode()).decode()
    except InvalidToken:
        return None  # made under a key no longer configured: an administrator resets it


# Enrolment -----------------------------------------------------------------------------


# The secret being enrolled, kept in this browser's session until the first code confirms it,
# tied to the account and its epoch. The session cookie is sealed already (board.cookie); the
# secret is sealed again as the database keeps it, so it never rests anywhere in clear.
CANDIDATE = "two_factor_candidate"


def _candidate(user: User) -> str | None:
    held = browser_session.get(CANDIDATE)
    if not isinstance(held, dict) or (held.get("user"), held.get("epoch")) != (
        user.id,
        user.session_epoch,
    ):
        return None
    try:
        return _fernet().decrypt(str(held.get("secret", "")).encode()).decode()
    except InvalidToken:
        return None


def start_enrolment(user: User) -> str:
    """The secret this browser is enrolling: a new one unless this browser has one pending,
    so a reload or a mistyped code keeps what the phone scanned. It stays in this browser's
    session and reaches the account only when confirmed: another browser with the password
    is given its own, never this one."""
    if user.has_two_factor:
        raise RuleError(_l("Two-factor sign-in is set up already."))
    secret = _candidate(user)
    if secret is None:
        secret = pyotp.random_base32()
        browser_session[CANDIDATE] = {
            "user": user.id,
            "epoch": user.session_epoch,
            "secret": seal(secret),
        }
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> Markup:
    """The enrolment QR code as inline SVG (no request leaves the page, nothing cached)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=2, dark="#000", light="#fff", title=title, svgclass="qr"
    )
    # segno's own markup (it escapes the title); role="img" so its title names it.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704  # nosec B704


def confirm_enrolment(session: Session, user: User, code: str) -> list[str]:
    """The first code from the app (made from this browser's candidate secret) turns
    two-factor sign-in on and stores the secret; returns the recovery codes (shown once).
    Other sessions of the account end, as after a new password, and the holder is mailed
    once the caller commits."""
    secret = _candidate(user)
    if secret is None or user.has_two_factor:
        raise RuleError(_l("Start the set-up again."))
    step = _matching_step(secret, code)
    if step is None:
        raise TwoFactorError(WRONG, "wrong")
    # One conditional update: the form sent twice at once turns it on once, with one set of
    # recovery codes (the second request is told it is on already).
    now = utcnow()
    confirmed = session.execute(
        sa.update(User)
        .where(User.id == user.id, User.totp_confirmed_at.is_(None))
        .values(
            totp_secret=seal(secret),
            totp_confirmed_at=now,
            totp_last_step=step,
            session_epoch=User.session_epoch + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if confirmed.rowcount != 1:  # type: ignore[attr-defined]
        raise RuleError(_l("Two-factor sign-in is set up already."))
    session.refresh(user)
    codes = issue_recovery_codes(session, user)
    record(session, user, "account.two_factor_enrol", user)
    queue_mail(
        session,
        user,
        _l("Two-factor sign-in is on for your board account"),
        _l(
            "Two-factor sign-in was turned on for your board account: signing in now asks for "
            "a code from an authenticator app. If this was not you, tell your administrator."
        ),
    )
    session.flush()
    browser_session.pop(CANDIDATE, None)
    return codes


# Codes at sign-in ----------------------------------------------------------------------


def _ascii_digit(char: str) -> str:
    digit = unicodedata.decimal(char, None)
    return char if digit is None else str(digit)


def normalise(code: str) -> str:
    """The code as checked: without spaces and dashes, in lower case, and with any script's
    decimal digits (Arabic-Indic from an Arabic keyboard, Persian, full-width) as 0-9."""
    return "".join(_ascii_digit(c) for c in "".join(code.split()).replace("-", "")).lower()


def looks_like_totp(code: str) -> bool:
    """Six ASCII digits (``str.isdigit`` alone also takes "²" and other scripts' digits,
    which a TOTP code never holds and ``hmac.compare_digest`` refuses with a TypeError)."""
    return len(code) == 6 and code.isascii() and code.isdigit()


def _matching_step(secret: str, code: str, back: int = WINDOW) -> int | None:
    """The time step (within ``back`` steps before now and WINDOW after) whose code this is."""
    code = normalise(code)
    if not looks_like_totp(code):
        return None
    totp, now = pyotp.TOTP(secret), int(time.time())
    current = totp.timecode(now)
    for step in range(current + WINDOW, current - back - 1, -1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify(session: Session, user: User, code: str) -> str:
    """Check the second step: a TOTP code, or a recovery code (spent). Returns which
    ("totp" or "recovery"); raises TwoFactorError with the reason."""
    code = normalise(code)
    if looks_like_totp(code):
        _verify_totp(session, user, code)
        return "totp"
    _spend_recovery_code(session, user, code)
    return "recovery"


def _verify_totp(session: Session, user: User, code: str) -> None:
    secret = _secret(user)
    if secret is None or not user.has_two_factor:
        raise TwoFactorError(WRONG, "wrong")
    step = _matching_step(secret, code, back=EXPIRED_WINDOW)
    current = pyotp.TOTP(secret).timecode(int(time.time()))
    if step is None:
        raise TwoFactorError(WRONG, "wrong")
    if step < current - WINDOW:
        raise TwoFactorError(EXPIRED, "expired")
    # Newer than the last step that signed in, in one statement: no replay, no race.
    taken = session.execute(
        sa.update(User)
        .where(
            User.id == user.id,
            sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's Result is a CursorResult
        raise TwoFactorError(REPLAYED, "replayed")
    user.totp_last_step = step


def _spend_recovery_code(session: Session, user: User, code: str) -> None:
    rows = session.scalars(sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id))
    match = next((r for r in rows if check_password_hash(r.code_hash, code)), None)
    if match is None:
        raise TwoFactorError(WRONG, "wrong")
    if match.used_at is not None:
        raise TwoFactorError(USED, "used")
    spent = session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise TwoFactorError(USED, "used")
    record(session, user, "account.recovery_code_used", user)


def pause_second_step(session: Session, user: User) -> None:
    """Too many wrong codes for the account (board.auth.throttle paused its second step):
    audited, and the holder is told by mail once the caller commits (no code in it)."""
    record(session, user, "signin.second_step_paused", user)
    queue_mail(
        session,
        user,
        _l("Sign-in to your board account is paused"),
        _l(
            "Someone typed the password of your board account, then too many wrong two-factor "
            "codes, so signing in to it is paused for a while. If this was not you, tell your "
            "administrator: your password is known to someone else."
        ),
    )
    session.flush()


def recovery_codes_left(session: Session, user: User) -> int:
    return session.execute(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def issue_recovery_codes(session: Session, user: User) -> list[str]:
    """Ten new codes (the old ones stop working), hashed as the app hashes passwords."""
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    method = current_app.config["PASSWORD_HASH_METHOD"]
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=generate_password_hash(raw, method)))
    session.flush()
    return codes


def regenerate_recovery_codes(session: Session, user: User, code: str) -> list[str]:
    """New recovery codes, after a current code from the app."""
    _verify_totp(session, user, normalise(code))
    codes = issue_recovery_codes(session, user)
    record(session, user, "account.recovery_codes_new", user)
    return codes


def reset(session: Session, actor: User, user: User, *, ttl_hours: int) -> str | None:
    """An administrator turns a person's two-factor sign-in off (a lost phone and no
    recovery codes): every session of the account ends, and so does its password. Whoever
    knows the password could otherwise set up their own phone first (a stolen password is
    what two-factor sign-in is for); the person chooses a new password from a one-time link
    mailed to their address (returned, for the administrator to hand over), then enrols
    again if it is required. A deactivated account gets its link when reactivated."""
    from board.auth.services import issue_invitation

    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.password_hash = None
    user.session_epoch += 1
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record(session, actor, "account.two_factor_reset", user)
    if not user.active:
        session.flush()
        return None
    token = issue_invitation(session, user, ttl_hours=ttl_hours)
    link = url_for("auth.accept_invitation", token=token, _external=True)
    queue_mail(
        session,
        user,
        _l("Your two-factor sign-in on board was reset"),
        _l(
            "An administrator reset the two-factor sign-in of your board account, as you "
            "asked. Your password no longer works: open this link to choose a new one, then "
            "set up two-factor sign-in again. %(link)s If you did not ask for this, tell your "
            "administrator.",
            link=link,
        ),
    )
    session.flush()
    return link
