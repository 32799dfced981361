"""a published summary keeps the k it was published with

Revision ID: b7d31e0a5c42
Revises: 4b7d2e91c0a5
Create Date: 2026-12-01 15:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'b7d31e0a5c42'
down_revision = '4b7d2e91c0a5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('summary', schema=None) as batch_op:
        batch_op.add_column(sa.Column('threshold_k', sa.Integer(), nullable=True))
    # Summaries published before this knew no other k than their board's current one.
    op.execute(
        "UPDATE summary SET threshold_k = "
        "(SELECT board.threshold_k FROM board WHERE board.id = summary.board_id) "
        "WHERE state = 'published'"
    )
    with op.batch_alter_table('summary', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'published_with_threshold', "state = 'draft' OR threshold_k IS NOT NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table('summary', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_summary_published_with_threshold'), type_='check')
        batch_op.drop_column('threshold_k')
