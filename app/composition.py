"""The composition root: the Alliés extension, everything a Flask app (ours or a host intranet's) needs to run
Alliés. It imports the features; nothing in the package imports it back but `create_app`."""

from dataclasses import dataclass

from flask import Blueprint, abort, has_request_context, request
from flask import session as cookie_session

from . import models  # noqa: F401  (every table registered on the metadata)
from .api.cli import tokens_cli
from .api.pages import bp as api_tokens_bp
from .api.views import bp as api_bp
from .approvals.cli import approvals_cli, mail_cli
from .approvals.links import check_decision_links
from .approvals.views import bp as approvals_bp
from .audit.views import bp as audit_bp
from .auth.cli import users_cli
from .auth.identity import identity_source
from .auth.views import bp as auth_bp
from .budgets.views import bp as budgets_bp
from .calls.cli import calls_cli
from .calls.views import bp as calls_bp
from .cli import CommandLineOnly
from .dashboard.views import bp as dashboard_bp
from .database import Model, keep_sqlite_savepoints_nested, must_commit
from .database import db as default_db
from .demo.cli import demo_cli
from .directory.cli import directory_cli
from .directory.views import bp as directory_bp
from .exports.cli import export_cli
from .exports.views import bp as exports_bp
from .extensions import TRANSLATIONS_DIR, babel, csrf, limiter
from .fields import LARGEST_ID
from .mail.cli import outbox_cli
from .main.errors import register_error_handlers
from .main.i18n import elided, format_day, format_share, join_choices, select_locale
from .main.security import add_security_headers
from .main.templating import LANGUAGE_FILTERS, date_and_time, formatted_per_render, iso_date, template_context
from .main.theme import check_theme_colour
from .main.views import bp as main_bp
from .privacy.cli import privacy_cli
from .recognition.documents import check_attestation_signing
from .recognition.views import bp as recognition_bp
from .privacy.views import bp as privacy_bp
from .signups.cli import signups_cli
from .signups.views import bp as signups_bp

