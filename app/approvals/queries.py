"""Requests waiting for a manager's decision, and what the manager reads to decide."""

import hmac
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..budgets.models import Allocation, Extension, ExtensionStatus
from ..budgets.queries import allocations_of, budgets, hours_in_year
from ..budgets.working_time import working_hours
from ..clock import local_today
from ..database import session
from ..directory.models import User
from ..directory.queries import search_users
from ..hashing import secret_hash
from ..mail.models import LinkToken
from ..signups.models import SignUp, SignUpStatus
from .models import Decision, DecisionKind, DecisionLink, DecisionOutcome, Delegation, RequestReminder

# A link secret as the mail worker mints it: 256 bits in URL-safe base64, 43 characters.
SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def allocated_this_year(agent_ids, year=None):
    """{agent id: hours allocated} over allocations starting in the year (one query)."""
    year = year or local_today().year
    rows = session.execute(select(Allocation.agent_id, func.sum(Allocation.hours))
                           .where(Allocation.agent_id.in_(agent_ids),
                                  Allocation.start_date.between(date(year, 1, 1), date(year, 12, 31)))
                           .group_by(Allocation.agent_id))
    return dict(rows.all())


@dataclass
class TimeGiven:
    """An agent's allocations touching a year, with what was used, and the hours agreed that fall in the year
    against the agent's working time in it."""

    year: int
    budgets: list
    hours: Decimal
    working_hours: Decimal

    @property
    def share(self):
        """The hours agreed in the year as a fraction of the agent's working time in the year."""
        return self.hours / self.working_hours if self.working_hours else Decimal(0)


def time_given(agent, year):
    """What the agent already gives over the year (four queries, however many allocations)."""
    year_budgets = budgets(allocations_of(agent, year))
    return TimeGiven(year, year_budgets, sum((hours_in_year(b.allocation, year) for b in year_budgets), Decimal(0)),
                     working_hours(agent.quotity, date(year, 1, 1), date(year, 12, 31)))


def refusals_of(signup_ids):
    """{sign-up id: the manager's refusal of it}, with who decided and for whom (one query and their names)."""
    rows = session.execute(select(Decision).where(Decision.signup_id.in_(list(signup_ids)),
                                                  Decision.kind == DecisionKind.REQUEST,
                                                  Decision.outcome == DecisionOutcome.REFUSED)
                           .options(selectinload(Decision.decided_by), selectinload(Decision.on_behalf_of)))
    return {decision.signup_id: decision for decision in rows.scalars()}


def _deputised_managers(user, day=None):
    """The ids of the managers whose deputy `user` is on `day` (today by default), as a query."""
    day = day or local_today()
    return select(Delegation.manager_id).where(Delegation.deputy_id == user.id, Delegation.covers(day))


def delegations_covering(manager, day):
    """The manager's delegations in force on `day`, with their deputies."""
    return session.execute(select(Delegation).where(Delegation.manager_id == manager.id, Delegation.covers(day))
                           .options(joinedload(Delegation.deputy))).scalars().all()


def delegations_of_deputy(deputy, day):
    """The delegations in force on `day` in which `deputy` stands in for a manager."""
    return session.execute(select(Delegation).where(Delegation.deputy_id == deputy.id, Delegation.covers(day))
                           ).scalars().all()


def managers_deputised_by(user, day=None):
    """Ids of the managers whose deputy `user` is on `day` (today by default)."""
    return session.execute(_deputised_managers(user, day)).scalars().all()


def delegations_of(manager):
    """The manager's delegations not revoked and not over, soonest first."""
    return session.execute(select(Delegation).where(
        Delegation.manager_id == manager.id, Delegation.revoked_at.is_(None), Delegation.end_date >= local_today())
        .options(selectinload(Delegation.deputy)).order_by(Delegation.start_date)).scalars().all()


def _escalations_to(user):
    """The ids of the requests escalated to `user` (the manager of their agent's manager), as a query."""
    return select(RequestReminder.signup_id).where(RequestReminder.kind == "escalation",
                                                   RequestReminder.recipient_id == user.id)


def escalated_to(user):
    """Ids of the pending requests escalated to `user` (the manager of their agent's manager)."""
    return set(session.execute(_escalations_to(user)).scalars())


def may_be_asked(user):
    """Whether requests may wait for `user` though they have no team and deputise for nobody: they hold the fallback
    approver role, or a request was escalated to them (one query at most)."""
    if user.has_role(current_app.config["ALLIES_FALLBACK_APPROVER_ROLE"]):
        return True
    return session.execute(select(_escalations_to(user).exists())).scalar()


