"""Attestations made on demand by the agent and revoked by the lab; badges and thank-you letters the lab gives."""

import hashlib
import secrets
from datetime import date

from flask import current_app
from flask_babel import gettext as _

from ..audit.operations import record
from ..budgets.operations import first_open_day
from ..clock import local_today, utcnow
from ..database import session
from ..main.i18n import format_day
from ..mail.operations import external_url, queue_mail
from ..refusals import Refusal
from .documents import qr_code, render_pdf, sign_pades
from .models import BY_RULE, Attestation, Badge, BadgeKind, Testimonial, ThankYouLetter
from .queries import attestation_numbered, calls_given_time, participation_lines, testimonials_of

# Letters and digits that cannot be read for one another (no 0/O, 1/I/L).
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
OLDEST_YEAR = 2000


def review_period(today=None):
    """The year a professional review looks back on: the year before during the first quarter, when reviews are
    held, else the current one (to its end: only closed months count)."""
    today = today or local_today()
    year = today.year - 1 if today.month <= 3 else today.year
    return date(year, 1, 1), date(year, 12, 31)


def new_attestation_number(today):
    """A number nobody can guess: ALL-<year>-<8 characters> (40 random bits, unique)."""
    while True:
        number = f"ALL-{today.year}-{''.join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))}"
        if attestation_numbered(number) is None:
            return number


def issue_attestation(agent, first_day, last_day, locale, grade=""):
    """The agent's attestation over the period, as (Attestation, PDF bytes): numbered, its hash kept so it can be
    verified; only agreed hours and time logged in closed months, never the motivation nor the answers."""
    today = local_today()
    if first_day > last_day:
        raise Refusal(_("The period must end after it starts."), "last_day")
    if first_day.year < OLDEST_YEAR or last_day.year > today.year:
        raise Refusal(_("Choose a period from %(first)d to this year.", first=OLDEST_YEAR), "first_day")
    if locale not in current_app.config["ALLIES_LOCALES"]:
        raise Refusal(_("Choose the language of the attestation."), "locale")
    attestation = Attestation(number=new_attestation_number(today), agent=agent, first_day=first_day,
                              last_day=last_day, locale=locale, issued_at=utcnow())
    session.add(attestation)
    session.flush()
    closed_before = first_open_day(today)
    lines = participation_lines(agent, first_day, last_day, closed_before)
    verify_url = external_url("allies.recognition.verify", number=attestation.number)
    pdf = render_pdf("attestation", locale, attestation=attestation, agent=agent, lines=lines, grade=grade.strip(),
                     testimonials=[testimonial for testimonial in testimonials_of(agent, published_only=True)
                                   if testimonial.call.start_date <= last_day
                                   and testimonial.call.end_date >= first_day],
                     closed_before=closed_before, verify_url=verify_url, qr=qr_code(verify_url),
                     issued_on=today, decree=REVIEW_DECREES.get(current_app.config["ALLIES_CIVIL_SERVICE"], ""))
    pdf = sign_pades(pdf, f"Attestation {attestation.number}", current_app.config["ALLIES_ATTESTATION_PLACE"])
    attestation.sha256 = hashlib.sha256(pdf).hexdigest()
    record("attestation.issued", actor=agent, obj=attestation, number=attestation.number,
           first_day=first_day.isoformat(), last_day=last_day.isoformat())
    return attestation, pdf


# The decree that lists what a professional review covers, per civil service.
REVIEW_DECREES = {"territoriale": "décret n° 2014-1526", "etat": "décret n° 2010-888",
                  "hospitaliere": "décret n° 2010-1153"}


def revoke_attestation(attestation, lab_member, reason):
    """The lab withdraws an attestation: its verification says so from now on."""
    if attestation.revoked_at is not None:
        raise Refusal(_("This attestation is already revoked."))
    if not reason.strip():
        raise Refusal(_("Give the reason of the revocation."), "reason")
    attestation.revoked_at = utcnow()
    attestation.revoked_by = lab_member
    attestation.revoke_reason = reason.strip()
    record("attestation.revoked", actor=lab_member, obj=attestation, number=attestation.number, reason=reason)


