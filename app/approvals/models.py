"""The decisions managers take on the time their agents ask for."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Model
from ..directory.models import User, utcnow
from ..signups.models import SignUp


class Decision(Model):
    """Who decided what on a request, when and why (approved hours, or the reason of a refusal)."""

    __tablename__ = "allies_decisions"
    __table_args__ = (CheckConstraint("outcome IN ('approved', 'refused')", name="known_outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("allies_signups.id"), index=True)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    hours_asked: Mapped[float] = mapped_column(Numeric(7, 2))
    hours_agreed: Mapped[float | None] = mapped_column(Numeric(7, 2))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    signup: Mapped[SignUp] = relationship()
    decided_by: Mapped[User] = relationship()
