"""Signing up, withdrawing, declining, and keeping places fair."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..approvals.links import ask_deputies, ask_for_decision
from ..audit.operations import record
from ..budgets.models import Allocation, Extension, ExtensionStatus
from ..calls.models import Call, CallStatus
from ..calls.queries import lock_call, read_call
from ..clock import local_today, utcnow
from ..database import session
from ..refusals import Refusal
from ..directory.models import User
from ..directory.queries import approvers_of, lab_members
from ..mail.operations import mail_preference, queue_mail, queue_mail_to_each
from .models import Answer, SignUp, SignUpStatus


def live_signup(call_id, agent_id):
    """The agent's live sign-up to the call, or None."""
    query = select(SignUp).where(SignUp.call_id == call_id, SignUp.agent_id == agent_id,
                                 SignUp.status.in_(SignUpStatus.LIVE))
    return session.execute(query).scalar_one_or_none()


def _someone_waiting(call):
    """Whether active agents wait for this call (a newcomer never jumps the queue)."""
    query = (select(SignUp.id).join(SignUp.agent)
             .where(SignUp.call_id == call.id, SignUp.status == SignUpStatus.WAITLISTED, User.active.is_(True))
             .limit(1))
    return session.execute(query).first() is not None


def _take_place(call):
    """Hold a place if one is free, by a conditional update the database itself checks; True if taken."""
    result = session.execute(
        update(Call).where(Call.id == call.id, or_(Call.capacity.is_(None), Call.held_places < Call.capacity))
        .values(held_places=Call.held_places + 1).execution_options(synchronize_session=False))
    session.expire(call, ["held_places"])
    return result.rowcount == 1


def _free_place(call):
    """Give a place back."""
    session.execute(update(Call).where(Call.id == call.id).values(held_places=Call.held_places - 1)
                    .execution_options(synchronize_session=False))
    session.expire(call, ["held_places"])


def _holding_status(call):
    """The status of a sign-up that holds a place."""
    return SignUpStatus.PENDING_MANAGER if call.needs_manager_agreement else SignUpStatus.APPROVED


def grant_time(signup, call, hours, actor=None, **details):
    """Approve the sign-up for `hours` over the call's period: the allocation the volunteer logs time against,
    and the audit entry of the approval (`actor` None when the call's rule approves, not a person)."""
    signup.status = SignUpStatus.APPROVED
    signup.status_changed_at = utcnow()
    allocation = Allocation(signup=signup, agent=signup.agent, hours=hours, start_date=call.start_date,
                            end_date=call.end_date)
    session.add(allocation)
    record("signup.approved", actor=actor, obj=signup, call_id=call.id, hours_asked=str(signup.hours_asked),
           hours_agreed=str(hours), **details)
    return allocation


def _approve_by_rule(signup, call):
    """A sign-up holding a place on a call that needs no manager agreement gets the hours asked at once."""
    if signup.status == SignUpStatus.APPROVED and not call.needs_manager_agreement:
        grant_time(signup, call, signup.hours_asked, rule="no_manager_agreement")


class SignUpResult(NamedTuple):
    """A sign-up made or found, whether this request made it, and its rank on the waiting list (None if holding)."""

    signup: SignUp
    created: bool
    rank: int | None


def sign_up(call_id, agent, motivation, hours_asked, availability="", answers=()):
    """Sign `agent` up to the call; returns a SignUpResult. A second request lands on the live sign-up.

    `answers` are (question, value) pairs already checked by the form. Raises Refusal
    when the call is not open or the agent is outside its audience.
    """
    try:
        with session.begin_nested():  # a savepoint: a twin's win undoes this sign-up only, not the request's writes
            return _sign_up(call_id, agent, motivation, hours_asked, availability, answers)
    except IntegrityError:  # a twin request made the sign-up first: nothing of this one is kept
        signup = live_signup(call_id, agent.id)
        if signup is None:
            raise
        return SignUpResult(signup, False, waitlist_rank(signup))


