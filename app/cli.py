"""What every Alliés command shares."""

import click
from flask_babel import gettext as _

from .auth.operations import find_user


def fail(message):
    """Print `message` on standard error in the user's language and stop with exit code 1."""
    click.echo(message, err=True)
    raise SystemExit(1)


def user_or_fail(login):
    """The user whose login is `login`, or stop with a message naming it."""
    user = find_user(login)
    if user is None:
        fail(_("No user has the login \"%(login)s\".", login=login))
    return user
