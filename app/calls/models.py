"""Calls for volunteers and their own questions."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, Date, ForeignKey, Integer, Numeric, String, Table, Text
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..clock import utcnow
from ..database import Model, UtcDateTime, stored_enum
from ..directory.models import OrgUnit, User
from ..enums import TitledEnum
from ..text import folded

CHOICE_KINDS = ("single_choice", "multiple_choice")


class CallStatus(TitledEnum):
    """Where a call stands: written, open to sign-ups, closed to them, or archived (frozen)."""

    DRAFT = "draft", _l("Draft")
    PUBLISHED = "published", _l("Open")
    CLOSED = "closed", _l("Closed")
    ARCHIVED = "archived", _l("Archived")


call_audience = Table(
    "allies_call_audience",
    Model.metadata,
    Column("call_id", ForeignKey("allies_calls.id", ondelete="CASCADE"), primary_key=True),
    Column("org_unit_id", ForeignKey("allies_org_units.id"), primary_key=True),
)


class Call(Model):
    """A call for volunteers: what, for whom, how much time, how many places, until when."""

    __tablename__ = "allies_calls"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        # The last guard of fairness: places held never exceed capacity, whatever the code does.
        CheckConstraint("held_places >= 0 AND (capacity IS NULL OR held_places <= capacity)", name="places_held"),
        CheckConstraint("commitment_kind IN ('percent', 'hours_per_month', 'days_per_month', 'total_hours')",
                        name="known_commitment"),
        CheckConstraint("end_date >= start_date", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    # Title and summary folded (case, accents), for searching.
    search_text: Mapped[str] = mapped_column(String(710), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CallStatus] = mapped_column(stored_enum(CallStatus, "known_status"), default=CallStatus.DRAFT,
                                               index=True)
    capacity: Mapped[int | None] = mapped_column(Integer)
    held_places: Mapped[int] = mapped_column(Integer, default=0)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    audience_all: Mapped[bool] = mapped_column(Boolean, default=True)
    commitment_kind: Mapped[str] = mapped_column(String(20))
    commitment_value: Mapped[float] = mapped_column(Numeric(8, 2))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    needs_manager_agreement: Mapped[bool] = mapped_column(Boolean, default=True)
    contact: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("allies_users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    audience_units: Mapped[list[OrgUnit]] = relationship(secondary=call_audience, order_by=OrgUnit.path_key)
    questions: Mapped[list["Question"]] = relationship(back_populates="call", order_by="Question.position",
                                                       cascade="all, delete-orphan")
    created_by: Mapped[User | None] = relationship()

    @validates("title", "summary")
    def _refresh_search_text(self, key, value):
        parts = {"title": self.title or "", "summary": self.summary or "", key: value or ""}
        self.search_text = folded(f"{parts['title']} | {parts['summary']}")
        return value

    @property
    def active_questions(self):
        """The questions agents answer now (removed ones stay for the answers already given)."""
        return [question for question in self.questions if not question.removed]

    @property
    def places_left(self):
        """Free places, or None when the call has no capacity."""
        return None if self.capacity is None else self.capacity - self.held_places

    def has_free_place(self):
        """Whether a new sign-up would hold a place."""
        return self.capacity is None or self.held_places < self.capacity

    def deadline_passed(self, now=None):
        """Whether the deadline is behind us."""
        return (now or utcnow()) >= self.deadline

    @property
    def is_open(self):
        """Published and before its deadline: agents can sign up."""
        return self.status == CallStatus.PUBLISHED and not self.deadline_passed()

    @property
    def shown_status(self):
        """The status people see: a published call past its deadline is closed, even before the nightly job."""
        return CallStatus.CLOSED if self.status == CallStatus.PUBLISHED and self.deadline_passed() else self.status

    def can_edit(self):
        """Drafts, published and closed calls can be edited; archives are frozen."""
        return self.status != CallStatus.ARCHIVED

    @property
    def fills_from_waitlist(self):
        """Whether a freed place goes to the waiting list: published or closed calls, not archives."""
        return self.status in (CallStatus.PUBLISHED, CallStatus.CLOSED)

    def can_be_read_by(self, agent):
        """Whether the agent may read the call's page: published or closed, and meant for them."""
        return (agent is not None and self.status in (CallStatus.PUBLISHED, CallStatus.CLOSED)
                and self.is_meant_for(agent))

    def is_meant_for(self, agent):
        """Whether the call is for the agent: everyone, or the agent's unit is one of its units or below."""
        if self.audience_all:
            return True
        if agent.org_unit is None:
            return False
        return any(agent.org_unit.is_within(unit.path_key) for unit in self.audience_units)



class Question(Model):
    """One question of a call's own form."""

    __tablename__ = "allies_questions"
    __table_args__ = (
        CheckConstraint("kind IN ('short_text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no', "
                        "'number', 'date')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("allies_calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(String(500), default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    choices: Mapped[list] = mapped_column(JSON, default=list)
    min_value: Mapped[float | None] = mapped_column(Numeric(12, 2))
    max_value: Mapped[float | None] = mapped_column(Numeric(12, 2))
    # A question removed once answered stays, hidden from the form, so the answers keep their meaning.
    removed: Mapped[bool] = mapped_column(Boolean, default=False)

    call: Mapped[Call] = relationship(back_populates="questions")
