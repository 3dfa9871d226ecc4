"""Managers' decisions: approve the time asked (or less) and create the allocation, or refuse with a reason."""

from flask_babel import gettext as _

from ..audit.operations import record
from ..budgets.models import Allocation
from ..budgets.working_time import QUARTER
from ..calls.queries import lock_call
from ..database import session
from ..mail.operations import queue_mail, queue_mail_to_each
from ..signups.operations import lab_members, end_signup
from .models import Decision


class DecisionRefused(Exception):
    """The decision cannot be taken; the message says why, for the manager."""


def can_decide(user, signup):
    """Whether `user` decides on this request: the agent's active manager, never the agent."""
    agent = signup.agent
    return user is not None and user.id != agent.id and agent.manager_id == user.id and user.active


def _lock_pending(signup, approver):
    """Lock the call, reload the request, and check it still waits for this approver."""
    call = lock_call(signup.call_id)
    session.refresh(signup)
    if signup.status != "pending_manager":
        raise DecisionRefused(_("This request has already been decided."))
    if not can_decide(approver, signup):
        raise DecisionRefused(_("You do not decide on this request."))
    return call


def approve(signup, approver, hours=None):
    """Agree to the time asked, or to less (never more, never zero); the allocation is created."""
    call = _lock_pending(signup, approver)
    hours = signup.hours_asked if hours is None else hours
    if not 0 < hours <= signup.hours_asked or hours % QUARTER:
        raise DecisionRefused(_("Agree to more than 0 and at most the %(hours)s hours asked, in quarter hours.",
                                hours=signup.hours_asked))
    signup.status = "approved"
    allocation = Allocation(signup=signup, agent=signup.agent, hours=hours, start_date=call.start_date,
                            end_date=call.end_date)
    session.add(allocation)
    session.add(Decision(signup=signup, decided_by=approver, outcome="approved", hours_asked=signup.hours_asked,
                         hours_agreed=hours))
    record("signup.approved", actor=approver, obj=signup, call_id=call.id, hours_asked=str(signup.hours_asked),
           hours_agreed=str(hours))
    queue_mail(signup.agent, "decision", signup=signup, call=call, hours=hours, reason="")
    queue_mail_to_each(lab_members(daily_digest=False), "lab_decision", signup=signup, call=call)
    return allocation


def refuse(signup, approver, reason):
    """Refuse with a reason; the place goes to the waiting list."""
    call = _lock_pending(signup, approver)
    if not reason.strip():
        raise DecisionRefused(_("Give the reason of the refusal."))
    session.add(Decision(signup=signup, decided_by=approver, outcome="refused", hours_asked=signup.hours_asked,
                         reason=reason))
    end_signup(signup, call, "refused", actor=approver, reason=reason)
    queue_mail(signup.agent, "decision", signup=signup, call=call, hours=None, reason=reason)
    queue_mail_to_each(lab_members(daily_digest=False), "lab_decision", signup=signup, call=call)
