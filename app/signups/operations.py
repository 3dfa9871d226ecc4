"""Signing up, withdrawing, declining, and keeping places fair."""

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.operations import record
from ..calls.models import Call
from ..database import session
from ..directory.models import User, utcnow
from ..mail.models import MailPreference
from ..mail.operations import mail_preference, queue_mail
from .models import LIVE_STATUSES, Answer, SignUp


class SignUpRefused(Exception):
    """The sign-up cannot be made; the message says why, for the agent."""


def lock_call(call_id):
    """The call, locked until the end of the transaction: decisions on its places happen one at a time."""
    query = select(Call).where(Call.id == call_id).with_for_update().execution_options(populate_existing=True)
    return session.execute(query).scalar_one()  # populate_existing: the locked row's values, not a stale copy


def live_signup(call_id, agent_id):
    """The agent's live sign-up to the call, or None."""
    query = select(SignUp).where(SignUp.call_id == call_id, SignUp.agent_id == agent_id,
                                 SignUp.status.in_(LIVE_STATUSES))
    return session.execute(query).scalar_one_or_none()


def _place_status(call):
    """The status a sign-up gets now: it takes a free place, or waits."""
    if not call.has_free_place():
        return "waitlisted"
    call.held_places += 1
    return "pending_manager" if call.needs_manager_agreement else "approved"


def sign_up(call_id, agent, motivation, hours_asked, availability="", answers=()):
    """Sign `agent` up to the call; returns (sign-up, created). A second request lands on the live sign-up.

    `answers` are (question, value) pairs already checked by the form. Raises SignUpRefused
    when the call is not open or the agent is outside its audience.
    """
    call = lock_call(call_id)
    existing = live_signup(call.id, agent.id)
    if existing is not None:
        return existing, False
    if not call.is_open:
        raise SignUpRefused(_("This call is not open for sign-ups any more."))
    if not in_audience(call, agent):
        raise SignUpRefused(_("This call is meant for other services."))
    signup = SignUp(call=call, agent=agent, status=_place_status(call), motivation=motivation,
                    availability=availability, hours_asked=hours_asked, submitted_at=utcnow(),
                    status_changed_at=utcnow())
    signup.answers = [Answer(question=question, position=question.position, label=question.label,
                             kind=question.kind, value=_json_value(value)) for question, value in answers]
    session.add(signup)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # A twin request won the race outside the lock (SQLite): land on its sign-up.
        return live_signup(call.id, agent.id), False
    record("signup.created", actor=agent, obj=signup, call_id=call.id, status=signup.status,
           hours_asked=str(hours_asked))
    _tell_about_new_signup(signup)
    return signup, True


def _json_value(value):
    """Answers as JSON: dates in ISO 8601, numbers as numbers."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "as_integer_ratio") and not isinstance(value, (int, float)):
        return float(value)
    return value


def waitlist_rank(signup):
    """1 for the first waitlisted sign-up of its call, and so on; None when not waitlisted."""
    if signup.status != "waitlisted":
        return None
    ahead = select(SignUp.id).where(SignUp.call_id == signup.call_id, SignUp.status == "waitlisted",
                                    (SignUp.submitted_at < signup.submitted_at)
                                    | ((SignUp.submitted_at == signup.submitted_at) & (SignUp.id < signup.id)))
    return len(session.execute(ahead).all()) + 1


def withdraw(signup, agent):
    """The agent withdraws; a place freed goes to the first of the waitlist."""
    call = lock_call(signup.call_id)
    session.refresh(signup)
    if not signup.can_withdraw(agent):
        raise SignUpRefused(_("This sign-up cannot be withdrawn any more."))
    _end(signup, call, "withdrawn", actor=agent)


def decline(signup, lab_member, reason):
    """The lab declines a live sign-up with a reason; the agent is told; a freed place is passed on."""
    call = lock_call(signup.call_id)
    session.refresh(signup)
    if not signup.is_live:
        raise SignUpRefused(_("This sign-up is no longer live: it cannot be declined."))
    signup.decline_reason = reason
    _end(signup, call, "declined", actor=lab_member, reason=reason)
    queue_mail(signup.agent, "signup_declined", signup=signup, call=call, reason=reason)


def _end(signup, call, status, actor, **details):
    """Move a live sign-up to a final status, free its place and promote from the waitlist."""
    held = signup.holds_place
    previous = signup.status
    signup.status = status
    signup.status_changed_at = utcnow()
    record(f"signup.{status}", actor=actor, obj=signup, call_id=call.id, previous=previous, **details)
    if held:
        call.held_places -= 1
        promote_from_waitlist(call)


def promote_from_waitlist(call):
    """Give free places to the oldest waitlisted sign-ups, at once; `call` must be locked. Returns them."""
    promoted = []
    while call.has_free_place():
        first = session.execute(
            select(SignUp).where(SignUp.call_id == call.id, SignUp.status == "waitlisted")
            .order_by(SignUp.submitted_at, SignUp.id).limit(1)
        ).scalar_one_or_none()
        if first is None:
            break
        first.status = _place_status(call)
        first.status_changed_at = utcnow()
        session.flush()
        record("signup.promoted", obj=first, call_id=call.id, status=first.status)
        queue_mail(first.agent, "signup_promoted", signup=first, call=call)
        _ask_manager(first)
        promoted.append(first)
    return promoted


def _tell_about_new_signup(signup):
    """Mail the agent, the approver when a decision is needed, and the lab members who want each notice."""
    queue_mail(signup.agent, "signup_confirmation", signup=signup, call=signup.call, rank=waitlist_rank(signup))
    _ask_manager(signup)
    each_time = session.execute(
        select(User).where(User.active.is_(True), User.role_grants.any(role="lab"))
        .outerjoin(MailPreference, MailPreference.user_id == User.id)
        .where(MailPreference.daily_digest.is_not(True))
    ).scalars()
    for member in each_time:
        queue_mail(member, "lab_new_signup", signup=signup, call=signup.call)


def _ask_manager(signup):
    """A sign-up waiting for the manager: mail the manager a request to decide."""
    if signup.status == "pending_manager" and signup.agent.manager is not None:
        queue_mail(signup.agent.manager, "manager_request", signup=signup, call=signup.call)


def in_audience(call, agent):
    """Whether the call is meant for the agent: everyone, or the agent's unit is one of its units or below."""
    if call.audience_all:
        return True
    if agent.org_unit is None:
        return False
    path = agent.org_unit.path_key
    return any(path == unit.path_key or path.startswith(unit.path_key + "/") for unit in call.audience_units)


def _lab_members():
    """Active members of the lab team."""
    return session.execute(select(User).where(User.active.is_(True), User.role_grants.any(role="lab"))).scalars()


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
    for member in _lab_members():
        preference = mail_preference(member)
        if not preference.daily_digest:
            continue
        since = preference.digest_sent_until or now - timedelta(days=1)
        signups = session.execute(select(SignUp).where(SignUp.submitted_at > since, SignUp.submitted_at <= now)
                                  .order_by(SignUp.submitted_at)).scalars().all()
        preference.digest_sent_until = now
        if signups:
            queue_mail(member, "lab_digest", signups=signups)
            queued += 1
    return queued
