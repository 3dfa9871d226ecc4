"""Assets a browser keeps: each link to the stylesheet, the logo or the theme carries a digest of what it serves, and
the answer to such a link may be kept a year; a changed file or colour makes a new link."""

import hashlib
import os
from functools import cache

from flask import current_app, request
from werkzeug.security import safe_join

from .theme import theme_stylesheet

STATIC, THEME = "allies.main.static", "allies.main.theme"
YEAR = 365 * 24 * 3600


def _digest(content):
    return hashlib.sha256(content).hexdigest()[:12]


@cache
def _file_digest(path, modified):
    with open(path, "rb") as file:
        return _digest(file.read())


@cache
def _theme_digest(colour):
    return _digest(theme_stylesheet(colour).encode())


def digest_of(endpoint, values):
    """The digest of what a link to the stylesheet, a static file or the theme serves; None for a missing file."""
    if endpoint == THEME:
        return _theme_digest(current_app.config["ALLIES_THEME_COLOUR"])
    path = safe_join(current_app.blueprints["allies.main"].static_folder, values.get("filename") or "")
    try:
        return _file_digest(path, os.stat(path).st_mtime_ns) if path else None
    except OSError:
        return None


def add_digest(endpoint, values):
    """`url_for` defaults: the digest of what the link serves, as `v`."""
    if endpoint in (STATIC, THEME) and "v" not in values:
        version = digest_of(endpoint, values)
        if version:
            values["v"] = version


def keep_for_a_year(response):
    """An asset asked for with its current digest may be kept a year without asking again."""
    if (request.endpoint in (STATIC, THEME) and response.status_code in (200, 304)
            and request.args.get("v") == digest_of(request.endpoint, request.view_args or {})):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    return response
