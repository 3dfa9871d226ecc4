"""« Ma participation »: the agent's attestation, badges and letters; the public verification of an attestation;
the lab's recognition of an agent."""

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..auth.access import login_required, public, role_required
from ..auth.identity import current_agent
from ..extensions import limiter
from ..main.responses import download
from ..refusals import refusals_shown
from .forms import AttestationForm, BadgeForm, BadgeVisibilityForm, LetterForm, RevokeForm, TestimonialForm
from .loaders import (
    get_agent_for_lab,
    get_attestation_for_lab,
    get_letter_for_reader,
    get_own_letter,
    get_own_testimonial,
)
from .operations import (
    add_testimonial,
    answer_testimonial,
    award_badge,
    forward_letter,
    issue_attestation,
    letter_pdf,
    review_period,
    revoke_attestation,
    show_badges,
    write_letter,
)
from .queries import attestation_numbered, attestations_of, badges_of, calls_given_time, letters_of, testimonials_of

bp = Blueprint("recognition", __name__)


def _mine(form=None, status=200):
    """« Ma participation », with the attestation form as sent (errors) or filled with the review year."""
    agent = current_agent()
    if form is None:
        first_day, last_day = review_period()
        form = AttestationForm(first_day=first_day, last_day=last_day, locale=str(get_locale()))
    return render_template("allies/recognition/mine.html", form=form, attestations=attestations_of(agent),
                           badges=badges_of(agent), letters=letters_of(agent), testimonials=testimonials_of(agent),
                           visibility=BadgeVisibilityForm(shown=agent.shows_badges)), status


@bp.route("/my/participation")
@login_required
def mine():
    """The agent's attestations, badges and thank-you letters."""
    return _mine()


@bp.route("/my/participation/attestation", methods=["POST"])
@login_required
def attestation():
    """Make an attestation over the period asked and download it."""
    form = AttestationForm()
    if form.validate_on_submit():
        with refusals_shown(form):
            issued, pdf = issue_attestation(current_agent(), form.first_day.data, form.last_day.data,
                                            form.locale.data, form.grade.data or "")
            response = download(f"attestation-{issued.number}.pdf", "application/pdf", pdf)
            response.headers["Cache-Control"] = "no-store"
            return response
    return _mine(form, 422)


@bp.route("/my/participation/badges", methods=["POST"])
@login_required
def badge_visibility():
    """The agent agrees, or no longer agrees, that their badges show on their profile."""
    form = BadgeVisibilityForm()
    if form.validate_on_submit():
        show_badges(current_agent(), form.shown.data)
        flash(_("Your choice is saved."), "success")
    return redirect(url_for("allies.recognition.mine"))


@bp.route("/letters/<int:letter_id>")
@login_required
def letter(letter_id):
    """A thank-you letter as a PDF: for its agent, the lab, and the manager the agent sent it to."""
    thanks = get_letter_for_reader(letter_id)
    response = download(f"merci-{thanks.id}.pdf", "application/pdf", letter_pdf(thanks))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/my/participation/letters/<int:letter_id>/forward", methods=["POST"])
@login_required
def forward(letter_id):
    """Send a thank-you letter to my manager."""
    thanks = get_own_letter(letter_id)
    with refusals_shown():
        manager = forward_letter(thanks, current_agent())
        flash(_("The letter is sent to %(name)s.", name=manager.full_name), "success")
    return redirect(url_for("allies.recognition.mine"))


def _verify_rate_limit():
    """Verifications allowed from one address."""
    return current_app.config["ALLIES_VERIFY_RATE_LIMIT"]


@bp.route("/verify/<number>")
@public
@limiter.limit(_verify_rate_limit)
def verify(number):
    """Whether an attestation with this number is genuine and not revoked, and the hash of its PDF: never its
    content, nor whose it is."""
    found = attestation_numbered(number.strip().upper()[:24])
    response = make_response(render_template("allies/recognition/verify.html", number=number[:40],
                                             attestation=found), 200 if found is not None else 404)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/lab/agents/<int:user_id>/recognition")
