"""Identity source "host": in plugin mode the intranet signs people in; Alliés asks it who is there.

ALLIES_HOST_LOGIN is a function (or "module:function") returning the login the host has signed in,
or None; the login is matched to the Alliés directory. Alliés never installs a login manager here.
"""

from importlib import import_module

from flask import abort, current_app, g, redirect, request, url_for
from flask_babel import gettext as _

from ..main.security import safe_next
from .operations import find_user


def resolve(target):
    """A callable from config: the callable itself, or its "module:function" path."""
    if callable(target):
        return target
    module, _colon, name = (target or "").partition(":")
    if not module or not name:
        raise RuntimeError(
            "ALLIES_IDENTITY_SOURCE='host' needs ALLIES_HOST_LOGIN: a function returning the signed-in login, "
            "or its path as 'module:function'.")
    return getattr(import_module(module), name)


class HostSignIn:
    """The host's signed-in login, matched to an active agent of the directory."""

    name = "host"
    offers_password_form = False
    offers_sign_out = False

    def init_app(self, app):
        """Check the host's login function now, so a wrong path fails at start-up."""
        self.host_login = resolve(app.config["ALLIES_HOST_LOGIN"])

    def host_login_name(self):
        """What the host says about this request: a login, or None when nobody is signed in."""
        return self.host_login() or None

    def current_agent(self):
        """The active agent whose login the host gives, or None."""
        login = self.host_login_name()
        if login is None:
            return None
        user = find_user(login)
        return user if user is not None and user.active else None

    def login_url(self, next_path):
        """The host's sign-in page; someone the host knows but Alliés does not is refused instead."""
        login = self.host_login_name()
        if login is not None:
            abort(403, description=_("Your intranet account (%(login)s) is not in Alliés' directory, or it is "
                                     "deactivated: ask the lab to add you.", login=login))
        return url_for(current_app.config["ALLIES_HOST_LOGIN_ENDPOINT"], next=next_path)

    def sign_in_page(self):
        """Alliés' sign-in page sends people to the host's."""
        return redirect(self.login_url(safe_next(request.args.get("next"))))

    def authenticate(self, login, password):
        """Passwords are the host's business."""
        return None

    def sign_in(self, user):
        """The host signs people in."""

    def sign_out(self, user):
        """The host signs people out."""

    def treat_request_as_anonymous(self):
        """Stop this request from loading the agent again (the database is unreachable)."""
        g.allies_agent = None
