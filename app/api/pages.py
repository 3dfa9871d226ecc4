"""The agent's page of personal API tokens: create one (shown once), see them, revoke them."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..auth.access import login_required
from ..auth.identity import current_agent
from ..refusals import refusals_shown
from ..signups.forms import ConfirmForm
from .forms import TokenForm
from .loaders import get_own_live_token
from .operations import create_token, revoke_token
from .queries import tokens_of

bp = Blueprint("api_tokens", __name__)


@bp.route("/my/tokens", methods=["GET", "POST"])
@login_required
def mine():
    """My tokens, and a new one: its value is on this answer only, never stored, never shown again."""
    agent = current_agent()
    form = TokenForm()
    created = None
    status = 200
    if form.validate_on_submit():
        with refusals_shown(form):
            token, clear = create_token(agent, form.name.data, actor=agent)
            created = {"name": token.name, "value": clear}
            form = TokenForm(formdata=None)
    if form.errors:
        status = 422
    return render_template("allies/api/tokens.html", form=form, tokens=tokens_of(agent), created=created), status


@bp.route("/my/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id):
    """Revoke one of my tokens; anyone else's is a 404."""
    token = get_own_live_token(token_id)
    if ConfirmForm().validate_on_submit():
        revoke_token(token, actor=current_agent())
        flash(_("The token « %(name)s » is revoked: it no longer opens the API.", name=token.name), "success")
    return redirect(url_for("allies.api_tokens.mine"))