@role_required("lab")
def lab_agent(user_id):
    """An agent's badges, letters and attestations, for the lab: give a badge, write a letter, revoke."""
    return _lab_agent(get_agent_for_lab(user_id))


def _lab_agent(agent, badge_form=None, letter_form=None, testimonial_form=None, status=200):
    return render_template("allies/recognition/lab_agent.html", agent=agent, badges=badges_of(agent),
                           letters=letters_of(agent), attestations=attestations_of(agent),
                           testimonials=testimonials_of(agent), badge_form=badge_form or BadgeForm(),
                           letter_form=letter_form or LetterForm(),
                           testimonial_form=testimonial_form or _testimonial_form(agent)), status


def _testimonial_form(agent):
    """The testimonial form, its calls those the agent gave time to."""
    form = TestimonialForm()
    form.call_id.choices = [(call.id, call.title) for call in calls_given_time(agent)]
    return form


@bp.route("/lab/agents/<int:user_id>/badges", methods=["POST"])
@role_required("lab")
def give_badge(user_id):
    """Give the agent a badge."""
    agent = get_agent_for_lab(user_id)
    form = BadgeForm()
    if form.validate_on_submit():
        with refusals_shown(form):
            award_badge(agent, form.kind.data, current_agent(), form.note.data or "")
            flash(_("The badge is given; %(name)s is told.", name=agent.full_name), "success")
            return redirect(url_for("allies.recognition.lab_agent", user_id=agent.id))
    return _lab_agent(agent, badge_form=form, status=422)


@bp.route("/lab/agents/<int:user_id>/letters", methods=["POST"])
@role_required("lab")
def write(user_id):
    """Write the agent a thank-you letter."""
    agent = get_agent_for_lab(user_id)
    form = LetterForm()
    if form.validate_on_submit():
        with refusals_shown(form):
            write_letter(agent, current_agent(), form.body.data, form.co_signed_by.data or "")
            flash(_("The letter is written; %(name)s is told.", name=agent.full_name), "success")
            return redirect(url_for("allies.recognition.lab_agent", user_id=agent.id))
    return _lab_agent(agent, letter_form=form, status=422)


@bp.route("/lab/agents/<int:user_id>/testimonials", methods=["POST"])
@role_required("lab")
def testify(user_id):
    """Record a testimonial on what the agent did in a call."""
    agent = get_agent_for_lab(user_id)
    form = _testimonial_form(agent)
    if form.validate_on_submit():
        with refusals_shown(form):
            add_testimonial(agent, form.call_id.data, current_agent(), form.author_name.data, form.author_kind.data,
                            form.text.data, form.author_agreed.data)
            flash(_("The testimonial is recorded; %(name)s is asked whether it may be published.",
                    name=agent.full_name), "success")
            return redirect(url_for("allies.recognition.lab_agent", user_id=agent.id))
    return _lab_agent(agent, testimonial_form=form, status=422)


@bp.route("/my/participation/testimonials/<int:testimonial_id>", methods=["POST"])
@login_required
def answer(testimonial_id):
    """The agent agrees that a testimonial on them is published, or takes it back."""
    testimonial = get_own_testimonial(testimonial_id)
    agreed = request.form.get("agree") == "yes"
    answer_testimonial(testimonial, current_agent(), agreed)
    flash(_("The testimonial may be published.") if agreed else _("The testimonial stays private."), "success")
    return redirect(url_for("allies.recognition.mine"))


@bp.route("/lab/attestations/<int:attestation_id>/revoke", methods=["POST"])
@role_required("lab")
def revoke(attestation_id):
    """Revoke an attestation, with a reason."""
    attestation = get_attestation_for_lab(attestation_id)
    form = RevokeForm()
    if form.validate_on_submit():
        with refusals_shown():
            revoke_attestation(attestation, current_agent(), form.reason.data)
            flash(_("Attestation %(number)s is revoked.", number=attestation.number), "success")
    else:
        flash(_("Give the reason of the revocation."), "error")
    return redirect(url_for("allies.recognition.lab_agent", user_id=attestation.agent_id))
