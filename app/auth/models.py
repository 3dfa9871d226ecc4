"""Identities: who an agent is for each sign-on source, linked to one directory account."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..database import Model, UtcDateTime
from ..directory.models import User


class Identity(Model):
    """The subject a sign-on source (ldap, oidc) gives an agent; one per source and agent, never shared."""

    __tablename__ = "allies_identities"
    __table_args__ = (
        UniqueConstraint("source", "subject", name="uq_allies_identities_source_subject"),
        UniqueConstraint("user_id", "source", name="uq_allies_identities_user_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    user: Mapped[User] = relationship()
