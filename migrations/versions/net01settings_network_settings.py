"""network settings an administrator chooses on a page (who must use two-factor sign-in)

Revision ID: net01settings
Revises: home01seen
Create Date: 2026-12-02 12:00:00
"""

from alembic import op
import sqlalchemy as sa

import board.db


revision = "net01settings"
down_revision = "home01seen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "network_setting",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", board.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["staff_user.id"],
            name=op.f("fk_network_setting_changed_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_network_setting")),
    )


def downgrade() -> None:
    op.drop_table("network_setting")
