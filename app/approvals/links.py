"""Decision links in request mails: each mail to an approver carries a link of their own, which a later mail on the
same request (a reminder, an escalation, a revision, a digest) replaces."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from ..clock import local_midnight, local_today, utcnow
from ..database import session
from ..mail.operations import external_url, new_link_token, prefers_weekly_digest, queue_mail
from .models import DecisionLink
from .queries import delegations_covering

LINK_MODES = ("link", "sso", "off")
LONGEST_LINK_DAYS = 14


def check_decision_links(config):
    """Refuse an unknown ALLIES_DECISION_LINKS, or links living longer than 14 days, at start-up rather than at the
    first request mail."""
    mode, days = config["ALLIES_DECISION_LINKS"], config["ALLIES_DECISION_LINK_DAYS"]
    if mode not in LINK_MODES:
        raise RuntimeError(f"ALLIES_DECISION_LINKS must be one of {', '.join(LINK_MODES)}, not {mode!r}.")
    if not isinstance(days, int) or not 1 <= days <= LONGEST_LINK_DAYS:
        raise RuntimeError(f"ALLIES_DECISION_LINK_DAYS must be a whole number of days from 1 to {LONGEST_LINK_DAYS}, "
                           f"not {days!r}.")


def decision_links_on():
    """Whether request mails carry decision links (ALLIES_DECISION_LINKS is "link" or "sso")."""
    return current_app.config["ALLIES_DECISION_LINKS"] != "off"


def ask_for_decision(recipient, template, signup, purpose, extension=None, until=None, **context):
    """Queue a request mail to `recipient`; when links are on, with a decision link of their own (`decision_url`
    in the templates), valid ALLIES_DECISION_LINK_DAYS days and no later than the day `until`.

    A reminder or a digest replaces the links the recipient had on the request; an escalation, everyone's. An
    approver who chose the Monday digest gets no mail per request nor reminder (None): the digest lists them.
    """
    if purpose in ("request", "reminder", "extension") and prefers_weekly_digest(recipient):
        return None
    if not decision_links_on():
        return queue_mail(recipient, template, signup=signup, extension=extension, decision_url=None, **context)
    if purpose in ("reminder", "digest"):
        revoke_links(signup, extension, because=purpose, approver=recipient)
    elif purpose == "escalation":
        revoke_links(signup, extension, because=purpose)
    link = new_decision_link(recipient, signup, purpose, extension, until)
    return queue_mail(recipient, template, link_tokens=[link.token], signup=signup, extension=extension,
                      decision_url=decision_url(link), link_expires_at=link.expires_at, **context)


def new_decision_link(approver, signup, purpose, extension=None, until=None, number=1):
    """A decision link for the `number`-th link of a mail to `approver`, valid ALLIES_DECISION_LINK_DAYS days and
    no later than the day `until`."""
    now = utcnow()
    expires_at = now + timedelta(days=current_app.config["ALLIES_DECISION_LINK_DAYS"])
    if until is not None:
        expires_at = min(expires_at, local_midnight(until + timedelta(days=1)))
    link = DecisionLink(token=new_link_token(number), signup=signup, extension=extension, approver=approver,
                        purpose=purpose, created_at=now, expires_at=expires_at)
    session.add(link)
    return link


def decision_url(link):
    """The link's address as the mail shows it, its secret's slot in place of the secret."""
    return external_url("allies.approvals.by_link", secret=link.token.slot)


def ask_deputies(signup, template, purpose, extension=None, **context):
    """The same mail to each deputy standing in for the agent's manager today, with a link of their own that ends
    with their delegation (only when links are on: without them, deputies find requests in their inbox)."""
    manager = signup.agent.manager
    if not decision_links_on() or manager is None:
        return
    for delegation in delegations_covering(manager, local_today()):
        deputy = delegation.deputy
        if deputy.active and deputy.id != signup.agent_id:
            ask_for_decision(deputy, template, signup, purpose, extension, until=delegation.end_date,
                             deputy_for=manager, **context)


def revoke_links(signup, extension=None, because="revision", approver=None):
    """Kill the live links on a request (the sign-up's, or its extension's), or only those of one approver."""
    query = update(DecisionLink).where(
        DecisionLink.signup_id == signup.id,
        DecisionLink.extension_id.is_(None) if extension is None else DecisionLink.extension_id == extension.id,
        DecisionLink.used_at.is_(None), DecisionLink.revoked_at.is_(None))
    if approver is not None:
        query = query.where(DecisionLink.approver_id == approver.id)
    session.execute(query.values(revoked_at=utcnow(), revoked_because=because)
                    .execution_options(synchronize_session=False))
