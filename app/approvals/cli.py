"""`flask approvals …`: the daily reminders and escalations of pending requests; `flask mail digest`: the digests."""

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from ..database import session
from ..signups.operations import send_lab_digests
from .digests import send_weekly_digests
from .operations import send_reminders

approvals_cli = click.Group("approvals", help="Managers' decisions.")


@approvals_cli.command("remind")
@with_appcontext
def remind_command():
    """Remind approvers of requests waiting too long, and pass the oldest to the manager's manager (daily)."""
    sent = send_reminders()
    session.commit()
    click.echo(_("%(reminder)d reminder(s), %(escalation)d escalation(s) queued.", **sent))


mail_cli = click.Group("mail", help="Digests by mail.")


@mail_cli.command("digest")
@with_appcontext
def digest_command():
    """Queue the digests that are due (run it once a day): the lab's daily digest of new sign-ups and, on
    Mondays, the weekly digest of managers and of the lab."""
    daily = send_lab_digests()
    weekly = send_weekly_digests()
    session.commit()
    click.echo(_("%(daily)d daily digest(s) and %(weekly)d weekly digest(s) queued.", daily=daily, weekly=weekly))
