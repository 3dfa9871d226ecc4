"""Identities: the subject each sign-on source (LDAP, OpenID Connect) gives an agent, linked to one directory
account; one per source and agent.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 08:18:05.130842

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('allies_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['allies_users.id'], name=op.f('fk_allies_identities_user_id_allies_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_identities')),
    sa.UniqueConstraint('source', 'subject', name='uq_allies_identities_source_subject'),
    sa.UniqueConstraint('user_id', 'source', name='uq_allies_identities_user_source')
    )
    with op.batch_alter_table('allies_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_identities_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('allies_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_identities_user_id'))

    op.drop_table('allies_identities')
