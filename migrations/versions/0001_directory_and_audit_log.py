"""Directory (users, org units, roles) and audit log.

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 03:34:48.143071

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('allies_org_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('path', sa.String(length=1000), nullable=False),
    sa.Column('path_key', sa.String(length=1000), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['allies_org_units.id'], name=op.f('fk_allies_org_units_parent_id_allies_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_org_units')),
    sa.UniqueConstraint('path', name=op.f('uq_allies_org_units_path')),
    sa.UniqueConstraint('path_key', name=op.f('uq_allies_org_units_path_key'))
    )
    with op.batch_alter_table('allies_org_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_org_units_parent_id'), ['parent_id'], unique=False)

    op.create_table('allies_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('sort_name', sa.String(length=201), nullable=False),
    sa.Column('search_text', sa.String(length=1000), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('quotity', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quotity BETWEEN 50 AND 100', name=op.f('ck_allies_users_quotity_range')),
    sa.ForeignKeyConstraint(['manager_id'], ['allies_users.id'], name=op.f('fk_allies_users_manager_id_allies_users')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['allies_org_units.id'], name=op.f('fk_allies_users_org_unit_id_allies_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_users')),
    sa.UniqueConstraint('login', name=op.f('uq_allies_users_login'))
    )
    with op.batch_alter_table('allies_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_users_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allies_users_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allies_users_sort_name'), ['sort_name'], unique=False)

    op.create_table('allies_audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['allies_users.id'], name=op.f('fk_allies_audit_entries_actor_id_allies_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_audit_entries'))
    )
    with op.batch_alter_table('allies_audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_audit_entries_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_allies_audit_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allies_audit_entries_at'), ['at'], unique=False)

    op.create_table('allies_role_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('lab', 'admin')", name=op.f('ck_allies_role_grants_known_role')),
    sa.ForeignKeyConstraint(['user_id'], ['allies_users.id'], name=op.f('fk_allies_role_grants_user_id_allies_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_role_grants')),
    sa.UniqueConstraint('user_id', 'role', name='uq_allies_role_grants_user_role')
    )
    with op.batch_alter_table('allies_role_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_role_grants_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('allies_role_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_role_grants_user_id'))

    op.drop_table('allies_role_grants')
    with op.batch_alter_table('allies_audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_audit_entries_at'))
        batch_op.drop_index(batch_op.f('ix_allies_audit_entries_actor_id'))
        batch_op.drop_index(batch_op.f('ix_allies_audit_entries_action'))

    op.drop_table('allies_audit_entries')
    with op.batch_alter_table('allies_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_users_sort_name'))
        batch_op.drop_index(batch_op.f('ix_allies_users_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_allies_users_manager_id'))

    op.drop_table('allies_users')
    with op.batch_alter_table('allies_org_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_org_units_parent_id'))

    op.drop_table('allies_org_units')
