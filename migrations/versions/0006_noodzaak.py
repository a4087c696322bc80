"""need-to-know and the law (issue 11): consent with a source and withdrawal; a nazorg meeting's gemeente

Revision ID: 0006
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('toestemmingen') as b:
        b.add_column(sa.Column('ontvangers', sa.JSON(), nullable=True))
        b.add_column(sa.Column('doel', sa.String(length=500), nullable=True))
        b.add_column(sa.Column('bewijs', sa.String(length=200), nullable=True))
        b.add_column(sa.Column('ingetrokken_op', sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column('ingetrokken_door', sa.String(length=64), nullable=True))
    with op.batch_alter_table('overleggen') as b:
        b.add_column(sa.Column('gemeente', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('overleggen') as b:
        b.drop_column('gemeente')
    with op.batch_alter_table('toestemmingen') as b:
        for kolom in ('ingetrokken_door', 'ingetrokken_op', 'bewijs', 'doel', 'ontvangers'):
            b.drop_column(kolom)
