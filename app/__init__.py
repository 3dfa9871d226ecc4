"""Alliés: calls for volunteers, managers' agreement on working time, and time budgets."""

import logging
import os
import secrets

from flask import Flask
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from . import models  # noqa: F401  (every table registered on the metadata)
from .database import db
from .extension import DEFAULTS, MIGRATIONS_DIR, Allies
from .main.errors import register_error_handlers

WEAK_SECRETS = {"dev-only-secret-key-change-me", "change-me", "secret", "dev"}
MIN_SECRET_LENGTH = 32


def create_app(config=None):
    """Build the standalone Alliés application; `config` (a class, an object or a mapping) overrides `Config`."""
    try:  # installed, the package carries config.py; in the source tree it sits beside the package
        from .config import Config, allies_settings_from_env, config_from_env
    except ImportError:
        from config import Config, allies_settings_from_env, config_from_env

    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.config.from_object(Config)
    from_environment = config is None
    if from_environment:
        config = config_from_env()
    if isinstance(config, dict):
        app.config.from_mapping(config)
    else:
        app.config.from_object(config)
    if from_environment:
        app.config.update(allies_settings_from_env(DEFAULTS))
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{os.path.join(app.instance_path, 'allies.sqlite3')}"
    if app.config.get("ALLIES_PRODUCTION"):
        check_production_config(app.config)

    hops = int(app.config.get("ALLIES_PROXY_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    Allies(app, standalone=True)
    Migrate(app, db, directory=str(MIGRATIONS_DIR))
    register_error_handlers(app)
    return app


def check_production_config(config):
    """Refuse to start in production with a weak secret or the embedded database."""
    secret = config.get("SECRET_KEY") or ""
    if secret in WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH:
        raise RuntimeError(
            "Production needs a strong SECRET_KEY: set the SECRET_KEY environment variable to at least "
            f"{MIN_SECRET_LENGTH} random characters, e.g. {secrets.token_urlsafe(48)!r}."
        )
    if config.get("ALLIES_RATELIMIT_STORAGE_URI", "memory://").startswith("memory"):
        logging.getLogger(__name__).warning(
            "ALLIES_RATELIMIT_STORAGE_URI is memory://: each app process counts sign-in attempts on its own. "
            "With several processes, set it to redis://…")
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        raise RuntimeError(
            "Production needs PostgreSQL: set DATABASE_URL, e.g. postgresql+psycopg://allies@db.example/allies."
        )
