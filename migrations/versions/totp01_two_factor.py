"""two-factor sign-in: an encrypted TOTP secret per account, its last step, recovery codes

Revision ID: totp01
Revises: confirm01
Create Date: 2027-01-10 10:00:00
"""

from alembic import op
import sqlalchemy as sa
import board.db


revision = 'totp01'
down_revision = 'confirm01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff_user') as batch:
        batch.add_column(sa.Column('totp_secret', sa.String(length=255), nullable=True))
        batch.add_column(
            sa.Column('totp_confirmed_at', board.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=255), nullable=False),
        sa.Column('used_at', board.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['staff_user.id'],
            name=op.f('fk_recovery_code_user_id_staff_user'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    )
    with op.batch_alter_table('recovery_code') as batch:
        batch.create_index(batch.f('ix_recovery_code_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('recovery_code') as batch:
        batch.drop_index(batch.f('ix_recovery_code_user_id'))
    op.drop_table('recovery_code')
    with op.batch_alter_table('staff_user') as batch:
        batch.drop_column('totp_last_step')
        batch.drop_column('totp_confirmed_at')
        batch.drop_column('totp_secret')
