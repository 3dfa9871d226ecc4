"""`flask signups …`: the lab's daily digest of new sign-ups."""

import click
from flask.cli import with_appcontext
from flask_babel import ngettext

from ..database import session
from .operations import send_lab_digests

signups_cli = click.Group("signups", help="Sign-ups to calls.")


@signups_cli.command("digest")
@with_appcontext
def digest_command():
    """Queue the daily digest of new sign-ups for the lab members who chose it (run it once a day)."""
    sent = send_lab_digests()
    session.commit()
    click.echo(ngettext("%(num)d digest queued.", "%(num)d digests queued.", sent))
