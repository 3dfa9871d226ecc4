"""Managers' decisions: approve the time asked (or less) and create the allocation, or refuse with a reason."""

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit.operations import record
from ..budgets.models import Extension, ExtensionStatus
from ..budgets.operations import lock_allocation
from ..budgets.queries import used_hours
from ..budgets.working_time import QUARTER, is_quarter, working_days_between
from ..calls.queries import lock_call
from ..clock import local_day, local_today, utcnow
from ..database import session
from ..refusals import Refusal
from ..directory.models import User
from ..directory.queries import lab_members
from ..mail.operations import queue_mail, queue_mail_to_each
from ..signups.models import SignUp, SignUpStatus
from ..signups.operations import end_signup, grant_time
from .models import Decision, DecisionKind, DecisionOutcome, Delegation, RequestReminder
from .queries import escalated_to, managers_deputised_by


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
    if (agent.manager.manager_id == user.id and signup.status == SignUpStatus.PENDING_MANAGER
            and signup.id in escalated_to(user)):
        return agent.manager
    return None


def can_decide(user, signup):
    """Whether `user` decides on this request."""
    return deciding_for(user, signup) is not None


def delegate(manager, deputy, start, end):
    """Name a deputy who decides in the manager's place from `start` to `end`."""
    if deputy.id == manager.id or not deputy.active:
        raise Refusal(_("Choose an active colleague other than yourself."))
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
    if signup.status != SignUpStatus.PENDING_MANAGER:
        raise Refusal(_("This request has already been decided."))
    manager = deciding_for(approver, signup)
    if manager is None:
        raise Refusal(_("You do not decide on this request."))
    return call, (manager if manager.id != approver.id else None)


def _on_behalf(manager):
    """Audit details naming the manager a deputy decided for."""
    return {"on_behalf_of": manager.login} if manager is not None else {}


def approve(signup, approver, hours=None):
    """Agree to the time asked, or to less (never more, never zero); the allocation is created."""
    call, for_manager = _lock_pending(signup, approver)
    hours = signup.hours_asked if hours is None else hours
    if not 0 < hours <= signup.hours_asked or not is_quarter(hours):
        raise Refusal(_("Agree to more than 0 and at most the %(hours)s hours asked, in quarter hours.",
                        hours=format_decimal(signup.hours_asked)))
    allocation = grant_time(signup, call, hours, actor=approver, **_on_behalf(for_manager))
    session.add(Decision(signup=signup, decided_by=approver, on_behalf_of=for_manager,
                         outcome=DecisionOutcome.APPROVED, hours_asked=signup.hours_asked, hours_agreed=hours))
    queue_mail(signup.agent, "decision", signup=signup, call=call, hours=hours, reason="")
    queue_mail_to_each(lab_members(daily_digest=False), "lab_decision", signup=signup, call=call)
    return allocation


def refuse(signup, approver, reason):
    """Refuse with a reason; the place goes to the waiting list."""
    call, for_manager = _lock_pending(signup, approver)
    if not reason.strip():
        raise Refusal(_("Give the reason of the refusal."))
    session.add(Decision(signup=signup, decided_by=approver, on_behalf_of=for_manager,
                         outcome=DecisionOutcome.REFUSED, hours_asked=signup.hours_asked, reason=reason))
    end_signup(signup, call, SignUpStatus.REFUSED, actor=approver, reason=reason, **_on_behalf(for_manager))
    queue_mail(signup.agent, "decision", signup=signup, call=call, hours=None, reason=reason)
    queue_mail_to_each(lab_members(daily_digest=False), "lab_decision", signup=signup, call=call)


def _lock_pending_extension(extension, approver):
    """Lock the allocation, reload the extension, and check it still waits for this approver."""
    allocation = lock_allocation(extension.allocation_id)
    session.refresh(extension)
    if extension.status != ExtensionStatus.PENDING:
        raise Refusal(_("This request has already been decided."))
    if not allocation.is_running:
        raise Refusal(_("This allocation has ended with the sign-up."))
    manager = deciding_for(approver, allocation.signup)
    if manager is None:
        raise Refusal(_("You do not decide on this request."))
    return allocation, (manager if manager.id != approver.id else None)


def approve_extension(extension, approver, hours=None):
    """Agree to the extension: the extra hours asked (or fewer, never zero) and the later end, if asked; the hours
    added."""
    allocation, for_manager = _lock_pending_extension(extension, approver)
    asked = extension.extra_hours
    hours = asked if hours is None or not asked else hours
    if asked and (not 0 < hours <= asked or not is_quarter(hours)):
        raise Refusal(_("Agree to more than 0 and at most the %(hours)s hours asked, in quarter hours.",
                        hours=format_decimal(asked)))
    allocation.hours += hours
    if extension.new_end_date is not None:
        allocation.end_date = max(allocation.end_date, extension.new_end_date)
    extension.status = ExtensionStatus.APPROVED
    _decided(extension, allocation, approver, for_manager, DecisionOutcome.APPROVED, hours_agreed=hours)
    return hours


