"""The demo network: five boards, their services, staff, partners and six months of meetings.

``data`` holds what it is made of, ``seed`` plays it through the services, ``reset`` empties
the database for it and says when that would destroy anything else.
"""

from __future__ import annotations

from board.demo.data import ADMIN_EMAIL, DEMO_PASSWORD, NETWORK
from board.demo.reset import clear, strangers
from board.demo.seed import describe, open_meetings, seed

__all__ = [
    "ADMIN_EMAIL",
    "DEMO_PASSWORD",
    "NETWORK",
    "clear",
    "describe",
    "open_meetings",
    "seed",
    "strangers",
]
