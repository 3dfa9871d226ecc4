"""Identity source "host": in plugin mode the intranet signs people in; Alliés asks it who is there.

ALLIES_HOST_LOGIN is a function (or "module:function") returning the login the host has signed in,
or None; the login is matched to the Alliés directory. Alliés never installs a login manager here.
"""

from flask import current_app, redirect, request, url_for
from werkzeug.utils import import_string

from ..main.security import safe_next
from .identity import SignedInElsewhere
from .operations import find_user


def resolve(target):
    """A callable from config: the callable itself, or its "module:function" path."""
    if callable(target):
        return target
    if not target or ":" not in target:
        raise RuntimeError(
            "ALLIES_IDENTITY_SOURCE='host' needs ALLIES_HOST_LOGIN: a function returning the signed-in login, "
            "or its path as 'module:function'.")
    return import_string(target)


class HostSignIn(SignedInElsewhere):
    """The host's signed-in login, matched to an active agent of the directory."""

    name = "host"

    def init_app(self, app):
        """Check the host's login function now, so a wrong path fails at start-up."""
        self.host_login = resolve(app.config["ALLIES_HOST_LOGIN"])

    def host_login_name(self):
        """What the host says about this request: a login, or None when nobody is signed in."""
        login = self.host_login()
        return str(login) if login else None

    def current_agent(self):
        """The active agent whose login the host gives, or None."""
        login = self.host_login_name()
        if login is None:
            return None
        user = find_user(login)
        return user if user is not None and user.active else None

    def login_url(self, next_path):
        """The host's sign-in page; someone the host signed in but Alliés does not know sees why instead."""
        if self.host_login_name() is not None:
            return super().login_url(next_path)
        return url_for(current_app.config["ALLIES_HOST_LOGIN_ENDPOINT"], next=next_path)

    def refused_login(self):
        """The host's login, when this page is reached: the directory does not know it (or not as active)."""
        return self.host_login_name()

    def sign_in_page(self):
        """Alliés' sign-in page: the host's, or why the host's sign-in is not enough (403)."""
        if self.host_login_name() is None:
            return redirect(self.login_url(safe_next(request.args.get("next"))))
        return super().sign_in_page()
