"""home page: when each staff account last saw it, for "new since your last visit"

Revision ID: home01seen
Revises: case01concern
Create Date: 2026-12-10 09:00:00
"""

from alembic import op
import sqlalchemy as sa

import board.db


revision = "home01seen"
down_revision = "case01concern"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("home_seen_at", board.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("home_since", board.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("home_since")
        batch_op.drop_column("home_seen_at")
