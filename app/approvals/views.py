"""The manager's inbox of requests, and their decisions."""


from contextlib import suppress

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import format_decimal, ngettext
from wtforms.fields.choices import SelectChoice

from ..auth.access import here, login_required, public
from ..auth.identity import current_agent, identity
from ..budgets.charts import bar_chart
from ..budgets.forms import chosen_year
from ..budgets.models import ExtensionStatus
from ..budgets.queries import budgets, team_budgets
from ..budgets.working_time import hours_to_days, share_of_working_time
from ..database import all_rows, page_from, paginate, session
from ..extensions import limiter
from ..hashing import secret_hash
from ..mail.operations import prefers_weekly_digest
from ..refusals import Refusal, refusals_shown
from ..directory.queries import direct_reports
from ..main.templating import TranslatedLabels
from ..markup import render_markdown
from ..signups.models import SignUp, SignUpStatus
from .forms import (
    ApproveManyForm,
    DecisionForm,
    DelegationForm,
    DeputySearchForm,
    RequestNoticesForm,
    RevisionForm,
)
from .loaders import (
    get_allocation_for_approver,
    get_extension_for_approver,
    get_own_delegation,
    get_request_for_approver,
)
from .models import DecisionKind, DecisionOutcome
from .operations import (
    approve,
    choose_request_notices,
    decide_by_link,
    decide_on,
    decision_link_problem,
    delegate,
    revise_allocation,
    revoke_delegation,
)
from .queries import (
    allocated_this_year,
    link_for_secret,
    decisions_of,
    delegations_of,
    deputy_candidates,
    pending_extensions_for,
    pending_for,
    time_given,
)

bp = Blueprint("approvals", __name__)


@bp.route("/approvals")
@login_required
def inbox():
    """Requests of the manager's direct reports: agent, call, period and time asked — never the motivation."""
    page = paginate(pending_for(current_agent()), page_from(request.args))
    extensions = all_rows(pending_extensions_for(current_agent()))
    agents = {signup.agent_id for signup in page.items} | {extension.allocation.agent_id for extension in extensions}
    return render_template("allies/approvals/inbox.html", page=page, extensions=extensions,
                           allocated=allocated_this_year(agents))


@bp.route("/approvals/approve", methods=["POST"])
@login_required
def approve_many():
    """Approve the ticked requests as asked; those decided meanwhile, or not mine, are counted apart."""
    ticked = set(request.form.getlist("signups", type=int))
    form = ApproveManyForm()
    form.signups.choices = [SelectChoice(signup_id, "") for signup_id in ticked]
    if not form.validate_on_submit():
        flash(_("Tick at least one request."), "error")
        return redirect(url_for("allies.approvals.inbox"))
    approved = 0
    for signup in session.execute(pending_for(current_agent()).where(SignUp.id.in_(ticked))).scalars():
        with suppress(Refusal):
            approve(signup, current_agent())
            approved += 1
    flash(_("%(count)d requests approved.", count=approved), "success")
    if approved < len(ticked):
        flash(ngettext("%(num)d ticked request was already decided, or is not yours to decide: it is left as it is.",
                       "%(num)d ticked requests were already decided, or are not yours to decide: they are left as "
                       "they are.", len(ticked) - approved), "info")
    return redirect(url_for("allies.approvals.inbox"))


@bp.route("/approvals/<int:signup_id>", methods=["GET", "POST"])
@login_required
def decide(signup_id):
    """Decide on one request: approve as asked, approve less, or refuse with a reason."""
    signup = get_request_for_approver(signup_id)
    if signup.status != SignUpStatus.PENDING_MANAGER:
        flash(_("This request has already been decided."), "info")
        return redirect(url_for("allies.approvals.inbox"))
    form = DecisionForm(hours_asked=signup.hours_asked)
    if form.validate_on_submit():
        with refusals_shown():
            decide_on(signup, current_agent(), form.outcome.data, form.hours.data, (form.reason.data or "").strip())
            flash(_("Request refused; %(name)s is told why.", name=signup.agent.full_name)
                  if form.outcome.data == "refuse" else
                  _("Request approved; %(name)s is told.", name=signup.agent.full_name), "success")
        return redirect(url_for("allies.approvals.inbox"))
    call, agent = signup.call, signup.agent
    return render_template("allies/approvals/decide.html", signup=signup, form=form,
                           days=hours_to_days(signup.hours_asked),
                           share=share_of_working_time(signup.hours_asked, agent.quotity, call.start_date,
                                                       call.end_date), **_call_context(call, agent))


