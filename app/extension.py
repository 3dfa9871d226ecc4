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
    "ALLIES_HSTS": False,
    "ALLIES_PRODUCTION": False,
    "ALLIES_PAGE_SIZE": 50,
    "ALLIES_MIN_PASSWORD_LENGTH": 12,
    "ALLIES_CONTROLLER": "",
    "ALLIES_DPO_CONTACT": "",
    # Months after a call's end before sign-up details are anonymised.
    "ALLIES_RETENTION_MONTHS": 12,
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
        from .auth.views import bp as auth_bp
        from .directory.views import bp as directory_bp
        from .main.views import bp as main_bp

        blueprints = (main_bp, auth_bp, directory_bp)
        for blueprint in blueprints:
            app.register_blueprint(blueprint)
        return tuple(blueprint.name for blueprint in blueprints)

    @staticmethod
    def _register_commands(app):
        from .auth.cli import users_cli
        from .demo.cli import demo_cli
        from .directory.cli import directory_cli

        for group in (directory_cli, users_cli, demo_cli):
            app.cli.add_command(group)

    @staticmethod
    def _register_request_hooks(app):
        from .main.security import add_security_headers
        from .main.templating import template_context

        app.after_request(add_security_headers)
        app.context_processor(template_context)

        @app.after_request
        def commit_request(response):
            """Commit the request's single transaction when a state-changing request succeeded."""
            state = app.extensions["allies"]
            changes_state = request.method not in ("GET", "HEAD", "OPTIONS")
            if changes_state and request.blueprint in state.blueprints and response.status_code < 400:
                state.db.session.commit()
            return response
