"""When the manager was asked to decide on a sign-up: the time a promoted request waited on the list does not count
for reminders nor for the time managers take to decide. Existing sign-ups count from when they were sent.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 07:18:23.563474

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('allies_signups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manager_asked_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE allies_signups SET manager_asked_at = submitted_at WHERE status <> 'waitlisted'")



def downgrade():
    with op.batch_alter_table('allies_signups', schema=None) as batch_op:
        batch_op.drop_column('manager_asked_at')