def award_badge(agent, kind, lab_member, note=""):
    """The lab gives a badge that marks a step; never one a rule gives, never twice the same."""
    if not BadgeKind.known(kind) or BadgeKind(kind) in BY_RULE:
        raise Refusal(_("Choose a badge the lab gives."), "kind")
    if session.query(Badge.id).filter_by(agent_id=agent.id, kind=kind).first() is not None:
        raise Refusal(_("%(name)s already has this badge.", name=agent.full_name), "kind")
    badge = Badge(agent=agent, kind=kind, awarded_by=lab_member, note=note.strip(), awarded_at=utcnow())
    session.add(badge)
    session.flush()
    record("badge.awarded", actor=lab_member, obj=agent, kind=kind)
    queue_mail(agent, "badge_awarded", badge=badge)
    return badge


def show_badges(agent, shown):
    """The agent agrees that their badges show on their profile, or takes it back."""
    if agent.shows_badges != shown:
        agent.shows_badges = shown
        record("badge.visibility_changed", actor=agent, obj=agent, shown=shown)


def write_letter(agent, lab_member, body, co_signed_by=""):
    """A « Merci » from the lab to the agent, who is told."""
    if not body.strip():
        raise Refusal(_("Write the letter."), "body")
    letter = ThankYouLetter(agent=agent, written_by=lab_member, body=body.strip(), co_signed_by=co_signed_by.strip(),
                            written_at=utcnow())
    session.add(letter)
    session.flush()
    record("letter.written", actor=lab_member, obj=agent, letter_id=letter.id)
    queue_mail(agent, "thank_you_letter", letter=letter)
    return letter


def letter_pdf(letter):
    """The letter as a PDF, in the agent's language."""
    locale = letter.agent.locale if letter.agent.locale in current_app.config["ALLIES_LOCALES"] \
        else current_app.config["ALLIES_DEFAULT_LOCALE"]
    return render_pdf("letter", locale, letter=letter, written_on=format_day)


def forward_letter(letter, agent):
    """The agent sends the letter to their manager, who may then read it; nothing else is shared."""
    manager = agent.manager
    if manager is None or not manager.active:
        raise Refusal(_("You have no manager in the directory to send it to."))
    letter.forwarded_at = utcnow()
    letter.forwarded_to_id = manager.id
    record("letter.forwarded", actor=agent, obj=agent, letter_id=letter.id, manager=manager.login)
    queue_mail(manager, "thank_you_forwarded", letter=letter)
    return manager


def add_testimonial(agent, call_id, lab_member, author_name, author_kind, body, author_agreed):
    """The lab records a testimonial on what the agent did in a call they gave time to; the agent is asked whether
    it may be published (it is only once they and its author agreed)."""
    call = next((call for call in calls_given_time(agent) if call.id == call_id), None)
    if call is None:
        raise Refusal(_("Choose a call %(name)s gave time to.", name=agent.full_name), "call_id")
    if author_kind not in ("lab", "partner"):
        raise Refusal(_("Say who wrote it: the lab or a partner."), "author_kind")
    if not author_name.strip() or not body.strip():
        raise Refusal(_("Give the testimonial and its author."), "text")
    testimonial = Testimonial(agent=agent, call=call, author_name=author_name.strip(), author_kind=author_kind,
                              body=body.strip(), author_agreed=author_agreed, agent_agreed=False,
                              written_by=lab_member, written_at=utcnow())
    session.add(testimonial)
    session.flush()
    record("testimonial.written", actor=lab_member, obj=agent, testimonial_id=testimonial.id,
           author_agreed=author_agreed)
    queue_mail(agent, "testimonial_written", testimonial=testimonial)
    return testimonial


def answer_testimonial(testimonial, agent, agreed):
    """The agent agrees to the testimonial's publication, or takes their agreement back."""
    if testimonial.agent_agreed != agreed:
        testimonial.agent_agreed = agreed
        record("testimonial.answered", actor=agent, obj=agent, testimonial_id=testimonial.id, agreed=agreed)