def _sign_up(call_id, agent, motivation, hours_asked, availability, answers):
    """Sign-up for `sign_up`, which handles a twin request's sign-up made in between.

    Most sign-ups are decided as the call stood when read, without waiting for one another: a sign-up that holds
    a place takes it last, by a conditional update, so that the call's row stays locked only until the commit that
    follows; one that joins the waiting list shares the call's lock with the others joining it. When the call
    changed in between (a place taken or freed), the sign-up is decided again under the call's lock.
    """
    call = read_call(call_id)
    existing = live_signup(call.id, agent.id)
    if existing is not None:
        return SignUpResult(existing, False, waitlist_rank(existing))
    if not call.is_open:
        raise Refusal(_("This call is not open for sign-ups any more."))
    if not call.is_meant_for(agent):
        raise Refusal(_("This call is meant for other services."))

    def signed_up_as(status):
        return _new_signup(call, agent, status, motivation, hours_asked, availability, answers)

    with session.begin_nested() as guess:
        result = _as_the_call_stood(call, signed_up_as)
        if result is None:
            guess.rollback()
    if result is None:
        call = lock_call(call.id)
        holds = not _someone_waiting(call) and _take_place(call)
        result = signed_up_as(_holding_status(call) if holds else SignUpStatus.WAITLISTED)
    return result


def _as_the_call_stood(call, signed_up_as):
    """The sign-up made as the call stood when read, or None if it has changed since (see `_sign_up`)."""
    if _someone_waiting(call) or not call.has_free_place():
        lock_call(call.id, shared=True)
        if not _someone_waiting(call) and call.has_free_place():
            return None  # a place was freed in between
        return signed_up_as(SignUpStatus.WAITLISTED)
    result = signed_up_as(_holding_status(call))
    if not _take_place(call):
        return None  # the last place was taken in between
    # Sent when its place was taken: sign-ups stay in the order of their places, and before those that wait.
    result.signup.submitted_at = result.signup.status_changed_at = utcnow()
    return result


def _new_signup(call, agent, status, motivation, hours_asked, availability, answers):
    """Write the sign-up with its answers, its audit entry, its budget if the call's rule approves it, and its
    mails; a SignUpResult."""
    signup = SignUp(call=call, agent=agent, status=status, motivation=motivation, availability=availability,
                    hours_asked=hours_asked, submitted_at=utcnow(), status_changed_at=utcnow())
    signup.answers = [Answer(question=question, position=question.position, label=question.label,
                             kind=question.kind, value=_json_value(value)) for question, value in answers]
    session.add(signup)
    # Where the row lock is not enforced (SQLite), a twin request may get in first: the unique index of
    # live sign-ups then raises IntegrityError here, and the view lands on the twin's sign-up.
    session.flush()
    record("signup.created", actor=agent, obj=signup, call_id=call.id, status=signup.status,
           hours_asked=str(hours_asked))
    _approve_by_rule(signup, call)
    rank = waitlist_rank(signup)
    _tell_about_new_signup(signup, rank)
    return SignUpResult(signup, True, rank)


