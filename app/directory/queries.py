"""Reading the directory for the admin pages."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..database import session
from .models import OrgUnit, RoleGrant, User


def search_users(q="", role="", status="active", unit=""):
    """A select of users matching the admin's filters, sorted by name, with what the list shows preloaded."""
    query = select(User).options(selectinload(User.org_unit), selectinload(User.manager),
                                 selectinload(User.role_grants))
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(User.login).like(pattern), func.lower(User.email).like(pattern),
                                func.lower(User.given_name + " " + User.family_name).like(pattern),
                                func.lower(User.family_name + " " + User.given_name).like(pattern)))
    if role:
        query = query.where(User.role_grants.any(RoleGrant.role == role))
    if status in ("active", "inactive"):
        query = query.where(User.active.is_(status == "active"))
    if unit:
        query = query.join(User.org_unit).where(or_(OrgUnit.path == unit, OrgUnit.path.startswith(unit + "/")))
    return query.order_by(User.family_name, User.given_name, User.id)


def org_units_with_counts(q=""):
    """Org units in tree order with their number of active agents (sub-units not included)."""
    counts = (select(User.org_unit_id, func.count(User.id).label("agents")).where(User.active.is_(True))
              .group_by(User.org_unit_id).subquery())
    query = (select(OrgUnit, func.coalesce(counts.c.agents, 0))
             .outerjoin(counts, counts.c.org_unit_id == OrgUnit.id).order_by(OrgUnit.path))
    if q:
        query = query.where(func.lower(OrgUnit.path).like(f"%{q.strip().lower()}%"))
    return session.execute(query).all()


def direct_reports(user):
    """The user's direct reports, active first, by name."""
    query = (select(User).where(User.manager_id == user.id).options(selectinload(User.org_unit))
             .order_by(User.active.desc(), User.family_name, User.given_name))
    return session.execute(query).scalars().all()
