"""Volunteers accepted on a call that needs no manager agreement get their time budget: the hours they asked over
the call's period, as the application now gives at sign-up. Only approved sign-ups without an allocation get one.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 03:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "INSERT INTO allies_allocations (signup_id, agent_id, hours, start_date, end_date, created_at) "
        "SELECT s.id, s.agent_id, s.hours_asked, c.start_date, c.end_date, CURRENT_TIMESTAMP "
        "FROM allies_signups s JOIN allies_calls c ON c.id = s.call_id "
        "WHERE s.status = 'approved' AND NOT c.needs_manager_agreement "
        "AND NOT EXISTS (SELECT 1 FROM allies_allocations a WHERE a.signup_id = s.id)")


def downgrade():
    # Nothing to undo in the schema. The budgets created here cannot be told apart from those the application
    # gives at sign-up since, and time may already be logged against them: they stay.
    pass
