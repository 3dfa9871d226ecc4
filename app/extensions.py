"""The ground floor: the Flask extensions' instances and the package's folders, imported by any layer above."""

from pathlib import Path

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name):
    """A folder shipped inside the installed package (wheel), else beside it in the source tree."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


TEMPLATES_DIR = _bundled("templates")
MIGRATIONS_DIR = _bundled("migrations")
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], key_prefix="allies")
login_manager = LoginManager()
babel = Babel()


@limiter.request_filter
def _outside_allies():
    """A host's own requests are none of Alliés' limiter's business."""
    state = current_app.extensions.get("allies")
    return state is None or not state.owns_request()
