"""response versions: partners keep their answers up to date, every change kept

A partner edits or withdraws their organisation's answer; the words an edit replaces are
kept, dated, in response_version; response says when it last changed and whether it was
withdrawn.

Revision ID: d8f3a61b2c47
Revises: d5f0a7c3e912
Create Date: 2026-12-01 22:10:00
"""

from alembic import op
import sqlalchemy as sa
import board.db


revision = "d8f3a61b2c47"
down_revision = "d5f0a7c3e912"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "response_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "accepted",
                "partly",
                "declined",
                name="responsestatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("by_when", sa.Date(), nullable=True),
        sa.Column("written_at", board.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff_user.id"],
            name=op.f("fk_response_version_author_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_response_version_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_version")),
    )
    with op.batch_alter_table("response_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_response_version_response_id"), ["response_id"], unique=False
        )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("changed_at", board.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("withdrawn_at", board.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("changed_at")
    with op.batch_alter_table("response_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_version_response_id"))
    op.drop_table("response_version")