DEFAULTS = {
    "ALLIES_ORG_NAME": "Alliés",
    # A URL or a path under the Alliés static folder; None shows the built-in logo.
    "ALLIES_ORG_LOGO": None,
    "ALLIES_LOCALES": ("fr", "en"),
    "ALLIES_DEFAULT_LOCALE": "fr",
    "ALLIES_IDENTITY_SOURCE": "local",
    # Plugin mode: every Alliés page lives under this path of the host (e.g. /volontaires); "" standalone.
    "ALLIES_URL_PREFIX": "",
    # Identity source "host": a function (or "module:function") returning the host's signed-in login or None,
    # and the host's sign-in endpoint, which receives `next`.
    "ALLIES_HOST_LOGIN": None,
    "ALLIES_HOST_LOGIN_ENDPOINT": "login",
    "ALLIES_BASE_TEMPLATE": "allies/base.html",
    "ALLIES_LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    "ALLIES_LOGIN_RATE_LIMIT_PER_LOGIN": "5 per minute",
    # Where the limits count: memory:// counts in each process (one process only, as `make run`); with several
    # gunicorn workers, a shared store such as redis://127.0.0.1:6379/0, or each worker allows the full limit.
    "ALLIES_RATELIMIT_STORAGE_URI": "memory://",
    "ALLIES_FRAME_ANCESTORS": "'none'",
    # The open-calls widget may be framed by these origins (the intranet's home page), e.g. https://intra.example.
    "ALLIES_WIDGET_FRAME_ANCESTORS": "'self'",
    # The widget and the Atom feed list the calls open to everyone without sign-in (an intranet-only address).
    "ALLIES_PUBLIC_CALLS": False,
    "ALLIES_WIDGET_SIZE": 5,
    # The organisation's main colour (links, buttons, header rule); its contrast with white is checked.
    "ALLIES_THEME_COLOUR": "#000091",
    # Standalone only: trusted reverse proxies in front (their X-Forwarded-* headers are used).
    "ALLIES_PROXY_HOPS": 0,
    # Identity source "header": the variable or HTTP header naming the agent, believed only from these proxies
    # (addresses or CIDR networks of the TCP peer; none configured: the header mode refuses to start).
    "ALLIES_TRUSTED_HEADER": "REMOTE_USER",
    "ALLIES_TRUSTED_PROXIES": (),
    "ALLIES_HSTS": False,
    "ALLIES_PRODUCTION": False,
    "ALLIES_PAGE_SIZE": 50,
    # A form's body (not a file sent with it) and its number of fields; the JSON API's body and its nesting.
    "ALLIES_MAX_FORM_BYTES": 500_000,
    "ALLIES_MAX_FORM_FIELDS": 1_000,
    "ALLIES_MAX_JSON_BYTES": 1_000_000,
    "ALLIES_MAX_JSON_DEPTH": 20,
    "ALLIES_CALLS_PER_PAGE": 20,
    "ALLIES_MIN_PASSWORD_LENGTH": 12,
    # Working time (decree 2000-815): full-time hours a year, hours in a day; local time of the intranet.
    "ALLIES_ANNUAL_HOURS": 1607,
    "ALLIES_DAY_HOURS": 7,
    "ALLIES_TIMEZONE": "Europe/Paris",
    # Requests pending this many working days: a reminder to the approver, then the manager's manager decides.
    "ALLIES_REMIND_AFTER_DAYS": 3,
    "ALLIES_ESCALATE_AFTER_DAYS": 7,
    "ALLIES_HOLIDAYS_COUNTRY": "FR",
    # Request mails carry a decision link: "link" (the link alone lets its approver decide that one request),
    # "sso" (it leads to the decision page after the usual sign-in) or "off" (a link to the inbox's page).
    "ALLIES_DECISION_LINKS": "link",
    "ALLIES_DECISION_LINK_DAYS": 14,
    # Opening or using decision links: per address, and per link whatever the address.
    "ALLIES_DECISION_LINK_RATE_LIMIT": "30 per minute;300 per hour",
    "ALLIES_DECISION_LINK_RATE_LIMIT_PER_LINK": "10 per minute;60 per hour",
    # Who decides for agents without a manager in the directory (lab or admin).
    "ALLIES_FALLBACK_APPROVER_ROLE": "admin",
    # The attestation of participation: who signs it for the lab, where, and the civil service whose professional
    # review it joins ("territoriale": décret 2014-1526; "etat": décret 2010-888; "hospitaliere": décret 2010-1153).
    "ALLIES_ATTESTATION_SIGNATORY": "",
    "ALLIES_ATTESTATION_SIGNATORY_FUNCTION": "",
    "ALLIES_ATTESTATION_PLACE": "",
    "ALLIES_CIVIL_SERVICE": "territoriale",
    # The organisation's certificate and key (PKCS#12) to sign attestations (PAdES); empty: not signed.
    "ALLIES_ATTESTATION_SIGNING_PKCS12": "",
    "ALLIES_ATTESTATION_SIGNING_PASSWORD": "",
    "ALLIES_VERIFY_RATE_LIMIT": "20 per minute;200 per hour",
    "ALLIES_CONTROLLER": "",
    "ALLIES_DPO_CONTACT": "",
    # Months after a call's end before sign-up details are anonymised.
    "ALLIES_RETENTION_MONTHS": 12,
    # Months the audit log keeps its entries (exports, decisions, sign-ins…).
    "ALLIES_AUDIT_RETENTION_MONTHS": 24,
    # Alliés' own address: links in mails start with it. Production refuses to start unless it is set (an absolute
    # http(s) URL) and, standalone, answers 400 to requests naming another host (Flask's TRUSTED_HOSTS, unless set).
    "ALLIES_BASE_URL": "http://127.0.0.1:5000",
    # console, folder or smtp; None: console in development, smtp in production.
    "ALLIES_MAIL_BACKEND": None,
    "ALLIES_MAIL_FROM": "Alliés <no-reply@localhost>",
    # The folder backend's directory; None: <instance>/mails.
    "ALLIES_MAIL_FOLDER": None,
    "ALLIES_MAIL_SERVER": "localhost",
    "ALLIES_MAIL_PORT": 25,
    "ALLIES_MAIL_USE_TLS": False,  # STARTTLS
    "ALLIES_MAIL_USERNAME": None,
    "ALLIES_MAIL_PASSWORD": None,
    "ALLIES_MAIL_TIMEOUT": 10,
    # Failures before a mail is given up; retries wait 1 min, then twice as long each time, at most 6 h.
    "ALLIES_MAIL_MAX_ATTEMPTS": 14,  # 1 min doubling, capped at 6 h: about 32 h of outage
    # Requests each personal token may make to the JSON API (/api/v1), counted with the rate-limit storage.
    "ALLIES_API_RATE_LIMIT": "300 per minute",
    # Identity source "oidc": the provider's issuer (discovery at <issuer>/.well-known/openid-configuration), the
    # client registered there, the scopes asked, the claim holding the directory login, the name on the button.
    "ALLIES_OIDC_ISSUER": "",
    "ALLIES_OIDC_CLIENT_ID": "",
    "ALLIES_OIDC_CLIENT_SECRET": "",
    "ALLIES_OIDC_SCOPES": "openid email profile",
    "ALLIES_OIDC_LOGIN_CLAIM": "preferred_username",  # Keycloak; ProConnect: "email" or "uid"
    "ALLIES_OIDC_PROVIDER_NAME": "",  # empty: the issuer's host name
    "ALLIES_OIDC_TIMEOUT": 10,  # seconds to wait for each answer of the provider
    # Identity source "ldap" and `flask directory sync-ldap`: the server (ldap:// or ldaps://), the service account
    # that searches (empty: anonymous), where people are and the filter finding one by login ({login} is escaped).
    "ALLIES_LDAP_URL": "",
    "ALLIES_LDAP_BIND_DN": "",
    "ALLIES_LDAP_BIND_PASSWORD": "",
    "ALLIES_LDAP_USER_BASE": "",
    "ALLIES_LDAP_USER_FILTER": "(&(objectClass=inetOrgPerson)(uid={login}))",
    "ALLIES_LDAP_LOGIN_ATTRIBUTE": "uid",
    "ALLIES_LDAP_START_TLS": False,
    "ALLIES_LDAP_CA_CERTS_FILE": "",  # PEM file of the CA that signed the server's certificate; empty: the system's
    "ALLIES_LDAP_TIMEOUT": 5,  # seconds to connect and to wait for each answer
    # Attributes read by sync-ldap; empty unit: the entry's place under the user base (OU=DGS/OU=DRH → "DGS/DRH");
    # empty quotity: quotities stay as set in Alliés. The manager attribute holds the manager's DN.
    "ALLIES_LDAP_GIVEN_NAME_ATTRIBUTE": "givenName",
    "ALLIES_LDAP_FAMILY_NAME_ATTRIBUTE": "sn",
    "ALLIES_LDAP_EMAIL_ATTRIBUTE": "mail",
    "ALLIES_LDAP_UNIT_ATTRIBUTE": "",
    "ALLIES_LDAP_MANAGER_ATTRIBUTE": "manager",
    "ALLIES_LDAP_QUOTITY_ATTRIBUTE": "",
    # The civil-service category (A, B, C, contractuel) and the filière, if the directory holds them.
    "ALLIES_LDAP_CATEGORY_ATTRIBUTE": "",
    "ALLIES_LDAP_FILIERE_ATTRIBUTE": "",
    # Groups whose direct members hold the lab and admin roles at each sync; empty: the role is granted in Alliés.
    "ALLIES_LDAP_LAB_GROUP": "",
    "ALLIES_LDAP_ADMIN_GROUP": "",
    "ALLIES_LDAP_GROUP_MEMBER_ATTRIBUTE": "member",  # "uniqueMember" for groupOfUniqueNames
}


