"""Random ids for the rows a child's request writes (feedback, a child's idea, a call for an
adult): CHILD-SAFETY rules 1 and 4.

A sequential id is a clock: next to the room's live answer counter it tells a facilitator
which text came from the child who just pressed "send", and two ids of the same child sit
next to each other. A random id says nothing about when a row was written or what was
written just before it.

The ids stay within a 31-bit signed integer, so every column and foreign key that points at
these tables (ballot options, tallies, summary items) keeps its type; a collision, rare at
any size a board reaches (a million rows: 1 insert in 2,000), is retried. On SQLite an
``INTEGER PRIMARY KEY`` is the row's storage key itself, so the file's own order follows the
random id as well.
"""

from __future__ import annotations

import functools
import secrets

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

# Below 2**20 live the ids of rows written before ids were random; above it, random ones.
LOW = 2**20
HIGH = 2**31 - 1
ATTEMPTS = 8


def random_id() -> int:
    """A fresh random id (callable as a column default)."""
    return LOW + secrets.randbelow(HIGH - LOW)


@functools.cache
def _insert(table: sa.Table, dialect: str):
    """Built once per table: it runs with every child's answer."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING, not the row count: psycopg reports no count for this statement.
    return insert(table).on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)


def insert_with_random_id(session: Session, table: sa.Table, values: dict) -> int:
    """INSERT one row under a random id on the session's connection (same transaction);
    a taken id is skipped (``ON CONFLICT (id) DO NOTHING``) and another one drawn. Returns
    the id."""
    connection = session.connection()
    statement = _insert(table, connection.dialect.name)
    for _attempt in range(ATTEMPTS):
        new_id = random_id()
        if connection.execute(statement, {**values, "id": new_id}).first() is not None:
            return new_id
    raise RuntimeError("no free random id")  # 8 collisions in a row: the table is full
