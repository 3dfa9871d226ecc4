"""Managers' decisions, delegations, reminders of pending requests, and the allocations decisions create.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 05:14:13.510995

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('allies_delegations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('deputy_id <> manager_id', name=op.f('ck_allies_delegations_not_oneself')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_allies_delegations_period_order')),
    sa.ForeignKeyConstraint(['deputy_id'], ['allies_users.id'], name=op.f('fk_allies_delegations_deputy_id_allies_users')),
    sa.ForeignKeyConstraint(['manager_id'], ['allies_users.id'], name=op.f('fk_allies_delegations_manager_id_allies_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_delegations'))
    )
    with op.batch_alter_table('allies_delegations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_delegations_deputy_id'), ['deputy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allies_delegations_manager_id'), ['manager_id'], unique=False)

    op.create_table('allies_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signup_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_allies_allocations_period_order')),
    sa.CheckConstraint('hours > 0', name=op.f('ck_allies_allocations_hours_positive')),
    sa.ForeignKeyConstraint(['agent_id'], ['allies_users.id'], name=op.f('fk_allies_allocations_agent_id_allies_users')),
    sa.ForeignKeyConstraint(['signup_id'], ['allies_signups.id'], name=op.f('fk_allies_allocations_signup_id_allies_signups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_allocations')),
    sa.UniqueConstraint('signup_id', name=op.f('uq_allies_allocations_signup_id'))
    )
    with op.batch_alter_table('allies_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_allocations_agent_id'), ['agent_id'], unique=False)

    op.create_table('allies_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signup_id', sa.Integer(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('hours_asked', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('hours_agreed', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('approved', 'refused')", name=op.f('ck_allies_decisions_known_outcome')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['allies_users.id'], name=op.f('fk_allies_decisions_decided_by_id_allies_users')),
    sa.ForeignKeyConstraint(['on_behalf_of_id'], ['allies_users.id'], name=op.f('fk_allies_decisions_on_behalf_of_id_allies_users')),
    sa.ForeignKeyConstraint(['signup_id'], ['allies_signups.id'], name=op.f('fk_allies_decisions_signup_id_allies_signups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_decisions'))
    )
    with op.batch_alter_table('allies_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_decisions_decided_by_id'), ['decided_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allies_decisions_signup_id'), ['signup_id'], unique=False)

    op.create_table('allies_request_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signup_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.CheckConstraint("kind IN ('reminder', 'escalation')", name=op.f('ck_allies_request_reminders_known_kind')),
    sa.ForeignKeyConstraint(['recipient_id'], ['allies_users.id'], name=op.f('fk_allies_request_reminders_recipient_id_allies_users')),
    sa.ForeignKeyConstraint(['signup_id'], ['allies_signups.id'], name=op.f('fk_allies_request_reminders_signup_id_allies_signups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_request_reminders')),
    sa.UniqueConstraint('signup_id', 'kind', name='uq_allies_request_reminders_signup_kind')
    )
    with op.batch_alter_table('allies_request_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_request_reminders_signup_id'), ['signup_id'], unique=False)



def downgrade():
    with op.batch_alter_table('allies_request_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_request_reminders_signup_id'))

    op.drop_table('allies_request_reminders')
    with op.batch_alter_table('allies_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_decisions_signup_id'))
        batch_op.drop_index(batch_op.f('ix_allies_decisions_decided_by_id'))

    op.drop_table('allies_decisions')
    with op.batch_alter_table('allies_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_allocations_agent_id'))

    op.drop_table('allies_allocations')
    with op.batch_alter_table('allies_delegations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_delegations_manager_id'))
        batch_op.drop_index(batch_op.f('ix_allies_delegations_deputy_id'))

    op.drop_table('allies_delegations')
