"""`flask directory …`: import the directory from an HR export or an LDAP server."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from ..cli import fail
from ..database import session
from .importer import DirectoryFileError, parse_directory_csv
from .ldap import directory_from_ldap, missing_settings
from .operations import import_directory

directory_cli = click.Group("directory", help="Manage the directory of agents.")


def run_import(read, deactivate_missing, dry_run):
    """Read the directory with `read()`, check and import it in one transaction; print the summary, or every
    error and exit 1."""
    try:
        parsed = read()
        with click.progressbar(length=len(parsed.rows), label=_("Importing"), file=sys.stderr,
                               show_pos=True) as bar:
            summary = import_directory(parsed, deactivate_missing=deactivate_missing,
                                       on_row=lambda row: bar.update(1))
    except DirectoryFileError as error:
        session.rollback()
        for line in error.errors.lines():
            click.echo(line, err=True)
        count = len(error.errors.messages)
        fail(ngettext("Nothing was written: %(num)d error.", "Nothing was written: %(num)d errors.", count))
    click.echo(_("%(created)d created, %(updated)d updated, %(reactivated)d reactivated, %(deactivated)d deactivated, "
                 "%(unchanged)d unchanged.", **summary.counts()))
    if summary.deactivated_missing:
        click.echo(_("Deactivated because absent from what was read: %(logins)s",
                     logins=", ".join(sorted(summary.deactivated_missing))))
    if dry_run:
        session.rollback()
        click.echo(_("Dry run: nothing was written."))
    else:
        session.commit()


@directory_cli.command("import")
@click.argument("csv_file", type=click.File("rb"))
@click.option("--deactivate-missing", is_flag=True, help="Deactivate active users absent from the file.")
@click.option("--dry-run", is_flag=True, help="Report what would change without writing anything.")
@with_appcontext
def import_command(csv_file, deactivate_missing, dry_run):
    """Create and update users from an HR export (CSV, UTF-8)."""
    raw = csv_file.read()
    run_import(lambda: parse_directory_csv(raw), deactivate_missing, dry_run)


@directory_cli.command("sync-ldap")
@click.option("--deactivate-missing", is_flag=True, help="Deactivate active users absent from the LDAP server.")
@click.option("--dry-run", is_flag=True, help="Report what would change without writing anything.")
@with_appcontext
def sync_ldap_command(deactivate_missing, dry_run):
    """Create and update users from the LDAP server or Active Directory (ALLIES_LDAP_* settings)."""
    missing = missing_settings(current_app.config)
    if missing:
        fail(_("Set %(names)s first.", names=", ".join(missing)))
    run_import(lambda: directory_from_ldap(current_app.config), deactivate_missing, dry_run)
