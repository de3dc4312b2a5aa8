"""routing never gives up: platform settings (the intake office), unassigned cases

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('settings',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unassigned_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('unassigned_notified_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('unassigned_notified_at')
        batch_op.drop_column('unassigned_since')
    op.drop_table('settings')
