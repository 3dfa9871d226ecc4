"""`flask outbox …`: the mail worker, the outbox at a glance, and a test mail to check the set-up."""

import time

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from ..cli import fail, user_or_fail
from ..database import session
from .backends import BACKENDS, backend_name
from .operations import outbox_counts, queue_mail, send_due

outbox_cli = click.Group("outbox", help="The e-mail outbox: send, inspect, test.")


def summary_line(summary):
    """One line on a sending pass."""
    return _("Outbox: %(sent)d sent, %(failed)d failed (will be retried), %(gave_up)d given up.",
             sent=summary.sent, failed=summary.failed_now, gave_up=summary.gave_up)


@outbox_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running: one pass every --interval seconds (the mail worker).")
@click.option("--interval", type=click.FloatRange(min=0), default=30, show_default=True,
              help="Seconds between two passes with --loop.")
@click.option("--max-iterations", type=click.IntRange(min=1), default=None,
              help="With --loop: stop after this many passes.")
@with_appcontext
def send_command(loop, interval, max_iterations):
    """Send the mails that are due; with --loop, keep sending until stopped."""
    name = backend_name(current_app.config)
    if name not in BACKENDS:
        fail(_("Unknown mail backend \"%(name)s\" (ALLIES_MAIL_BACKEND): use console, folder or smtp.", name=name))
    passes = 0
    try:
        while True:
            passes += 1
            try:
                summary = send_due()
            except SQLAlchemyError as error:
                session.rollback()
                if not loop:
                    fail(_("The database cannot be reached (%(error)s): nothing was sent.",
                           error=type(error).__name__))
                # The worker outlives a database restart: the next pass tries again.
                click.echo(_("The database cannot be reached (%(error)s): trying again in %(seconds)s s.",
                             error=type(error).__name__, seconds=f"{interval:g}"), err=True)
            else:
                if not loop or any(summary):
                    click.echo(summary_line(summary))
            if not loop or (max_iterations is not None and passes >= max_iterations):
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        pass  # Ctrl-C stops the worker between two commits; nothing is half-written


@outbox_cli.command("status")
@with_appcontext
def status_command():
    """Count the mails waiting, sent and given up."""
    counts = outbox_counts()
    click.echo(_("Mail backend: %(name)s", name=backend_name(current_app.config)))
    click.echo(_("Waiting: %(count)d (%(retrying)d after a failure)", count=counts.waiting,
                 retrying=counts.retrying))
    click.echo(_("Sent: %(count)d", count=counts.sent))
    click.echo(_("Given up: %(count)d", count=counts.given_up))


@outbox_cli.command("test-mail")
@click.argument("recipient")
@with_appcontext
def test_mail_command(recipient):
    """Queue a test mail to a login of the directory (in their language) or to an e-mail address."""
    if "@" in recipient:
        try:
            target = validate_email(recipient.strip(), check_deliverability=False).normalized
        except EmailNotValidError:
            fail(_("\"%(address)s\" is not a valid e-mail address: nothing was queued.", address=recipient))
    else:
        target = user_or_fail(recipient)
    message = queue_mail(target, "test")
    session.commit()
    click.echo(_("Test mail queued for %(address)s; `flask outbox send` sends it.", address=message.to_address))
