"""The audit log in words: a title per action, and the object each entry is about, named."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..approvals.models import Delegation
from ..budgets.models import Allocation, Extension
from ..calls.models import Call, Question
from ..database import session
from ..directory.models import User
from ..mail.models import OutboxMessage
from ..recognition.models import Attestation
from ..main.i18n import elided
from ..signups.models import SignUp

ACTION_TITLES = {
    "auth.sign_in": _l("Signed in"),
    "auth.sign_in_failed": _l("Sign-in failed"),
    "auth.password_set": _l("Password set"),
    "auth.identity_linked": _l("Sign-in account linked"),
    "directory.import": _l("Directory imported"),
    "directory.role_granted": _l("Role granted"),
    "directory.role_revoked": _l("Role withdrawn"),
    "call.created": _l("Call created"),
    "call.updated": _l("Call changed"),
    "call.published": _l("Call published"),
    "call.closed": _l("Call closed"),
    "call.archived": _l("Call archived"),
    "call.question_added": _l("Question added"),
    "call.question_updated": _l("Question changed"),
    "call.question_moved": _l("Question moved"),
    "call.question_removed": _l("Question removed"),
    "signup.created": _l("Sign-up received"),
    "signup.promoted": _l("Taken off the waiting list"),
    "signup.approved": _l("Sign-up approved, time agreed"),  # by the manager, or by the call's rule (its actor says)
    "signup.refused": _l("Time refused by the manager"),
    "signup.declined": _l("Sign-up declined by the lab"),
    "signup.withdrawn": _l("Sign-up withdrawn"),
    "approvals.reminder": _l("Reminder sent to the manager"),
    "approvals.escalation": _l("Request passed to the manager's manager"),
    "approvals.delegated": _l("Deputy named"),
    "approvals.decided_by_mail_link": _l("Decided by a link received by mail"),
    "attestation.issued": _l("Attestation of participation made"),
    "attestation.revoked": _l("Attestation revoked"),
    "badge.awarded": _l("Badge given"),
    "badge.visibility_changed": _l("Badges shown or hidden on the profile"),
    "letter.written": _l("Thank-you letter written"),
    "letter.forwarded": _l("Thank-you letter sent to the manager"),
    "testimonial.written": _l("Testimonial recorded"),
    "testimonial.answered": _l("Testimonial published or kept private by the agent"),
    "approvals.delegation_revoked": _l("Delegation ended"),
    "allocation.revised": _l("Agreed time revised"),
    "allocation.ended": _l("Agreed time ended"),
    "allocation.extension_requested": _l("More time asked"),
    "allocation.extension_approved": _l("More time agreed"),
    "allocation.extension_refused": _l("More time refused"),
    "allocation.extension_cancelled": _l("Request for more time cancelled"),
    "mail.preference_changed": _l("Notification choice changed"),
    "export.volunteers": _l("Volunteer list exported"),
    "export.facilitators": _l("Facilitator network exported"),
    "api.token_created": _l("API token created"),
    "api.token_revoked": _l("API token revoked"),
    "privacy.purged": _l("Old sign-ups anonymised"),
}

FAMILY_TITLES = {
    "auth": _l("Sign-ins"),
    "directory": _l("Directory"),
    "call": _l("Calls"),
    "signup": _l("Sign-ups"),
    "approvals": _l("Manager's agreement"),
    "allocation": _l("Agreed time"),
    "mail": _l("E-mails"),
    "export": _l("Exports"),
    "api": _l("API"),
    "privacy": _l("Data protection"),
    "attestation": _l("Attestations"),
    "badge": _l("Badges"),
    "letter": _l("Thank-you letters"),
    "testimonial": _l("Testimonials"),
}

OBJECT_TITLES = {
    "User": _l("Person"),
    "Call": _l("Call"),
    "Question": _l("Question"),
    "SignUp": _l("Sign-up"),
    "Allocation": _l("Agreed time"),
    "Extension": _l("Request for more time"),
    "Delegation": _l("Delegation"),
    "OutboxMessage": _l("E-mail"),
    "Attestation": _l("Attestation"),
}


def action_title(action):
    """An action's title; an action without one shows as it was recorded, so nothing is hidden."""
    title = ACTION_TITLES.get(action)
    return str(title) if title is not None else action


def _people(ids):
    return {user.id: user.full_name for user in session.execute(select(User).where(User.id.in_(ids))).scalars()}


def _described(model, ids, describe, *load):
    rows = session.execute(select(model).where(model.id.in_(ids)).options(*load)).scalars()
    return {row.id: describe(row) for row in rows}


def _signup(signup):
    name = signup.agent.full_name
    return elided(_("Sign-up no. %(number)s of %(name)s", number=signup.id, name=name), name)


def _allocation(allocation):
    name = allocation.agent.full_name
    return elided(_("Agreed time no. %(number)s of %(name)s", number=allocation.id, name=name), name)


def _extension(extension):
    name = extension.allocation.agent.full_name
    return elided(_("Request for more time no. %(number)s of %(name)s", number=extension.id, name=name), name)


def _delegation(delegation):
    name = delegation.manager.full_name
    return elided(_("Delegation no. %(number)s of %(name)s to %(deputy)s", number=delegation.id, name=name,
                    deputy=delegation.deputy.full_name), name)


def _attestation(attestation):
    name = attestation.agent.full_name
    return elided(_("Attestation %(number)s of %(name)s", number=attestation.number, name=name), name)


_LOADERS = {
    "User": lambda ids: _people(ids),
    "Call": lambda ids: _described(Call, ids, lambda call: _("Call “%(title)s”", title=call.title)),
    "Question": lambda ids: _described(Question, ids, lambda question: _(
        "Question “%(label)s” of the call no. %(call)s", label=question.label, call=question.call_id)),
    "SignUp": lambda ids: _described(SignUp, ids, _signup, selectinload(SignUp.agent)),
    "Allocation": lambda ids: _described(Allocation, ids, _allocation, selectinload(Allocation.agent)),
    "Extension": lambda ids: _described(Extension, ids, _extension,
                                        selectinload(Extension.allocation).selectinload(Allocation.agent)),
    "Delegation": lambda ids: _described(Delegation, ids, _delegation, selectinload(Delegation.manager),
                                         selectinload(Delegation.deputy)),
    "OutboxMessage": lambda ids: _described(OutboxMessage, ids, lambda message: _(
        "E-mail no. %(number)s to %(address)s", number=message.id, address=message.to_address)),
    "Attestation": lambda ids: _described(Attestation, ids, _attestation, selectinload(Attestation.agent)),
}


def object_descriptions(entries):
    """What each entry is about, in words, keyed by (type, id): one query per kind of object on the page, not
    one per entry. An object that is gone, or of a kind without words, is named by its kind and number."""
    wanted = {}
    for entry in entries:
        if entry.object_type:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    described = {}
    for object_type, ids in wanted.items():
        loader = _LOADERS.get(object_type)
        found = loader(ids) if loader is not None else {}
        kind = OBJECT_TITLES.get(object_type, object_type)
        for number in ids:
            described[object_type, number] = found.get(number) or _("%(kind)s no. %(number)s", kind=kind,
                                                                    number=number)
    return described
