"""Personal API tokens: a SHA-256 hash of each token (never the token), a short prefix to recognise it, when it
was created, last used and revoked.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('allies_api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['allies_users.id'], name=op.f('fk_allies_api_tokens_user_id_allies_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allies_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_allies_api_tokens_token_hash'))
    )
    with op.batch_alter_table('allies_api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allies_api_tokens_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('allies_api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allies_api_tokens_user_id'))

    op.drop_table('allies_api_tokens')
