"""The session cookie, encrypted (CHILD-SAFETY rules 1, 3, 4).

Flask's own cookie is signed, not encrypted: anyone who copies a tablet's cookie (from the
tablet, a shared browser profile, a proxy's log) can read it, and it holds the child's
session token and the ids of every answer and idea the child gave, which link those answers
together. Here the whole session is sealed with AES-GCM (authenticated encryption, from
``cryptography``) under a key derived from SECRET_KEY with HKDF and its own label, so the
cookie reads as random bytes and any change to it makes it worthless.

A cookie that does not open (tampered, made under another key, or in Flask's old signed
format from before this module) is treated as no cookie: a fresh, empty session. A tablet in
the middle of a meeting during the deploy starts again at the join code; a staff member signs
in again. Nothing in an old cookie is trusted or read.
"""

from __future__ import annotations

import base64
import functools
import os
import struct
import time
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask.sessions import SecureCookieSessionInterface, session_json_serializer
from itsdangerous import BadSignature

# The label keeps this key apart from every other use of SECRET_KEY: a new label (a new
# format) makes every cookie made before it unreadable, by design.
KEY_INFO = b"board session cookie v1"
# The version and the cookie's name are authenticated with the contents: a sealed value
# moved into another cookie does not open.
ASSOCIATED = b"board-session-v1"
NONCE_BYTES = 12
# Browsers drop a cookie over 4096 bytes (and the session with it): see MAX_GIVEN in
# board/participate/tablet.py, which keeps a tablet's session well under this.
MAX_COOKIE = 4096


@functools.lru_cache(maxsize=8)
def derive_key(secret: str | bytes, info: bytes = KEY_INFO) -> bytes:
    """A 256-bit AES key from the application's secret key, for one use only (``info``)."""
    material = secret.encode() if isinstance(secret, str) else secret
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """Strict: a character outside the alphabet is an error, not skipped."""
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


class SealedSerializer:
    """``dumps``/``loads`` like itsdangerous' serializer, with AES-GCM instead of a signature.

    The sealed bytes are an 8-byte creation time (seconds) followed by the session as
    Flask's tagged JSON; the time lets ``loads`` refuse a cookie older than the session's
    lifetime, as the signed cookie did.
    """

    def __init__(
        self,
        secret: str | bytes,
        fallbacks: Sequence[str | bytes] = (),
        *,
        info: bytes = KEY_INFO,
        associated: bytes = ASSOCIATED,
    ):
        # The current key seals; fallbacks (SECRET_KEY_FALLBACKS, during a key change) open.
        # ``info`` and ``associated`` keep another use (the mail outbox) apart from the cookie.
        self.keys = [AESGCM(derive_key(key, info)) for key in (secret, *fallbacks)]
        self.associated = associated

    def dumps(self, value: dict) -> str:
        plain = struct.pack(">Q", int(time.time())) + session_json_serializer.dumps(value).encode()
        nonce = os.urandom(NONCE_BYTES)
        return _b64encode(nonce + self.keys[0].encrypt(nonce, plain, self.associated))

    def loads(self, value: str, max_age: int | None = None) -> dict:
        try:
            raw = _b64decode(value)
        except (ValueError, TypeError) as error:
            raise BadSignature("not a sealed session") from error
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        if len(nonce) < NONCE_BYTES or not sealed:
            raise BadSignature("not a sealed session")
        for key in self.keys:
            try:
                plain = key.decrypt(nonce, sealed, self.associated)
                break
            except InvalidTag:
                continue
        else:
            raise BadSignature("the session does not open")
        (made,) = struct.unpack(">Q", plain[:8])
        if max_age is not None and time.time() - made > max_age:
            raise BadSignature("the session is too old")
        try:
            return session_json_serializer.loads(plain[8:].decode())
        except ValueError as error:  # cannot happen without the key; refused all the same
            raise BadSignature("the session does not read") from error


class SealedCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, with the cookie's value sealed instead of signed."""

    def get_signing_serializer(self, app) -> SealedSerializer | None:  # type: ignore[override]
        if not app.secret_key:
            return None
        return SealedSerializer(app.secret_key, secret_fallbacks(app))


def secret_fallbacks(app) -> list[str | bytes]:
    """SECRET_KEY_FALLBACKS as a list (an environment variable gives one key as a string)."""
    fallbacks = app.config.get("SECRET_KEY_FALLBACKS") or []
    return [fallbacks] if isinstance(fallbacks, str | bytes) else list(fallbacks)


def init_app(app) -> None:
    app.session_interface = SealedCookieSessionInterface()
