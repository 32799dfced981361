"""mail outbox: messages written with the change they tell about, sent after the commit

A row per message waiting to go out (board/mail.py); deleted once the server took it.

Revision ID: c4a9e2f17b30
Revises: b7e3d1a0c5f2
Create Date: 2026-12-01 19:00:00
"""

from alembic import op
import sqlalchemy as sa
import board.db


revision = 'c4a9e2f17b30'
down_revision = 'b7e3d1a0c5f2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'mail_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('queued_at', board.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('claim', sa.String(length=32), nullable=True),
        sa.Column('claimed_at', board.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_message')),
    )


def downgrade() -> None:
    op.drop_table('mail_message')
