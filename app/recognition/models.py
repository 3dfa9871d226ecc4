"""Attestations of participation, badges, thank-you letters and testimonials."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..calls.models import Call
from ..clock import utcnow
from ..database import Model, UtcDateTime
from ..directory.models import User
from ..enums import TitledEnum


class Attestation(Model):
    """An attestation an agent downloaded: its number and the SHA-256 of its PDF, so that anyone holding it can check
    that it is genuine and not revoked; never its content."""

    __tablename__ = "allies_attestations"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    locale: Mapped[str] = mapped_column(String(5))
    sha256: Mapped[str] = mapped_column(String(64), default="")
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("allies_users.id"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    agent: Mapped[User] = relationship(foreign_keys=[agent_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])


class BadgeKind(TitledEnum):
    """A step in an agent's participation; none is a score."""

    FIRST_MISSION = "first_mission", _l("First mission")
    BRIGADE = "brigade", _l("Brigade member")
    FACILITATOR = "facilitator", _l("Facilitator")
    PIONEER = "pioneer", _l("Pioneer")
    TRAINER = "trainer", _l("Trainer")


# The badge a rule gives, from the first time agreed to a call; the others, the lab gives.
BY_RULE = (BadgeKind.FIRST_MISSION,)


class Badge(Model):
    """A badge an agent holds, given by a rule (`awarded_by` None) or by a lab member; one of each kind."""

    __tablename__ = "allies_badges"
    __table_args__ = (
        UniqueConstraint("agent_id", "kind", name="uq_allies_badges_agent_kind"),
        CheckConstraint("kind IN ('first_mission', 'brigade', 'facilitator', 'pioneer', 'trainer')",
                        name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    awarded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("allies_users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    agent: Mapped[User] = relationship(foreign_keys=[agent_id])
    awarded_by: Mapped[User | None] = relationship(foreign_keys=[awarded_by_id])

    @property
    def title(self):
        return BadgeKind(self.kind).title


class ThankYouLetter(Model):
    """A « Merci » from the lab to an agent, optionally co-signed by a director; the agent may forward it to their
    manager from Alliés."""

    __tablename__ = "allies_thank_you_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"), index=True)
    written_by_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"))
    body: Mapped[str] = mapped_column(Text)
    co_signed_by: Mapped[str] = mapped_column(String(200), default="")
    written_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    forwarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The manager the agent sent it to: they may read it, whoever manages the agent later.
    forwarded_to_id: Mapped[int | None] = mapped_column(ForeignKey("allies_users.id"))

    agent: Mapped[User] = relationship(foreign_keys=[agent_id])
    written_by: Mapped[User] = relationship(foreign_keys=[written_by_id])


class Testimonial(Model):
    """A partner's or the lab's words on what an agent did in a call, entered by the lab; published (on the agent's
    attestation and the lab's view of their sign-ups) only once its author and the agent both agreed."""

    __tablename__ = "allies_testimonials"
    __table_args__ = (CheckConstraint("author_kind IN ('lab', 'partner')", name="known_author_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("allies_calls.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    author_kind: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    # The lab records that the author agreed to publication; the agent says so themself.
    author_agreed: Mapped[bool] = mapped_column(Boolean, default=False)
    agent_agreed: Mapped[bool] = mapped_column(Boolean, default=False)
    written_by_id: Mapped[int] = mapped_column(ForeignKey("allies_users.id"))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    agent: Mapped[User] = relationship(foreign_keys=[agent_id])
    call: Mapped[Call] = relationship()
    written_by: Mapped[User] = relationship(foreign_keys=[written_by_id])

    @property
    def published(self):
        """Whether both its author and the agent agreed."""
        return self.author_agreed and self.agent_agreed
