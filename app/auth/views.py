"""Sign-in and sign-out pages."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..database import keep_at_request_end
from ..extensions import limiter
from ..main.security import safe_next
from ..refusals import refusals_shown
from .access import login_required, public
from .forms import LoginForm
from .identity import SignInUnavailable, current_agent, identity

bp = Blueprint("auth", __name__)


def _rate_limit_per_address():
    """Sign-in attempts allowed from one address."""
    return current_app.config["ALLIES_LOGIN_RATE_LIMIT"]


def _rate_limit_per_login():
    """Sign-in attempts allowed on one login, whatever the address (short window: no long lock-out)."""
    return current_app.config["ALLIES_LOGIN_RATE_LIMIT_PER_LOGIN"]


def _failed(response):
    """Only failed attempts count (a failure shows the form again; a success redirects)."""
    return response.status_code != 302


def _attempted_login():
    """The rate-limit key of the login being tried."""
    return "login:" + request.form.get("login", "").strip().lower()[:64]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_rate_limit_per_address, methods=["POST"], deduct_when=_failed)
@limiter.limit(_rate_limit_per_login, methods=["POST"], key_func=_attempted_login, deduct_when=_failed)
def login():
    """Sign in with login and password."""
    if current_agent() is not None:
        return redirect(safe_next(request.args.get("next")))
    if not identity().offers_password_form:
        return identity().sign_in_page()  # why the proxy's sign-on did not let this request in
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = identity().authenticate(form.login.data, form.password.data)
        except SignInUnavailable as error:
            flash(str(error), "error")
        else:
            if user is not None:
                identity().sign_in(user)
                return redirect(safe_next(form.next.data))
            flash(_("Sign-in failed: check your login and password."), "error")
    return render_template("allies/auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out: this session and the agent's other sessions end."""
    if not identity().offers_sign_out:
        flash(_("Alliés cannot sign you out: sign out of the intranet, or close your browser."), "info")
        return redirect(url_for("allies.main.home"))
    provider_logout = identity().sign_out(current_agent())  # a sign-on source may send the browser to its provider
    flash(_("You are signed out."), "success")
    return provider_logout if provider_logout is not None else redirect(url_for("allies.auth.login"))


# OpenID Connect: these answer 404 unless ALLIES_IDENTITY_SOURCE is "oidc".

def _oidc_source():
    """The OpenID Connect identity source, or 404 when sign-in happens otherwise."""
    source = identity()
    if getattr(source, "name", None) != "oidc":
        abort(404)
    return source


@bp.route("/login/oidc")
@public
def oidc_start():
    """Go and sign in at the provider, coming back to `next` (a path of this app)."""
    source = _oidc_source()
    next_path = safe_next(request.args.get("next"))
    if current_agent() is not None:
        return redirect(next_path)
    with refusals_shown():
        return source.authorization_redirect(next_path)
    keep_at_request_end()  # the audit entry of the failure
    return redirect(url_for("allies.auth.login", next=request.args.get("next")))


@bp.route("/login/oidc/callback")
@public
def oidc_callback():
    """The provider sends the browser back here: sign the agent in, or say why not."""
    source = _oidc_source()
    next_path = url_for("allies.auth.login")
    with refusals_shown():
        next_path = source.complete_sign_in(request.args)
    keep_at_request_end()  # the identity link and the audit entries: a redirect from the provider is always a GET
    return redirect(safe_next(next_path))


@bp.route("/login/oidc/signed-out")
@public
def oidc_signed_out():
    """The provider's logout sends the browser back here; the Alliés sessions had already ended."""
    _oidc_source().complete_sign_out()
    return redirect(url_for("allies.auth.login"))
