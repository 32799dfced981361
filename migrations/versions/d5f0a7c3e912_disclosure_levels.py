"""disclosure levels: a level per published row, the three groups, the board's overall row

Rows are now published at the finest level of a cascade (five ratings, bad/okay/good, good
against the rest, the count); a summary keeps the board's period over all services as a
row of its own, and says which period its service rows cover. Boards choose monthly or
quarterly service rows.

Summaries published before keep their figures: each row gets the level it was shown at,
and an overall row where the old rules published the margin (every row's distribution:
the five ratings; every row's total: the count; otherwise nothing).

Revision ID: d5f0a7c3e912
Revises: c4a9e2f17b30
Create Date: 2026-12-01 22:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'd5f0a7c3e912'
down_revision = 'c4a9e2f17b30'
branch_labels = None
depends_on = None

FIVE, COUNT, SMALL, NONE = 5, 2, 1, 0


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): the summary table keeps its SQLite triggers.
    op.add_column('board', sa.Column('service_months', sa.Integer(), nullable=False, server_default='1'))
    op.add_column('summary', sa.Column('rows_month', sa.Date(), nullable=True))
    op.add_column('summary', sa.Column('rows_months', sa.Integer(), nullable=True))
    for name, column in (
        ('overall', sa.Column('overall', sa.Boolean(), nullable=False, server_default=sa.false())),
        ('level', sa.Column('level', sa.Integer(), nullable=False, server_default='0')),
        ('bad', sa.Column('bad', sa.Integer(), nullable=True)),
        ('okay', sa.Column('okay', sa.Integer(), nullable=True)),
        ('good', sa.Column('good', sa.Integer(), nullable=True)),
    ):
        op.add_column('summary_figure', column)
    connection = op.get_bind()
    figure = sa.table(
        'summary_figure',
        *(sa.column(c) for c in (
            'id', 'summary_id', 'position', 'service_id', 'name', 'category', 'overall', 'level',
            'total', 'total_small', 'r1', 'r2', 'r3', 'r4', 'r5', 'median', 'bad', 'okay', 'good',
        )),
    )
    summary = sa.table('summary', sa.column('id'), sa.column('month'), sa.column('months'),
                       sa.column('state'), sa.column('rows_month'), sa.column('rows_months'))
    rows = connection.execute(sa.select(figure)).mappings().all()
    by_summary: dict[int, list] = {}
    for row in rows:
        by_summary.setdefault(row['summary_id'], []).append(row)
        if row['r1'] is not None:
            level = FIVE
            values = dict(bad=row['r1'] + row['r2'], okay=row['r3'], good=row['r4'] + row['r5'])
        else:
            level = COUNT if row['total'] is not None else (SMALL if row['total_small'] else NONE)
            values = {}
        connection.execute(figure.update().where(figure.c.id == row['id']).values(level=level, **values))
    published = connection.execute(
        sa.select(summary.c.id, summary.c.month, summary.c.months).where(summary.c.state == 'published')
    ).all()
    for summary_id, month, months in published:
        connection.execute(summary.update().where(summary.c.id == summary_id)
                           .values(rows_month=month, rows_months=months))
        kept = by_summary.get(summary_id, [])
        values = dict(summary_id=summary_id, position=len(kept), service_id=None, name='',
                      category='', overall=True, total_small=False, median=None)
        if kept and all(r['r1'] is not None for r in kept):
            counts = [sum(r[f'r{i}'] for r in kept) for i in range(1, 6)]
            values.update(level=FIVE, total=sum(counts), **{f'r{i}': c for i, c in enumerate(counts, 1)},
                          bad=counts[0] + counts[1], okay=counts[2], good=counts[3] + counts[4])
        elif kept and all(r['total'] is not None for r in kept):
            values.update(level=COUNT, total=sum(r['total'] for r in kept))
        else:
            values.update(level=NONE, total=None)
        connection.execute(figure.insert().values(**values))


def downgrade() -> None:
    op.execute("DELETE FROM summary_figure WHERE overall")
    for name in ('good', 'okay', 'bad', 'level', 'overall'):
        op.drop_column('summary_figure', name)
    op.drop_column('summary', 'rows_months')
    op.drop_column('summary', 'rows_month')
    op.drop_column('board', 'service_months')
