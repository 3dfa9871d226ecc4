"""What an agent's participation is worth: attestations (their number and the hash of their PDF), badges, thank-you
letters, testimonials; and the directory's civil-service category and filière, with the agent's consent to show
their badges.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 18:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("allies_users") as batch:
        batch.add_column(sa.Column("category", sa.String(12), nullable=True))
        batch.add_column(sa.Column("filiere", sa.String(60), nullable=True))
        batch.add_column(sa.Column("shows_badges", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "allies_attestations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("locale", sa.String(5), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allies_attestations")),
        sa.ForeignKeyConstraint(["agent_id"], ["allies_users.id"],
                                name=op.f("fk_allies_attestations_agent_id_allies_users")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["allies_users.id"],
                                name=op.f("fk_allies_attestations_revoked_by_id_allies_users")),
        sa.UniqueConstraint("number", name=op.f("uq_allies_attestations_number")),
    )
    op.create_index("ix_allies_attestations_agent_id", "allies_attestations", ["agent_id"])
    op.create_table(
        "allies_badges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("awarded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allies_badges")),
        sa.ForeignKeyConstraint(["agent_id"], ["allies_users.id"], name=op.f("fk_allies_badges_agent_id_allies_users")),
        sa.ForeignKeyConstraint(["awarded_by_id"], ["allies_users.id"],
                                name=op.f("fk_allies_badges_awarded_by_id_allies_users")),
        sa.UniqueConstraint("agent_id", "kind", name="uq_allies_badges_agent_kind"),
        sa.CheckConstraint("kind IN ('first_mission', 'brigade', 'facilitator', 'pioneer', 'trainer')",
                           name=op.f("ck_allies_badges_known_kind")),
    )
    op.create_index("ix_allies_badges_agent_id", "allies_badges", ["agent_id"])
    op.create_table(
        "allies_thank_you_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("written_by_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("co_signed_by", sa.String(200), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forwarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("forwarded_to_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allies_thank_you_letters")),
        sa.ForeignKeyConstraint(["forwarded_to_id"], ["allies_users.id"],
                                name=op.f("fk_allies_thank_you_letters_forwarded_to_id_allies_users")),
        sa.ForeignKeyConstraint(["agent_id"], ["allies_users.id"],
                                name=op.f("fk_allies_thank_you_letters_agent_id_allies_users")),
        sa.ForeignKeyConstraint(["written_by_id"], ["allies_users.id"],
                                name=op.f("fk_allies_thank_you_letters_written_by_id_allies_users")),
    )
    op.create_index("ix_allies_thank_you_letters_agent_id", "allies_thank_you_letters", ["agent_id"])
    op.create_table(
        "allies_testimonials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("author_kind", sa.String(10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_agreed", sa.Boolean(), nullable=False),
        sa.Column("agent_agreed", sa.Boolean(), nullable=False),
        sa.Column("written_by_id", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allies_testimonials")),
        sa.ForeignKeyConstraint(["agent_id"], ["allies_users.id"], name=op.f("fk_allies_testimonials_agent_id_allies_users")),
        sa.ForeignKeyConstraint(["call_id"], ["allies_calls.id"], name=op.f("fk_allies_testimonials_call_id_allies_calls")),
        sa.ForeignKeyConstraint(["written_by_id"], ["allies_users.id"],
                                name=op.f("fk_allies_testimonials_written_by_id_allies_users")),
        sa.CheckConstraint("author_kind IN ('lab', 'partner')", name=op.f("ck_allies_testimonials_known_author_kind")),
    )
    op.create_index("ix_allies_testimonials_agent_id", "allies_testimonials", ["agent_id"])


def downgrade():
    op.drop_index("ix_allies_testimonials_agent_id", table_name="allies_testimonials")
    op.drop_table("allies_testimonials")
    op.drop_index("ix_allies_thank_you_letters_agent_id", table_name="allies_thank_you_letters")
    op.drop_table("allies_thank_you_letters")
    op.drop_index("ix_allies_badges_agent_id", table_name="allies_badges")
    op.drop_table("allies_badges")
    op.drop_index("ix_allies_attestations_agent_id", table_name="allies_attestations")
    op.drop_table("allies_attestations")
    with op.batch_alter_table("allies_users") as batch:
        batch.drop_column("shows_badges")
        batch.drop_column("filiere")
        batch.drop_column("category")
