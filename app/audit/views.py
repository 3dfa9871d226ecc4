"""The audit log page, for administrators."""

from flask import Blueprint, render_template, request
from sqlalchemy.orm import selectinload

from ..auth.access import role_required
from ..database import page_from, paginate
from .forms import AuditFilterForm
from .labels import action_title, object_descriptions
from .models import AuditEntry
from .queries import audit_entries

bp = Blueprint("audit", __name__, url_prefix="/admin")


@bp.route("/audit")
@role_required("admin")
def log():
    """Entries of the audit log, newest first, filtered by actor, action, object and dates."""
    form = AuditFilterForm(request.args)
    filters = form.valid_filters()
    query = audit_entries(**{**filters, "object_id": filters["object_id"] or None, "since": filters["since"] or None,
                             "until": filters["until"] or None}).options(selectinload(AuditEntry.actor))
    page = paginate(query, page_from(request.args))
    return render_template("allies/audit/log.html", form=form, page=page, action_title=action_title,
                           objects=object_descriptions(page.items))
