"""A manager's active reports are read from an index of (manager, active), which replaces the index of managers
alone: whether the signed-in person has reports is asked on every request, and for the many who have none the
planner otherwise reads the whole directory.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 16:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_allies_users_manager_id_active", "allies_users", ["manager_id", "active"])
    op.drop_index("ix_allies_users_manager_id", table_name="allies_users")


def downgrade():
    op.create_index("ix_allies_users_manager_id", "allies_users", ["manager_id"])
    op.drop_index("ix_allies_users_manager_id_active", table_name="allies_users")
