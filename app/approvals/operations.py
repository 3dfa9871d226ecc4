"""Managers' decisions: approve the time asked (or less) and create the allocation, or refuse with a reason."""

from typing import NamedTuple

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ..audit.operations import record
from ..budgets.models import Extension, ExtensionStatus
from ..budgets.operations import lock_allocation
from ..budgets.queries import used_hours
from ..budgets.working_time import QUARTER, is_quarter, working_days_between
from ..calls.queries import lock_call
from ..clock import local_day, local_today, utcnow
from ..database import session
from ..main.i18n import elided
from ..main.templating import date_and_time
from ..refusals import Refusal
from ..directory.models import User
from ..directory.queries import lab_members
from ..mail.operations import mail_preference, queue_mail, queue_mail_to_each
from ..signups.models import SignUp, SignUpStatus
from ..signups.operations import end_signup, grant_time
from .links import ask_deputies, ask_for_decision, revoke_links
from .models import Decision, DecisionKind, DecisionLink, DecisionOutcome, Delegation, RequestReminder
from .queries import escalated_to, escalation_of, last_decision_on, managers_deputised_by


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


def approve(signup, approver, hours=None, by_mail_link=False):
    """Agree to the time asked, or to less (never more, never zero); the allocation is created."""
    call, for_manager = _lock_pending(signup, approver)
    hours = signup.hours_asked if hours is None else hours
    if not 0 < hours <= signup.hours_asked or not is_quarter(hours):
        raise Refusal(_("Agree to more than 0 and at most the %(hours)s hours asked, in quarter hours.",
                        hours=format_decimal(signup.hours_asked)))
    allocation = grant_time(signup, call, hours, actor=approver, **_on_behalf(for_manager))
    session.add(Decision(signup=signup, decided_by=approver, on_behalf_of=for_manager,
                         outcome=DecisionOutcome.APPROVED, hours_asked=signup.hours_asked, hours_agreed=hours,
                         by_mail_link=by_mail_link))
    queue_mail(signup.agent, "decision", signup=signup, call=call, hours=hours, reason="")
    queue_mail_to_each(lab_members(daily_digest=False), "lab_decision", signup=signup, call=call)
    return allocation


def refuse(signup, approver, reason, by_mail_link=False):
    """Refuse with a reason; the place goes to the waiting list."""
    call, for_manager = _lock_pending(signup, approver)
    if not reason.strip():
        raise Refusal(_("Give the reason of the refusal."))
    session.add(Decision(signup=signup, decided_by=approver, on_behalf_of=for_manager,
                         outcome=DecisionOutcome.REFUSED, hours_asked=signup.hours_asked, reason=reason,
                         by_mail_link=by_mail_link))
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


def approve_extension(extension, approver, hours=None, by_mail_link=False):
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
    _decided(extension, allocation, approver, for_manager, DecisionOutcome.APPROVED, hours_agreed=hours,
             by_mail_link=by_mail_link)
    return hours


def refuse_extension(extension, approver, reason, by_mail_link=False):
    """Refuse the extension with a reason; the allocation stays as it is."""
    allocation, for_manager = _lock_pending_extension(extension, approver)
    if not reason.strip():
        raise Refusal(_("Give the reason of the refusal."))
    extension.status = ExtensionStatus.REFUSED
    _decided(extension, allocation, approver, for_manager, DecisionOutcome.REFUSED, reason=reason,
             by_mail_link=by_mail_link)


def decide_on(request, approver, outcome, hours=None, reason="", by_mail_link=False):
    """The approver's decision on a request (a sign-up) or an extension: "approve" the hours asked, "approve_less"
    (`hours`) or "refuse" (`reason`); the hours agreed, None on a refusal."""
    is_extension = isinstance(request, Extension)
    if outcome == "refuse":
        (refuse_extension if is_extension else refuse)(request, approver, reason, by_mail_link=by_mail_link)
        return None
    agreed = hours if outcome == "approve_less" else None
    if is_extension:
        return approve_extension(request, approver, agreed, by_mail_link=by_mail_link)
    return approve(request, approver, agreed, by_mail_link=by_mail_link).hours


