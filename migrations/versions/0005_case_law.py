"""cases on paper, one-time filing keys, withdrawals, suspensions and due-date changes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00

Cases gain the channel they arrived by (online for every case filed so far), the body that
forwarded them and its document number, and the hash of the filing form's one-time key. Pauses
of the clock gain a kind (waiting on the citizen, or a suspension) and a reason; milestones keep
the day their count starts from and the days pauses added. Two new tables: withdrawals (in whole or in part) and due-date changes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.Enum('online', 'in_person', 'post', 'phone', 'forwarded', name='casechannel', native_enum=False, length=12), nullable=False, server_default='online'))
        batch_op.add_column(sa.Column('forwarded_from', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('forwarded_from_ref', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('filing_key_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_cases_filing_key_hash'), ['filing_key_hash'])

    with op.batch_alter_table('case_pauses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('citizen', 'suspended', name='pausekind', native_enum=False, length=12), nullable=False, server_default='citizen'))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))

    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_days', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))

    op.create_table('case_withdrawals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('whole', sa.Boolean(), nullable=False),
    sa.Column('points', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('on_paper', sa.Boolean(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_withdrawals_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_case_withdrawals_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_withdrawals'))
    )
    with op.batch_alter_table('case_withdrawals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_withdrawals_case_id'), ['case_id'], unique=False)

    op.create_table('milestone_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('milestone', sa.String(length=40), nullable=False),
    sa.Column('old_due', sa.Date(), nullable=False),
    sa.Column('new_due', sa.Date(), nullable=False),
    sa.Column('causes', sa.JSON(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_milestone_changes_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_changes'))
    )
    with op.batch_alter_table('milestone_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_changes_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('milestone_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_changes_case_id'))
    op.drop_table('milestone_changes')
    with op.batch_alter_table('case_withdrawals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_withdrawals_case_id'))
    op.drop_table('case_withdrawals')

    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_column('starts_on')
        batch_op.drop_column('paused_days')

    with op.batch_alter_table('case_pauses', schema=None) as batch_op:
        batch_op.drop_column('reason')
        batch_op.drop_column('kind')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_cases_filing_key_hash'), type_='unique')
        batch_op.drop_column('filing_key_hash')
        batch_op.drop_column('forwarded_from_ref')
        batch_op.drop_column('forwarded_from')
        batch_op.drop_column('channel')