def _call_context(call, agent):
    """What a manager reads before deciding: the call as its page states it (never the agent's motivation nor
    answers), whether they may open that page, and the time the agent already gives in the call's year."""
    return {"call": call, "agent": agent, "body": render_markdown(call.body, heading_offset=2),
            "call_readable": call.can_be_read_by(current_agent()), "given": time_given(agent, call.start_date.year)}


def _rate_limit_per_address():
    """Decision-link requests allowed from one address."""
    return current_app.config["ALLIES_DECISION_LINK_RATE_LIMIT"]


def _rate_limit_per_link():
    """Requests allowed on one decision link, whatever the address."""
    return current_app.config["ALLIES_DECISION_LINK_RATE_LIMIT_PER_LINK"]


def _the_link():
    """The rate-limit key of the link asked for (a hash: the secret itself is never a key in the store)."""
    return "decision-link:" + secret_hash(request.view_args.get("secret", ""))[:32]


def _kept_private(response):
    """A decision link's page is never cached, indexed, or named to another site in a Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/decide/<secret>", methods=["GET", "POST"])
@public  # the link is the credential (ALLIES_DECISION_LINKS "link"); "sso" signs in first; "off": 404
@limiter.limit(_rate_limit_per_address)
@limiter.limit(_rate_limit_per_link, key_func=_the_link)
def by_link(secret):
    """The request a mail's link names and the approver's three choices; opening it decides nothing, only the
    form's POST does."""
    mode = current_app.config["ALLIES_DECISION_LINKS"]
    if mode == "off":
        abort(404)
    signed_in = current_agent()
    if mode == "sso" and signed_in is None:
        return _kept_private(redirect(identity().login_url(here())))
    link = link_for_secret(secret)
    if link is None:
        return _kept_private(make_response(render_template("allies/approvals/link.html", link=None), 404))
    problem = decision_link_problem(link, signed_in)
    extension = link.extension
    form = DecisionForm(hours_asked=extension.extra_hours if extension is not None else link.signup.hours_asked)
    if problem is None and form.validate_on_submit():
        with refusals_shown():
            agreed = decide_by_link(link, form.outcome.data, form.hours.data, (form.reason.data or "").strip(),
                                    signed_in, request.user_agent.string)
            flash(_decided_message(agreed, link), "success")
            return _kept_private(redirect(url_for("allies.approvals.by_link", secret=secret)))
        session.rollback()
        problem = decision_link_problem(link, signed_in)
    # « J'accepte » has its own button: the other form offers the two other choices.
    form.outcome.choices = [choice for choice in form.outcome.choices if choice.value != "approve"]
    status = 200
    if problem is not None:
        status = 403 if problem.forbidden else (409 if request.method == "POST" else 200)
    elif form.is_submitted():
        status = 422
    # A link that cannot decide shows only why: the request's details are read for one that can.
    details = _link_context(link) if problem is None else {}
    return _kept_private(make_response(render_template(
        "allies/approvals/link.html", link=link, problem=problem, form=form, **details), status))


def _decided_message(agreed, link):
    """What the approver just decided from a link, in words."""
    name = link.signup.agent.full_name
    if agreed is None:
        return _("You refused; %(name)s is told why.", name=name)
    if not agreed:  # an extension that asked only for a later end
        return _("You agreed to the later end; %(name)s is told.", name=name)
    return _("You agreed to %(hours)s h; %(name)s is told.", hours=format_decimal(agreed), name=name)


def _link_context(link):
    """What the approver reads on a decision link's page: the request, the call, the time already given."""
    signup, agent = link.signup, link.signup.agent
    call = signup.call
    hours = link.extension.extra_hours if link.extension is not None else signup.hours_asked
    return {"signup": signup, "extension": link.extension, "days": hours_to_days(hours),
            "share": share_of_working_time(hours, agent.quotity, call.start_date, call.end_date),
            "call": call, "agent": agent, "body": render_markdown(call.body, heading_offset=2),
            "call_readable": call.can_be_read_by(link.approver), "given": time_given(agent, call.start_date.year)}


@bp.route("/approvals/notifications", methods=["GET", "POST"])
@login_required
def notices():
    """A manager chooses a mail per request or a digest on Mondays."""
    form = RequestNoticesForm(notices="weekly" if prefers_weekly_digest(current_agent()) else "each")
    if form.validate_on_submit():
        choose_request_notices(current_agent(), form.notices.data == "weekly")
        flash(_("Your choice is saved."), "success")
        return redirect(url_for("allies.approvals.notices"))
    return render_template("allies/approvals/notices.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/approvals/delegation", methods=["GET", "POST"])
