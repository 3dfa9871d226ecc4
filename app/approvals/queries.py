"""Requests waiting for a manager's decision."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..database import session
from ..directory.models import User
from ..signups.models import SignUp


def pending_for(manager):
    """Sign-ups of the manager's direct reports waiting for a decision, oldest first."""
    query = (select(SignUp).join(SignUp.agent).where(User.manager_id == manager.id,
                                                     SignUp.status == "pending_manager")
             .options(selectinload(SignUp.call), selectinload(SignUp.agent).selectinload(User.org_unit))
             .order_by(SignUp.submitted_at, SignUp.id))
    return session.execute(query).scalars().all()
