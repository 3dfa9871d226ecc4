"""The Alliés extension: everything a Flask app (ours or a host intranet's) needs to run Alliés."""

from dataclasses import dataclass
from pathlib import Path

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from .database import db as default_db

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR.parent / "templates"
MIGRATIONS_DIR = PACKAGE_DIR.parent / "migrations"
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()
babel = Babel()

DEFAULTS = {
    "ALLIES_ORG_NAME": "Alliés",
    # A URL or a path under the Alliés static folder; None shows the built-in logo.
    "ALLIES_ORG_LOGO": None,
    "ALLIES_LOCALES": ("fr", "en"),
    "ALLIES_DEFAULT_LOCALE": "fr",
    "ALLIES_IDENTITY_SOURCE": "local",
    "ALLIES_BASE_TEMPLATE": "allies/base.html",
    "ALLIES_LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    "ALLIES_LOGIN_RATE_LIMIT_PER_LOGIN": "5 per minute",
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
    "ALLIES_HSTS": False,
    "ALLIES_PRODUCTION": False,
    "ALLIES_PAGE_SIZE": 50,
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
    # Who decides for agents without a manager in the directory (lab or admin).
    "ALLIES_FALLBACK_APPROVER_ROLE": "admin",
    "ALLIES_CONTROLLER": "",
    "ALLIES_DPO_CONTACT": "",
    # Months after a call's end before sign-up details are anonymised.
    "ALLIES_RETENTION_MONTHS": 12,
    # Months the audit log keeps its entries (exports, decisions, sign-ins…).
    "ALLIES_AUDIT_RETENTION_MONTHS": 24,
    # Links in mails sent outside a request (the mail worker, the CLI) start with this.
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
}


@dataclass
class AlliesState:
    """What Alliés keeps per Flask app: the database instance and the identity source."""

    db: object
    identity: object
    blueprints: tuple


class Allies:
    """Flask extension: `Allies(app)` or `allies.init_app(app)`, optionally with a host's `db`."""

    def __init__(self, app=None, db=None):
        self.db = db
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
        from .main.theme import check_theme_colour

        check_theme_colour(app.config["ALLIES_THEME_COLOUR"])

        db = self.db or default_db
        if "sqlalchemy" not in app.extensions:
            db.init_app(app)
        if "csrf" not in app.extensions:
            csrf.init_app(app)
        limiter.init_app(app)
        if "babel" not in app.extensions:
            from .main.i18n import select_locale

            babel.init_app(
                app,
                locale_selector=select_locale,
                default_locale=app.config["ALLIES_DEFAULT_LOCALE"],
                default_translation_directories=str(TRANSLATIONS_DIR),
            )

        from .auth.identity import identity_source

        identity = identity_source(app.config["ALLIES_IDENTITY_SOURCE"])
        identity.init_app(app)

        blueprints = self._register_blueprints(app)
        app.extensions["allies"] = AlliesState(db=db, identity=identity, blueprints=blueprints)
        self._register_commands(app)
        self._register_request_hooks(app)

    @staticmethod
    def _register_blueprints(app):
        from .approvals.views import bp as approvals_bp
        from .audit.views import bp as audit_bp
        from .auth.views import bp as auth_bp
        from .budgets.views import bp as budgets_bp
        from .calls.views import bp as calls_bp
        from .dashboard.views import bp as dashboard_bp
        from .directory.views import bp as directory_bp
        from .exports.views import bp as exports_bp
        from .main.views import bp as main_bp
        from .privacy.views import bp as privacy_bp
        from .signups.views import bp as signups_bp

        blueprints = (main_bp, auth_bp, directory_bp, calls_bp, signups_bp, approvals_bp, budgets_bp, exports_bp, audit_bp, privacy_bp,
                      dashboard_bp)
        for blueprint in blueprints:
            app.register_blueprint(blueprint)
        return tuple(blueprint.name for blueprint in blueprints)

    @staticmethod
    def _register_commands(app):
        from .approvals.cli import approvals_cli
        from .auth.cli import users_cli
        from .calls.cli import calls_cli
        from .demo.cli import demo_cli
        from .directory.cli import directory_cli
        from .exports.cli import export_cli
        from .mail.cli import outbox_cli
        from .privacy.cli import privacy_cli
        from .signups.cli import signups_cli

        for group in (directory_cli, users_cli, demo_cli, outbox_cli, calls_cli, signups_cli, approvals_cli, export_cli,
                      privacy_cli):
            app.cli.add_command(group)

    @staticmethod
    def _register_request_hooks(app):
        from .main.security import add_security_headers
        from .main.templating import date_and_time, iso_date, template_context

        app.after_request(add_security_headers)
        app.context_processor(template_context)
        app.add_template_filter(date_and_time, "date_and_time")
        app.add_template_filter(iso_date, "iso_date")

        @app.after_request
        def commit_request(response):
            """Commit the request's single transaction when a state-changing request succeeded."""
            state = app.extensions["allies"]
            changes_state = request.method not in ("GET", "HEAD", "OPTIONS")
            if changes_state and request.blueprint in state.blueprints and response.status_code < 400:
                state.db.session.commit()
            return response
