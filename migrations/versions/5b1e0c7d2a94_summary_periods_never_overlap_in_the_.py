"""summary periods never overlap, in the database

Revision ID: 5b1e0c7d2a94
Revises: b7d31e0a5c42
Create Date: 2026-12-01 14:55:00

Two summaries posted at the same moment (a month and its quarter) both passed the check in
board.summaries.services.start_summary, each before the other was written. The rule now holds
in the database: an exclusion constraint on PostgreSQL, triggers on SQLite (where writes are
serialised, so the trigger's look at the table sees every committed period).
"""

from alembic import op


revision = '5b1e0c7d2a94'
down_revision = 'b7d31e0a5c42'
branch_labels = None
depends_on = None

# [month, month + months) as a date range; (date + interval)::date is immutable, as an
# index expression must be.
_PG_RANGE = "daterange(month, (month + make_interval(months => months))::date)"

_SQLITE_OVERLAP = """
    SELECT RAISE(ABORT, 'summary periods overlap')
    WHERE EXISTS (
        SELECT 1 FROM summary AS other
        WHERE other.board_id = NEW.board_id
          AND other.id IS NOT NEW.id
          AND other.month < date(NEW.month, '+' || NEW.months || ' months')
          AND NEW.month < date(other.month, '+' || other.months || ' months')
    );
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # A trusted extension since PostgreSQL 13: the database's owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE summary ADD CONSTRAINT ex_summary_period_overlap "
            f"EXCLUDE USING gist (board_id WITH =, {_PG_RANGE} WITH &&)"
        )
    else:
        op.execute(
            "CREATE TRIGGER tr_summary_period_overlap_insert BEFORE INSERT ON summary "
            f"BEGIN {_SQLITE_OVERLAP} END"
        )
        op.execute(
            "CREATE TRIGGER tr_summary_period_overlap_update "
            "BEFORE UPDATE OF board_id, month, months ON summary "
            f"BEGIN {_SQLITE_OVERLAP} END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE summary DROP CONSTRAINT ex_summary_period_overlap")
    else:
        op.execute("DROP TRIGGER tr_summary_period_overlap_update")
        op.execute("DROP TRIGGER tr_summary_period_overlap_insert")
