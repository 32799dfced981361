"""ballots: who voted and the vote key leave the database; tallies grow by batches

Revision ID: 4b7d2e91c0a5
Revises: 5b1e9d3c7a20
Create Date: 2026-12-01 15:05:00.000000

Who voted (``ballot_cast``) and the key that hashed them (``meeting.vote_key``) now live in
the ballot box, outside the database (CHILD-SAFETY rule 23). ``ballot_batch`` records each
write to the tallies: a random id and how many ballots, never which. Votes counted before keep
their number as one batch per ballot. Downgrade recreates the old table and column empty.
"""

import secrets

from alembic import op
import sqlalchemy as sa


revision = '4b7d2e91c0a5'
down_revision = '5b1e9d3c7a20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    batch_table = op.create_table('ballot_batch',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('ballots', sa.Integer(), nullable=False),
    sa.CheckConstraint('ballots >= 1', name=op.f('ck_ballot_batch_ballots_positive')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_ballot_batch_ballot_id_ballot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_batch'))
    )
    with op.batch_alter_table('ballot_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_batch_ballot_id'), ['ballot_id'], unique=False)

    connection = op.get_bind()
    counts = connection.execute(
        sa.text('SELECT ballot_id, COUNT(*) FROM ballot_cast GROUP BY ballot_id')
    ).all()
    if counts:
        op.bulk_insert(
            batch_table,
            [{'id': secrets.token_hex(16), 'ballot_id': b, 'ballots': n} for b, n in counts],
        )
    op.drop_table('ballot_cast')

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('vote_key')

    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('box', sa.String(length=32), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_column('box')

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vote_key', sa.LargeBinary(length=32), nullable=True))

    op.create_table('ballot_cast',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('voter', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_ballot_cast_ballot_id_ballot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ballot_id', 'voter', name=op.f('pk_ballot_cast'))
    )
    with op.batch_alter_table('ballot_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_batch_ballot_id'))

    op.drop_table('ballot_batch')
