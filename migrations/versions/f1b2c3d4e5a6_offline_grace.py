"""a board's grace period for answers kept on a tablet while offline

Revision ID: f1b2c3d4e5a6
Revises: e3f1a7c9d2b4
Create Date: 2026-12-02 01:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = "f1b2c3d4e5a6"
down_revision = "e3f1a7c9d2b4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("board") as batch:
        batch.add_column(
            sa.Column("offline_grace_minutes", sa.Integer(), server_default="60", nullable=False)
        )
        batch.create_check_constraint(
            op.f("ck_board_offline_grace_minutes"), "offline_grace_minutes BETWEEN 0 AND 720"
        )


def downgrade() -> None:
    with op.batch_alter_table("board") as batch:
        batch.drop_constraint(op.f("ck_board_offline_grace_minutes"), type_="check")
        batch.drop_column("offline_grace_minutes")
