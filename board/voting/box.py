"""The ballot box: what a vote needs while it is open, kept out of the database.

Three things live here, per open ballot, and never in the database (CHILD-SAFETY rule 23):
the salt of the key that hashes tablet sessions into the "who voted" set, that set itself,
and the ballots waiting to be counted. The store is the rate limiter's kind of storage
(``RATELIMIT_STORAGE_URI``, like ``board.ended``): memory for one process, or the Redis that
every gunicorn worker and instance shares. Everything expires (``BALLOT_BOX_SECONDS`` after
the last vote), and closing the ballot deletes it at once.

Every change is one atomic step of the store (a Lua script in Redis, a lock in memory), so
that with several workers a session is let in once and a ballot is taken for counting once:

- ``cast``: if the ballot is still open with this salt and the voter is new, add the voter
  and the ballot, together (or neither);
- ``claim``: when enough ballots wait, move a random set of them to a claim with a random
  batch id; the database then records that batch id with the tallies, in one transaction,
  so a claim counted twice fails on the batch id's key, and a claim whose transaction failed
  is still here for the close to count;
- ``close``: mark the ballot closed (a later ``cast`` is refused), forget who voted, move the
  remaining ballots to a claim, and hand back every claim not yet settled;
- ``settle``: after the commit, forget the claims the database has counted.

The in-memory store belongs to one process: a restart during an open vote forgets who voted
and the ballots waiting for their batch. Deployments with more than one worker, or where that
matters, use Redis.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from flask import Flask, current_app

# The salt's value once the ballot is closed: no salt is ever this word (salts are hex).
CLOSED = "closed"


class Cast(StrEnum):
    COUNTED = "counted"
    AGAIN = "again"
    CLOSED = "closed"


class Box(Protocol):
    def salt(self, name: str, seconds: int, create: bool) -> str | None:
        """The ballot's salt (made on first use when ``create``); None once closed."""

    def cast(self, name: str, salt: str, voter: str, ballot: str, seconds: int) -> Cast: ...

    def has_voted(self, name: str, voter: str) -> bool: ...

    def voters(self, name: str) -> int: ...

    def claim(
        self, name: str, batch: str, size: int, keep: int, seconds: int
    ) -> list[str] | None: ...

    def close(self, name: str, batch: str, seconds: int) -> dict[str, list[str]]: ...

    def settle(self, name: str, batches: list[str]) -> None: ...

    def contents(self, name: str) -> dict[str, object]:
        """Everything held for this ballot (for tests and the curious operator)."""


# In memory -------------------------------------------------------------------------------


@dataclass
class _Held:
    salt: str
    expires: float
    voters: set[str] = field(default_factory=set)
    waiting: list[str] = field(default_factory=list)
    claims: dict[str, list[str]] = field(default_factory=dict)


class MemoryBox:
    """One process's box: a dictionary behind a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, _Held] = {}

    def _get(self, name: str) -> _Held | None:
        held = self._held.get(name)
        if held is not None and held.expires < time.monotonic():
            del self._held[name]
            return None
        return held

    def salt(self, name: str, seconds: int, create: bool) -> str | None:
        with self._lock:
            held = self._get(name)
            if held is None:
                if not create:
                    return None
                held = self._held[name] = _Held(
                    salt=secrets.token_hex(32), expires=time.monotonic() + seconds
                )
            return None if held.salt == CLOSED else held.salt

    def cast(self, name: str, salt: str, voter: str, ballot: str, seconds: int) -> Cast:
        with self._lock:
            held = self._get(name)
            if held is None or held.salt != salt:
                return Cast.CLOSED
            if voter in held.voters:
                return Cast.AGAIN
            held.voters.add(voter)
            held.waiting.append(ballot)
            held.expires = time.monotonic() + seconds
            return Cast.COUNTED

    def has_voted(self, name: str, voter: str) -> bool:
        with self._lock:
            held = self._get(name)
            return held is not None and voter in held.voters

    def voters(self, name: str) -> int:
        with self._lock:
            held = self._get(name)
            return 0 if held is None else len(held.voters)

    def claim(self, name: str, batch: str, size: int, keep: int, seconds: int) -> list[str] | None:
        with self._lock:
            held = self._get(name)
            if held is None or len(held.waiting) < size + keep:
                return None
            taken = secrets.SystemRandom().sample(held.waiting, size)
            for ballot in taken:
                held.waiting.remove(ballot)
            held.claims[batch] = taken
            return taken

    def close(self, name: str, batch: str, seconds: int) -> dict[str, list[str]]:
        with self._lock:
            held = self._get(name)
            if held is None:
                held = self._held[name] = _Held(salt=CLOSED, expires=0)
            held.salt, held.expires = CLOSED, time.monotonic() + seconds
            held.voters = set()
            if held.waiting:
                held.claims[batch] = held.waiting
            held.waiting = []
            return {batch: list(ballots) for batch, ballots in held.claims.items()}

    def settle(self, name: str, batches: list[str]) -> None:
        with self._lock:
            held = self._get(name)
            if held is not None:
                for batch in batches:
                    held.claims.pop(batch, None)

    def contents(self, name: str) -> dict[str, object]:
        with self._lock:
            held = self._get(name)
            if held is None:
                return {}
            found = {
                "salt": held.salt,
                "voters": set(held.voters),
                "waiting": list(held.waiting),
                "claims": dict(held.claims),
            }
            return {key: value for key, value in found.items() if value}


# In Redis --------------------------------------------------------------------------------

_SALT = """
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2])
return redis.call('GET', KEYS[1])
"""

# KEYS: salt, voters, waiting, claims. ARGV: salt, voter, ballot, seconds.
_CAST = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'closed' end
if redis.call('SADD', KEYS[2], ARGV[2]) == 0 then return 'again' end
redis.call('SADD', KEYS[3], ARGV[3])
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
if redis.call('EXISTS', KEYS[4]) == 1 then redis.call('EXPIRE', KEYS[4], ARGV[4]) end
return 'counted'
"""

