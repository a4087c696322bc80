"""identity rows record their identity key version (issue 9, item 7)

Revision ID: 0004
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every existing row was made with the one key there was: version 1.
    with op.batch_alter_table('identiteiten', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sleutelversie', sa.Integer(), server_default=sa.text('1'), nullable=False))
        batch_op.create_index('ix_identiteiten_sleutelversie', ['sleutelversie', 'betrokkene_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('identiteiten', schema=None) as batch_op:
        batch_op.drop_index('ix_identiteiten_sleutelversie')
        batch_op.drop_column('sleutelversie')
