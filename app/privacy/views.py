"""« Mes données »: what Alliés holds on me, to read and to download."""

import json

from flask import Blueprint, render_template, stream_with_context
from flask_babel import gettext as _

from ..auth.access import login_required
from ..auth.identity import current_agent
from ..exports.volunteers import file_name
from ..exports.writers import MEDIA_TYPES, ods_chunks
from ..main.responses import download
from .operations import own_data
from .sheets import own_data_sheets, plain

bp = Blueprint("privacy", __name__)


@bp.route("/my/data")
@login_required
def mine():
    """What Alliés holds on me, and the two downloads."""
    return render_template("allies/privacy/mine.html", data=own_data(current_agent()))


@bp.route("/my/data.json")
@login_required
def download_json():
    """Everything Alliés holds on me, as JSON."""
    body = json.dumps(own_data(current_agent()), default=plain, ensure_ascii=False, indent=2)
    return download(file_name(_("my-data"), "json"), "application/json", body)


@bp.route("/my/data.ods")
@login_required
def download_ods():
    """Everything Alliés holds on me, as a spreadsheet with a sheet per kind of data."""
    data = own_data(current_agent())
    return download(file_name(_("my-data"), "ods"), MEDIA_TYPES["ods"], stream_with_context(ods_chunks(own_data_sheets(data))))