@login_required
def delegation():
    """Find a deputy by name (a GET search), choose them and the dates; see and end my delegations."""
    search = DeputySearchForm(request.values)
    q = search.valid_filters()["q"].strip()
    candidates = deputy_candidates(current_agent(), q)
    form = DelegationForm(manager=current_agent())
    form.deputy.choices = [SelectChoice(person.login, person.full_name + (
        f" — {person.org_unit.display_path}" if person.org_unit else "")) for person in candidates]
    if form.validate_on_submit():
        with refusals_shown():
            delegate(current_agent(), form.deputy_user, form.start_date.data, form.end_date.data)
            flash(_("%(name)s decides in your place during these dates.", name=form.deputy_user.full_name),
                  "success")
            return redirect(url_for("allies.approvals.delegation"))
    return render_template("allies/approvals/delegation.html", form=form, search=search, q=q,
                           candidates=candidates, delegations=delegations_of(current_agent()))


@bp.route("/approvals/delegation/<int:delegation_id>/revoke", methods=["POST"])
@login_required
def revoke(delegation_id):
    """End one of my delegations now."""
    delegation = get_own_delegation(delegation_id)
    revoke_delegation(delegation, current_agent())
    flash(_("The delegation is ended."), "success")
    return redirect(url_for("allies.approvals.delegation"))


@bp.route("/approvals/extensions/<int:extension_id>", methods=["GET", "POST"])
@login_required
def decide_extension(extension_id):
    """Decide on an extension as on a new request: agree to the extra hours (or fewer) and the later end, or
    refuse with a reason."""
    extension = get_extension_for_approver(extension_id)
    if extension.status != ExtensionStatus.PENDING:
        flash(_("This request has already been decided."), "info")
        return redirect(url_for("allies.approvals.inbox"))
    form = DecisionForm(hours_asked=extension.extra_hours)
    agent = extension.allocation.agent
    if form.validate_on_submit():
        with refusals_shown():
            decide_on(extension, current_agent(), form.outcome.data, form.hours.data, (form.reason.data or "").strip())
            flash(_("Extension refused; %(name)s is told why.", name=agent.full_name)
                  if form.outcome.data == "refuse" else
                  _("Extension approved; %(name)s is told.", name=agent.full_name), "success")
        return redirect(url_for("allies.approvals.inbox"))
    (budget,) = budgets([extension.allocation])
    return render_template("allies/approvals/extension.html", extension=extension, budget=budget, form=form,
                           **_call_context(extension.allocation.signup.call, agent)), \
        422 if form.is_submitted() else 200


@bp.route("/approvals/history")
@login_required
def history():
    """The decisions I took, or that were taken in my place, newest first."""
    page = paginate(decisions_of(current_agent()), page_from(request.args))
    return render_template("allies/approvals/history.html", page=page,
                           kinds=TranslatedLabels(DecisionKind.titles()),
                           outcomes=TranslatedLabels(DecisionOutcome.titles()))


@bp.route("/approvals/team")
@login_required
def team():
    """My direct reports' allocations over a year: allocated, used, remaining."""
    year = chosen_year(request.args)
    members = direct_reports(current_agent(), active_only=True)
    by_member = team_budgets(members, year)
    totals = {member.id: (sum((b.allocation.hours for b in by_member[member.id]), 0),
                          sum((b.used for b in by_member[member.id]), 0)) for member in members}
    return render_template("allies/approvals/team.html", year=year, members=members, by_member=by_member,
                           totals=totals, chart=bar_chart((member.full_name, *totals[member.id])
                                                          for member in members if by_member[member.id]))


@bp.route("/approvals/allocations/<int:allocation_id>/revise", methods=["GET", "POST"])
@login_required
def revise(allocation_id):
    """Lower an allocation I decide on, never below what is used, with a reason."""
    allocation = get_allocation_for_approver(allocation_id)
    form = RevisionForm()
    if form.validate_on_submit():
        with refusals_shown(form):
            revise_allocation(allocation, current_agent(), form.hours.data, (form.reason.data or "").strip())
            flash(_("Allocation revised; %(name)s is told why.", name=allocation.agent.full_name), "success")
            return redirect(url_for("allies.approvals.team"))
    (budget,) = budgets([allocation])
    return render_template("allies/approvals/revise.html", budget=budget, form=form), \
        422 if form.is_submitted() else 200
