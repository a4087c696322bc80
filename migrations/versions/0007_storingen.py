"""faults: relay leadership lease (fencing token) and the readiness write probe

Revision ID: 0007
Revises: 0006
"""

from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    tabel = op.create_table(
        'relay_leiderschap',
        sa.Column('naam', sa.String(length=32), nullable=False),
        sa.Column('houder', sa.String(length=100), nullable=True),
        sa.Column('token', sa.BigInteger(), nullable=False),
        sa.Column('verloopt_ms', sa.BigInteger(), nullable=False),
        sa.Column('vernieuwd_ms', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('naam', name=op.f('pk_relay_leiderschap')),
    )
    # The one lease the outbox relays compete for; it exists from the start so taking it is one UPDATE.
    op.bulk_insert(tabel, [{'naam': 'outbox', 'houder': None, 'token': 0, 'verloopt_ms': 0, 'vernieuwd_ms': 0}])
    proef = op.create_table(
        'schrijfproef',
        sa.Column('naam', sa.String(length=64), nullable=False),
        sa.Column('tijdstip', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('naam', name=op.f('pk_schrijfproef')),
    )
    op.bulk_insert(proef, [{'naam': 'gereed', 'tijdstip': datetime(2026, 1, 1, tzinfo=timezone.utc)}])


def downgrade() -> None:
    op.drop_table('schrijfproef')
    op.drop_table('relay_leiderschap')