def _decided_by(approver, escalated=True):
    """Condition on the agent (User) and the request (SignUp) of what this approver decides on: their direct
    reports', those of managers they deputise for, those escalated to them (while `escalated` requests count:
    an escalation ends with the request), and, for the fallback role, those of agents without a manager."""
    # Delegations and escalations are read inside the query that uses them, not by queries of their own.
    mine = [User.manager_id == approver.id, User.manager_id.in_(_deputised_managers(approver))]
    if escalated:
        mine.append(SignUp.id.in_(_escalations_to(approver)))
    if approver.has_role(current_app.config["ALLIES_FALLBACK_APPROVER_ROLE"]):
        mine.append(User.manager_id.is_(None))
    return or_(*mine) & (User.id != approver.id)


def pending_extensions_for(approver):
    """Extension requests waiting for this approver, oldest first, a query to paginate or read whole (an escalation
    ended with the original request: the manager's manager does not decide on its extensions)."""
    query = (select(Extension).join(Extension.allocation).join(Allocation.signup).join(Allocation.agent)
             .where(_decided_by(approver, escalated=False), Extension.status == ExtensionStatus.PENDING)
             .options(selectinload(Extension.allocation).selectinload(Allocation.agent).selectinload(User.org_unit),
                      selectinload(Extension.allocation).selectinload(Allocation.signup).selectinload(SignUp.call))
             .order_by(Extension.submitted_at, Extension.id))
    return query


def decisions_of(approver):
    """The decisions the approver took, or that were taken for them, newest first (a query to paginate)."""
    return (select(Decision).where(or_(Decision.decided_by_id == approver.id, Decision.on_behalf_of_id == approver.id))
            .options(selectinload(Decision.signup).selectinload(SignUp.call),
                     selectinload(Decision.signup).selectinload(SignUp.agent),
                     selectinload(Decision.decided_by), selectinload(Decision.on_behalf_of))
            .order_by(Decision.decided_at.desc(), Decision.id.desc()))


def pending_for(manager, with_units=False):
    """Requests waiting for this approver (see `_decided_by`), oldest first, with their calls and agents read in the
    same query (and the agents' org units, for those who show them): a query to paginate or filter."""
    agents = contains_eager(SignUp.agent)
    return (select(SignUp).join(SignUp.agent).where(_decided_by(manager), SignUp.status == SignUpStatus.PENDING_MANAGER)
            .options(joinedload(SignUp.call), agents.selectinload(User.org_unit) if with_units else agents)
            .order_by(SignUp.submitted_at, SignUp.id))


def deputy_candidates(manager, q, limit=20):
    """Active people whose name, login or e-mail holds `q` (accents and case aside), the manager aside, by name."""
    if not q.strip():
        return []
    query = search_users(q, status="active").where(User.id != manager.id).limit(limit)
    return session.execute(query).scalars().all()


def link_for_secret(secret):
    """The decision link whose secret this is, with its request, agent and approver; None for a forged, truncated
    or unknown one (the hash is looked up, then compared in constant time)."""
    if not SECRET_SHAPE.fullmatch(secret or ""):
        return None
    wanted = secret_hash(secret)
    link = session.execute(
        select(DecisionLink).join(DecisionLink.token).where(LinkToken.token_hash == wanted)
        .options(contains_eager(DecisionLink.token), joinedload(DecisionLink.approver),
                 joinedload(DecisionLink.signup).joinedload(SignUp.agent), joinedload(DecisionLink.extension))
    ).scalar_one_or_none()
    if link is None or not hmac.compare_digest(link.token.token_hash, wanted):
        return None
    return link


def last_decision_on(request):
    """The latest decision taken on a request (a sign-up's or an extension's), with who took it; None if none."""
    if isinstance(request, Extension):
        condition = Decision.extension_id == request.id
    else:
        condition = (Decision.signup_id == request.id) & (Decision.kind == DecisionKind.REQUEST)
    return session.execute(select(Decision).where(condition).order_by(Decision.decided_at.desc(), Decision.id.desc())
                           .limit(1).options(joinedload(Decision.decided_by))).scalar_one_or_none()


def escalation_of(signup):
    """The escalation of a request to the manager's manager, with its recipient; None if it was not escalated."""
    return session.execute(select(RequestReminder).where(RequestReminder.signup_id == signup.id,
                                                         RequestReminder.kind == "escalation")
                           .options(joinedload(RequestReminder.recipient))).scalar_one_or_none()
