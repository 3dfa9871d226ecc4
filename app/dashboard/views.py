"""The lab's dashboard: where the calls, the volunteers and their time stand over a year."""

from flask import Blueprint, render_template, request
from flask_babel import format_date

from ..auth.access import role_required
from ..budgets.charts import bar_chart
from ..budgets.forms import YearForm
from ..budgets.queries import logged_per_unit_and_month, overview_by_directorate
from ..signups.models import SignUpStatus
from .queries import (hours_per_month, manager_decisions, participation_by_category, signups_per_call,
                      year_that_matters)

bp = Blueprint("dashboard", __name__)


@bp.route("/lab/dashboard")
@role_required("lab")
def dashboard():
    """The year asked for, or the one that matters now: sign-ups per call and status, agents and hours per directorate, hours per month, managers' decisions."""
    year = YearForm(request.args).valid_filters()["year"] or year_that_matters()
    calls, calls_with_signups = signups_per_call(year)
    logged = logged_per_unit_and_month(year)
    directorates = overview_by_directorate(year, logged)
    months = hours_per_month(year, logged)
    by_directorate, categories = participation_by_category(year)
    return render_template(
        "allies/dashboard/dashboard.html", year=year, calls=calls, calls_with_signups=calls_with_signups,
        directorates=directorates, months=months,
        decisions=manager_decisions(year),
        calls_chart=bar_chart((call.title, call.total, call.counts[SignUpStatus.APPROVED]) for call in calls),
        directorates_chart=bar_chart((figure.name, figure.allocated, figure.used) for figure in directorates),
        months_chart=bar_chart((format_date(month, "MMMM"), agreed, used) for month, agreed, used in months),
        by_directorate=by_directorate, categories=categories,
        small_categories={str(figures.title) for figures in categories if figures.small},
        categories_chart=bar_chart((str(figures.title), figures.headcount, 0 if figures.small else figures.mobilised)
                                   for figures in categories if figures.headcount or figures.mobilised))
