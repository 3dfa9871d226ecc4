"""`flask export volunteers`: the volunteer list as a file, from the command line."""

import sys
from datetime import datetime

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from sqlalchemy import select

from ..calls.models import Call
from ..cli import fail
from ..database import session
from ..signups.models import SignUpStatus
from .operations import export_volunteers

export_cli = click.Group("export", help="Volunteer lists as ODS, XLSX or CSV files.")


def _date(value):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date() if value else None
    except ValueError:
        raise click.BadParameter(_("a date as YYYY-MM-DD")) from None


@export_cli.command("volunteers")
@click.option("--format", "file_format", type=click.Choice(["ods", "xlsx", "csv"]), default="ods", show_default=True)
@click.option("--comma", is_flag=True, help="CSV separated by commas instead of semicolons.")
@click.option("--call", "calls", type=int, multiple=True, help="A call's id (repeat for several).")
@click.option("--status", "statuses", type=click.Choice([status.value for status in SignUpStatus]), multiple=True)
@click.option("--unit", default="", help="An org unit's path; its sub-units are included.")
@click.option("--from", "submitted_from", callback=lambda _c, _p, v: _date(v), help="Sent on or after (YYYY-MM-DD).")
@click.option("--to", "submitted_to", callback=lambda _c, _p, v: _date(v), help="Sent on or before (YYYY-MM-DD).")
@click.option("--q", default="", help="Part of a name.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def volunteers_command(file_format, comma, calls, statuses, unit, submitted_from, submitted_to, q, output):
    """Write the volunteer list, filtered like the lab's page, to OUTPUT."""
    missing = sorted(set(calls) - set(session.execute(select(Call.id).where(Call.id.in_(calls))).scalars()))
    if missing:
        fail(_("No call has the number %(ids)s.", ids=", ".join(map(str, missing))))
    filters = {"calls": list(calls), "statuses": list(statuses), "unit": unit, "submitted_from": submitted_from,
               "submitted_to": submitted_to, "q": q}
    counted = {}

    def progress(lines, count):
        counted["rows"] = count
        with click.progressbar(lines, length=count, label=_("Rows"), file=sys.stderr) as bar:
            yield from bar

    try:
        handle = open(output, "wb")
    except OSError as error:
        fail(_("Cannot write %(path)s: %(error)s", path=output, error=error.strerror))
    with handle:
        _name, _media, chunks = export_volunteers(None, "csv_comma" if file_format == "csv" and comma else file_format,
                                              filters, progress)
        for chunk in chunks:
            handle.write(chunk)
    click.echo(_("%(rows)d rows written to %(path)s.", rows=counted.get("rows", 0), path=output))
