"""`flask users …`: local passwords."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from ..database import session
from .operations import find_user, set_password

users_cli = click.Group("users", help="Manage local accounts.")


@users_cli.command("set-password")
@click.argument("login")
@with_appcontext
def set_password_command(login):
    """Set a local password, read from a prompt or from standard input."""
    user = find_user(login)
    if user is None:
        raise click.ClickException(_("No user has the login \"%(login)s\".", login=login))
    if sys.stdin.isatty():
        password = click.prompt(_("New password"), hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        set_password(user, password, current_app.config["ALLIES_MIN_PASSWORD_LENGTH"])
    except ValueError:
        raise click.ClickException(_("The password must have at least %(length)d characters.",
                                     length=current_app.config["ALLIES_MIN_PASSWORD_LENGTH"])) from None
    session.commit()
    click.echo(_("Password set for %(login)s; their other sessions are ended.", login=user.login))
