"""Managers decide from the mail: a request mail may carry links of its own, whose secrets are minted by the mail
worker and stored only as hashes; decisions say whether they came from such a link; managers may choose a weekly
digest instead of a mail per request.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 18:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "allies_link_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("slot", sa.String(40), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=True),
        sa.Column("minted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allies_link_tokens")),
        sa.ForeignKeyConstraint(["message_id"], ["allies_outbox_messages.id"],
                                name=op.f("fk_allies_link_tokens_message_id_allies_outbox_messages"),
                                ondelete="SET NULL"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_allies_link_tokens_token_hash")),
    )
    op.create_index("ix_allies_link_tokens_message_id", "allies_link_tokens", ["message_id"])
    op.create_table(
        "allies_decision_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("signup_id", sa.Integer(), nullable=False),
        sa.Column("extension_id", sa.Integer(), nullable=True),
        sa.Column("approver_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_because", sa.String(20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allies_decision_links")),
        sa.ForeignKeyConstraint(["token_id"], ["allies_link_tokens.id"],
                                name=op.f("fk_allies_decision_links_token_id_allies_link_tokens")),
        sa.ForeignKeyConstraint(["signup_id"], ["allies_signups.id"],
                                name=op.f("fk_allies_decision_links_signup_id_allies_signups")),
        sa.ForeignKeyConstraint(["extension_id"], ["allies_extensions.id"],
                                name=op.f("fk_allies_decision_links_extension_id_allies_extensions")),
        sa.ForeignKeyConstraint(["approver_id"], ["allies_users.id"],
                                name=op.f("fk_allies_decision_links_approver_id_allies_users")),
        sa.UniqueConstraint("token_id", name=op.f("uq_allies_decision_links_token_id")),
        sa.CheckConstraint("purpose IN ('request', 'reminder', 'escalation', 'extension', 'digest')",
                           name=op.f("ck_allies_decision_links_known_purpose")),
    )
    op.create_index("ix_allies_decision_links_signup_id", "allies_decision_links", ["signup_id"])
    op.create_index("ix_allies_decision_links_extension_id", "allies_decision_links", ["extension_id"])
    with op.batch_alter_table("allies_decisions") as batch:
        batch.add_column(sa.Column("by_mail_link", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("allies_mail_preferences") as batch:
        batch.add_column(sa.Column("weekly_digest", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("weekly_digest_sent_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("allies_mail_preferences") as batch:
        batch.drop_column("weekly_digest_sent_on")
        batch.drop_column("weekly_digest")
    with op.batch_alter_table("allies_decisions") as batch:
        batch.drop_column("by_mail_link")
    op.drop_index("ix_allies_decision_links_extension_id", table_name="allies_decision_links")
    op.drop_index("ix_allies_decision_links_signup_id", table_name="allies_decision_links")
    op.drop_table("allies_decision_links")
    op.drop_index("ix_allies_link_tokens_message_id", table_name="allies_link_tokens")
    op.drop_table("allies_link_tokens")
