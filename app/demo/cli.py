"""`flask demo load`: a fictional region to try Alliés with."""

import csv
import io

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from werkzeug.security import generate_password_hash

from ..cli import fail
from ..database import session
from ..directory.importer import parse_directory_csv
from ..directory.models import User
from ..directory.operations import import_directory
from ..mail.models import OutboxMessage
from .calls import load_demo_calls
from .data import DEMO_ACCOUNTS, DEMO_PASSWORD, FIELDS, demo_rows

demo_cli = click.Group("demo", help="Demonstration data.")


def demo_csv(seed=2026):
    """The demo directory as the bytes of an HR export."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS)
    writer.writeheader()
    writer.writerows(demo_rows(seed))
    return buffer.getvalue().encode("utf-8")


def load_demo():
    """Import the demo directory through the regular import, give everyone the demo password, load the calls.

    The mails written while loading are dropped: nobody is waiting for them, and the outbox worker of
    `make run` prints only the mails of what people do in the demo.
    """
    summary = import_directory(parse_directory_csv(demo_csv()))
    password_hash = generate_password_hash(DEMO_PASSWORD)  # hashed once for the 300 accounts
    for user in session.execute(select(User)).scalars():
        user.password_hash = password_hash
    load_demo_calls()
    session.execute(delete(OutboxMessage))
    return summary


@demo_cli.command("load")
@with_appcontext
def load_command():
    """Load the demo directory into an empty database and print the demo logins."""
    if current_app.config["ALLIES_PRODUCTION"]:
        fail(_("Demo accounts share a published password: they are never loaded in production."))
    if session.execute(select(func.count(User.id))).scalar_one():
        click.echo(_("The directory already has users: demo data not loaded."))
    else:
        summary = load_demo()
        session.commit()
        click.echo(_("Demo data loaded: %(count)d agents.", count=summary.created))
    click.echo(_("Demo logins (password: %(password)s):", password=DEMO_PASSWORD))
    for role, login in DEMO_ACCOUNTS.items():
        click.echo(f"  {role:8} {login}")
