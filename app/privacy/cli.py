"""`flask privacy purge`: the retention of sign-up details and of the audit log."""

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from ..database import session
from .operations import purge

privacy_cli = click.Group("privacy", help="Retention of personal data.")


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go, change nothing.")
@with_appcontext
def purge_command(dry_run):
    """Anonymise sign-up details of calls ended more than ALLIES_RETENTION_MONTHS ago and delete audit
    entries older than ALLIES_AUDIT_RETENTION_MONTHS."""
    counts = purge(dry_run=dry_run)
    if dry_run:
        session.rollback()
        click.echo(_("Dry run: %(sign_ups)d sign-ups would be anonymised (%(answers)d answers deleted), "
                     "%(mails)d sent mails and %(audit_entries)d audit entries deleted. Nothing was changed.",
                     **counts))
    else:
        session.commit()
        click.echo(_("%(sign_ups)d sign-ups anonymised (%(answers)d answers deleted); %(mails)d sent mails and "
                     "%(audit_entries)d audit entries deleted.", **counts))
