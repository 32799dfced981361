"""findings written in words, linked to the figures and the quotes they rest on

A finding used to be made for every rated service and held only the service; now the
facilitator writes it, and each row of summary_item_link says what it rests on: one
service's figures, the board's figure over all services, or a quote of the same summary.
The made findings go: those no partner answered are deleted, an answered one stays (its
answers with it), linked to the figures of its service.

Revision ID: e3f1a7c9d2b4
Revises: d8f3a61b2c47
Create Date: 2026-12-01 22:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'e3f1a7c9d2b4'
down_revision = 'd8f3a61b2c47'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'summary_item_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('finding_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('overall', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('quote_item_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN service_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN overall THEN 1 ELSE 0 END)"
            " + (CASE WHEN quote_item_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f('ck_summary_item_link_one_thing'),
        ),
        sa.ForeignKeyConstraint(
            ['finding_id'], ['summary_item.id'],
            name=op.f('fk_summary_item_link_finding_id_summary_item'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['quote_item_id'], ['summary_item.id'],
            name=op.f('fk_summary_item_link_quote_item_id_summary_item'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['service_id'], ['service.id'],
            name=op.f('fk_summary_item_link_service_id_service'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_item_link')),
    )
    with op.batch_alter_table('summary_item_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_summary_item_link_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_summary_item_link_quote_item_id'), ['quote_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_summary_item_link_service_id'), ['service_id'], unique=False)
    op.execute(
        "DELETE FROM summary_item WHERE kind = 'finding' AND text = '' "
        "AND id NOT IN (SELECT item_id FROM response)"
    )
    op.execute(
        "INSERT INTO summary_item_link (finding_id, position, service_id, overall) "
        "SELECT id, 0, service_id, false FROM summary_item "
        "WHERE kind = 'finding' AND service_id IS NOT NULL"
    )


def downgrade() -> None:
    # The findings deleted on the way up are not made again: a draft makes nothing any more,
    # and a published summary keeps what it holds.
    with op.batch_alter_table('summary_item_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_summary_item_link_service_id'))
        batch_op.drop_index(batch_op.f('ix_summary_item_link_quote_item_id'))
        batch_op.drop_index(batch_op.f('ix_summary_item_link_finding_id'))
    op.drop_table('summary_item_link')
