"""OpenID Connect sign-in routes of the auth blueprint; they answer 404 unless ALLIES_IDENTITY_SOURCE is "oidc"."""

from flask import abort, flash, redirect, request, url_for

from ..database import session
from ..main.security import safe_next
from .identity import SignOnRefused, current_agent, identity
from .views import bp


def _oidc_source():
    """The OpenID Connect identity source, or 404 when sign-in happens otherwise."""
    source = identity()
    if getattr(source, "name", None) != "oidc":
        abort(404)
    return source


@bp.route("/login/oidc")
def oidc_start():
    """Go and sign in at the provider, coming back to `next` (a path of this app)."""
    source = _oidc_source()
    next_path = safe_next(request.args.get("next"))
    if current_agent() is not None:
        return redirect(next_path)
    try:
        return source.authorization_redirect(next_path)
    except SignOnRefused as refusal:
        flash(str(refusal), "error")
        session.commit()  # the audit entry of the failure (the request hook commits only POSTs)
        return redirect(url_for("allies.auth.login", next=request.args.get("next")))


@bp.route("/login/oidc/callback")
def oidc_callback():
    """The provider sends the browser back here: sign the agent in, or say why not."""
    source = _oidc_source()
    try:
        next_path = source.complete_sign_in(request.args)
    except SignOnRefused as refusal:
        flash(str(refusal), "error")
        next_path = url_for("allies.auth.login")
    session.commit()  # the identity link and the audit entries: a redirect from the provider is always a GET
    return redirect(safe_next(next_path))


@bp.route("/login/oidc/signed-out")
def oidc_signed_out():
    """The provider's logout sends the browser back here; the Alliés sessions had already ended."""
    _oidc_source().complete_sign_out()
    return redirect(url_for("allies.auth.login"))