def refuse_extension(extension, approver, reason):
    """Refuse the extension with a reason; the allocation stays as it is."""
    allocation, for_manager = _lock_pending_extension(extension, approver)
    if not reason.strip():
        raise Refusal(_("Give the reason of the refusal."))
    extension.status = ExtensionStatus.REFUSED
    _decided(extension, allocation, approver, for_manager, DecisionOutcome.REFUSED, reason=reason)


def decide_on(request, approver, outcome, hours=None, reason=""):
    """The approver's decision on a request (a sign-up) or an extension: "approve" the hours asked, "approve_less"
    (`hours`) or "refuse" (`reason`); the hours agreed, None on a refusal."""
    is_extension = isinstance(request, Extension)
    if outcome == "refuse":
        (refuse_extension if is_extension else refuse)(request, approver, reason)
        return None
    agreed = hours if outcome == "approve_less" else None
    if is_extension:
        return approve_extension(request, approver, agreed)
    return approve(request, approver, agreed).hours


def _decided(extension, allocation, approver, for_manager, outcome, hours_agreed=None, reason=""):
    """Record a decision on an extension, in the decisions and the audit log, and tell the agent."""
    session.add(Decision(signup=allocation.signup, kind=DecisionKind.EXTENSION, extension=extension,
                         decided_by=approver, on_behalf_of=for_manager, outcome=outcome,
                         hours_asked=extension.extra_hours, hours_agreed=hours_agreed,
                         new_end_date=extension.new_end_date if outcome == DecisionOutcome.APPROVED else None,
                         reason=reason))
    record(f"allocation.extension_{outcome}", actor=approver, obj=extension, allocation_id=allocation.id,
           hours_agreed=str(hours_agreed) if hours_agreed is not None else None, reason=reason,
           **_on_behalf(for_manager))
    queue_mail(allocation.agent, "budget_decision", allocation=allocation, call=allocation.signup.call,
               change=f"extension_{outcome}", reason=reason)


def revise_allocation(allocation, approver, hours, reason):
    """Lower an allocation (never below the hours already used), with a reason; the agent is told."""
    allocation = lock_allocation(allocation.id)
    for_manager = deciding_for(approver, allocation.signup)
    if for_manager is None:
        raise Refusal(_("You do not decide on this request."), "hours")
    if not allocation.is_running:
        raise Refusal(_("This allocation has ended with the sign-up."), "hours")
    used = used_hours([allocation.id]).get(allocation.id, 0)
    if not reason.strip():
        raise Refusal(_("Give the reason of the revision."), "hours")
    if hours is None or not max(used, QUARTER) <= hours < allocation.hours or not is_quarter(hours):
        raise Refusal(_("Choose fewer hours than the %(hours)s agreed, and no fewer than the %(used)s "
                        "already used, in quarter hours.", hours=format_decimal(allocation.hours),
                        used=format_decimal(used)), "hours")
    for_manager = for_manager if for_manager.id != approver.id else None
    session.add(Decision(signup=allocation.signup, kind=DecisionKind.REVISION, decided_by=approver,
                         on_behalf_of=for_manager, outcome=DecisionOutcome.REVISED, hours_asked=allocation.hours,
                         hours_agreed=hours, reason=reason))
    record("allocation.revised", actor=approver, obj=allocation, hours_before=str(allocation.hours),
           hours_after=str(hours), reason=reason, **_on_behalf(for_manager))
    allocation.hours = hours
    queue_mail(allocation.agent, "budget_decision", allocation=allocation, call=allocation.signup.call,
               change="revised", reason=reason)


def send_reminders(today=None):
    """Remind approvers of requests pending ALLIES_REMIND_AFTER_DAYS working days, and pass those pending
    ALLIES_ESCALATE_AFTER_DAYS to the manager's own manager. Each is one mail, sent once. Returns the counts."""
    config = current_app.config
    today = today or local_today()
    sent = {"reminder": 0, "escalation": 0}
    pending = session.execute(
        select(SignUp).where(SignUp.status == SignUpStatus.PENDING_MANAGER)
        .options(selectinload(SignUp.agent).selectinload(User.manager).selectinload(User.manager),
                 selectinload(SignUp.call))).scalars().all()
    done = set(session.execute(select(RequestReminder.signup_id, RequestReminder.kind).where(
        RequestReminder.signup_id.in_([signup.id for signup in pending]))).tuples())
    for signup in pending:
        manager = signup.agent.manager
        if manager is None:
            continue
        waited = working_days_between(local_day(signup.manager_asked_at or signup.submitted_at), today)
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
