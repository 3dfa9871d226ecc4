"""The e-mail outbox, the secrets of links in mails, and each person's choice of notices or digests."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, false
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
    link_tokens: Mapped[list["LinkToken"]] = relationship(back_populates="message", order_by="LinkToken.id")

    @property
    def is_waiting(self):
        """Whether the worker will still try to send it."""
        return self.sent_at is None and self.failed_at is None


class LinkToken(Model):
    """The secret of a link in one mail, minted by the worker as it sends the mail: only its hash is ever stored,
    so neither the outbox nor the database holds a link that works. The stored bodies hold `slot` where the
    secret goes."""

    __tablename__ = "allies_link_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None once the mail is deleted (retention, or the demo dropping the mails of its loading).
    message_id: Mapped[int | None] = mapped_column(ForeignKey("allies_outbox_messages.id", ondelete="SET NULL"),
                                                   index=True)
    # Letters, digits and hyphens only, so a URL built around it keeps it as it is.
    slot: Mapped[str] = mapped_column(String(40))
    # SHA-256 of the secret, in hexadecimal; None until the mail is sent.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    minted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    message: Mapped[OutboxMessage | None] = relationship(back_populates="link_tokens")


class MailPreference(Model):
    """How Alliés mails a person: a lab member, about sign-ups, one notice each (default) or a daily digest; a
    manager, about requests, one mail each (default) or a digest on Mondays."""

    __tablename__ = "allies_mail_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id", ondelete="CASCADE"), primary_key=True)
    daily_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    # The digest covers what happened after this moment; None: no digest sent yet.
    digest_sent_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The Monday of the last weekly digest sent to this person, so a second run that day sends nothing.
    weekly_digest_sent_on: Mapped[date | None] = mapped_column(Date)

    user: Mapped[User] = relationship()
