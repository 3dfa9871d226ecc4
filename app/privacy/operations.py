"""Agents' data rights: everything Alliés holds on a person, and the retention purge."""

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from ..api.models import ApiToken
from ..approvals.models import Decision, Delegation
from ..audit.models import AuditEntry
from ..audit.operations import record
from ..auth.models import Identity
from ..budgets.models import Allocation, Extension, TimeEntry
from ..calls.models import Call
from ..clock import local_midnight, local_today
from ..database import session
from ..mail.models import MailPreference, OutboxMessage
from ..recognition.queries import attestations_of, badges_of, letters_of, testimonials_of
from ..signups.models import Answer, SignUp


def own_data(agent):
    """Everything Alliés holds on `agent`, as plain values: profile, sign-ups with their answers, decisions on
    their requests, allocations, time logged, extensions, delegations, sign-on identities, API tokens (never
    the token), attestations, badges, thank-you letters and testimonials, mails and mail preferences, and the
    audit entries by or about them."""
    signups = session.execute(select(SignUp).where(SignUp.agent_id == agent.id)
                              .options(selectinload(SignUp.call), selectinload(SignUp.answers))
                              .order_by(SignUp.submitted_at)).scalars().all()
    allocations = session.execute(select(Allocation).where(Allocation.agent_id == agent.id)
                                  .options(selectinload(Allocation.signup).selectinload(SignUp.call))
                                  .order_by(Allocation.start_date)).scalars().all()
    allocation_ids = [allocation.id for allocation in allocations]
    entries = session.execute(select(TimeEntry).where(TimeEntry.agent_id == agent.id)
                              .order_by(TimeEntry.day, TimeEntry.id)).scalars().all()
    extensions = session.execute(select(Extension).where(Extension.allocation_id.in_(allocation_ids))
                                 .order_by(Extension.submitted_at)).scalars().all()
    decisions = session.execute(select(Decision).where(Decision.signup_id.in_([s.id for s in signups]))
                                .options(selectinload(Decision.decided_by)).order_by(Decision.decided_at)).scalars()
    about_them = or_((AuditEntry.object_type == "User") & (AuditEntry.object_id == agent.id),
                     (AuditEntry.object_type == "SignUp") & AuditEntry.object_id.in_([s.id for s in signups]),
                     (AuditEntry.object_type == "Allocation") & AuditEntry.object_id.in_(allocation_ids))
    audit = session.execute(select(AuditEntry, about_them).where(or_(AuditEntry.actor_id == agent.id, about_them))
                            .order_by(AuditEntry.at, AuditEntry.id)).all()
    mails = session.execute(select(OutboxMessage).where(OutboxMessage.recipient_id == agent.id)
                            .order_by(OutboxMessage.created_at, OutboxMessage.id)).scalars()
    delegations = session.execute(select(Delegation).where(or_(Delegation.manager_id == agent.id,
                                                                Delegation.deputy_id == agent.id))
                                  .options(selectinload(Delegation.manager), selectinload(Delegation.deputy))
                                  .order_by(Delegation.start_date)).scalars()
    identities = session.execute(select(Identity).where(Identity.user_id == agent.id)
                                 .order_by(Identity.source)).scalars()
    tokens = session.execute(select(ApiToken).where(ApiToken.user_id == agent.id)
                             .order_by(ApiToken.created_at, ApiToken.id)).scalars()
    preference = session.get(MailPreference, agent.id)
    titles = {signup.id: signup.call.title for signup in signups}
    allocated_for = {allocation.id: allocation.signup.call.title for allocation in allocations}
    return {
        "profile": {"login": agent.login, "email": agent.email, "given_name": agent.given_name,
                    "family_name": agent.family_name, "org_unit": agent.org_unit.path if agent.org_unit else None,
                    "manager": agent.manager.login if agent.manager else None, "quotity": agent.quotity,
                    "roles": sorted(agent.roles), "active": agent.active, "language": agent.locale,
                    "category": agent.category, "filiere": agent.filiere, "shows_badges": agent.shows_badges,
                    "lab_daily_digest": preference.daily_digest if preference else None,
                    "weekly_digest": preference.weekly_digest if preference else None},
        "sign_ups": [{"call": signup.call.title, "status": signup.status, "submitted_at": signup.submitted_at,
                      "hours_asked": signup.hours_asked, "motivation": signup.motivation,
                      "availability": signup.availability, "decline_reason": signup.decline_reason,
                      "answers": [{"question": answer.label, "answer": answer.value} for answer in signup.answers]}
                     for signup in signups],
        "decisions": [{"call": titles[decision.signup_id], "about": decision.kind, "outcome": decision.outcome,
                       "hours_asked": decision.hours_asked, "hours_agreed": decision.hours_agreed,
                       "new_end_date": decision.new_end_date, "reason": decision.reason,
                       "decided_at": decision.decided_at, "decided_by": decision.decided_by.login}
                      for decision in decisions],
        "allocations": [{"call": allocation.signup.call.title, "hours": allocation.hours,
                         "start": allocation.start_date, "end": allocation.end_date} for allocation in allocations],
        "time_entries": [{"call": allocated_for[entry.allocation_id], "day": entry.day, "hours": entry.hours,
                          "note": entry.note} for entry in entries],
        "extensions": [{"call": allocated_for[extension.allocation_id], "extra_hours": extension.extra_hours,
                        "new_end_date": extension.new_end_date, "note": extension.note, "status": extension.status,
                        "submitted_at": extension.submitted_at} for extension in extensions],
        "delegations": [{"manager": delegation.manager.login, "deputy": delegation.deputy.login,
                         "start": delegation.start_date, "end": delegation.end_date,
                         "ended_at": delegation.revoked_at} for delegation in delegations],
        "identities": [{"source": identity.source, "subject": identity.subject, "linked_at": identity.created_at,
                        "last_seen_at": identity.last_seen_at} for identity in identities],
        "api_tokens": [{"name": token.name, "starts_with": token.prefix, "created_at": token.created_at,
                        "last_used_at": token.last_used_at, "revoked_at": token.revoked_at} for token in tokens],
        "attestations": [{"number": attestation.number, "start": attestation.first_day, "end": attestation.last_day,
                          "created_at": attestation.issued_at, "revoked_at": attestation.revoked_at,
                          "sha256": attestation.sha256} for attestation in attestations_of(agent)],
        "badges": [{"badge": badge.kind, "since": badge.earned_on,
                    "by": badge.awarded_by.login if badge.awarded_by else None} for badge in badges_of(agent)],
        "thank_you_letters": [{"created_at": letter.written_at, "by": letter.written_by.login, "body": letter.body,
                               "co_signed_by": letter.co_signed_by, "forwarded_at": letter.forwarded_at}
                              for letter in letters_of(agent)],
        "testimonials": [{"call": testimonial.call.title, "by": testimonial.author_name, "body": testimonial.body,
                          "author_agreed": testimonial.author_agreed, "agent_agreed": testimonial.agent_agreed}
                         for testimonial in testimonials_of(agent)],
        "mails": [{"created_at": mail.created_at, "to": mail.to_address, "subject": mail.subject,
                   "sent_at": mail.sent_at, "body": mail.body_text} for mail in mails],
        # What others did about them, without the others' network address; what they did about others without the
        # details (other people's data).
        "audit_entries": [{"at": entry.at, "action": entry.action, "by": entry.actor_label,
                           "object": f"{entry.object_type} {entry.object_id}" if entry.object_type else None,
                           "details": entry.details if about else None,
                           "address": entry.ip if entry.actor_id == agent.id else None}
                          for entry, about in audit],
    }


