"""What every Alliés command shares."""

import importlib

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


class CommandLineOnly(click.Group):
    """A group whose commands live in a module imported only when a command line asks for them, never by the web
    process (the schema's commands bring Alembic's machinery, which a request never needs)."""

    def __init__(self, name, module, group, **attrs):
        super().__init__(name, **attrs)
        self._module, self._group = module, group

    def _commands(self):
        return getattr(importlib.import_module(self._module), self._group)

    def list_commands(self, ctx):
        return self._commands().list_commands(ctx)

    def get_command(self, ctx, cmd_name):
        return self._commands().get_command(ctx, cmd_name)
