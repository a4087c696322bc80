"""Merkle tree beside the audit chain: the frontier with the house counter, stored subtrees

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL frontier: the writer rebuilds the tree of an existing chain from the ledger on its first write.
    with op.batch_alter_table('huis_tellers') as b:
        b.add_column(sa.Column('boom_frontier', sa.Text(), nullable=True))
    op.create_table('audit_boomknopen',
    sa.Column('huis', sa.String(length=64), nullable=False),
    sa.Column('niveau', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('positie', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('huis', 'niveau', 'positie', name=op.f('pk_audit_boomknopen'))
    )


def downgrade() -> None:
    op.drop_table('audit_boomknopen')
    with op.batch_alter_table('huis_tellers') as b:
        b.drop_column('boom_frontier')
