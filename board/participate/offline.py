"""Answers a tablet keeps while the network is down, and sends once it is back (issue 16).

Three pieces, each sealed so that the tablet itself can read none of them:

- **The pass**, a hidden field of every form a child sends (an answer, an idea, a vote, a
  help call): the meeting, the session's random token and what the form changes (the earlier
  answer it replaces, the ballot it votes in), sealed with AES-GCM under a key of the
  server's (board.cookie's SealedSerializer, with its own label) and dated. Sent later from
  the tablet's queue, it stands in for the session cookie and the CSRF token, which may have
  gone with "I am finished" or expired: the cookie then on the tablet may be the next
  child's. A pass is good while its meeting is open and for the board's grace period after
  it closed, and never longer than PASS_SECONDS after the page was shown.
- **The envelope**: what the service worker keeps on the tablet (IndexedDB) is the form,
  encrypted to the server's public key (ECDH P-256, HKDF-SHA256, AES-GCM; the browser's
  WebCrypto on one side, ``cryptography`` on the other). The tablet throws its half of the
  key away at once: no key on the tablet opens what waits there, for the next child, for
  someone holding the tablet, or for the page itself. Only this server opens it.
- **Exactly once**: each envelope carries a random id; the first arrival is spent in the
  ephemeral store (board.ended's, as the forms' once-tokens) for longer than a pass lives,
  so a copy sent again (the answer arrived but its reply was lost) changes nothing. The
  forms' own guards stay too: one answer per service, each form once, one ballot, one help
  call a minute.

The room screen learns how many tablets hold answers not sent yet from the tablets' own
reports (``report_waiting``), kept per session let in (by a hash of its token, as the door
keeps it) for two minutes: no tablet, child or answer is named by it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app
from itsdangerous import BadSignature
from limits.storage import Storage

from board.cookie import SealedSerializer, derive_key, secret_fallbacks
from board.db import utcnow
from board.meetings.models import Meeting, MeetingState

# A form shown longer ago than this is not taken from a queue (nor its once-token kept):
# longer than any meeting (at most 600 minutes) and the longest grace period after it.
PASS_SECONDS = 24 * 3600
MAX_GRACE_MINUTES = 12 * 60
# What the tablet keeps: the forms' fields, never more than a child's longest answer and
# then some (two texts of 1,000 letters, in UTF-8, with the form's tokens).
MAX_ENVELOPE = 16 * 1024
# A tablet's report that it holds answers is believed this long, unless renewed.
WAITING_SECONDS = 120
SHOWN_SLOTS = 300

PASS_INFO = b"board offline pass v1"
PASS_ASSOCIATED = b"board-pass-v1"
QUEUE_INFO = b"board offline queue v1"
QUEUE_ASSOCIATED = b"board-queue-v1"
POINT_BYTES = 65  # an uncompressed P-256 point
IV_BYTES = 12


class Refused(Exception):
    """An envelope or pass that will never be taken: the tablet may forget it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Pass:
    meeting_id: int
    token: str
    path: str  # where its form is sent: a pass is good for that form only
    language: str = "en"
    replacing: int | None = None
    ballot_id: int | None = None


# The pass ----------------------------------------------------------------------------------


def _sealer() -> SealedSerializer:
    app = current_app
    return SealedSerializer(
        app.secret_key or "",
        secret_fallbacks(app),
        info=PASS_INFO,
        associated=PASS_ASSOCIATED,
    )


def issue_pass(
    meeting_id: int,
    token: str,
    language: str,
    path: str,
    *,
    replacing: int | None = None,
    ballot_id: int | None = None,
) -> str:
    value: dict = {"m": meeting_id, "t": token, "l": language, "p": path}
    if replacing is not None:
        value["r"] = replacing
    if ballot_id is not None:
        value["b"] = ballot_id
    return _sealer().dumps(value)


def open_pass(sealed: object) -> Pass:
    if not isinstance(sealed, str) or not sealed or len(sealed) > 1024:
        raise Refused("no pass")
    try:
        value = _sealer().loads(sealed, max_age=PASS_SECONDS)
        return Pass(
            meeting_id=int(value["m"]),
            token=str(value["t"]),
            path=str(value["p"]),
            language=str(value.get("l") or "en"),
            replacing=int(value["r"]) if value.get("r") is not None else None,
            ballot_id=int(value["b"]) if value.get("b") is not None else None,
        )
    except (BadSignature, KeyError, TypeError, ValueError) as error:
        raise Refused("bad pass") from error


def taken_until(meeting: Meeting) -> datetime | None:
    """Until when a closed meeting still takes answers written while it was open and sent
    late from a tablet (its board's grace period); None for a meeting not closed."""
    if meeting.state is not MeetingState.CLOSED or meeting.closed_at is None:
        return None
    return meeting.closed_at + timedelta(minutes=meeting.board.offline_grace_minutes)


