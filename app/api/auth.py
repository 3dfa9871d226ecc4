"""Who calls the API: the agent of the bearer token, and only that — a session cookie never counts here."""

from flask import abort, current_app, g, request
from flask_limiter.util import get_remote_address

from .operations import active_token


def bearer_token():
    """The token of the `Authorization: Bearer …` header, or None."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return (value.strip() or None) if scheme.lower() == "bearer" else None


def request_token():
    """This request's valid token (with its agent), or None; looked up once per request."""
    if "allies_api_token" not in g:
        g.allies_api_token = active_token(bearer_token())
    return g.allies_api_token


def require_token():
    """Before every API view: the token's agent becomes the request's agent (`current_agent()`), in place of
    any agent a session cookie would give; without a valid token the answer is 401."""
    token = request_token()
    g.allies_agent = token.user if token is not None else None
    if token is None:
        abort(401)


def rate_limit():
    """Requests a token may make (ALLIES_API_RATE_LIMIT), e.g. "300 per minute"."""
    return current_app.config["ALLIES_API_RATE_LIMIT"]


def rate_limit_key():
    """The rate limit counts per token; requests without a valid token count per address."""
    token = request_token()
    if token is None:
        return f"api-address:{get_remote_address()}"
    return f"api-token:{token.id}"