def purge(today=None, dry_run=False):
    """Anonymise the sign-up details (motivation, availability, answers, the lab's and the manager's reasons) of
    calls ended more than ALLIES_RETENTION_MONTHS ago, delete mails sent before that many months, and delete
    audit entries older than ALLIES_AUDIT_RETENTION_MONTHS. Sign-ups, decisions, allocations and time logged
    stay, so every figure stays the same. Returns the counts."""
    today = today or local_today()
    config = current_app.config
    calls_ended_before = today - relativedelta(months=config["ALLIES_RETENTION_MONTHS"])
    audit_before = today - relativedelta(months=config["ALLIES_AUDIT_RETENTION_MONTHS"])
    old_calls = select(Call.id).where(Call.end_date < calls_ended_before)
    answers = select(Answer.id).join(SignUp).where(SignUp.call_id.in_(old_calls))
    old_mails = OutboxMessage.sent_at.is_not(None) & (OutboxMessage.sent_at < local_midnight(calls_ended_before))
    details = SignUp.call_id.in_(old_calls) & (
        (SignUp.motivation != "") | (SignUp.availability != "") | (SignUp.decline_reason != "")
        | SignUp.answers.any())
    counts = {
        "sign_ups": session.execute(select(func.count(SignUp.id)).where(details)).scalar_one(),
        "answers": session.execute(select(func.count()).select_from(answers.subquery())).scalar_one(),
        "mails": session.execute(select(func.count(OutboxMessage.id)).where(old_mails)).scalar_one(),
        "audit_entries": session.execute(select(func.count(AuditEntry.id)).where(
            AuditEntry.at < local_midnight(audit_before))).scalar_one(),
    }
    if not dry_run:
        session.execute(update(SignUp).where(details).values(motivation="", availability="", decline_reason="")
                        .execution_options(synchronize_session=False))
        session.execute(delete(Answer).where(Answer.id.in_(answers)).execution_options(synchronize_session=False))
        session.execute(update(Decision).where(Decision.signup_id.in_(select(SignUp.id).where(
            SignUp.call_id.in_(old_calls))), Decision.reason != "").values(reason="")
            .execution_options(synchronize_session=False))
        session.execute(delete(OutboxMessage).where(old_mails).execution_options(synchronize_session=False))
        session.execute(delete(AuditEntry).where(AuditEntry.at < local_midnight(audit_before))
                        .execution_options(synchronize_session=False))
        record("privacy.purged", calls_ended_before=calls_ended_before.isoformat(),
               audit_before=audit_before.isoformat(), **counts)
    return counts