def _decided(extension, allocation, approver, for_manager, outcome, hours_agreed=None, reason="", by_mail_link=False):
    """Record a decision on an extension, in the decisions and the audit log, and tell the agent."""
    session.add(Decision(signup=allocation.signup, kind=DecisionKind.EXTENSION, extension=extension,
                         decided_by=approver, on_behalf_of=for_manager, outcome=outcome, by_mail_link=by_mail_link,
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
    pending = session.execute(select(Extension).where(Extension.allocation_id == allocation.id,
                                                      Extension.status == ExtensionStatus.PENDING)).scalar_one_or_none()
    if pending is not None:
        revoke_links(allocation.signup, pending, because="revision")
    record("allocation.revised", actor=approver, obj=allocation, hours_before=str(allocation.hours),
           hours_after=str(hours), reason=reason, **_on_behalf(for_manager))
    allocation.hours = hours
    queue_mail(allocation.agent, "budget_decision", allocation=allocation, call=allocation.signup.call,
               change="revised", reason=reason)


def choose_request_notices(manager, weekly):
    """A manager chooses a mail per request (with reminders), or one digest on Mondays."""
    preference = mail_preference(manager)
    if preference.weekly_digest != weekly:
        preference.weekly_digest = weekly
        record("mail.preference_changed", actor=manager, obj=manager, weekly_digest=weekly)


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
    ask_for_decision(recipient, f"request_{kind}", signup, kind, call=signup.call, days=waited)
    if kind == "reminder":
        ask_deputies(signup, "request_reminder", "reminder", call=signup.call, days=waited)
    record(f"approvals.{kind}", obj=signup, recipient=recipient.login, working_days=waited)


class LinkProblem(NamedTuple):
    """Why a decision link cannot decide now, for its reader; `forbidden` when the browser is someone else's."""

    message: str
    forbidden: bool = False


def decision_link_problem(link, signed_in):
    """Why this link cannot decide now (a LinkProblem), or None: someone else signed in on this browser, the link
    replaced or expired, used or the request no longer waiting, the agent gone, or its approver no longer deciding
    on it. The reasons that tell the least come first: a stranger's browser or a dead link learns nothing of the
    request.

    `signed_in` is whoever this browser is signed in as (None if nobody): a link is never someone else's.
    """
    if signed_in is not None and signed_in.id == link.signup.agent_id:
        return LinkProblem(_("You cannot decide on your own request."), forbidden=True)
    if signed_in is not None and signed_in.id != link.approver_id:
        message = _("This link is for %(name)s alone; you are signed in as %(you)s.", name=link.approver.full_name,
                    you=signed_in.full_name)
        return LinkProblem(elided(message, signed_in.full_name), forbidden=True)
    if link.revoked_at is not None:
        escalation = escalation_of(link.signup) if link.revoked_because == "escalation" else None
        if escalation is not None:
            return LinkProblem(_("This link has expired: the request was passed to %(name)s.",
                                 name=escalation.recipient.full_name))
        if link.revoked_because == "revision":
            return LinkProblem(_("This link has expired: the allocation changed since this mail. Decide from your "
                                 "requests in Alliés."))
        return LinkProblem(_("This link was replaced by the one of a newer mail on this request: use the newest "
                             "mail."))
    if link.expires_at <= utcnow():
        return LinkProblem(_("This link expired on %(moment)s. Decide from your requests in Alliés.",
                             moment=date_and_time(link.expires_at)))
    request = link.request
    if link.used_at is not None or not _still_pending(request):
        decision = last_decision_on(request)
        if decision is not None:
            return LinkProblem(_("Decided by %(name)s on %(moment)s.", name=decision.decided_by.full_name,
                                 moment=date_and_time(decision.decided_at)))
        return LinkProblem(_("This request no longer waits for a decision: %(status)s.",
                             status=str(request.status.title).lower()))
    if not link.signup.agent.active:
        return LinkProblem(_("%(name)s is no longer active: the request cannot be decided.",
                             name=link.signup.agent.full_name))
    if not can_decide(link.approver, link.signup):
        return LinkProblem(_("This link no longer lets %(name)s decide on this request (a delegation ended, or the "
                             "team changed). Decide from your requests in Alliés.", name=link.approver.full_name))
    return None


def decide_by_link(link, outcome, hours, reason, signed_in, user_agent=""):
    """The decision of the approver the link was sent to, taken from the link: its rights checked again, and the
    link used up by a conditional update in the same transaction (of two at the same instant, one decides)."""
    problem = decision_link_problem(link, signed_in)
    if problem is not None:
        raise Refusal(problem.message)
    now = utcnow()
    with session.begin_nested():  # a refusal below leaves the link unused
        used = session.execute(
            update(DecisionLink).where(DecisionLink.id == link.id, DecisionLink.used_at.is_(None),
                                       DecisionLink.revoked_at.is_(None), DecisionLink.expires_at > now)
            .values(used_at=now).execution_options(synchronize_session=False))
        if used.rowcount != 1:
            raise Refusal(_("This link has just been used or replaced: nothing was changed."))
        agreed = decide_on(link.request, link.approver, outcome, hours, reason, by_mail_link=True)
    record("approvals.decided_by_mail_link", actor=link.approver, obj=link.signup, link_id=link.id,
           purpose=link.purpose, extension_id=link.extension_id, outcome=outcome,
           mode=current_app.config["ALLIES_DECISION_LINKS"], user_agent=user_agent[:255])
    return agreed


def _still_pending(request):
    """Whether a request (sign-up or extension) still waits for a decision."""
    if isinstance(request, Extension):
        return request.status == ExtensionStatus.PENDING
    return request.status == SignUpStatus.PENDING_MANAGER
