"""The volunteer's time budget: allocations, use, pace and warnings; logging time; asking for an extension."""

from datetime import date
from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_babel import gettext as _

from ..auth.access import login_required
from ..auth.identity import current_agent
from ..clock import local_today
from ..database import all_rows
from ..refusals import refusals_shown
from .charts import bar_chart, pace_chart
from .forms import ExtensionForm, TimeEntryForm, chosen_year
from .loaders import get_own_allocation, get_own_entry
from .operations import (
    can_change,
    delete_entry,
    first_open_day,
    log_time,
    request_extension,
    update_entry,
)
from .queries import allocations_of, budgets, daily_use, entries_of, monthly_use, pending_extensions
from .working_time import working_hours

bp = Blueprint("budgets", __name__)


def warn(threshold):
    """Tell the volunteer their budget has reached 80 % or 100 %."""
    if threshold is not None and threshold >= 1:
        flash(_("You have used %(share)s of your time for this call: ask for an extension to log more.",
                share=format_percent(1)), "warning")
    elif threshold is not None:
        flash(_("You have used %(share)s of your time for this call.", share=format_percent(threshold)), "warning")


@bp.route("/my/budget")
@login_required
def mine():
    """The volunteer's allocations of a year: allocated, used, remaining, pace, warnings, and the year's use."""
    agent, year = current_agent(), chosen_year(request.args)
    year_budgets = budgets(allocations_of(agent, year))
    monthly = monthly_use(year, agent)
    return render_template("allies/budgets/mine.html", year=year, budgets=year_budgets, monthly=monthly,
                           year_total=sum((hours for _, hours in monthly), Decimal(0)),
                           chart=bar_chart((b.allocation.signup.call.title, b.allocation.hours, b.used)
                                           for b in year_budgets),
                           working_hours=working_hours(agent.quotity, date(year, 1, 1), date(year, 12, 31)))


@bp.route("/my/budget/allocations/<int:allocation_id>", methods=["GET", "POST"])
@login_required
def allocation(allocation_id):
    """One allocation: its pace chart, its entries, and the form to log time."""
    allocation = get_own_allocation(allocation_id)
    form = TimeEntryForm(day=min(local_today(), allocation.end_date))
    status = 200
    if form.validate_on_submit():
        with refusals_shown(form):
            threshold = log_time(allocation, current_agent(), form.day.data, form.hours.data, form.note.data or "")[1]
            flash(_("Time logged."), "success")
            warn(threshold)
            return redirect(url_for("allies.budgets.allocation", allocation_id=allocation.id))
    if form.is_submitted():
        status = 422
    (budget,) = budgets([allocation])
    return render_template("allies/budgets/allocation.html", budget=budget, form=form,
                           chart=pace_chart(allocation, daily_use(allocation), budget.today),
                           entries=all_rows(entries_of([allocation])), can_change=can_change,
                           first_open_day=first_open_day(budget.today),
                           extension=pending_extensions([allocation.id]).get(allocation.id)), status


@bp.route("/my/budget/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(entry_id):
    """Change one of my entries of the current month."""
    entry = get_own_entry(entry_id)
    form = TimeEntryForm(obj=entry)
    if form.validate_on_submit():
        with refusals_shown(form):
            threshold = update_entry(entry, current_agent(), form.day.data, form.hours.data, form.note.data or "")
            flash(_("Entry changed."), "success")
            warn(threshold)
            return redirect(url_for("allies.budgets.allocation", allocation_id=entry.allocation_id))
    return render_template("allies/budgets/edit_entry.html", entry=entry, form=form), 422 if form.is_submitted() else 200


@bp.route("/my/budget/entries/<int:entry_id>/delete", methods=["POST"])
@login_required
def remove_entry(entry_id):
    """Delete one of my entries of the current month."""
    entry = get_own_entry(entry_id)
    delete_entry(entry, current_agent())
    flash(_("Entry deleted."), "success")
    return redirect(url_for("allies.budgets.allocation", allocation_id=entry.allocation_id))


@bp.route("/my/budget/allocations/<int:allocation_id>/extension", methods=["GET", "POST"])
@login_required
def extension(allocation_id):
    """Ask my manager for more hours or a later end."""
    allocation = get_own_allocation(allocation_id)
    form = ExtensionForm()
    if form.validate_on_submit():
        with refusals_shown(form):
            request_extension(allocation, current_agent(), form.extra_hours.data, form.new_end_date.data,
                              form.note.data or "")
            flash(_("Your extension request is sent to your manager."), "success")
            return redirect(url_for("allies.budgets.allocation", allocation_id=allocation.id))
    (budget,) = budgets([allocation])
    return render_template("allies/budgets/extension.html", budget=budget, form=form,
                           pending=pending_extensions([allocation.id]).get(allocation.id)), \
        422 if form.is_submitted() else 200
