"""Alliés: calls for volunteers, managers' agreement on working time, and time budgets."""

import math
import os
import secrets
from collections import Counter
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.sansio.utils import host_is_trusted

from . import models  # noqa: F401  (every table registered on the metadata)
from .composition import DEFAULTS, Allies
from .main.errors import register_error_handlers

try:  # installed, the package carries config.py; in the source tree it sits beside the package
    from .config import Config, allies_settings_from_env, config_from_env
except ImportError:
    from config import Config, allies_settings_from_env, config_from_env

# Keys once published as examples: never accepted in production, whatever their estimate.
WEAK_SECRETS = {"dev-only-secret-key-change-me", "change-me", "secret", "dev"}
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 128
# Without SECRET_KEY, the random key kept in the instance folder (one per folder, shared by its processes).
SECRET_KEY_FILE = "secret_key"
KEY_COMMAND = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class AlliesFlask(Flask):
    """Flask whose refusal of a request naming another host (400) still renders Alliés' error page."""

    def create_url_adapter(self, request):
        """The URL adapter; for a refused host, one bound to ALLIES_BASE_URL's host, the 400 kept for dispatch."""
        try:
            return super().create_url_adapter(request)
        except SecurityError as refusal:
            if request is None:
                raise
            request.environ["HTTP_HOST"] = urlsplit(self.config["ALLIES_BASE_URL"]).netloc
            try:
                adapter = super().create_url_adapter(request)
            except SecurityError:
                raise refusal from None
            request.routing_exception = refusal
            return adapter


def create_app(config=None, instance_path=None):
    """Build the standalone Alliés application; `config` (a class, an object or a mapping) overrides `Config`."""
    app = AlliesFlask(__name__, instance_relative_config=True, static_folder=None, instance_path=instance_path)
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
        if app.config.get("TRUSTED_HOSTS") is None:  # a request naming another host gets 400
            app.config["TRUSTED_HOSTS"] = [urlsplit(app.config["ALLIES_BASE_URL"]).hostname]
        warn_about_memory_rate_limits(app)
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app)
    own_host = urlsplit(app.config.get("ALLIES_BASE_URL") or DEFAULTS["ALLIES_BASE_URL"]).hostname
    if app.config.get("TRUSTED_HOSTS") is not None and not host_is_trusted(own_host, app.config["TRUSTED_HOSTS"]):
        raise RuntimeError(f"TRUSTED_HOSTS must include ALLIES_BASE_URL's host, {own_host}.")

    hops = int(app.config.get("ALLIES_PROXY_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    Allies(app, standalone=True)
    register_error_handlers(app)
    return app


def instance_secret_key(app):
    """The random key kept in the instance folder, made on first use; says loudly that it stands in for SECRET_KEY."""
    path = os.path.join(app.instance_path, SECRET_KEY_FILE)
    if not os.path.exists(path):
        draft = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as draft_file:
            draft_file.write(secrets.token_urlsafe(32) + "\n")
        try:
            os.link(draft, path)  # atomic: processes starting together all end up with the first one's key
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    with open(path) as key_file:
        key = key_file.read().strip()
    if not key:
        raise RuntimeError(f"The session key file {path} is empty: delete it and start again, or set SECRET_KEY.")
    app.logger.warning(
        "SECRET_KEY is not set: sessions are signed with the random key kept in %s (made once, reused at each "
        "start). This is for development only: production (ALLIES_ENV=production) refuses to start without "
        "SECRET_KEY.", path)
    return key


def secret_strength(secret):
    """Estimated bits of a key: its length times the Shannon entropy of its characters, a repeated chunk once."""
    unit = secret[:_smallest_period(secret)]
    return len(unit) * -sum(count / len(unit) * math.log2(count / len(unit)) for count in Counter(unit).values())


def _smallest_period(text):
    """The length of the shortest chunk that, repeated, makes `text` ("abcabca" → 3); its length if none."""
    border, borders = 0, [0] * len(text)
    for index in range(1, len(text)):
        while border and text[index] != text[border]:
            border = borders[border - 1]
        if text[index] == text[border]:
            border += 1
        borders[index] = border
    return len(text) - (borders[-1] if text else 0)


def check_production_config(config):
    """Refuse to start in production with a guessable secret, the embedded database or no address of its own."""
    secret = config.get("SECRET_KEY") or ""
    if not secret:
        raise RuntimeError(f"Production needs SECRET_KEY: set the SECRET_KEY environment variable to a random key "
                           f"made once and kept, e.g. with: {KEY_COMMAND}")
    bits = secret_strength(secret)
    if secret in WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH or bits < MIN_SECRET_BITS:
        raise RuntimeError(
            f"Production needs a SECRET_KEY that cannot be guessed: at least {MIN_SECRET_LENGTH} characters and "
            f"{MIN_SECRET_BITS} bits by Alliés' estimate (its length times the Shannon entropy of its characters, "
            f"a repeated chunk counted once). This one has {len(secret)} characters and about {bits:.0f} bits. "
            f"Generate one with: {KEY_COMMAND}"
        )
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        raise RuntimeError(
            "Production needs PostgreSQL: set DATABASE_URL, e.g. postgresql+psycopg://allies@db.example/allies."
        )
    base_url = config.get("ALLIES_BASE_URL") or ""
    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).hostname:
        raise RuntimeError(
            "Production needs ALLIES_BASE_URL: Alliés' own address, e.g. https://intranet.example/volontaires. "
            "Links in mails start with it, and requests naming another host are refused."
        )


def warn_about_memory_rate_limits(app):
    """Rate limits kept in each process's memory: say loudly that several processes multiply them."""
    storage = (app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("ALLIES_RATELIMIT_STORAGE_URI")
               or DEFAULTS["ALLIES_RATELIMIT_STORAGE_URI"])
    if storage.startswith("memory"):
        app.logger.error(
            "ALLIES_RATELIMIT_STORAGE_URI is memory://: this process (pid %s) counts sign-in attempts and API "
            "requests on its own, so with N gunicorn workers an attacker gets N times the configured limits. "
            "Set ALLIES_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (a Redis shared by every worker).",
            os.getpid())
