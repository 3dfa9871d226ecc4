"""The requests waiting for a manager get an index of their own, in the order the inboxes read them: an inbox reads
its page and its count among the pending requests only, not among every sign-up of the organisation.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 17:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

PENDING = "status = 'pending_manager'"


def upgrade():
    op.create_index("ix_allies_signups_pending_manager", "allies_signups", ["submitted_at", "id"],
                    postgresql_where=sa.text(PENDING), sqlite_where=sa.text(PENDING))


def downgrade():
    op.drop_index("ix_allies_signups_pending_manager", table_name="allies_signups")
