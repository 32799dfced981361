"""recordings: a board's staff record the prompts children hear

Revision ID: c17a0d10aud1
Revises: c17b0e5names
Create Date: 2026-12-02 04:30:00
"""

from alembic import op
import sqlalchemy as sa

import board.db


revision = "c17a0d10aud1"
down_revision = "c17b0e5names"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recording",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("msgid", sa.Text(), nullable=False),
        sa.Column("audio", sa.LargeBinary(), nullable=False),
        sa.Column("mime", sa.String(length=40), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", board.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "mime IN ('audio/webm;codecs=opus', 'audio/ogg;codecs=opus')",
            name=op.f("ck_recording_mime"),
        ),
        sa.ForeignKeyConstraint(
            ["board_id"], ["board.id"], name=op.f("fk_recording_board_id_board"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_user.id"],
            name=op.f("fk_recording_recorded_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording")),
        sa.UniqueConstraint(
            "board_id", "language", "msgid", name=op.f("uq_recording_board_id_language_msgid")
        ),
    )


def downgrade() -> None:
    op.drop_table("recording")
