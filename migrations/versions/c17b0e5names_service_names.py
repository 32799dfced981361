"""a service's name as children read it, per language

Revision ID: c17b0e5names
Revises: f1b2c3d4e5a6
Create Date: 2026-12-02 04:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "c17b0e5names"
down_revision = "f1b2c3d4e5a6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing services have no wording yet: children read the name as entered until one is
    # written (board.wording), and the missing-wordings page lists them.
    with op.batch_alter_table("service") as batch:
        batch.add_column(sa.Column("names", sa.JSON(), server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("service") as batch:
        batch.drop_column("names")
