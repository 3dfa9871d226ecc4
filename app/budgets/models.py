"""Time budgets: the hours a manager agreed to over a period, the time logged against them, and the
extensions asked for."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..database import Model, UtcDateTime, stored_enum
from ..directory.models import User
from ..enums import TitledEnum
from ..signups.models import SignUp, SignUpStatus


class ExtensionStatus(TitledEnum):
    """Where an extension stands: waiting for the manager, agreed, refused, or cancelled with its sign-up."""

    PENDING = "pending", _l("Waiting for the manager")
    APPROVED = "approved", _l("Agreed")
    REFUSED = "refused", _l("Refused")
    CANCELLED = "cancelled", _l("Cancelled")


_PENDING_SQL = f"status = '{ExtensionStatus.PENDING}'"


class Allocation(Model):
    """The time an approved volunteer may give to a call: hours between a start and an end."""

    __tablename__ = "allies_allocations"
    __table_args__ = (CheckConstraint("hours > 0", name="hours_positive"),
                      CheckConstraint("end_date >= start_date", name="period_order"))

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("allies_signups.id"), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"), index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    signup: Mapped[SignUp] = relationship()
    agent: Mapped[User] = relationship()

    @property
    def is_running(self):
        """Whether the sign-up is still approved: a withdrawn or declined one has ended its allocation."""
        return self.signup.status == SignUpStatus.APPROVED

    def covers(self, day):
        """Whether `day` falls inside the allocation's period."""
        return self.start_date <= day <= self.end_date


class TimeEntry(Model):
    """Hours a volunteer gave on a day, against one of their allocations."""

    __tablename__ = "allies_time_entries"
    __table_args__ = (CheckConstraint("hours > 0 AND hours <= 24", name="hours_in_a_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allies_allocations.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    allocation: Mapped[Allocation] = relationship()


class Extension(Model):
    """A volunteer asks for more hours or a later end; the manager decides as on a new request. An extension
    still pending when the sign-up ends is cancelled."""

    __tablename__ = "allies_extensions"
    __table_args__ = (
        CheckConstraint("extra_hours >= 0", name="extra_hours_not_negative"),
        # One pending extension per allocation at a time.
        Index("uq_allies_extensions_pending", "allocation_id", unique=True,
              postgresql_where=text(_PENDING_SQL), sqlite_where=text(_PENDING_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allies_allocations.id"), index=True)
    extra_hours: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=Decimal(0))
    new_end_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ExtensionStatus] = mapped_column(stored_enum(ExtensionStatus, "known_status"),
                                                    default=ExtensionStatus.PENDING)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    allocation: Mapped[Allocation] = relationship()
