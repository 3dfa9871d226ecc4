"""Configuration read from the environment; pick a class with ALLIES_ENV (development, production).

Every ALLIES_* setting of the extension can also be given as an environment variable.
"""

import os


def _env_bool(name, default):
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def _env_list(name):
    """Read a comma-separated environment variable; None when unset or empty."""
    items = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    return items or None


class Config:
    """Settings shared by every environment; ALLIES_* defaults live in the extension."""

    # None: a random key kept in the instance folder (development only; production refuses to start without one).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    # None means the embedded SQLite database in the instance folder.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    # Under a path of the intranet's host name (/volontaires): a cookie of our own, sent to that path only.
    SESSION_COOKIE_NAME = os.environ.get("SESSION_COOKIE_NAME", "session")
    SESSION_COOKIE_PATH = os.environ.get("SESSION_COOKIE_PATH") or None
    # No request ties up a worker: 8 MiB at most (a directory file), 500 kB of form text in 1,000 fields at most.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 8 * 1024 * 1024))
    MAX_FORM_MEMORY_SIZE = 500_000
    MAX_FORM_PARTS = 1_000
    # Host names requests may carry (comma-separated); None: any in development, ALLIES_BASE_URL's host in production.
    TRUSTED_HOSTS = _env_list("TRUSTED_HOSTS")


class DevelopmentConfig(Config):
    """Local development with the embedded database and the demo region."""

    ALLIES_ORG_NAME = "Région Val-de-Loire-Océane"


class ProductionConfig(Config):
    """Behind the intranet's proxy: strong secret, PostgreSQL, its own address, secure cookies, HSTS."""

    SESSION_COOKIE_SECURE = True
    ALLIES_HSTS = True
    ALLIES_PRODUCTION = True


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig}


def allies_settings_from_env(defaults):
    """ALLIES_* environment variables, typed like their defaults (numbers, yes/no, text)."""
    settings = {}
    for key, default in defaults.items():
        if key not in os.environ:
            continue
        value = os.environ[key]
        if isinstance(default, bool):
            settings[key] = _env_bool(key, default)
        elif isinstance(default, int):
            settings[key] = int(value)
        elif isinstance(default, tuple):
            settings[key] = tuple(part.strip() for part in value.split(",") if part.strip())
        else:
            settings[key] = value
    return settings


def config_from_env():
    """The configuration class named by ALLIES_ENV (development by default)."""
    name = os.environ.get("ALLIES_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"ALLIES_ENV={name!r} is unknown; use one of: {', '.join(CONFIGS)}.")
    return CONFIGS[name]
