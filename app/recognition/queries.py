"""What an attestation states, read from the validated figures only: allocations the manager agreed to and the time
logged in closed months; never the motivation nor the answers to a call's questions."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from ..budgets.models import Allocation, TimeEntry
from ..budgets.queries import hours_between
from ..budgets.working_time import working_hours
from ..database import session
from ..signups.models import SignUp, SignUpStatus
from ..calls.models import Call
from .models import Attestation, Badge, BadgeKind, Testimonial, ThankYouLetter


@dataclass
class ParticipationLine:
    """One call the agent gave time to in the period, as the attestation writes it."""

    title: str
    first_day: date
    last_day: date
    hours_agreed: Decimal
    hours_logged: Decimal
    share: Decimal


def participation_lines(agent, first_day, last_day, closed_before):
    """The agent's allocations touching the period, soonest first, with the hours agreed that fall in the period
    (spread evenly over each allocation) and the hours logged in its closed months (days before `closed_before`);
    the share is of the agent's working time over the period. A sign-up that ended with no time logged is left
    out (two queries)."""
    allocations = session.execute(
        select(Allocation).where(Allocation.agent_id == agent.id, Allocation.start_date <= last_day,
                                 Allocation.end_date >= first_day)
        .options(selectinload(Allocation.signup).selectinload(SignUp.call))
        .order_by(Allocation.start_date, Allocation.id)).scalars().all()
    logged = dict(session.execute(
        select(TimeEntry.allocation_id, func.sum(TimeEntry.hours))
        .where(TimeEntry.allocation_id.in_([allocation.id for allocation in allocations]),
               TimeEntry.day.between(first_day, last_day), TimeEntry.day < closed_before)
        .group_by(TimeEntry.allocation_id)).all())
    working = working_hours(agent.quotity, first_day, last_day)
    lines = []
    for allocation in allocations:
        hours = Decimal(logged.get(allocation.id) or 0)
        if allocation.signup.status != SignUpStatus.APPROVED and not hours:
            continue  # a sign-up that ended before any time was given attests nothing
        agreed = hours_between(allocation.hours, allocation.start_date, allocation.end_date, first_day, last_day)
        lines.append(ParticipationLine(allocation.signup.call.title, max(allocation.start_date, first_day),
                                       min(allocation.end_date, last_day), agreed.quantize(Decimal("0.01")),
                                       hours, hours / working if working else Decimal(0)))
    return lines


def attestations_of(agent):
    """The agent's attestations, newest first."""
    return session.execute(select(Attestation).where(Attestation.agent_id == agent.id)
                           .order_by(Attestation.issued_at.desc(), Attestation.id.desc())).scalars().all()


def attestation_numbered(number):
    """The attestation with this number, or None."""
    return session.execute(select(Attestation).where(Attestation.number == number)).scalar_one_or_none()


@dataclass
class ShownBadge:
    """A badge as pages show it: its kind, when it was earned, and who gave it (None: a rule)."""

    kind: BadgeKind
    earned_on: date
    awarded_by: object = None
    note: str = ""


def badges_of(agent):
    """The agent's badges, oldest first: « Première mission » from the start of the first call agreed that is still
    running or had time given (a rule), then those the lab gave (two queries)."""
    given = exists().where(TimeEntry.allocation_id == Allocation.id)
    first = session.execute(select(func.min(Allocation.start_date)).join(Allocation.signup)
                            .where(Allocation.agent_id == agent.id,
                                   (SignUp.status == SignUpStatus.APPROVED) | given)).scalar_one_or_none()
    shown = [ShownBadge(BadgeKind.FIRST_MISSION, first)] if first is not None else []
    given = session.execute(select(Badge).where(Badge.agent_id == agent.id).options(selectinload(Badge.awarded_by))
                            .order_by(Badge.awarded_at, Badge.id)).scalars()
    shown += [ShownBadge(BadgeKind(badge.kind), badge.awarded_at.date(), badge.awarded_by, badge.note)
              for badge in given]
    return shown


def letters_of(agent):
    """The thank-you letters the agent received, newest first."""
    return session.execute(select(ThankYouLetter).where(ThankYouLetter.agent_id == agent.id)
                           .options(selectinload(ThankYouLetter.written_by))
                           .order_by(ThankYouLetter.written_at.desc(), ThankYouLetter.id.desc())).scalars().all()


def shown_badges(agent):
    """The agent's badges as their profile shows them: only if they agreed, else none."""
    return badges_of(agent) if agent.shows_badges else []


def calls_given_time(agent):
    """The calls the agent had time agreed for, by title: what a testimonial may be about."""
    return session.execute(select(Call).join(SignUp, SignUp.call_id == Call.id)
                           .join(Allocation, Allocation.signup_id == SignUp.id)
                           .where(Allocation.agent_id == agent.id).distinct().order_by(Call.title)).scalars().all()


def testimonials_of(agent, published_only=False):
    """The testimonials on the agent, newest first; only those both their author and the agent agreed to
    publish, if asked."""
    query = (select(Testimonial).where(Testimonial.agent_id == agent.id).options(selectinload(Testimonial.call))
             .order_by(Testimonial.written_at.desc(), Testimonial.id.desc()))
    if published_only:
        query = query.where(Testimonial.author_agreed.is_(True), Testimonial.agent_agreed.is_(True))
    return session.execute(query).scalars().all()
