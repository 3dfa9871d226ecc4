"""Who may reach a page: decorators for views; object checks live in loaders.

Each decorator records its decision in the view's `access` attribute, so a test can find any view without one.
"""

from functools import wraps
from urllib.parse import quote

from flask import abort, current_app, redirect, request

from .identity import current_agent, identity


def here():
    """This page's path and query string, to come back to after signing in; raw bytes in the query are %-encoded."""
    query = quote(request.query_string, safe="=&%+;,/?:@!$'()*~")
    return request.script_root + request.path + (f"?{query}" if query else "")


def login_required(view):
    """Send anonymous visitors to the sign-in page, then back here."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_agent() is None:
            return redirect(identity().login_url(here()))
        return view(*args, **kwargs)

    wrapped.access = "signed in"
    return wrapped


def public(view):
    """Open to anyone, signed in or not: said out loud, so that a view without any decision stands out."""
    view.access = "public"
    return view


def public_or_signed_in(view):
    """Open to anyone when ALLIES_PUBLIC_CALLS is on (an intranet-only address), else to signed-in agents."""
    signed_in = login_required(view)

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_app.config["ALLIES_PUBLIC_CALLS"]:
            return view(*args, **kwargs)
        return signed_in(*args, **kwargs)

    wrapped.access = "public or signed in"
    return wrapped


def role_required(role):
    """Only agents holding `role` (lab, admin); others get 403, anonymous visitors sign in first."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_agent().has_role(role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = f"role {role}"
        return wrapped

    return decorator
