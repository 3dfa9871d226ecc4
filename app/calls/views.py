"""Calls: the agents' list and page, the lab's writing, publishing and form building."""

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone

from ..approvals.queries import refusals_of
from ..auth.access import login_required, public_or_signed_in, role_required
from ..auth.identity import current_agent
from ..budgets.working_time import proposal
from ..database import count_rows, page_from, paginate, session
from ..refusals import refusals_shown
from ..directory.queries import units_in_tree_order
from ..markup import render_markdown
from ..signups.forms import ConfirmForm, signup_form_for
from ..signups.models import SignUpStatus
from ..signups.queries import signup_state
from .feed import open_calls_feed
from .forms import CallForm, CallSearchForm, QuestionForm
from .loaders import get_call_for_agent, get_call_for_lab, get_question_for_lab
from .models import CallStatus
from .operations import (
    add_question,
    archive,
    close,
    create_call,
    move_question,
    publish,
    remove_question,
    update_call,
    update_question,
)
from .queries import calls_for_lab, open_calls_for, open_calls_page, status_counts

bp = Blueprint("calls", __name__)
FEED_SIZE = 50


@bp.route("/calls")
@login_required
def index():
    """Open calls meant for the signed-in agent, with search and a filter on the kind of time asked."""
    form = CallSearchForm(request.args)
    agent = current_agent()
    page = open_calls_page(agent, page_from(request.args), current_app.config["ALLIES_CALLS_PER_PAGE"],
                           **form.valid_filters())
    return render_template("allies/calls/index.html", form=form, page=page, my_statuses=page.statuses)


@bp.route("/widget/calls")
@public_or_signed_in
def widget():
    """The soonest open calls, compact, to frame in the intranet's home page (origins in
    ALLIES_WIDGET_FRAME_ANCESTORS)."""
    g.allies_frame_ancestors = current_app.config["ALLIES_WIDGET_FRAME_ANCESTORS"]
    query = open_calls_for(current_agent())
    calls = session.execute(query.limit(current_app.config["ALLIES_WIDGET_SIZE"])).scalars().all()
    return render_template("allies/calls/widget.html", calls=calls, total=count_rows(query))


@bp.route("/calls.atom")
@public_or_signed_in
def feed():
    """An Atom feed of the open calls: title, summary, link, deadline and places left."""
    calls = session.execute(open_calls_for(current_agent()).limit(FEED_SIZE)).scalars().all()
    return Response(open_calls_feed(calls), mimetype="application/atom+xml")


@bp.route("/calls/<int:call_id>")
@login_required
def show(call_id):
    """One call as agents read it, with how to sign up."""
    call = get_call_for_agent(call_id, with_questions=False)
    status, previous = signup_state(current_agent(), call.id)
    refused = previous is not None and previous.status == SignUpStatus.REFUSED
    refusal = refusals_of([previous.id]).get(previous.id) if refused else None
    return render_template("allies/calls/show.html", call=call, body=render_markdown(call.body, heading_offset=1),
                           my_status=status, previous=previous, refusal=refusal)


@bp.route("/lab/calls")
@role_required("lab")
def manage():
    """The lab's calls with their sign-up counts."""
    status = request.args.get("status", "")
    page = paginate(calls_for_lab(status if CallStatus.known(status) else ""), page_from(request.args))
    return render_template("allies/calls/manage.html", page=page, status=status,
                           counts=status_counts([call.id for call in page.items]))


@bp.route("/lab/calls/new", methods=["GET", "POST"])
@role_required("lab")
def new():
    """Write a new call (saved as a draft)."""
    form = CallForm(units=units_in_tree_order())
    if form.validate_on_submit():
        call = create_call(current_agent(), audience_units=form.chosen_units(), **form.call_fields())
        flash(_("The call is saved as a draft. Add its questions, then publish it."), "success")
        return redirect(url_for("allies.calls.preview", call_id=call.id))
    return render_template("allies/calls/edit.html", form=form, call=None)


