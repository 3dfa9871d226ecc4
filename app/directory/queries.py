"""Reading the directory: the admin pages, and who decides for an agent or hears from the lab's mailbox."""

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..database import session
from ..mail.models import MailPreference
from ..text import folded
from .models import OrgUnit, RoleGrant, User


def search_users(q="", role="", status="active", unit=""):
    """A select of users matching the admin's filters, sorted by name, with what the list shows preloaded."""
    query = select(User).options(selectinload(User.org_unit), selectinload(User.manager),
                                 selectinload(User.role_grants))
    if q:
        query = query.where(User.search_text.contains(folded(q.strip()), autoescape=True))
    if role:
        query = query.where(User.role_grants.any(RoleGrant.role == role))
    if status in ("active", "inactive"):
        query = query.where(User.active.is_(status == "active"))
    if unit:
        query = query.join(User.org_unit).where(in_unit(unit))
    return query.order_by(User.sort_name, User.id)


def in_unit(path):
    """Condition on OrgUnit: the unit at `path` (typed as people type it) or one of its sub-units."""
    return OrgUnit.is_within(folded("/".join(segment.strip() for segment in path.strip().strip("/").split("/"))))


def units_in_tree_order():
    """Every org unit, in tree order (the audience choices of the call form)."""
    return session.execute(select(OrgUnit).order_by(OrgUnit.path_key)).scalars().all()


def org_units_with_counts(q=""):
    """Org units in tree order with their number of active agents (sub-units not included)."""
    counts = (select(User.org_unit_id, func.count(User.id).label("agents")).where(User.active.is_(True))
              .group_by(User.org_unit_id).subquery())
    query = (select(OrgUnit, func.coalesce(counts.c.agents, 0))
             .outerjoin(counts, counts.c.org_unit_id == OrgUnit.id).order_by(OrgUnit.path_key))
    if q:
        query = query.where(OrgUnit.path_key.contains(folded(q.strip()), autoescape=True))
    return session.execute(query).all()


def direct_reports(user, active_only=False):
    """The user's direct reports, active first, by name."""
    query = (select(User).where(User.manager_id == user.id).options(selectinload(User.org_unit))
             .order_by(User.active.desc(), User.sort_name))
    if active_only:
        query = query.where(User.active.is_(True))
    return session.execute(query).scalars().all()


def approvers_of(agent):
    """Who is asked to decide on the agent's requests: the active manager, or, without a manager in the
    directory, the active holders of the fallback role (ALLIES_FALLBACK_APPROVER_ROLE)."""
    if agent.manager is not None:
        return [agent.manager] if agent.manager.active else []
    role = current_app.config["ALLIES_FALLBACK_APPROVER_ROLE"]
    return session.execute(select(User).where(User.active.is_(True), User.id != agent.id,
                                              User.role_grants.any(role=role))).scalars().all()


def lab_members(daily_digest):
    """Active lab members who chose the daily digest (True) or a mail per sign-up (False)."""
    choice = MailPreference.daily_digest.is_(True) if daily_digest else MailPreference.daily_digest.is_not(True)
    query = (select(User).where(User.active.is_(True), User.role_grants.any(role="lab"))
             .outerjoin(MailPreference, MailPreference.user_id == User.id).where(choice))
    return session.execute(query).scalars().all()
