"""A growing wait after wrong passwords, per account AND client address together.

Counting an account's failures from every address (five wrong passwords, ten minutes locked)
let anyone who knew a safeguarding lead's email lock the lead out. So failures are counted
per (account, address): the address that guesses waits, longer after each further failure
(a minute, then two, four, ... up to a day), and the right password from an address that
has not failed is never refused. A right password from the guessing address forgets its
failures. Guessing a password spread over many addresses is left to the password rules
(12 characters, not a common one) and the per-address limit on any account (config.py).

The second step of a sign-in (a code from the phone, or a recovery code) is counted the same
way under its own keys (``step="code"``), cleared only by a right code: the right password
again does not give a guesser of codes a fresh start. Codes are counted per account as well,
from every address together (``note_code_failure``): whoever has the password could otherwise
spread guesses over many addresses, each with its free tries. After
TWO_FACTOR_ACCOUNT_FAILURES wrong codes the account's second step pauses for
TWO_FACTOR_PAUSE_SECONDS (longer after each further failure), every pending sign-in of the
account ends (``paused_since``), and the holder is told. Only someone with the right password
reaches the code, so this lets nobody else lock the account.

Kept in the rate limiter's kind of storage (memory, or the Redis every instance shares),
hashed and with expiry, never in the database or the logs, as board.ended does.
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import Flask, current_app
from limits.storage import Storage, storage_from_string

DAY = 24 * 3600


def init_app(app: Flask) -> None:
    app.extensions["login_throttle"] = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])


def _store() -> Storage:
    return current_app.extensions["login_throttle"]


PASSWORD, CODE = "login", "code"


def _keys(email: str, address: str, step: str = PASSWORD) -> tuple[str, str]:
    digest = hashlib.sha256(f"{email}\n{address}".encode()).hexdigest()
    return f"{step}-failures:{digest}", f"{step}-wait:{digest}"


def delay_after(failures: int) -> int:
    """Seconds to wait after ``failures`` wrong passwords in a row (0: try again now)."""
    free = current_app.config["LOGIN_FREE_FAILURES"]
    if failures < free:
        return 0
    first = current_app.config["LOGIN_FIRST_DELAY_SECONDS"]
    return min(first * 2 ** (failures - free), current_app.config["LOGIN_MAX_DELAY_SECONDS"])


def wait_left(email: str, address: str, step: str = PASSWORD) -> int:
    """Whole seconds this address must still wait before trying this account (0: none)."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return 0
    _failures, wait = _keys(email, address, step)
    if not _store().get(wait):
        return 0
    return max(1, math.ceil(_store().get_expiry(wait) - time.time()))


def note_failure(email: str, address: str, step: str = PASSWORD) -> None:
    """One more wrong password (or code) for this account from this address."""
    failures, wait = _keys(email, address, step)
    count = _store().incr(failures, DAY)
    seconds = delay_after(count)
    if seconds:
        _store().clear(wait)
        _store().incr(wait, seconds)


def note_success(email: str, address: str, step: str = PASSWORD) -> None:
    keys = [*_keys(email, address, step)]
    if step == CODE:
        keys += _keys(email, "", ACCOUNT_CODE)
    for key in keys:
        _store().clear(key)


# Codes, per account from every address -----------------------------------------------------

ACCOUNT_CODE = "account-code"


def _paused_key(email: str) -> str:
    return f"{ACCOUNT_CODE}-paused:{hashlib.sha256(email.encode()).hexdigest()}"


def pause_left(email: str) -> int:
    """Seconds the account's second step stays paused for every address (0: not paused)."""
    return wait_left(email, "", ACCOUNT_CODE)


def code_wait_left(email: str, address: str) -> tuple[int, bool]:
    """Seconds before this address may type a code for this account, and whether it is the
    account's pause (every address waits) rather than this address's own wait."""
    paused = pause_left(email)
    return max(paused, wait_left(email, address, CODE)), bool(paused)


def note_code_failure(email: str, address: str) -> bool:
    """One more wrong code, counted for this address and for the account. True when this
    failure paused the account's second step (the holder is to be told)."""
    note_failure(email, address, CODE)
    if not current_app.config["RATELIMIT_ENABLED"]:
        return False  # nothing would wait
    failures, wait = _keys(email, "", ACCOUNT_CODE)
    count = _store().incr(failures, DAY)
    free = current_app.config["TWO_FACTOR_ACCOUNT_FAILURES"]
    if count < free:
        return False
    seconds = min(
        current_app.config["TWO_FACTOR_PAUSE_SECONDS"] * 2 ** (count - free),
        current_app.config["LOGIN_MAX_DELAY_SECONDS"],
    )
    _store().clear(wait)
    _store().incr(wait, seconds)
    _store().clear(_paused_key(email))
    _store().incr(_paused_key(email), DAY, amount=int(time.time()))
    return True


def end_pause(email: str) -> None:
    """The account's code failures and pause forgotten: its holder chose a new password (from
    a link only their mailbox or an administrator gives) or an administrator reset their
    two-factor sign-in. Otherwise someone with the old password could keep pausing it, and
    the holder would stay out after the password changed. Pending sign-ins begun before stay
    ended: a new password ends them (``signin``)."""
    for key in (*_keys(email, "", ACCOUNT_CODE), _paused_key(email)):
        _store().clear(key)


def paused_since(email: str) -> int:
    """When the account's second step was last paused (0: not in the last day): a pending
    sign-in begun before then has ended."""
    return int(_store().get(_paused_key(email)) or 0)
