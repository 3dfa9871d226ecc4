"""Requests waiting for a manager's decision."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..database import session
from ..directory.models import User
from ..budgets.models import Allocation
from ..signups.models import SignUp


def allocated_this_year(agent_ids, year=None):
    """{agent id: hours allocated} over allocations starting in the year (one query)."""
    year = year or date.today().year
    rows = session.execute(select(Allocation.agent_id, func.sum(Allocation.hours))
                           .where(Allocation.agent_id.in_(agent_ids),
                                  Allocation.start_date.between(date(year, 1, 1), date(year, 12, 31)))
                           .group_by(Allocation.agent_id))
    return dict(rows.all())


def pending_for(manager):
    """Sign-ups of the manager's direct reports waiting for a decision, oldest first."""
    query = (select(SignUp).join(SignUp.agent).where(User.manager_id == manager.id,
                                                     SignUp.status == "pending_manager")
             .options(selectinload(SignUp.call), selectinload(SignUp.agent).selectinload(User.org_unit))
             .order_by(SignUp.submitted_at, SignUp.id))
    return session.execute(query).scalars().all()
