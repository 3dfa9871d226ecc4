"""Time logged against allocations, extension requests, and decisions on extensions and revisions.

Downgrading drops the time logged and the extensions, and deletes the decisions on extensions and revisions;
the allocations keep the hours those decisions gave them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 05:47:03.404740

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('allies_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('extra_hours', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('new_end_date', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'refused', 'cancelled')", name=op.f('ck_allies_extensions_known_status')),
    sa.CheckConstraint('extra_hours >= 0', name=op.f('ck_allies_extensions_extra_hours_not_negative')),
    sa.ForeignKeyConstraint(['allocation_id'], ['allies_allocations.id'], name=op.f('fk_allies_extensions_allocation_id_allies_allocations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_extensions'))
    )
    with op.batch_alter_table('allies_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_extensions_allocation_id'), ['allocation_id'], unique=False)
        batch_op.create_index('uq_allies_extensions_pending', ['allocation_id'], unique=True, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))

    op.create_table('allies_time_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('hours > 0 AND hours <= 24', name=op.f('ck_allies_time_entries_hours_in_a_day')),
    sa.ForeignKeyConstraint(['agent_id'], ['allies_users.id'], name=op.f('fk_allies_time_entries_agent_id_allies_users')),
    sa.ForeignKeyConstraint(['allocation_id'], ['allies_allocations.id'], name=op.f('fk_allies_time_entries_allocation_id_allies_allocations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_time_entries'))
    )
    with op.batch_alter_table('allies_time_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_time_entries_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allies_time_entries_allocation_id'), ['allocation_id'], unique=False)

    with op.batch_alter_table('allies_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='request', nullable=False))
        batch_op.add_column(sa.Column('extension_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('new_end_date', sa.Date(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_allies_decisions_extension_id_allies_extensions'), 'allies_extensions', ['extension_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_allies_decisions_extension_id'), ['extension_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('ck_allies_decisions_known_outcome'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_allies_decisions_known_outcome'),
                                         "outcome IN ('approved', 'refused', 'revised')")
        batch_op.create_check_constraint(batch_op.f('ck_allies_decisions_known_kind'),
                                         "kind IN ('request', 'extension', 'revision')")



def downgrade():
    op.execute("DELETE FROM allies_decisions WHERE kind <> 'request'")
    with op.batch_alter_table('allies_decisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_allies_decisions_known_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_allies_decisions_known_outcome'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_allies_decisions_known_outcome'), "outcome IN ('approved', 'refused')")
        batch_op.drop_index(batch_op.f('ix_allies_decisions_extension_id'))
        batch_op.drop_constraint(batch_op.f('fk_allies_decisions_extension_id_allies_extensions'), type_='foreignkey')
        batch_op.drop_column('new_end_date')
        batch_op.drop_column('extension_id')
        batch_op.drop_column('kind')

    with op.batch_alter_table('allies_time_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_time_entries_allocation_id'))
        batch_op.drop_index(batch_op.f('ix_allies_time_entries_agent_id'))

    op.drop_table('allies_time_entries')
    with op.batch_alter_table('allies_extensions', schema=None) as batch_op:
        batch_op.drop_index('uq_allies_extensions_pending', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_allies_extensions_allocation_id'))

    op.drop_table('allies_extensions')
