"""The manager's inbox of requests to decide."""

from flask import Blueprint, render_template

from ..auth.access import login_required
from ..auth.identity import current_agent
from .queries import pending_for

bp = Blueprint("approvals", __name__)


@bp.route("/approvals")
@login_required
def inbox():
    """Requests of the manager's direct reports: agent, call, period and time asked — never the motivation."""
    return render_template("allies/approvals/inbox.html", requests=pending_for(current_agent()))
