"""`flask users …`: local passwords."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from ..cli import fail, user_or_fail
from ..database import session
from .operations import set_password

users_cli = click.Group("users", help="Manage local accounts.")


def read_password():
    """A new password: typed twice at a prompt, or one line of standard input."""
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail(_("No password was received on standard input."))
        return password
    password = click.prompt(_("New password: "), hide_input=True, prompt_suffix="")
    if click.prompt(_("The same password again: "), hide_input=True, prompt_suffix="") != password:
        fail(_("The two passwords differ: nothing was changed."))
    return password


@users_cli.command("set-password")
@click.argument("login")
@with_appcontext
def set_password_command(login):
    """Set a local password, read from a prompt or from standard input."""
    user = user_or_fail(login)
    minimum = current_app.config["ALLIES_MIN_PASSWORD_LENGTH"]
    try:
        set_password(user, read_password(), minimum)
    except ValueError:
        fail(_("The password must have at least %(length)d characters: nothing was changed.", length=minimum))
    session.commit()
    click.echo(_("Password set for %(login)s; their other sessions are ended.", login=user.login))
