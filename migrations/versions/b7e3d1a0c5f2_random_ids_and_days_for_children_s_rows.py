"""random ids and days only for the rows a child's request writes

Feedback, actions (children's ideas among them) and calls for an adult get their ids from
board.ids (random) instead of a sequence; an action keeps the day it was last changed, not
the microsecond; a call for an adult keeps the minute the room showed. Existing rows keep
their ids (other rows point at them) and their days.

Revision ID: b7e3d1a0c5f2
Revises: b7d41e0a5c13
Create Date: 2026-12-01 15:00:00
"""

import datetime

from alembic import op
import sqlalchemy as sa
import board.db


revision = 'b7e3d1a0c5f2'
down_revision = 'b7d41e0a5c13'
branch_labels = None
depends_on = None

RANDOM_TABLES = ('feedback', 'action', 'help_call')
# board.ids.LOW: ids below it were given by the sequence, ids above it are random.
LOW = 2**20


def _action():
    return sa.table(
        'action',
        sa.column('id', sa.Integer),
        sa.column('updated_at', board.db.UTCDateTime(timezone=True)),
        sa.column('updated_on', sa.Date),
    )


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        # The sequences go: an id is drawn by the application, never by a counter.
        for table in RANDOM_TABLES:
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN id DROP DEFAULT')
            op.execute(f'DROP SEQUENCE IF EXISTS "{table}_id_seq"')
    # On SQLite an INTEGER PRIMARY KEY without AUTOINCREMENT takes whatever id it is given.

    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_on', sa.Date(), nullable=True))
    action = _action()
    for row_id, updated_at in connection.execute(sa.select(action.c.id, action.c.updated_at)).all():
        day = updated_at.astimezone(datetime.UTC).date() if updated_at else datetime.date.today()
        connection.execute(action.update().where(action.c.id == row_id).values(updated_on=day))
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.alter_column('updated_on', existing_type=sa.Date(), nullable=False)
        batch_op.drop_column('updated_at')

    # Calls for an adult: the minute, as the room screen showed it.
    call = sa.table(
        'help_call',
        sa.column('id', sa.Integer),
        sa.column('created_at', board.db.UTCDateTime(timezone=True)),
    )
    for row_id, created_at in connection.execute(sa.select(call.c.id, call.c.created_at)).all():
        connection.execute(
            call.update()
            .where(call.c.id == row_id)
            .values(created_at=created_at.replace(second=0, microsecond=0))
        )


def downgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('updated_at', board.db.UTCDateTime(timezone=True), nullable=True)
        )
    action = _action()
    for row_id, day in connection.execute(sa.select(action.c.id, action.c.updated_on)).all():
        moment = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
        connection.execute(action.update().where(action.c.id == row_id).values(updated_at=moment))
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.alter_column(
            'updated_at', existing_type=board.db.UTCDateTime(timezone=True), nullable=False
        )
        batch_op.drop_column('updated_on')

    if connection.dialect.name == 'postgresql':
        # Counting goes on after the ids the sequence gave; random ids sit above them.
        for table in RANDOM_TABLES:
            op.execute(f'CREATE SEQUENCE "{table}_id_seq" OWNED BY "{table}".id')
            op.execute(
                f"SELECT setval('\"{table}_id_seq\"', "
                f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}" WHERE id < {LOW}), false)'
            )
            op.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN id '
                f"SET DEFAULT nextval('\"{table}_id_seq\"')"
            )
