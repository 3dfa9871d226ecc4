"""The Monday digest: to a manager who chose it, the requests waiting for them (each with its decision link), team
members whose time budget passed 80 % or 100 % and allocations ending this month; to the lab, the whole network's
budgets past 100 % and requests waiting longer than the escalation delay."""

from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from ..budgets.queries import team_budgets, used_up_budgets
from ..budgets.working_time import working_days_between
from ..clock import local_day, local_midnight, local_today
from ..database import session
from ..directory.models import User
from ..directory.queries import direct_reports
from ..mail.models import MailPreference
from ..mail.operations import mail_preference, queue_mail
from ..signups.models import SignUp, SignUpStatus
from .links import decision_links_on, decision_url, new_decision_link, revoke_links
from .queries import delegations_of_deputy, pending_extensions_for, pending_for

MONDAY = 0


class DigestItem(NamedTuple):
    """A request in a digest: the sign-up, its extension if that is what waits, and the approver's link (its
    address with the secret's slot, when it expires, and the secret's token)."""

    signup: object
    extension: object
    url: str | None
    expires_at: object
    link_token: object


class WaitingRequest(NamedTuple):
    """A request waiting for its manager, and for how many working days."""

    signup: object
    days: int


def send_weekly_digests(today=None):
    """On Mondays, queue each weekly digest once (a second run that day sends nothing); other days, nothing.
    Returns how many were queued."""
    today = today or local_today()
    if today.weekday() != MONDAY:
        return 0
    network = None
    queued = 0
    for person in _digest_readers():
        preference = mail_preference(person)
        if not _first_this_monday(person, today):
            continue
        context = _manager_part(person, today) if preference.weekly_digest else {}
        if person.has_role("lab"):
            network = network if network is not None else _network_part(today)
            context.update(network)
        if any(context.values()):
            tokens = [item.link_token for item in context.get("requests", ()) if item.link_token is not None]
            queue_mail(person, "weekly_digest", link_tokens=tokens, today=today, **context)
            queued += 1
    return queued


def _first_this_monday(person, today):
    """Mark the person's digest as sent today, unless it already was: a conditional update, so that of two runs at
    the same moment only one goes on."""
    marked = session.execute(
        update(MailPreference).where(MailPreference.user_id == person.id,
                                     or_(MailPreference.weekly_digest_sent_on.is_(None),
                                         MailPreference.weekly_digest_sent_on != today))
        .values(weekly_digest_sent_on=today).execution_options(synchronize_session=False))
    return marked.rowcount == 1


def _digest_readers():
    """Active people who chose the managers' digest, and active lab members."""
    chose = select(MailPreference.user_id).where(MailPreference.weekly_digest.is_(True))
    return session.execute(select(User).where(User.active.is_(True), User.id.in_(chose) | User.role_grants.any(
        role="lab")).options(selectinload(User.role_grants)).order_by(User.id)).scalars().all()


def _manager_part(manager, today):
    """What a manager's digest says: requests waiting with their links, budgets past 80 %, allocations ending."""
    waiting = [(signup, None) for signup in session.execute(pending_for(manager)).scalars()]
    waiting += [(extension.allocation.signup, extension)
                for extension in session.execute(pending_extensions_for(manager)).scalars()]
    # A deputy's links end with their delegation, as in the request mails.
    deputising = {delegation.manager_id: delegation.end_date
                  for delegation in delegations_of_deputy(manager, today)}
    requests = []
    for number, (signup, extension) in enumerate(waiting, start=1):
        if decision_links_on():
            revoke_links(signup, extension, because="digest", approver=manager)
            until = deputising.get(signup.agent.manager_id) if signup.agent.manager_id != manager.id else None
            link = new_decision_link(manager, signup, "digest", extension, until=until, number=number)
            requests.append(DigestItem(signup, extension, decision_url(link), link.expires_at, link.token))
        else:
            requests.append(DigestItem(signup, extension, None, None, None))
    members = direct_reports(manager, active_only=True)
    running = [budget for budgets in team_budgets(members, today.year).values() for budget in budgets
               if budget.allocation.is_running]
    month = (today.year, today.month)
    return {"requests": requests,
            "budget_alerts": [budget for budget in running if budget.level != "ok"],
            "ending": [budget for budget in running if budget.allocation.end_date >= today
                       and (budget.allocation.end_date.year, budget.allocation.end_date.month) == month]}


def _network_part(today):
    """What the lab's digest says: budgets past 100 % and requests waiting longer than the escalation delay."""
    delay = current_app.config["ALLIES_ESCALATE_AFTER_DAYS"]
    # Working days never outnumber calendar days: only requests asked `delay` days ago or more can be late.
    asked = func.coalesce(SignUp.manager_asked_at, SignUp.submitted_at)
    pending = session.execute(select(SignUp).where(SignUp.status == SignUpStatus.PENDING_MANAGER,
                                                   asked < local_midnight(today - timedelta(days=delay - 1)))
                              .options(joinedload(SignUp.agent).joinedload(User.manager), joinedload(SignUp.call))
                              .order_by(SignUp.submitted_at, SignUp.id)).scalars().all()
    late = []
    for signup in pending:
        days = working_days_between(local_day(signup.manager_asked_at or signup.submitted_at), today)
        if days >= delay:
            late.append(WaitingRequest(signup, days))
    return {"network_over": used_up_budgets(today.year, today), "network_late": late}

