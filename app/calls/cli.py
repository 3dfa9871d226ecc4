"""`flask calls …`: the nightly closing of calls past their deadline."""

import click
from flask.cli import with_appcontext
from flask_babel import ngettext

from ..database import session
from .operations import close_expired

calls_cli = click.Group("calls", help="Calls for volunteers.")


@calls_cli.command("close-expired")
@with_appcontext
def close_expired_command():
    """Close the published calls whose deadline has passed (run it every night, or more often)."""
    closed = close_expired()
    session.commit()
    click.echo(ngettext("%(num)d call closed.", "%(num)d calls closed.", len(closed)))
