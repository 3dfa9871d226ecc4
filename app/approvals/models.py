"""The decisions managers take on the time their agents ask for."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Numeric, String, Text, UniqueConstraint, and_, false
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..budgets.models import Extension
from ..clock import utcnow
from ..database import Model, UtcDateTime, stored_enum
from ..directory.models import User
from ..enums import TitledEnum
from ..mail.models import LinkToken
from ..signups.models import SignUp


class DecisionKind(TitledEnum):
    """What a decision is about: a sign-up's request, an extension of its allocation, or a downward revision."""

    REQUEST = "request", _l("Request")
    EXTENSION = "extension", _l("Extension")
    REVISION = "revision", _l("Revision")


class DecisionOutcome(TitledEnum):
    """What the approver decided: agreed (perhaps to less), refused, or lowered an allocation."""

    APPROVED = "approved", _l("Agreed")
    REFUSED = "refused", _l("Refused")
    REVISED = "revised", _l("Lowered")


class Decision(Model):
    """Who decided what, when and why: on a request, on an extension of its allocation, or a downward revision.

    For a revision, `hours_asked` holds the hours before and `hours_agreed` the hours after.
    """

    __tablename__ = "allies_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("allies_signups.id"), index=True)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"), index=True)
    # The manager a deputy decided for (None when the manager decided).
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("allies_users.id"))
    kind: Mapped[DecisionKind] = mapped_column(stored_enum(DecisionKind, "known_kind"), default=DecisionKind.REQUEST,
                                               server_default=DecisionKind.REQUEST.value)
    extension_id: Mapped[int | None] = mapped_column(ForeignKey("allies_extensions.id"), index=True)
    outcome: Mapped[DecisionOutcome] = mapped_column(stored_enum(DecisionOutcome, "known_outcome"))
    hours_asked: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    hours_agreed: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    new_end_date: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Decided from the link of a request mail, not from a page of Alliés.
    by_mail_link: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    signup: Mapped[SignUp] = relationship()
    decided_by: Mapped[User] = relationship(foreign_keys=[decided_by_id])
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id])
    extension: Mapped["Extension | None"] = relationship()


class Delegation(Model):
    """A manager names a deputy who decides in their place between two dates."""

    __tablename__ = "allies_delegations"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="period_order"),
                      CheckConstraint("deputy_id <> manager_id", name="not_oneself"))

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    manager: Mapped[User] = relationship(foreign_keys=[manager_id])
    deputy: Mapped[User] = relationship(foreign_keys=[deputy_id])

    @hybrid_method
    def covers(self, day):
        """Whether the deputy decides on `day` (on an object, or in a query)."""
        return self.revoked_at is None and self.start_date <= day <= self.end_date

    @covers.expression
    def covers(cls, day):
        return and_(cls.revoked_at.is_(None), cls.start_date <= day, cls.end_date >= day)


class RequestReminder(Model):
    """A reminder to the approver, or an escalation to the manager's own manager, sent once per request."""

    __tablename__ = "allies_request_reminders"
    __table_args__ = (UniqueConstraint("signup_id", "kind", name="uq_allies_request_reminders_signup_kind"),
                      CheckConstraint("kind IN ('reminder', 'escalation')", name="known_kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("allies_signups.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"))
    sent_on: Mapped[date] = mapped_column(Date)

    recipient: Mapped[User] = relationship()


class DecisionLink(Model):
    """The link of a request mail: it lets the approver it was sent to decide that one request, once, until it
    expires or a later mail on the request replaces it.

    Bound to the request (a sign-up, or an extension of its allocation), the approver and the mail it came in
    (`purpose`); the secret itself is a LinkToken, of which only the hash is stored.
    """

    __tablename__ = "allies_decision_links"
    __table_args__ = (
        CheckConstraint("purpose IN ('request', 'reminder', 'escalation', 'extension', 'digest')",
                        name="known_purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("allies_link_tokens.id"), unique=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("allies_signups.id"), index=True)
    extension_id: Mapped[int | None] = mapped_column(ForeignKey("allies_extensions.id"), index=True)
    approver_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A later mail on the request killed this link: "reminder", "escalation", "revision" or "digest".
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_because: Mapped[str | None] = mapped_column(String(20))

    token: Mapped[LinkToken] = relationship()
    signup: Mapped[SignUp] = relationship()
    extension: Mapped["Extension | None"] = relationship()
    approver: Mapped[User] = relationship()

    @property
    def request(self):
        """What the link decides: the extension, or the sign-up's request."""
        return self.extension if self.extension_id is not None else self.signup
