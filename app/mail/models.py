"""The e-mail outbox and each person's choice between a notice per sign-up and a daily digest."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..database import Model, UtcDateTime
from ..directory.models import User


class OutboxMessage(Model):
    """A rendered e-mail, written in the transaction of the change that caused it and sent later by a worker."""

    __tablename__ = "allies_outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for mails to a bare address (`flask outbox test-mail someone@example.org`).
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("allies_users.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Set when the worker gives up after ALLIES_MAIL_MAX_ATTEMPTS failures; the row stays for inspection.
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The last failure's exception class and server reply; never a body, a password or a token.
    last_error: Mapped[str | None] = mapped_column(String(255))

    recipient: Mapped[User | None] = relationship()

    @property
    def is_waiting(self):
        """Whether the worker will still try to send it."""
        return self.sent_at is None and self.failed_at is None


class MailPreference(Model):
    """How the lab mails a person about sign-ups: one notice each (default) or a daily digest."""

    __tablename__ = "allies_mail_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id", ondelete="CASCADE"), primary_key=True)
    daily_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    # The digest covers what happened after this moment; None: no digest sent yet.
    digest_sent_until: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship()
