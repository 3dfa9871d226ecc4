"""« Mes données »: what Alliés holds on me, to read and to download."""

import json
from datetime import date, datetime
from decimal import Decimal

from flask import Blueprint, render_template, stream_with_context
from flask_babel import gettext as _

from ..auth.access import login_required
from ..auth.identity import current_agent
from ..exports.views import download
from ..exports.volunteers import file_name
from ..exports.writers import MEDIA_TYPES, ods_chunks
from .operations import own_data

bp = Blueprint("privacy", __name__)


def _plain(value):
    """JSON for what the standard encoder does not know: dates in ISO 8601, exact decimals as text."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def _cell(value):
    """A value of own_data as a spreadsheet cell (lists and mappings as JSON text)."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=_plain, ensure_ascii=False)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def _sheets(data):
    """One sheet per kind of data: the profile as pairs, the rest as tables."""
    yield _("Profile"), [_("Field"), _("Value")], ([key, _cell(value)] for key, value in data["profile"].items())
    names = {"sign_ups": _("Sign-ups"), "decisions": _("Decisions on my requests"), "allocations": _("Time budgets"),
             "time_entries": _("Time entries"), "extensions": _("Extensions asked"), "delegations": _("Delegations"),
             "identities": _("Sign-on identities"), "api_tokens": _("API tokens"), "mails": _("Mails"),
             "audit_entries": _("Audit entries")}
    for key, records in data.items():
        if key == "profile" or not records:
            continue
        columns = list(records[0])
        yield names[key], columns, ([_cell(record[column]) for column in columns] for record in records)


@bp.route("/my/data")
@login_required
def mine():
    """What Alliés holds on me, and the two downloads."""
    return render_template("allies/privacy/mine.html", data=own_data(current_agent()))


@bp.route("/my/data.json")
@login_required
def download_json():
    """Everything Alliés holds on me, as JSON."""
    body = json.dumps(own_data(current_agent()), default=_plain, ensure_ascii=False, indent=2)
    return download(file_name(_("my-data"), "json"), "application/json", body)


@bp.route("/my/data.ods")
@login_required
def download_ods():
    """Everything Alliés holds on me, as a spreadsheet with a sheet per kind of data."""
    data = own_data(current_agent())
    return download(file_name(_("my-data"), "ods"), MEDIA_TYPES["ods"], stream_with_context(ods_chunks(_sheets(data))))
