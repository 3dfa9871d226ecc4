"""Where the signed-in agent comes from. Code asks `current_agent()`, never Flask-Login directly.

Each identity source knows how to find the agent of the current request: local accounts
(passwords stored in Alliés), LDAP, OpenID Connect, a header set by trusted proxies, or a host
intranet's own sign-in.
"""

import flask_login
from flask import current_app, g, has_request_context, render_template, url_for
from sqlalchemy.orm import joinedload, undefer
from werkzeug.utils import import_string

from ..database import session
from ..directory.models import User
from ..extensions import login_manager
from ..refusals import Refusal
from .operations import authenticate


class SignInUnavailable(Exception):
    """The identity source cannot check passwords now (its server does not answer); the message says so."""


class SignOnRefused(Refusal):
    """A sign-on provider's answer signs nobody in (refused, tampered, unreachable); the message says why."""


class LocalAccounts:
    """Sign-in with a password kept in Alliés; the session is Flask-Login's cookie session."""

    name = "local"
    offers_password_form = True
    offers_sign_out = True

    def init_app(self, app):
        """Install our Flask-Login manager; a host with a login manager of its own signs people in itself."""
        if not hasattr(app, "login_manager"):
            login_manager.init_app(app)
            login_manager.session_protection = "basic"
        elif app.login_manager is not login_manager:
            raise RuntimeError(
                f"ALLIES_IDENTITY_SOURCE={self.name!r} keeps its own sign-in session, but this application already "
                "has a login manager: in a host intranet, use 'host' (the host's sign-in) or 'header'.")

    def authenticate(self, login, password):
        """The active agent with this login and password, or None (the sign-in form's check)."""
        return authenticate(login, password)

    def login_url(self, next_path):
        """Where anonymous visitors go to sign in, coming back to `next_path`."""
        return url_for("allies.auth.login", next=next_path)

    def current_agent(self):
        """The signed-in, active agent, or None."""
        user = flask_login.current_user._get_current_object()  # the user, not the proxy: it is cached
        return user if user.is_authenticated else None

    def treat_request_as_anonymous(self):
        """Stop this request from loading the agent again (the database is unreachable)."""
        g.allies_agent = None
        g._login_user = login_manager.anonymous_user()

    def sign_in(self, user):
        """Start a session for `user` (whose password was checked)."""
        flask_login.login_user(user)
        g.allies_agent = user

    def sign_out(self, user):
        """End this session and every other session of `user`, server-side."""
        user.end_sessions()
        flask_login.logout_user()
        g.allies_agent = None


class SignedInElsewhere:
    """Base of the sources where the intranet signs people in (its proxy, or the host application itself):
    no password form, no session of Alliés' own, nothing Alliés could end on sign-out."""

    offers_password_form = False
    offers_sign_out = False

    def authenticate(self, login, password):
        """Passwords are never checked here."""
        return None

    def login_url(self, next_path):
        """Anonymous visitors land on Alliés' sign-in page, which says why the intranet did not let them in."""
        return url_for("allies.auth.login", next=next_path)

    def refused_login(self):
        """The login the intranet gave for this request that the directory refused, or None."""
        return g.get("allies_refused_login")

    def sign_in_page(self):
        """Instead of a password form: why this request is not signed in (403)."""
        return render_template("allies/auth/signed_in_elsewhere.html", refused_login=self.refused_login()), 403

    def sign_in(self, user):
        """The intranet signs agents in; this only sets the agent of the current request."""
        g.allies_agent = user

    def sign_out(self, user):
        """Nothing to end here: the intranet's sign-on outlives any Alliés page."""

    def treat_request_as_anonymous(self):
        """Stop this request from looking the agent up again (the database is unreachable)."""
        g.allies_agent = None


# ALLIES_IDENTITY_SOURCE → the class, imported when chosen (each source's libraries load only when used).
IDENTITY_SOURCES = {
    LocalAccounts.name: LocalAccounts,
    "host": f"{__package__}.host:HostSignIn",
    "ldap": f"{__package__}.ldap:LdapAccounts",
    "header": f"{__package__}.header:TrustedHeader",
    "oidc": f"{__package__}.oidc:OidcAccounts",
}


def register_identity_source(source_class):
    """Make another identity source available to ALLIES_IDENTITY_SOURCE under `source_class.name`.

    A source has `init_app(app)`, `login_url(next_path)`, `current_agent()`, `sign_in(user)`,
    `sign_out(user)` and `treat_request_as_anonymous()`, and says whether it `offers_password_form` (else its
    `sign_in_page()` answers the sign-in page) and `offers_sign_out`. `sign_out` may return a response that
    sends the browser on (a provider's own logout); None lands on the sign-in page. LocalAccounts and
    SignedInElsewhere are the two bases to start from.
    """
    IDENTITY_SOURCES[source_class.name] = source_class
    return source_class


def identity_source(name):
    """A new identity source of the configured kind."""
    source = IDENTITY_SOURCES.get(name)
    if source is None:
        raise RuntimeError(
            f"ALLIES_IDENTITY_SOURCE={name!r} is unknown; use one of: {', '.join(IDENTITY_SOURCES)}."
        ) from None
    if isinstance(source, str):
        source = import_string(source)
    return source()


# What every signed-in page reads of its agent, in the one query that loads it.
SIGNED_IN_AGENT = (joinedload(User.org_unit), joinedload(User.role_grants), undefer(User.has_reports))


@login_manager.user_loader
def load_user(user_id):
    """Flask-Login: the active user whose id and session version match the cookie."""
    user_pk, _, version = user_id.partition(":")
    if not user_pk.isdigit() or not version.isdigit():
        return None
    user = session.get(User, int(user_pk), options=SIGNED_IN_AGENT)
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def current_agent():
    """The signed-in agent of this request, or None — whatever the identity source (None outside requests)."""
    if not has_request_context():
        return None
    if "allies_agent" not in g:
        g.allies_agent = current_app.extensions["allies"].identity.current_agent()
    return g.allies_agent


def identity():
    """The identity source configured for this application."""
    return current_app.extensions["allies"].identity