def still_taken(meeting: Meeting | None) -> bool:
    """A meeting whose answers are still taken: open, or closed less than its board's
    grace period ago (an answer written while it was open, sent late, counts in it)."""
    if meeting is None:
        return False
    if meeting.state is MeetingState.OPEN:
        return True
    until = taken_until(meeting)
    return until is not None and utcnow() <= until


# The envelope ------------------------------------------------------------------------------


def _private_keys() -> list[ec.EllipticCurvePrivateKey]:
    app = current_app
    return [_private_key(secret) for secret in (app.secret_key or "", *secret_fallbacks(app))]


def _private_key(secret: str | bytes) -> ec.EllipticCurvePrivateKey:
    """The queue's key pair, derived from the application's secret: nothing to store, and a
    new secret key makes a new pair (the fallbacks still open what waited under the old)."""
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # P-256's n
    scalar = int.from_bytes(derive_key(secret, QUEUE_INFO), "big") % (order - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def public_key() -> str:
    """The queue's public key, as the service worker imports it (raw point, base64url)."""
    point = (
        _private_keys()[0].public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()


def _aead(shared: bytes, point: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=point, info=QUEUE_INFO).derive(shared)
    return AESGCM(key)


def seal_envelope(content: dict, server_point: bytes | None = None) -> str:
    """What the service worker does in the browser, for tests and tools: encrypt to the
    queue's public key with a fresh key pair whose private half is thrown away."""
    import os

    point = server_point or base64.urlsafe_b64decode(public_key() + "==")
    server = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    mine = ec.generate_private_key(ec.SECP256R1())
    my_point = mine.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    iv = os.urandom(IV_BYTES)
    sealed = _aead(mine.exchange(ec.ECDH(), server), my_point).encrypt(
        iv, json.dumps(content).encode(), QUEUE_ASSOCIATED
    )
    return base64.urlsafe_b64encode(my_point + iv + sealed).rstrip(b"=").decode()


def open_envelope(envelope: object) -> dict:
    """The form a tablet kept, or Refused for anything this server did not have sealed to
    it (tampered, cut, made up)."""
    if not isinstance(envelope, str) or not envelope or len(envelope) > MAX_ENVELOPE * 2:
        raise Refused("no envelope")
    try:
        raw = base64.b64decode(envelope + "=" * (-len(envelope) % 4), altchars=b"-_", validate=True)
        point, iv, sealed = (
            raw[:POINT_BYTES],
            raw[POINT_BYTES : POINT_BYTES + IV_BYTES],
            raw[POINT_BYTES + IV_BYTES :],
        )
        theirs = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (binascii.Error, ValueError) as error:
        raise Refused("bad envelope") from error
    for key in _private_keys():
        try:
            plain = _aead(key.exchange(ec.ECDH(), theirs), point).decrypt(
                iv, sealed, QUEUE_ASSOCIATED
            )
            break
        except (InvalidTag, ValueError):
            continue
    else:
        raise Refused("bad envelope")
    try:
        content = json.loads(plain)
    except (ValueError, RecursionError) as error:
        raise Refused("bad envelope") from error
    if not isinstance(content, dict) or not isinstance(content.get("id"), str):
        raise Refused("bad envelope")
    return content


# Exactly once, and the room's count ----------------------------------------------------------


def _store() -> Storage:
    return current_app.extensions["ended_sessions"]


def _hash(*parts: object) -> str:
    return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()


def spend(envelope_id: str) -> bool:
    """True the first time an envelope arrives."""
    if not envelope_id or len(envelope_id) > 64:
        return False
    return _store().incr("queued:" + _hash(envelope_id), PASS_SECONDS + 3600) == 1


def unspend(envelope_id: str) -> None:
    """Storing it failed: the tablet keeps it and may send it again."""
    _store().clear("queued:" + _hash(envelope_id))


def report_waiting(meeting_id: int, token: str, left: int) -> None:
    """A tablet says how many answers of a session it still holds (0: all sent). Only a
    session let in counts (the caller checks), once: a pass copied to many requests is
    still one tablet, and the room never shows more tablets than it let in."""
    store = _store()
    where = f"queue-where:{meeting_id}:{_hash(meeting_id, token)}"
    slot = store.get(where)
    if not slot:
        if left <= 0:
            return
        slot = store.incr(f"queue-line:{meeting_id}", PASS_SECONDS)
        store.incr(where, PASS_SECONDS, amount=slot)
    key = f"queue-left:{meeting_id}:{slot}"
    store.clear(key)
    if left > 0:
        store.incr(key, WAITING_SECONDS, amount=min(left, 1000))


def waiting_tablets(meeting: Meeting) -> int:
    """How many tablets said, in the last two minutes, that they hold answers not sent.
    A slot is a session let in, so the newest ``attendance`` slots are all there can be."""
    store = _store()
    last = store.get(f"queue-line:{meeting.id}")
    first = max(1, last - min(SHOWN_SLOTS, meeting.attendance) + 1)
    slots = range(first, last + 1)
    return sum(1 for slot in slots if store.get(f"queue-left:{meeting.id}:{slot}"))