# KEYS: waiting, claims. ARGV: batch, size, keep, seconds.
_CLAIM = """
if redis.call('SCARD', KEYS[1]) < tonumber(ARGV[2]) + tonumber(ARGV[3]) then return false end
local taken = redis.call('SPOP', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], table.concat(taken, '\\n'))
redis.call('EXPIRE', KEYS[2], ARGV[4])
return taken
"""

# KEYS: salt, voters, waiting, claims. ARGV: batch, seconds.
_CLOSE = """
redis.call('SET', KEYS[1], 'closed', 'EX', ARGV[2])
redis.call('DEL', KEYS[2])
local waiting = redis.call('SMEMBERS', KEYS[3])
if #waiting > 0 then
  redis.call('HSET', KEYS[4], ARGV[1], table.concat(waiting, '\\n'))
  redis.call('EXPIRE', KEYS[4], ARGV[2])
end
redis.call('DEL', KEYS[3])
return redis.call('HGETALL', KEYS[4])
"""


class RedisBox:
    """The box every worker shares: one key per part, changed only by the scripts above."""

    def __init__(self, uri: str) -> None:
        import redis

        if uri.startswith("redis+unix://"):
            uri = "unix://" + uri.removeprefix("redis+unix://")
        self.redis = redis.Redis.from_url(uri, decode_responses=True)
        self._salt = self.redis.register_script(_SALT)
        self._cast = self.redis.register_script(_CAST)
        self._claim = self.redis.register_script(_CLAIM)
        self._close = self.redis.register_script(_CLOSE)

    @staticmethod
    def _keys(name: str) -> list[str]:
        return [f"{name}:{part}" for part in ("salt", "voters", "waiting", "claims")]

    def salt(self, name: str, seconds: int, create: bool) -> str | None:
        key = self._keys(name)[0]
        if create:
            value = self._salt(keys=[key], args=[secrets.token_hex(32), seconds])
        else:
            value = self.redis.get(key)
        return None if value in (None, CLOSED) else value

    def cast(self, name: str, salt: str, voter: str, ballot: str, seconds: int) -> Cast:
        return Cast(self._cast(keys=self._keys(name), args=[salt, voter, ballot, seconds]))

    def has_voted(self, name: str, voter: str) -> bool:
        return bool(self.redis.sismember(self._keys(name)[1], voter))

    def voters(self, name: str) -> int:
        return int(self.redis.scard(self._keys(name)[1]))

    def claim(self, name: str, batch: str, size: int, keep: int, seconds: int) -> list[str] | None:
        keys = self._keys(name)
        return self._claim(keys=keys[2:], args=[batch, size, keep, seconds])

    def close(self, name: str, batch: str, seconds: int) -> dict[str, list[str]]:
        flat = self._close(keys=self._keys(name), args=[batch, seconds])
        return {flat[i]: flat[i + 1].split("\n") for i in range(0, len(flat), 2)}

    def settle(self, name: str, batches: list[str]) -> None:
        if batches:
            self.redis.hdel(self._keys(name)[3], *batches)

    def contents(self, name: str) -> dict[str, object]:
        salt, voters, waiting, claims = self._keys(name)
        found = {
            "salt": self.redis.get(salt),
            "voters": self.redis.smembers(voters),
            "waiting": list(self.redis.smembers(waiting)),
            # decode_responses=True: redis gives str, though its stubs allow bytes too
            "claims": {k: v.split("\n") for k, v in self.redis.hgetall(claims).items()},  # type: ignore[arg-type]
        }
        return {key: value for key, value in found.items() if value}


def make_box(uri: str) -> Box:
    if uri.startswith("memory://"):
        return MemoryBox()
    if uri.startswith(("redis://", "rediss://", "redis+unix://", "unix://")):
        return RedisBox(uri)
    raise RuntimeError(
        "Votes keep who voted in memory:// (one process) or redis:// (several): "
        "set RATELIMIT_STORAGE_URI to one of them."
    )


def init_app(app: Flask) -> None:
    """The box, made from the limiter's setting (as board.ended is): no connection yet."""
    app.extensions["ballot_box"] = make_box(app.config["RATELIMIT_STORAGE_URI"])


def current() -> Box:
    return current_app.extensions["ballot_box"]
