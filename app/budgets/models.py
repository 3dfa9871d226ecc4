"""Time budgets: the hours a manager agreed to, over a period."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Numeric
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Model
from ..directory.models import User, utcnow
from ..signups.models import SignUp


class Allocation(Model):
    """The time an approved volunteer may give to a call: hours between a start and an end."""

    __tablename__ = "allies_allocations"
    __table_args__ = (CheckConstraint("hours > 0", name="hours_positive"),
                      CheckConstraint("end_date >= start_date", name="period_order"))

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("allies_signups.id"), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"), index=True)
    hours: Mapped[float] = mapped_column(Numeric(7, 2))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    signup: Mapped[SignUp] = relationship()
    agent: Mapped[User] = relationship()
