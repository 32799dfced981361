"""Join codes: the characters a child copies from the big screen, how a typed code is read,
and the key that the QR code's link carries.

The alphabet has no two characters a child can take for each other. Of a look-alike pair
one side stays (and the other, typed, is read as it) or both go:

- S/5, Z/2, B/8: the digits stay. Digits look and type the same on every keyboard the
  boards' tablets use (Latin, Cyrillic, Arabic, whose own digits are read too), whereas the
  letters have Cyrillic twins that are other letters (В is a V sound, З looks like 3). A
  typed S, Z or B is read as 5, 2 or 8: "ksd3 zb7h" finds the meeting of "K5D3287H".
- 0/O and 1/I/L: all gone, as before. Each looks like more than one character (O like 0, D
  and Q; 1 like I, L, l, 7 and |), so a single reading of a typed one would be a guess.
- Q goes too: to a child it is an O with a tail, and O is not in the alphabet.

Typed codes are read in any case, with stray spaces, dashes and dots, full-width forms,
Cyrillic and Greek twins of Latin capitals and the digits of any script (NFKC, then
``LOOK_ALIKES``).

How long guessing takes (one address; ``JOIN_LIMIT_PER_CLIENT`` in board/config.py):
with A = len(ALPHABET) = 27 and LENGTH = 8 there are 27^8 = 2.8e11 codes. With M meetings
open at once, a guesser expects A^LENGTH / (2 M) tries before a hit; at L wrong codes a
minute from one address that takes A^LENGTH / (2 M L) minutes. For M = 1000 (five boards
run one meeting a month; a thousand open at once is far beyond any network we know) and
L = 120: 2.8e11 / 240,000 = 1.2 million minutes, 2.2 years. tests/test_hostile.py checks it
from these constants and the shipped limit. A room's thirty tablets, each child mistyping
twice, make 60 wrong codes in a minute: half the limit.

The QR code's link needs no limit at all: besides the code it carries ``key``, a 128-bit
HMAC of the code under the app's secret key, which nobody without that key can make. A
typed code comes with no key and is limited as above.

Meetings opened before the codes grew to 8 characters keep their 6-character code until
they close or get a new one: such a code is read as it always was (``LEGACY_*``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata

from flask import current_app

ALPHABET = "ACDEFGHJKMNPRTUVWXY23456789"
LENGTH = 8
# What a meeting opened before the change still shows, read exactly as it was then.
LEGACY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LEGACY_LENGTH = 6
# Many meetings open at once: the figure the guessing bound above is computed for.
OPEN_MEETINGS_ASSUMED = 1000

# Letters of other scripts that look like a Latin capital (a tablet set to Bulgarian or
# Greek types them), read as that capital.
_SCRIPT_TWINS = {
    **dict(zip("АВЕКМНОРСТУХЅІЈЗ", "ABEKMHOPCTYXSIJ3", strict=True)),  # Cyrillic
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True)),  # Greek
}
# The dropped side of a look-alike pair, read as the side that stays.
LOOK_ALIKES = {"S": "5", "Z": "2", "B": "8"}


def new_code() -> str:
    """A fresh random code (the caller makes sure no open meeting has it)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def _characters(typed: str) -> str:
    """Capitals and ASCII digits, everything else (spaces, dashes, dots) left out."""
    chars = []
    for ch in unicodedata.normalize("NFKC", typed).upper():
        if not ch.isalnum():
            continue
        digit = unicodedata.decimal(ch, None)
        chars.append(str(digit) if digit is not None else _SCRIPT_TWINS.get(ch, ch))
    return "".join(chars)


def read(typed: str | None) -> str | None:
    """The code a child meant by ``typed``, or None when it cannot be any code (wrong
    length, a character no code has): such input needs no look-up and tells a guesser
    nothing."""
    chars = _characters(typed or "")
    if len(chars) == LEGACY_LENGTH:
        return chars if set(chars) <= set(LEGACY_ALPHABET) else None
    code = "".join(LOOK_ALIKES.get(ch, ch) for ch in chars)
    if len(code) == LENGTH and set(code) <= set(ALPHABET):
        return code
    return None


def key_for(code: str) -> str:
    """The QR code's key for ``code``: 128 bits only the app's secret key can make."""
    secret = current_app.secret_key or b""
    secret = secret.encode() if isinstance(secret, str) else bytes(secret)
    digest = hmac.new(secret, b"join-key\0" + code.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def key_fits(code: str | None, key: str | None) -> bool:
    """True when ``key`` is the QR code's key of ``code`` (compared in constant time)."""
    if not code or not key or len(key) > 64:
        return False
    return hmac.compare_digest(key_for(code), key)
