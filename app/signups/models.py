"""Sign-ups to calls, with the answers to the call's questions."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..calls.models import Call, Question
from ..clock import utcnow
from ..database import Model, UtcDateTime, stored_enum
from ..directory.models import User
from ..enums import TitledEnum


class SignUpStatus(TitledEnum):
    """Where a sign-up stands: live (waiting for the manager, on the waiting list, approved) or ended."""

    PENDING_MANAGER = "pending_manager", _l("Waiting for the manager")
    WAITLISTED = "waitlisted", _l("On the waiting list")
    APPROVED = "approved", _l("Approved")
    REFUSED = "refused", _l("Refused by the manager")
    DECLINED = "declined", _l("Declined by the lab")
    WITHDRAWN = "withdrawn", _l("Withdrawn")


# Live: one per agent and call at most. Holding: counted against the call's capacity.
SignUpStatus.LIVE = frozenset({SignUpStatus.PENDING_MANAGER, SignUpStatus.WAITLISTED, SignUpStatus.APPROVED})
SignUpStatus.HOLDING = frozenset({SignUpStatus.PENDING_MANAGER, SignUpStatus.APPROVED})
_PENDING_SQL = f"status = '{SignUpStatus.PENDING_MANAGER}'"
_LIVE_SQL = "status IN ({})".format(", ".join(f"'{status}'" for status in SignUpStatus if status in SignUpStatus.LIVE))


class SignUp(Model):
    """An agent's answer to a call; holds a place while pending the manager or approved."""

    __tablename__ = "allies_signups"
    __table_args__ = (
        CheckConstraint("hours_asked > 0", name="hours_positive"),
        # One live sign-up per agent and call, even when two requests arrive at once.
        Index("uq_allies_signups_live", "call_id", "agent_id", unique=True,
              postgresql_where=text(_LIVE_SQL), sqlite_where=text(_LIVE_SQL)),
        Index("ix_allies_signups_call_status", "call_id", "status", "submitted_at"),
        # The requests waiting for a manager, in the order the inboxes read them (a small part of all sign-ups).
        Index("ix_allies_signups_pending_manager", "submitted_at", "id",
              postgresql_where=text(_PENDING_SQL), sqlite_where=text(_PENDING_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("allies_calls.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"), index=True)
    status: Mapped[SignUpStatus] = mapped_column(stored_enum(SignUpStatus, "known_status"))
    motivation: Mapped[str] = mapped_column(Text, default="")
    availability: Mapped[str] = mapped_column(Text, default="")
    hours_asked: Mapped[float] = mapped_column(Numeric(7, 2))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # When the manager was asked to decide: at sign-up, or when promoted from the waiting list.
    manager_asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decline_reason: Mapped[str] = mapped_column(Text, default="")

    call: Mapped[Call] = relationship()
    agent: Mapped[User] = relationship()
    answers: Mapped[list["Answer"]] = relationship(back_populates="signup", cascade="all, delete-orphan",
                                                   order_by="Answer.position")

    @property
    def is_live(self):
        """Pending, waitlisted or approved."""
        return self.status in SignUpStatus.LIVE

    @property
    def holds_place(self):
        """Whether this sign-up counts against the call's capacity."""
        return self.status in SignUpStatus.HOLDING

    def can_withdraw(self, user):
        """Only its agent withdraws a live sign-up."""
        return user is not None and user.id == self.agent_id and self.is_live


class Answer(Model):
    """The answer to one question, with the question's label as it was asked."""

    __tablename__ = "allies_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("allies_signups.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("allies_questions.id", ondelete="SET NULL"))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    # A string, a number, a date (ISO), true/false, or a list of choices.
    value: Mapped[object] = mapped_column(JSON)

    signup: Mapped[SignUp] = relationship(back_populates="answers")
    question: Mapped[Question | None] = relationship()
