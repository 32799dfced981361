"""meeting.reopened_at: a close undone within ten minutes; its vote stays closed for good

Revision ID: confirm01
Revises: c17a0d10aud1
Create Date: 2026-12-10 10:00:00
"""

from alembic import op
import sqlalchemy as sa

import board.db


revision = "confirm01"
down_revision = "c17a0d10aud1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("reopened_at", board.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("reopened_at")