def _json_value(value):
    """Answers as JSON: dates in ISO 8601, numbers as numbers."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def waitlist_rank(signup):
    """1 for the first waitlisted sign-up of its call, and so on; None when not waitlisted."""
    if signup.status != SignUpStatus.WAITLISTED:
        return None
    ahead = select(func.count(SignUp.id)).where(
        SignUp.call_id == signup.call_id, SignUp.status == SignUpStatus.WAITLISTED,
        (SignUp.submitted_at < signup.submitted_at)
        | ((SignUp.submitted_at == signup.submitted_at) & (SignUp.id < signup.id)))
    return session.execute(ahead).scalar_one() + 1


def withdraw(signup, agent):
    """The agent withdraws; a place freed goes to the first of the waiting list."""
    call = lock_call(signup.call_id)
    session.refresh(signup)
    if not signup.can_withdraw(agent):
        raise Refusal(_("This sign-up cannot be withdrawn any more."))
    end_signup(signup, call, SignUpStatus.WITHDRAWN, actor=agent)


def _end_allocation(signup):
    """An approved sign-up that ends (withdrawn, declined): its allocation ends today (time already logged
    stays) and an extension still waiting is cancelled."""
    allocation = session.execute(select(Allocation).where(Allocation.signup_id == signup.id)
                                 .with_for_update()).scalar_one_or_none()
    if allocation is None:
        return
    if allocation.end_date > local_today():
        allocation.end_date = max(local_today(), allocation.start_date)
        record("allocation.ended", obj=allocation, signup_id=signup.id, end_date=allocation.end_date.isoformat())
    for extension in session.execute(select(Extension).where(Extension.allocation_id == allocation.id,
                                                             Extension.status == ExtensionStatus.PENDING)).scalars():
        extension.status = ExtensionStatus.CANCELLED
        record("allocation.extension_cancelled", obj=extension, allocation_id=allocation.id)


def decline(signup, lab_member, reason):
    """The lab declines a live sign-up with a reason; the agent is told; a freed place is passed on."""
    call = lock_call(signup.call_id)
    session.refresh(signup)
    if not signup.is_live:
        raise Refusal(_("This sign-up is no longer live: it cannot be declined."))
    if call.status == CallStatus.ARCHIVED:
        raise Refusal(_("The call is archived: its sign-ups do not change any more."))
    signup.decline_reason = reason
    end_signup(signup, call, SignUpStatus.DECLINED, actor=lab_member, reason=reason)
    queue_mail(signup.agent, "signup_declined", signup=signup, call=call, reason=reason)


def end_signup(signup, call, status, actor, **details):
    """Move a live sign-up to a final status, end its allocation if it was approved, free its place and
    promote from the waiting list."""
    held = signup.holds_place
    previous = signup.status
    if previous == SignUpStatus.APPROVED:
        _end_allocation(signup)
    signup.status = status
    signup.status_changed_at = utcnow()
    record(f"signup.{status}", actor=actor, obj=signup, call_id=call.id, previous=previous, **details)
    if held:
        _free_place(call)
        promote_from_waitlist(call)


def promote_from_waitlist(call):
    """Give free places to the oldest waitlisted sign-ups of active agents, at once; `call` must be locked.

    Only a call that still fills from its waiting list (published or closed) promotes.
    """
    promoted = []
    while call.fills_from_waitlist:
        first = session.execute(
            select(SignUp).join(SignUp.agent).where(SignUp.call_id == call.id, SignUp.status == SignUpStatus.WAITLISTED,
                                                    User.active.is_(True))
            .order_by(SignUp.submitted_at, SignUp.id).limit(1)
        ).scalar_one_or_none()
        if first is None or not _take_place(call):
            break
        first.status = _holding_status(call)
        first.status_changed_at = utcnow()
        session.flush()
        record("signup.promoted", obj=first, call_id=call.id, status=first.status)
        _approve_by_rule(first, call)
        queue_mail(first.agent, "signup_promoted", signup=first, call=call)
        _ask_manager(first)
        promoted.append(first)
    return promoted


def _tell_about_new_signup(signup, rank):
    """Mail the agent, the approver when a decision is needed, and the lab members who want each notice."""
    queue_mail(signup.agent, "signup_confirmation", signup=signup, call=signup.call, rank=rank)
    _ask_manager(signup)
    queue_mail_to_each(lab_members(daily_digest=False), "lab_new_signup", signup=signup, call=signup.call)


def _ask_manager(signup):
    """A sign-up waiting for the manager: mail the approvers a request to decide."""
    if signup.status == SignUpStatus.PENDING_MANAGER:
        signup.manager_asked_at = utcnow()
        for approver in approvers_of(signup.agent):
            ask_for_decision(approver, "manager_request", signup, "request", call=signup.call)
        ask_deputies(signup, "manager_request", "request", call=signup.call)


def choose_lab_notices(member, daily_digest):
    """A lab member chooses a mail per new sign-up, or one digest a day."""
    preference = mail_preference(member)
    if preference.daily_digest != daily_digest:
        preference.daily_digest = daily_digest
        preference.digest_sent_until = utcnow()
        record("mail.preference_changed", actor=member, obj=member, daily_digest=daily_digest)


def send_lab_digests(now=None):
    """Queue, for each lab member who chose the digest, the sign-ups made since their last one."""
    now = now or utcnow()
    queued = 0
    for member in lab_members(daily_digest=True):
        preference = mail_preference(member)
        since = preference.digest_sent_until or now - timedelta(days=1)
        signups = session.execute(
            select(SignUp).where(SignUp.submitted_at > since, SignUp.submitted_at <= now)
            .options(selectinload(SignUp.call), selectinload(SignUp.agent)).order_by(SignUp.submitted_at)
        ).scalars().all()
        preference.digest_sent_until = now
        if signups:
            queue_mail(member, "lab_digest", signups=signups)
            queued += 1
    return queued
