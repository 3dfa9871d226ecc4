"""Managers' decisions: approve the time asked (or less) and create the allocation, or refuse with a reason."""

from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit.operations import record
from ..budgets.models import Allocation
from ..budgets.working_time import QUARTER, working_days_between
from ..calls.models import aware
from ..calls.queries import lock_call
from ..database import session
from ..mail.operations import queue_mail, queue_mail_to_each
from ..signups.models import SignUp
from ..signups.operations import end_signup, lab_members
from ..directory.models import User, utcnow
from .models import Decision, Delegation, RequestReminder
from .queries import escalated_to, managers_deputised_by


class DecisionRefused(Exception):
    """The decision cannot be taken; the message says why, for the manager."""


def deciding_for(user, signup):
    """The manager `user` decides for on this request (themself, or a manager they deputise for today), or None.

    Never the agent themself, never an inactive user.
    """
    agent = signup.agent
    if user is None or not user.active or user.id == agent.id:
        return None
    if agent.manager_id is None:
        return user if user.has_role(current_app.config["ALLIES_FALLBACK_APPROVER_ROLE"]) else None
    if agent.manager_id == user.id:
        return user
    if agent.manager_id in managers_deputised_by(user):
        return agent.manager
    if agent.manager.manager_id == user.id and signup.id in escalated_to(user):
        return agent.manager
    return None


def can_decide(user, signup):
    """Whether `user` decides on this request."""
    return deciding_for(user, signup) is not None


def delegate(manager, deputy, start, end):
    """Name a deputy who decides in the manager's place from `start` to `end`."""
    if deputy.id == manager.id or not deputy.active:
        raise DecisionRefused(_("Choose an active colleague other than yourself."))
    delegation = Delegation(manager=manager, deputy=deputy, start_date=start, end_date=end)
    session.add(delegation)
    session.flush()
    record("approvals.delegated", actor=manager, obj=delegation, deputy=deputy.login, start=start.isoformat(),
           end=end.isoformat())
    return delegation


def revoke_delegation(delegation, manager):
    """End a delegation now."""
    delegation.revoked_at = utcnow()
    record("approvals.delegation_revoked", actor=manager, obj=delegation, deputy=delegation.deputy.login)


def _lock_pending(signup, approver):
    """Lock the call, reload the request, and check it still waits for this approver."""
    call = lock_call(signup.call_id)
    session.refresh(signup)
    if signup.status != "pending_manager":
        raise DecisionRefused(_("This request has already been decided."))
    manager = deciding_for(approver, signup)
    if manager is None:
        raise DecisionRefused(_("You do not decide on this request."))
    return call, (manager if manager.id != approver.id else None)


def _on_behalf(manager):
    """Audit details naming the manager a deputy decided for."""
    return {"on_behalf_of": manager.login} if manager is not None else {}


def approve(signup, approver, hours=None):
    """Agree to the time asked, or to less (never more, never zero); the allocation is created."""
    call, for_manager = _lock_pending(signup, approver)
    hours = signup.hours_asked if hours is None else hours
    if not 0 < hours <= signup.hours_asked or hours % QUARTER:
        raise DecisionRefused(_("Agree to more than 0 and at most the %(hours)s hours asked, in quarter hours.",
                                hours=signup.hours_asked))
    signup.status = "approved"
    allocation = Allocation(signup=signup, agent=signup.agent, hours=hours, start_date=call.start_date,
                            end_date=call.end_date)
    session.add(allocation)
    session.add(Decision(signup=signup, decided_by=approver, on_behalf_of=for_manager, outcome="approved",
                         hours_asked=signup.hours_asked, hours_agreed=hours))
    record("signup.approved", actor=approver, obj=signup, call_id=call.id, hours_asked=str(signup.hours_asked),
           hours_agreed=str(hours), **_on_behalf(for_manager))
    queue_mail(signup.agent, "decision", signup=signup, call=call, hours=hours, reason="")
    queue_mail_to_each(lab_members(daily_digest=False), "lab_decision", signup=signup, call=call)
    return allocation


def refuse(signup, approver, reason):
    """Refuse with a reason; the place goes to the waiting list."""
    call, for_manager = _lock_pending(signup, approver)
    if not reason.strip():
        raise DecisionRefused(_("Give the reason of the refusal."))
    session.add(Decision(signup=signup, decided_by=approver, on_behalf_of=for_manager, outcome="refused",
                         hours_asked=signup.hours_asked, reason=reason))
    end_signup(signup, call, "refused", actor=approver, reason=reason, **_on_behalf(for_manager))
    queue_mail(signup.agent, "decision", signup=signup, call=call, hours=None, reason=reason)
    queue_mail_to_each(lab_members(daily_digest=False), "lab_decision", signup=signup, call=call)


def send_reminders(today=None):
    """Remind approvers of requests pending ALLIES_REMIND_AFTER_DAYS working days, and pass those pending
    ALLIES_ESCALATE_AFTER_DAYS to the manager's own manager. Each is one mail, sent once. Returns the counts."""
    config = current_app.config
    today = today or date.today()
    sent = {"reminder": 0, "escalation": 0}
    pending = session.execute(
        select(SignUp).where(SignUp.status == "pending_manager")
        .options(selectinload(SignUp.agent).selectinload(User.manager).selectinload(User.manager),
                 selectinload(SignUp.call))).scalars().all()
    done = set(session.execute(select(RequestReminder.signup_id, RequestReminder.kind).where(
        RequestReminder.signup_id.in_([signup.id for signup in pending]))).tuples())
    for signup in pending:
        manager = signup.agent.manager
        if manager is None:
            continue
        waited = working_days_between(aware(signup.submitted_at).date(), today)
        boss = manager.manager
        if waited >= config["ALLIES_ESCALATE_AFTER_DAYS"] and boss is not None and boss.active \
                and (signup.id, "escalation") not in done:
            _remind(signup, "escalation", boss, today, waited)
            sent["escalation"] += 1
        elif waited >= config["ALLIES_REMIND_AFTER_DAYS"] and manager.active and (signup.id, "reminder") not in done:
            _remind(signup, "reminder", manager, today, waited)
            sent["reminder"] += 1
    return sent


def _remind(signup, kind, recipient, today, waited):
    """Record and mail one reminder or escalation."""
    session.add(RequestReminder(signup_id=signup.id, kind=kind, recipient_id=recipient.id, sent_on=today))
    queue_mail(recipient, f"request_{kind}", signup=signup, call=signup.call, days=waited)
    record(f"approvals.{kind}", obj=signup, recipient=recipient.login, working_days=waited)