@bp.route("/lab/calls/<int:call_id>/edit", methods=["GET", "POST"])
@role_required("lab")
def edit(call_id):
    """Change a call; the audit log records what changed."""
    call = get_call_for_lab(call_id)
    if not call.can_edit():
        abort(403)
    form = CallForm(obj=call, units=units_in_tree_order(), current_deadline=call.deadline)
    if request.method == "GET":
        form.audience_all.data = "all" if call.audience_all else "units"
        form.audience_units.data = [unit.id for unit in call.audience_units]
        form.deadline.data = _local(call.deadline)
    if form.validate_on_submit():
        with refusals_shown(form):
            changes = update_call(call, current_agent(), audience_units=form.chosen_units(), **form.call_fields())
            flash(_("Changes saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("allies.calls.preview", call_id=call.id))
    return render_template("allies/calls/edit.html", form=form, call=call)


def _local(moment):
    """A UTC datetime in the configured time zone, without tzinfo, for a datetime-local field."""
    return to_user_timezone(moment).replace(tzinfo=None, second=0, microsecond=0)


@bp.route("/lab/calls/<int:call_id>")
@role_required("lab")
def preview(call_id):
    """The call as agents will see it, its form builder and its actions."""
    call = get_call_for_lab(call_id)
    return _preview(call, QuestionForm())


def _preview(call, question_form, status=200):
    """The lab's page of a call, with the question form (empty, or with its errors), and the call's page and
    sign-up form as the lab member would see them as an agent (nothing can be sent from it)."""
    agent = current_agent()
    proposed = proposal(call, agent)
    return render_template("allies/calls/preview.html", call=call, body=render_markdown(call.body, heading_offset=2),
                           question_form=question_form, counts=status_counts([call.id])[call.id],
                           form=signup_form_for(call, agent, formdata=None, data={"hours_asked": proposed["proposed"]}),
                           rehearsal=True, **proposed), status


def _confirm_then_change(call, change, done_message, confirmation):
    """GET: a page asking to confirm (nothing changes); POST with its token: the change, then back to the call."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("allies/calls/confirm.html", call=call, form=form, **confirmation)
    with refusals_shown():
        change(call, current_agent())
        flash(done_message, "success")
    return redirect(url_for("allies.calls.preview", call_id=call.id))


@bp.route("/lab/calls/<int:call_id>/publish", methods=["GET", "POST"])
@role_required("lab")
def publish_call(call_id):
    """Ask for confirmation, then publish the call on the intranet."""
    call = get_call_for_lab(call_id)
    return _confirm_then_change(call, publish, _("The call is published: agents can sign up."), dict(
        heading=_("Publish « %(title)s »?", title=call.title),
        explanation=_("Agents it is meant for will find it in the calls, the widget and the feed, and can sign up "
                      "until its deadline. Check the preview first."),
        confirm=_("Yes, publish"), cancel=_("No, back to the call")))


@bp.route("/lab/calls/<int:call_id>/close", methods=["POST"])
@role_required("lab")
def close_call(call_id):
    """Stop sign-ups by hand."""
    call = get_call_for_lab(call_id)
    with refusals_shown():
        close(call, current_agent())
        flash(_("The call is closed: no more sign-ups."), "success")
    return redirect(url_for("allies.calls.preview", call_id=call.id))


@bp.route("/lab/calls/<int:call_id>/archive", methods=["GET", "POST"])
@role_required("lab")
def archive_call(call_id):
    """Ask for confirmation, then file the call away."""
    call = get_call_for_lab(call_id)
    return _confirm_then_change(call, archive, _("The call is archived."), dict(
        heading=_("Archive « %(title)s »?", title=call.title),
        explanation=_("The call leaves the lab's list (the « archived » filter still shows it) and cannot be "
                      "published again; its sign-ups stay readable."),
        confirm=_("Yes, archive"), cancel=_("No, back to the call")))


@bp.route("/lab/calls/<int:call_id>/questions", methods=["POST"])
@role_required("lab")
def new_question(call_id):
    """Add a question to the call's form."""
    call = get_call_for_lab(call_id)
    form = QuestionForm()
    if not call.can_edit():
        abort(403)
    if form.validate_on_submit():
        add_question(call, current_agent(), **form.question_fields())
        flash(_("Question added."), "success")
        return redirect(url_for("allies.calls.preview", call_id=call.id, _anchor="questions"))
    return _preview(call, form, 422)


@bp.route("/lab/calls/<int:call_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@role_required("lab")
def edit_question(call_id, question_id):
    """Change a question's wording, help, choices or whether it is required."""
    question = get_question_for_lab(call_id, question_id)
    form = QuestionForm(obj=question)
    if request.method == "GET":
        form.choices.data = "\n".join(question.choices)
    if form.validate_on_submit():
        changes = update_question(question, current_agent(), **form.question_fields())
        flash(_("Question saved.") if changes else _("Nothing was changed."), "success")
        return redirect(url_for("allies.calls.preview", call_id=call_id, _anchor="questions"))
    return render_template("allies/calls/question.html", call=question.call, question=question, form=form)


@bp.route("/lab/calls/<int:call_id>/questions/<int:question_id>/move", methods=["POST"])
@role_required("lab")
def move(call_id, question_id):
    """Move a question up or down."""
    question = get_question_for_lab(call_id, question_id)
    move_question(question, current_agent(), -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("allies.calls.preview", call_id=call_id, _anchor="questions"))


@bp.route("/lab/calls/<int:call_id>/questions/<int:question_id>/remove", methods=["GET", "POST"])
@role_required("lab")
def remove(call_id, question_id):
    """Ask for confirmation, then remove a question (answers already given stay readable)."""
    question = get_question_for_lab(call_id, question_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("allies/calls/confirm.html", call=question.call, form=form,
                               heading=_("Remove the question « %(label)s »?", label=question.label),
                               explanation=_("Agents will no longer be asked it; the answers already given stay "
                                             "readable."),
                               confirm=_("Yes, remove it"), cancel=_("No, keep it"))
    remove_question(question, current_agent())
    flash(_("Question removed."), "success")
    return redirect(url_for("allies.calls.preview", call_id=call_id, _anchor="questions"))