@dataclass
class AlliesState:
    """What Alliés keeps per Flask app: the database instance, its tables, the identity source."""

    db: object
    metadata: object
    identity: object
    # Whether Alliés owns the whole application (create_app) or is a guest in a host intranet.
    standalone: bool

    def owns_request(self):
        """Whether the current request is Alliés' own (every request when standalone)."""
        return self.standalone or self.routed_to_allies()

    @staticmethod
    def routed_to_allies():
        """Whether the current request reached one of Alliés' views."""
        return "allies" in request.blueprints


class Allies:
    """Flask extension: `Allies(app)` or `allies.init_app(app)`, optionally with a host's `db`.

    In a host intranet, Alliés touches only its own requests: security headers, CSRF checks,
    template variables and the commit apply to its blueprints, under ALLIES_URL_PREFIX.
    """

    def __init__(self, app=None, db=None, standalone=False):
        self.db = db
        self.standalone = standalone
        if app is not None:
            self.init_app(app)

    def init_app(self, app):
        """Register config defaults, database, security, i18n, blueprints and commands on `app`."""
        if "allies" in app.extensions:
            raise RuntimeError("Alliés is already registered on this application.")
        for key, value in DEFAULTS.items():
            app.config.setdefault(key, value)
        app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["ALLIES_RATELIMIT_STORAGE_URI"])
        app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["ALLIES_TIMEZONE"])

        check_theme_colour(app.config["ALLIES_THEME_COLOUR"])
        check_decision_links(app.config)
        check_attestation_signing(app.config)
        db = self.db or default_db
        if "sqlalchemy" not in app.extensions:
            db.init_app(app)
        with app.app_context():
            keep_sqlite_savepoints_nested(db.engine)
        if self.standalone:
            csrf.init_app(app)
        elif "csrf" not in app.extensions:
            app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # the host's own forms are its business
            csrf.init_app(app)
        limiter.init_app(app)
        self._init_translations(app)

        identity = identity_source(app.config["ALLIES_IDENTITY_SOURCE"])
        identity.init_app(app)

        self._register_blueprints(app, self.standalone)
        host_csrf = app.extensions["csrf"]
        if host_csrf is not csrf:  # the host's CSRFProtect checks every form; the API takes tokens instead
            host_csrf.exempt(api_bp)
        app.extensions["allies"] = AlliesState(db=db, metadata=Model.metadata, identity=identity,
                                               standalone=self.standalone)
        self._register_commands(app)
        self._register_request_hooks(app)

    @staticmethod
    def _init_translations(app):
        """Our catalogs: our own Babel when the host has none, else added to the host's directories."""
        if "babel" in app.extensions:
            directories = app.extensions["babel"].translation_directories
            if str(TRANSLATIONS_DIR) not in directories:
                directories.append(str(TRANSLATIONS_DIR))
            return
        babel.init_app(
            app,
            locale_selector=select_locale,
            default_locale=app.config["ALLIES_DEFAULT_LOCALE"],
            default_translation_directories=str(TRANSLATIONS_DIR),
        )

    @staticmethod
    def _register_blueprints(app, standalone):
        # One parent blueprint: endpoints are "allies.<feature>.<view>", so none can clash with a host's.
        allies = Blueprint("allies", __name__, url_prefix=app.config["ALLIES_URL_PREFIX"].rstrip("/") or None)
        for blueprint in (main_bp, auth_bp, directory_bp, calls_bp, signups_bp, approvals_bp, budgets_bp, exports_bp,
                          audit_bp, privacy_bp, dashboard_bp, recognition_bp, api_tokens_bp, api_bp):
            allies.register_blueprint(blueprint)
        if not standalone:  # a host keeps its own error pages; Alliés' pages get theirs (503 when the database is down)
            register_error_handlers(allies)
        app.register_blueprint(allies)

    @staticmethod
    def _register_commands(app):
        for group in (directory_cli, users_cli, demo_cli, outbox_cli, calls_cli, signups_cli, approvals_cli, export_cli,
                      privacy_cli, tokens_cli, mail_cli):
            app.cli.add_command(group)
        app.cli.add_command(CommandLineOnly("allies-db", f"{__package__}.schema", "schema_cli",
                                            help="Alliés' tables: migrate them, whatever the host does with its own."))

    @staticmethod
    def _register_request_hooks(app):
        state = app.extensions["allies"]
        app.add_template_filter(date_and_time, "date_and_time")
        app.add_template_filter(iso_date, "iso_date")
        app.add_template_filter(elided, "elided")
        app.add_template_filter(format_day, "human_date")
        app.add_template_filter(format_share, "share")
        app.add_template_filter(join_choices, "choices")
        for name in LANGUAGE_FILTERS:
            if name in app.jinja_env.filters:
                app.jinja_env.filters[name] = formatted_per_render(app.jinja_env.filters[name], name)

        @app.context_processor
        def allies_template_context():
            """Our template variables, for our pages and mails only."""
            return template_context() if not has_request_context() or state.owns_request() else {}

        def refuse_unreadable():
            """Our query strings are UTF-8, our forms stay small and our ids fit the database, whatever is sent."""
            if not state.owns_request():
                return
            try:
                request.query_string.decode()
            except UnicodeDecodeError:
                abort(400)
            if request.mimetype == "application/x-www-form-urlencoded":
                form_limit = app.config["ALLIES_MAX_FORM_BYTES"]
                request.max_content_length = min(request.max_content_length or form_limit, form_limit)
                if len(request.form) > app.config["ALLIES_MAX_FORM_FIELDS"]:
                    abort(413)
            if any(isinstance(value, int) and value > LARGEST_ID for value in (request.view_args or {}).values()):
                abort(404)

        # First of all hooks: none may read a form (the CSRF check does) before its size is bounded.
        app.before_request_funcs.setdefault(None, []).insert(0, refuse_unreadable)

        @app.before_request
        def check_csrf():
            """Our forms need their CSRF token even when the host does not check its own."""
            checked_anyway = app.config.get("WTF_CSRF_CHECK_DEFAULT", True)
            if app.config.get("WTF_CSRF_ENABLED", True) and not checked_anyway and state.owns_request():
                csrf.protect(apply_exemptions=True)

        @app.after_request
        def secure_response(response):
            """Our security headers on our responses; a host's pages keep theirs."""
            return add_security_headers(response) if state.owns_request() else response

        @app.after_request
        def commit_request(response):
            """Commit the request's single transaction when it changed something and succeeded; a failed commit
            (the database gone at COMMIT: 503) answers through the error handlers, and the view's notices go."""
            if state.routed_to_allies() and must_commit(request.method, response.status_code):
                try:
                    state.db.session.commit()
                except Exception as error:
                    cookie_session.pop("_flashes", None)  # "Saved" would be untrue: nothing was
                    return app.make_response(app.handle_user_exception(error))
            return response
