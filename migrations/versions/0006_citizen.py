"""what the citizen reads on the tracking page: the step a message belongs to, files sent later

Revision ID: 0006
Revises: 0005
Create Date: 2027-01-18 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step', sa.String(length=24), nullable=True))
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('added_after_filing', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # The answer a case holds now was its resolving message: label it so. Answers given before a
    # reopening cannot be told from other replies any more; they stay plain replies.
    op.execute(
        "UPDATE case_messages SET step = 'resolve' WHERE visibility = 'public' AND EXISTS ("
        "SELECT 1 FROM cases WHERE cases.id = case_messages.case_id"
        " AND cases.state IN ('resolved', 'closed') AND cases.outcome = case_messages.body)")


def downgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_column('added_after_filing')
    with op.batch_alter_table('case_messages', schema=None) as batch_op:
        batch_op.drop_column('step')
