"""Errors of the API as RFC 9457 problem details (application/problem+json), never an HTML page."""

import time
from itertools import islice
from http import HTTPStatus

from flask import current_app, json, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from ..extensions import limiter
from ..refusals import Refusal
from ..main.errors import database_fault_behind, is_database_down, recover_from_database_down, recover_from_unexpected

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Problem types beyond the plain HTTP statuses (which use about:blank, as RFC 9457 says).
INVALID_INPUT = "urn:allies:problem:invalid-input"
REFUSED = "urn:allies:problem:refused"
BEARER_CHALLENGE = 'Bearer realm="allies"'

DETAILS = {
    400: _l("The request could not be read: send a JSON object in UTF-8."),
    401: _l("Send a valid personal token in the Authorization header: Bearer followed by the token."),
    403: _l("Your account does not have the right to do this."),
    404: _l("Nothing was found at this address, or it is not yours to see."),
    405: _l("This address does not take this method."),
    409: _l("The change cannot be made as things stand."),
    413: _l("The request is too large."),
    415: _l("Send the body as application/json."),
    422: _l("Some values are missing or wrong: see errors."),
    429: _l("Too many requests in a short time. Wait a little, then try again."),
    500: _l("An unexpected error occurred. Nothing was saved. Try again later."),
    503: _l("Alliés cannot reach its database at the moment. Nothing was saved. Try again in a few minutes."),
}


MAX_ERRORS = 50  # fields named in one answer: enough to correct a request, never an echo of a huge one


class InvalidInput(Exception):
    """Input that fails its checks: {field: [messages]} (the first MAX_ERRORS fields), answered with 422."""

    def __init__(self, errors):
        super().__init__("invalid input")
        self.errors = {name: [str(message) for message in messages]
                       for name, messages in islice(errors.items(), MAX_ERRORS)}


def problem(status, detail=None, type_="about:blank", errors=None, headers=None):
    """A problem+json response: type, title (the HTTP status phrase), status, detail, and errors by field."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body = {"type": type_, "title": title, "status": status,
            "detail": str(detail if detail is not None else DETAILS.get(status, DETAILS[500]))}
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                          mimetype=PROBLEM_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_problem(error):
    """Any HTTP error raised in the API (abort(403), a rate limit, a bad method…) as a problem."""
    code = error.code if error.code and 400 <= error.code < 600 else 500
    headers = {}
    if code == 401:
        headers["WWW-Authenticate"] = BEARER_CHALLENGE + (', error="invalid_token"'
                                                          if request.headers.get("Authorization") else "")
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if code == 429:
        headers["Retry-After"] = str(_seconds_until_reset())
    detail = DETAILS.get(code) or error.description
    return problem(code, detail, headers=headers)


def _seconds_until_reset():
    """Seconds before the rate limit lets requests through again (at least 1)."""
    limit = limiter.current_limit
    return max(1, int(limit.reset_at - time.time()) + 1) if limit is not None else 60


def invalid_input(error):
    """422 with the messages of each field at fault."""
    return problem(422, type_=INVALID_INPUT, errors=error.errors)


def refused(refusal):
    """An operation's refusal: on the field it names, invalid input (422); else a refused change (409), with the
    operation's own message."""
    if refusal.field is not None:
        return invalid_input(InvalidInput({refusal.field: [str(refusal)]}))
    return problem(409, str(refusal), type_=REFUSED)


def database_down(error):
    """The database is unreachable: roll back and answer 503."""
    recover_from_database_down(error)
    return problem(503)


def database_error(error):
    """A database error: 503 when the connection was lost under it, else an unexpected error."""
    return database_down(error) if is_database_down(error) else unexpected(error)


def unexpected(error):
    """Anything else: roll back, log, answer 500 (503 when it was the database going away; HTTP errors keep their
    own status)."""
    fault = database_fault_behind(error)
    if fault is not None:
        return database_down(fault)
    if isinstance(error, HTTPException) and not isinstance(error, InternalServerError):
        return http_problem(error)
    recover_from_unexpected(error)
    return problem(500)


def register_problem_handlers(blueprint):
    """Inside the blueprint, every error answers problem+json."""
    blueprint.register_error_handler(InvalidInput, invalid_input)
    blueprint.register_error_handler(Refusal, refused)
    blueprint.register_error_handler(HTTPException, http_problem)
    blueprint.register_error_handler(OperationalError, database_down)
    blueprint.register_error_handler(DBAPIError, database_error)
    blueprint.register_error_handler(InternalServerError, unexpected)
    blueprint.register_error_handler(Exception, unexpected)


def unrouted_problem(api_root):
    """A before-request hook answering, under the API's root (`api_root()`), the routing errors (404, 405)
    that no blueprint handler sees."""

    def answer_unrouted():
        error = request.routing_exception
        if error is None or isinstance(error, RequestRedirect):
            return None
        root = api_root()
        if request.path == root or request.path.startswith(root + "/"):
            return http_problem(error)
        return None

    return answer_unrouted
