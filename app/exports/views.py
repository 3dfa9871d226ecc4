"""The lab's volunteer list, on screen and as a file."""

from flask import Blueprint, abort, current_app, render_template, request, stream_with_context
from flask_sqlalchemy.pagination import Pagination

from ..auth.access import role_required
from ..auth.identity import current_agent
from ..database import page_from
from ..main.responses import download
from .forms import ExportForm
from .loaders import volunteer_filters
from .operations import export_facilitators, export_volunteers, facilitators
from .volunteers import rows, volunteer_count, volunteer_query

bp = Blueprint("exports", __name__)


class RowsPagination(Pagination):
    """One page of the volunteer list's rows (Flask-SQLAlchemy's pagination over a select of columns)."""

    def _query_items(self):
        query = volunteer_query(**self._query_args["filters"], one_page=True)
        return list(rows(query.limit(self.per_page).offset(self._query_offset), [], whole_list=False))

    def _query_count(self):
        return volunteer_count(**self._query_args["filters"])


@bp.route("/lab/volunteers")
@role_required("lab")
def volunteers():
    """Sign-ups filtered by call, status, org unit, dates and name, with what each was asked, agreed and used."""
    form = volunteer_filters()
    page = RowsPagination(page=page_from(request.args),
                          per_page=current_app.config["ALLIES_PAGE_SIZE"], max_per_page=None, error_out=False,
                          count=True, filters=form.filters())
    return render_template("allies/exports/volunteers.html", form=form, page=page, export_form=ExportForm())


@bp.route("/lab/volunteers/export", methods=["POST"])
@role_required("lab")
def export():
    """The list as filtered in the query string, as an ODS, XLSX or CSV file, streamed."""
    name, media_type, chunks = export_volunteers(current_agent(), chosen_format(), volunteer_filters().filters())
    return download(name, media_type, stream_with_context(chunks))


def chosen_format():
    """The file format posted; an unknown one is a bad request."""
    form = ExportForm()
    if not form.validate_on_submit():
        abort(400)
    return form.file_format.data


@bp.route("/lab/facilitators")
@role_required("lab")
def network():
    """The facilitators' network: everyone with an allocation running today, with their budget."""
    return render_template("allies/exports/facilitators.html", budgets=facilitators(), export_form=ExportForm())


@bp.route("/lab/facilitators/export", methods=["POST"])
@role_required("lab")
def export_network():
    """The facilitators' list as an ODS, XLSX or CSV file."""
    name, media_type, chunks = export_facilitators(current_agent(), chosen_format())
    return download(name, media_type, stream_with_context(chunks))
