"""Signing up to a call, the agent's sign-ups, and the lab's view of a call's sign-ups."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..approvals.queries import refusals_of
from ..recognition.queries import shown_badges
from ..auth.access import login_required, role_required
from ..auth.identity import current_agent
from ..budgets.working_time import proposal
from ..calls.loaders import get_call_for_agent, get_call_for_lab
from ..calls.queries import status_counts
from ..database import all_rows, page_from, paginate, session
from ..mail.models import MailPreference
from .forms import ConfirmForm, DeclineForm, LabNoticesForm, SignUpFilterForm, signup_form_for
from .loaders import get_own_signup, get_signup_for_lab
from .models import SignUpStatus
from ..refusals import refusals_shown
from .operations import choose_lab_notices, decline, live_signup, sign_up, waitlist_rank, withdraw
from .queries import history, signups_of_agent, signups_of_call, waitlist_ranks

bp = Blueprint("signups", __name__)


@bp.route("/calls/<int:call_id>/sign-up", methods=["GET", "POST"])
@login_required
def new(call_id):
    """Answer a call: motivation, the call's questions, the time asked, availability."""
    call = get_call_for_agent(call_id)
    agent = current_agent()
    existing = live_signup(call.id, agent.id)
    if existing is not None:
        flash(_("You have already signed up to this call."), "info")
        return redirect(url_for("allies.signups.mine", _anchor=f"signup-{existing.id}"))
    if not call.is_open:
        flash(_("This call is not open for sign-ups any more."), "error")
        return redirect(url_for("allies.calls.show", call_id=call.id))
    proposed = proposal(call, agent)
    form = signup_form_for(call, agent, data={"hours_asked": proposed["proposed"]} if request.method == "GET" else None)
    if form.validate_on_submit():
        with refusals_shown():
            signup, created, rank = sign_up(call.id, agent, form.motivation.data.strip(), form.hours_asked.data,
                                            (form.availability.data or "").strip(), form.answers())
            if created:
                flash(_signup_message(signup, rank), "success")
            return redirect(url_for("allies.signups.mine", _anchor=f"signup-{signup.id}"))
        return redirect(url_for("allies.calls.show", call_id=call.id))
    return render_template("allies/signups/new.html", call=call, form=form, **proposed)


def _signup_message(signup, rank):
    if signup.status == SignUpStatus.WAITLISTED:
        return _("The call is full: you are number %(rank)d on the waiting list.", rank=rank)
    if signup.status == SignUpStatus.APPROVED:
        return _("You are signed up. No manager agreement is needed for this call.")
    return _("You are signed up. Your manager is asked to agree to the time.")


@bp.route("/my/sign-ups")
@login_required
def mine():
    """The agent's sign-ups with their status, and their rank on waiting lists."""
    signups = all_rows(signups_of_agent(current_agent()))
    ranks = waitlist_ranks({signup.call_id for signup in signups if signup.status == SignUpStatus.WAITLISTED})
    refusals = refusals_of(signup.id for signup in signups if signup.status == SignUpStatus.REFUSED)
    return render_template("allies/signups/mine.html", signups=signups, ranks=ranks, refusals=refusals)


@bp.route("/my/sign-ups/<int:signup_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_signup(signup_id):
    """Ask for confirmation, then withdraw the sign-up."""
    signup = get_own_signup(signup_id)
    if not signup.can_withdraw(current_agent()):
        flash(_("This sign-up cannot be withdrawn any more."), "error")
        return redirect(url_for("allies.signups.mine"))
    form = ConfirmForm()
    if form.validate_on_submit():
        with refusals_shown():
            withdraw(signup, current_agent())
            flash(_("Your sign-up to « %(title)s » is withdrawn.", title=signup.call.title), "success")
        return redirect(url_for("allies.signups.mine"))
    return render_template("allies/signups/withdraw.html", signup=signup, form=form)


@bp.route("/lab/calls/<int:call_id>/sign-ups")
@role_required("lab")
def of_call(call_id):
    """A call's sign-ups for the lab: filters, counts per status, answers."""
    call = get_call_for_lab(call_id)
    form = SignUpFilterForm(request.args)
    return render_template("allies/signups/of_call.html", call=call, form=form,
                           page=paginate(signups_of_call(call, **form.valid_filters()), page_from(request.args)),
                           counts=status_counts([call.id])[call.id],
                           ranks=waitlist_ranks([call.id]))


@bp.route("/lab/sign-ups/<int:signup_id>")
@role_required("lab")
def detail(signup_id):
    """One sign-up for the lab: answers, history, and declining it."""
    signup = get_signup_for_lab(signup_id)
    return render_template("allies/signups/detail.html", signup=signup, history=history(signup),
                           form=DeclineForm(), rank=waitlist_rank(signup),
                           refusal=refusals_of([signup.id]).get(signup.id), badges=shown_badges(signup.agent))


@bp.route("/lab/sign-ups/<int:signup_id>/decline", methods=["POST"])
@role_required("lab")
def decline_signup(signup_id):
    """Decline a sign-up with a reason."""
    signup = get_signup_for_lab(signup_id)
    form = DeclineForm()
    if form.validate_on_submit():
        with refusals_shown():
            decline(signup, current_agent(), form.reason.data.strip())
            flash(_("The sign-up is declined; the agent is told why."), "success")
        return redirect(url_for("allies.signups.detail", signup_id=signup.id))
    return render_template("allies/signups/detail.html", signup=signup, history=history(signup), form=form,
                           rank=waitlist_rank(signup), refusal=refusals_of([signup.id]).get(signup.id),
                           badges=shown_badges(signup.agent)), 422


@bp.route("/lab/notifications", methods=["GET", "POST"])
@role_required("lab")
def lab_notices():
    """A lab member chooses a mail per new sign-up or a daily digest."""
    preference = session.get(MailPreference, current_agent().id)
    form = LabNoticesForm(notices="digest" if preference and preference.daily_digest else "each")
    if form.validate_on_submit():
        choose_lab_notices(current_agent(), form.notices.data == "digest")
        flash(_("Your choice is saved."), "success")
        return redirect(url_for("allies.signups.lab_notices"))
    return render_template("allies/signups/lab_notices.html", form=form)
