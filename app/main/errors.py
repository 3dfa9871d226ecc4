"""Error pages in the agent's language for 400, 403, 404, 429, 500 and 503."""

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from ..auth.identity import identity
from ..database import session
from .i18n import settle_locale

ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. If you sent a form, reload the page and try again.")),
    403: (_l("Access denied"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("This page does not exist or has moved.")),
    405: (_l("Method not allowed"), _l("This page cannot be used this way.")),
    413: (_l("Too much sent at once"), _l("What was sent is larger than Alliés accepts. Shorten the texts or send a "
                                          "smaller file, then try again.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Wait a few minutes, then try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. Nothing was saved. Try again later.")),
    503: (
        _l("Service unavailable"),
        _l("Alliés cannot reach its database at the moment. Nothing was saved. Try again in a few minutes."),
    ),
}


def render_error(code):
    """The error page for `code`, with the matching HTTP status."""
    title, message = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    return render_template("allies/errors/error.html", code=code, title=title, message=message), code


def handle_http_error(error):
    """Show our page for an HTTP error."""
    return render_error(error.code if error.code in ERROR_TEXTS else 500)


def handle_csrf_error(error):
    """A missing or stale form token: explain that the form must be sent again."""
    return render_error(400)


def is_database_down(error):
    """Whether `error` says the database cannot be reached: refused, gone, or cut under a statement or a commit."""
    return isinstance(error, OperationalError) or (isinstance(error, DBAPIError) and error.connection_invalidated)


def database_fault_behind(error):
    """The database outage behind `error` (itself, or what a 500 raised outside the view wraps), or None."""
    cause = getattr(error, "original_exception", None) if isinstance(error, InternalServerError) else error
    return cause if is_database_down(cause) else None


def let_go_of_session():
    """Settle the language, render the rest of the request as anonymous and roll back, so that the error page never
    touches the request's failed session (the rollback itself may fail when the database is gone)."""
    settle_locale()
    identity().treat_request_as_anonymous()
    try:
        session.rollback()
    except DBAPIError:
        pass


def recover_from_database_down(error):
    """Log it, stop looking the agent up, and roll back what the request had begun (pages and API alike)."""
    current_app.logger.error("Database unavailable: %s", error.__class__.__name__)
    let_go_of_session()


def recover_from_unexpected(error=None):
    """Log the error with its traceback (unless Flask already did) and roll back (pages and API alike)."""
    if not isinstance(error, InternalServerError):
        current_app.logger.exception("Unhandled error")
    let_go_of_session()


def handle_database_down(error):
    """Database unreachable: roll back and answer 503."""
    recover_from_database_down(error)
    return render_error(503)


def handle_database_error(error):
    """A database error: 503 when the connection was lost under it, else an unexpected error."""
    if is_database_down(error):
        return handle_database_down(error)
    return handle_unexpected(error)


def handle_unexpected(error):
    """Anything else: roll back and answer 500 (503 when it was the database going away)."""
    fault = database_fault_behind(error)
    if fault is not None:
        return handle_database_down(fault)
    if isinstance(error, HTTPException) and not isinstance(error, InternalServerError):
        return handle_http_error(error)
    recover_from_unexpected(error)
    return render_error(500)


def register_error_handlers(target):
    """Install the error pages on `target`: the whole standalone application, or Alliés' blueprint in a host."""
    target.register_error_handler(CSRFError, handle_csrf_error)
    target.register_error_handler(HTTPException, handle_http_error)
    target.register_error_handler(OperationalError, handle_database_down)
    target.register_error_handler(DBAPIError, handle_database_error)
    target.register_error_handler(ServiceUnavailable, handle_http_error)
    target.register_error_handler(InternalServerError, handle_unexpected)
    target.register_error_handler(Exception, handle_unexpected)
