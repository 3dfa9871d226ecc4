"""Reading sign-ups: an agent's own, a call's for the lab, a sign-up's history."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..audit.models import AuditEntry
from ..database import session
from ..directory.models import OrgUnit, User
from ..text import folded
from .models import SignUp, SignUpStatus


def waitlist_ranks(call_ids):
    """{sign-up id: rank} of the waitlisted sign-ups of these calls, by submission order (one query)."""
    rank = func.row_number().over(partition_by=SignUp.call_id, order_by=(SignUp.submitted_at, SignUp.id))
    rows = session.execute(select(SignUp.id, rank).where(SignUp.call_id.in_(call_ids),
                                                         SignUp.status == SignUpStatus.WAITLISTED))
    return dict(rows.all())


def signups_of_agent(agent):
    """The agent's sign-ups, newest first, with their calls (a query to paginate or read whole)."""
    return (select(SignUp).where(SignUp.agent_id == agent.id).options(selectinload(SignUp.call))
            .order_by(SignUp.submitted_at.desc(), SignUp.id.desc()))


def latest_signup(agent, call_id):
    """The agent's most recent sign-up to the call, whatever its status, or None."""
    return session.execute(select(SignUp).where(SignUp.agent_id == agent.id, SignUp.call_id == call_id)
                           .order_by(SignUp.submitted_at.desc(), SignUp.id.desc()).limit(1)).scalar_one_or_none()


def signup_state(agent, call_id):
    """(the status of the agent's live sign-up to the call, or None; their latest sign-up when none is live, or
    None), in one query: a live sign-up is always the agent's latest to the call."""
    latest = latest_signup(agent, call_id)
    if latest is not None and latest.is_live:
        return latest.status, None
    return None, latest


def signups_of_call(call, status="", unit="", q=""):
    """The call's sign-ups in submission order, filtered as the lab asks, with agents and answers loaded (a query
    to paginate or read whole)."""
    query = (select(SignUp).where(SignUp.call_id == call.id)
             .options(selectinload(SignUp.agent).selectinload(User.org_unit), selectinload(SignUp.answers))
             .order_by(SignUp.submitted_at, SignUp.id))
    if status:
        query = query.where(SignUp.status == status)
    if unit or q:
        query = query.join(SignUp.agent)
    if unit:
        unit = folded(unit.strip().strip("/"))
        query = query.join(User.org_unit).where(or_(OrgUnit.path_key == unit,
                                                    OrgUnit.path_key.startswith(unit + "/", autoescape=True)))
    if q:
        query = query.where(User.search_text.contains(folded(q.strip()), autoescape=True))
    return query


def history(signup):
    """The audit entries about a sign-up, oldest first."""
    query = (select(AuditEntry).where(AuditEntry.object_type == "SignUp", AuditEntry.object_id == signup.id)
             .options(selectinload(AuditEntry.actor)).order_by(AuditEntry.at, AuditEntry.id))
    return session.execute(query).scalars().all()
