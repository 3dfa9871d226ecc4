"""`flask approvals …`: the daily reminders and escalations of pending requests."""

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from ..database import session
from .operations import send_reminders

approvals_cli = click.Group("approvals", help="Managers' decisions.")


@approvals_cli.command("remind")
@with_appcontext
def remind_command():
    """Remind approvers of requests waiting too long, and pass the oldest to the manager's manager (daily)."""
    sent = send_reminders()
    session.commit()
    click.echo(_("%(reminder)d reminder(s), %(escalation)d escalation(s) queued.", **sent))
