"""admission: a board's "let in by tap" setting, the children a facilitator says are present

Revision ID: b7d41e0a5c13
Revises: 5b1e0c7d2a94
Create Date: 2026-12-01 15:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'b7d41e0a5c13'
down_revision = '5b1e0c7d2a94'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('board', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('admit_by_tap', sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('present', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.create_check_constraint('present', 'present >= 0')


def downgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_meeting_present'), type_='check')
        batch_op.drop_column('present')
    with op.batch_alter_table('board', schema=None) as batch_op:
        batch_op.drop_column('admit_by_tap')
