"""concerns: urgency, date and place, a timeline of dated notes, one-time exports

A concern records how urgent it is, the date and place of what it is about (the meeting's,
or given by the facilitator), and the help call it came from (raised once). The lead's work
on it becomes a timeline of dated notes: what was in action_taken and referral moves there,
with the acknowledgement and the closing, and the two columns go. Concerns raised before
urgency existed are "today": neither the most nor the least urgent.

Revision ID: case01concern
Revises: totp01
Create Date: 2026-12-10 09:00:00
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import board.db

revision = "case01concern"
down_revision = "totp01"
branch_labels = None
depends_on = None

URGENCY = sa.Enum(
    "immediate",
    "today",
    "week",
    name="concernurgency",
    native_enum=False,
    create_constraint=True,
    length=32,
)
NOTE_KIND = sa.Enum(
    "acknowledged",
    "contacted",
    "referred",
    "note",
    "closed",
    name="notekind",
    native_enum=False,
    create_constraint=True,
    length=32,
)


def _as_utc(value):
    """A stored time as an aware datetime (SQLite hands back strings or naive values)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def upgrade() -> None:
    op.create_table(
        "concern_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("kind", NOTE_KIND, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", board.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind = 'acknowledged' OR text <> ''", name=op.f("ck_concern_note_needs_text")
        ),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["staff_user.id"],
            name=op.f("fk_concern_note_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concern.id"],
            name=op.f("fk_concern_note_concern_id_concern"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern_note")),
    )
    with op.batch_alter_table("concern_note") as batch_op:
        batch_op.create_index(batch_op.f("ix_concern_note_concern_id"), ["concern_id"])

    op.create_table(
        "concern_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("made_by_id", sa.Integer(), nullable=True),
        sa.Column("made_at", board.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("downloaded_at", board.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["board.id"],
            name=op.f("fk_concern_export_board_id_board"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["made_by_id"],
            ["staff_user.id"],
            name=op.f("fk_concern_export_made_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern_export")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_concern_export_token_hash")),
    )
    with op.batch_alter_table("concern_export") as batch_op:
        batch_op.create_index(batch_op.f("ix_concern_export_board_id"), ["board_id"])

    with op.batch_alter_table("concern") as batch_op:
        batch_op.add_column(sa.Column("help_call_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("urgency", URGENCY, nullable=True))
        batch_op.add_column(sa.Column("occurred_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("place", sa.String(length=200), nullable=False, server_default="")
        )

    _fill_existing()

    with op.batch_alter_table("concern") as batch_op:
        batch_op.alter_column("urgency", existing_type=URGENCY, nullable=False)
        batch_op.alter_column("occurred_on", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("place", existing_type=sa.String(length=200), server_default=None)
        batch_op.create_foreign_key(
            batch_op.f("fk_concern_help_call_id_help_call"),
            "help_call",
            ["help_call_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(batch_op.f("uq_concern_help_call_id"), ["help_call_id"])
        batch_op.create_index(batch_op.f("ix_concern_urgency"), ["urgency"])
        batch_op.drop_column("action_taken")
        batch_op.drop_column("referral")


def _fill_existing() -> None:
    """Existing concerns: urgency "today", the meeting's date and place (else the day it was
    raised), and their acknowledgement, action, referral and closing as timeline notes."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT c.id, c.raised_at, c.acknowledged_at, c.acknowledged_by_id, c.action_taken,"
            " c.referral, c.closing_note, c.closed_at, c.closed_by_id, c.state,"
            " m.starts_at, m.place, b.timezone"
            " FROM concern c JOIN board b ON b.id = c.board_id"
            " LEFT JOIN meeting m ON m.id = c.meeting_id"
        )
    ).all()
    notes = sa.table(
        "concern_note",
        sa.column("concern_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("text", sa.Text),
        sa.column("at", board.db.UTCDateTime(timezone=True)),
        sa.column("by_id", sa.Integer),
    )
    for row in rows:
        zone = ZoneInfo(row.timezone or "UTC")
        moment = _as_utc(row.starts_at) or _as_utc(row.raised_at)
        bind.execute(
            sa.text(
                "UPDATE concern SET urgency = 'today', occurred_on = :day, place = :place"
                " WHERE id = :id"
            ),
            {"day": moment.astimezone(zone).date(), "place": row.place or "", "id": row.id},
        )
        entries = []
        if row.acknowledged_at is not None:
            entries.append(("acknowledged", "", row.acknowledged_at, row.acknowledged_by_id))
        done_at = row.closed_at or row.acknowledged_at or row.raised_at
        if row.action_taken:
            entries.append(("note", row.action_taken, done_at, row.closed_by_id))
        if row.referral:
            entries.append(("referred", row.referral, done_at, row.closed_by_id))
        if row.state == "closed":
            entries.append(("closed", row.closing_note, row.closed_at, row.closed_by_id))
        for kind, text, at, by_id in entries:
            bind.execute(
                notes.insert().values(
                    concern_id=row.id, kind=kind, text=text, at=_as_utc(at), by_id=by_id
                )
            )


def downgrade() -> None:
    with op.batch_alter_table("concern") as batch_op:
        batch_op.add_column(sa.Column("action_taken", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("referral", sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    # Notes go back into the two columns they came from, oldest first.
    for kind, column in (
        ("note", "action_taken"),
        ("contacted", "action_taken"),
        ("referred", "referral"),
    ):
        for concern_id, text in bind.execute(
            sa.text("SELECT concern_id, text FROM concern_note WHERE kind = :kind ORDER BY at, id"),
            {"kind": kind},
        ).all():
            bind.execute(
                sa.text(
                    f"UPDATE concern SET {column} = CASE WHEN {column} = '' THEN :text"
                    f" ELSE {column} || :sep || :text END WHERE id = :id"
                ),
                {"text": text, "sep": "\n\n", "id": concern_id},
            )
    with op.batch_alter_table("concern") as batch_op:
        batch_op.drop_index(batch_op.f("ix_concern_urgency"))
        batch_op.drop_constraint(batch_op.f("uq_concern_help_call_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_concern_help_call_id_help_call"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("ck_concern_concernurgency"), type_="check")
        batch_op.drop_column("place")
        batch_op.drop_column("occurred_on")
        batch_op.drop_column("urgency")
        batch_op.drop_column("help_call_id")
        batch_op.alter_column("action_taken", server_default=None)
        batch_op.alter_column("referral", server_default=None)
    with op.batch_alter_table("concern_export") as batch_op:
        batch_op.drop_index(batch_op.f("ix_concern_export_board_id"))
    op.drop_table("concern_export")
    with op.batch_alter_table("concern_note") as batch_op:
        batch_op.drop_index(batch_op.f("ix_concern_note_concern_id"))
    op.drop_table("concern_note")
