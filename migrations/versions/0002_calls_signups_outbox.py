"""Calls, questions, sign-ups with answers, mail outbox and preferences; users' language.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 03:51:31.934718

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('allies_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('search_text', sa.String(length=710), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('held_places', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('audience_all', sa.Boolean(), nullable=False),
    sa.Column('commitment_kind', sa.String(length=20), nullable=False),
    sa.Column('commitment_value', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('needs_manager_agreement', sa.Boolean(), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("commitment_kind IN ('percent', 'hours_per_month', 'days_per_month', 'total_hours')", name=op.f('ck_allies_calls_known_commitment')),
    sa.CheckConstraint("status IN ('draft', 'published', 'closed', 'archived')", name=op.f('ck_allies_calls_known_status')),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 1', name=op.f('ck_allies_calls_capacity_positive')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_allies_calls_period_order')),
    sa.CheckConstraint('held_places >= 0 AND (capacity IS NULL OR held_places <= capacity)', name=op.f('ck_allies_calls_places_held')),
    sa.ForeignKeyConstraint(['created_by_id'], ['allies_users.id'], name=op.f('fk_allies_calls_created_by_id_allies_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_calls'))
    )
    with op.batch_alter_table('allies_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_calls_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_allies_calls_status'), ['status'], unique=False)

    op.create_table('allies_mail_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('daily_digest', sa.Boolean(), nullable=False),
    sa.Column('digest_sent_until', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['allies_users.id'], name=op.f('fk_allies_mail_preferences_user_id_allies_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_allies_mail_preferences'))
    )
    op.create_table('allies_outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['allies_users.id'], name=op.f('fk_allies_outbox_messages_recipient_id_allies_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_outbox_messages'))
    )
    with op.batch_alter_table('allies_outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_outbox_messages_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_allies_outbox_messages_recipient_id'), ['recipient_id'], unique=False)

    op.create_table('allies_call_audience',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['allies_calls.id'], name=op.f('fk_allies_call_audience_call_id_allies_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_unit_id'], ['allies_org_units.id'], name=op.f('fk_allies_call_audience_org_unit_id_allies_org_units')),
    sa.PrimaryKeyConstraint('call_id', 'org_unit_id', name=op.f('pk_allies_call_audience'))
    )
    op.create_table('allies_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('help_text', sa.String(length=500), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('min_value', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('max_value', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('short_text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no', 'number', 'date')", name=op.f('ck_allies_questions_known_kind')),
    sa.ForeignKeyConstraint(['call_id'], ['allies_calls.id'], name=op.f('fk_allies_questions_call_id_allies_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_questions'))
    )
    with op.batch_alter_table('allies_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_questions_call_id'), ['call_id'], unique=False)

    op.create_table('allies_signups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('motivation', sa.Text(), nullable=False),
    sa.Column('availability', sa.Text(), nullable=False),
    sa.Column('hours_asked', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('pending_manager', 'waitlisted', 'approved', 'refused', 'declined', 'withdrawn')", name=op.f('ck_allies_signups_known_status')),
    sa.CheckConstraint('hours_asked > 0', name=op.f('ck_allies_signups_hours_positive')),
    sa.ForeignKeyConstraint(['agent_id'], ['allies_users.id'], name=op.f('fk_allies_signups_agent_id_allies_users')),
    sa.ForeignKeyConstraint(['call_id'], ['allies_calls.id'], name=op.f('fk_allies_signups_call_id_allies_calls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_signups'))
    )
    with op.batch_alter_table('allies_signups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_signups_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index('ix_allies_signups_call_status', ['call_id', 'status', 'submitted_at'], unique=False)
        batch_op.create_index('uq_allies_signups_live', ['call_id', 'agent_id'], unique=True, postgresql_where=sa.text("status IN ('pending_manager', 'waitlisted', 'approved')"), sqlite_where=sa.text("status IN ('pending_manager', 'waitlisted', 'approved')"))

    op.create_table('allies_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signup_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['allies_questions.id'], name=op.f('fk_allies_answers_question_id_allies_questions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['signup_id'], ['allies_signups.id'], name=op.f('fk_allies_answers_signup_id_allies_signups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_answers'))
    )
    with op.batch_alter_table('allies_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_answers_signup_id'), ['signup_id'], unique=False)

    with op.batch_alter_table('allies_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=True))



def downgrade():
    with op.batch_alter_table('allies_users', schema=None) as batch_op:
        batch_op.drop_column('locale')

    with op.batch_alter_table('allies_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_answers_signup_id'))

    op.drop_table('allies_answers')
    with op.batch_alter_table('allies_signups', schema=None) as batch_op:
        batch_op.drop_index('uq_allies_signups_live', postgresql_where=sa.text("status IN ('pending_manager', 'waitlisted', 'approved')"), sqlite_where=sa.text("status IN ('pending_manager', 'waitlisted', 'approved')"))
        batch_op.drop_index('ix_allies_signups_call_status')
        batch_op.drop_index(batch_op.f('ix_allies_signups_agent_id'))

    op.drop_table('allies_signups')
    with op.batch_alter_table('allies_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_questions_call_id'))

    op.drop_table('allies_questions')
    op.drop_table('allies_call_audience')
    with op.batch_alter_table('allies_outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_outbox_messages_recipient_id'))
        batch_op.drop_index(batch_op.f('ix_allies_outbox_messages_next_attempt_at'))

    op.drop_table('allies_outbox_messages')
    op.drop_table('allies_mail_preferences')
    with op.batch_alter_table('allies_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_calls_status'))
        batch_op.drop_index(batch_op.f('ix_allies_calls_deadline'))

    op.drop_table('allies_calls')
