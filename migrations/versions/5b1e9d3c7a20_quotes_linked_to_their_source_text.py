"""quotes linked to their source text, so a concern or the retention purge reaches them

Revision ID: 5b1e9d3c7a20
Revises: 9f0c57f4241b
Create Date: 2026-12-01 15:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '5b1e9d3c7a20'
down_revision = '9f0c57f4241b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('summary_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feedback_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_field', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('gone', sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_summary_item_feedback_id_feedback'),
            'feedback', ['feedback_id'], ['id'], ondelete='SET NULL',
        )
        batch_op.create_index(batch_op.f('ix_summary_item_feedback_id'), ['feedback_id'], unique=False)
        batch_op.create_check_constraint('quotegone', "gone IN ('withdrawn', 'purged')")
        batch_op.create_check_constraint(
            'source_field', "source_field IS NULL OR source_field IN ('happened', 'better')"
        )
    _link_existing_quotes()
    with op.batch_alter_table('summary_item', schema=None) as batch_op:
        batch_op.create_check_constraint('gone_holds_no_words', "gone IS NULL OR text = ''")


def _link_existing_quotes() -> None:
    """Each quote copied before this revision is linked to the approved text it copied (of
    its board). A quote whose words no source holds any more lost them to a concern or to
    the purge: its copy of the words is erased now, as the source's was."""
    connection = op.get_bind()
    quotes = connection.execute(
        sa.text(
            "SELECT summary_item.id, summary_item.text, summary.board_id FROM summary_item "
            "JOIN summary ON summary.id = summary_item.summary_id "
            "WHERE summary_item.kind = 'quote' AND summary_item.text != ''"
        )
    ).all()
    for item_id, text, board_id in quotes:
        source = connection.execute(
            sa.text(
                "SELECT feedback.id, feedback.happened FROM feedback "
                "JOIN meeting ON meeting.id = feedback.meeting_id "
                "WHERE meeting.board_id = :board AND feedback.moderation = 'approved' "
                "AND (feedback.happened = :text OR feedback.better = :text) "
                "ORDER BY feedback.id"
            ),
            {"board": board_id, "text": text},
        ).first()
        if source is not None:
            connection.execute(
                sa.text(
                    "UPDATE summary_item SET feedback_id = :feedback, source_field = :field "
                    "WHERE id = :id"
                ),
                {
                    "feedback": source[0],
                    "field": "happened" if source[1] == text else "better",
                    "id": item_id,
                },
            )
            continue
        concerns = connection.execute(
            sa.text("SELECT words FROM concern WHERE board_id = :board"), {"board": board_id}
        ).scalars()
        gone = "withdrawn" if any(text in (words or "") for words in concerns) else "purged"
        connection.execute(
            sa.text("UPDATE summary_item SET text = '', gone = :gone WHERE id = :id"),
            {"gone": gone, "id": item_id},
        )


def downgrade() -> None:
    with op.batch_alter_table('summary_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_summary_item_gone_holds_no_words'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_summary_item_source_field'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_summary_item_quotegone'), type_='check')
        batch_op.drop_index(batch_op.f('ix_summary_item_feedback_id'))
        batch_op.drop_constraint(batch_op.f('fk_summary_item_feedback_id_feedback'), type_='foreignkey')
        batch_op.drop_column('gone')
        batch_op.drop_column('source_field')
        batch_op.drop_column('feedback_id')
