"""Requests waiting for a manager's decision."""

from datetime import date

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..database import session
from ..directory.models import User
from ..budgets.models import Allocation
from .models import Delegation, RequestReminder
from ..signups.models import SignUp


def allocated_this_year(agent_ids, year=None):
    """{agent id: hours allocated} over allocations starting in the year (one query)."""
    year = year or date.today().year
    rows = session.execute(select(Allocation.agent_id, func.sum(Allocation.hours))
                           .where(Allocation.agent_id.in_(agent_ids),
                                  Allocation.start_date.between(date(year, 1, 1), date(year, 12, 31)))
                           .group_by(Allocation.agent_id))
    return dict(rows.all())


def managers_deputised_by(user, day=None):
    """Ids of the managers whose deputy `user` is on `day` (today by default)."""
    day = day or date.today()
    return session.execute(select(Delegation.manager_id).where(
        Delegation.deputy_id == user.id, Delegation.revoked_at.is_(None), Delegation.start_date <= day,
        Delegation.end_date >= day)).scalars().all()


def delegations_of(manager):
    """The manager's delegations not revoked and not over, soonest first."""
    return session.execute(select(Delegation).where(
        Delegation.manager_id == manager.id, Delegation.revoked_at.is_(None), Delegation.end_date >= date.today())
        .options(selectinload(Delegation.deputy)).order_by(Delegation.start_date)).scalars().all()


def escalated_to(user):
    """Ids of the pending requests escalated to `user` (the manager of their agent's manager)."""
    return set(session.execute(select(RequestReminder.signup_id).where(
        RequestReminder.kind == "escalation", RequestReminder.recipient_id == user.id)).scalars())


def pending_for(manager):
    """Requests waiting for this approver: their direct reports', those of managers they deputise for,
    and those escalated to them."""
    managers = [manager.id, *managers_deputised_by(manager)]
    mine = [User.manager_id.in_(managers), SignUp.id.in_(escalated_to(manager))]
    if manager.has_role(current_app.config["ALLIES_FALLBACK_APPROVER_ROLE"]):
        mine.append(User.manager_id.is_(None))
    query = (select(SignUp).join(SignUp.agent).where(or_(*mine), User.id != manager.id,
                                                     SignUp.status == "pending_manager")
             .options(selectinload(SignUp.call), selectinload(SignUp.agent).selectinload(User.org_unit))
             .order_by(SignUp.submitted_at, SignUp.id))
    return session.execute(query).scalars().all()
