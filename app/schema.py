"""Alliés' own migration history, kept apart from a host's: `flask allies-db upgrade` works standalone and in any
host. Only a command line imports this module (see `cli.CommandLineOnly`): the web process never loads Alembic."""

import click
from alembic import command
from alembic.config import Config
from flask.cli import with_appcontext

from .extensions import MIGRATIONS_DIR

schema_cli = click.Group("allies-db")


def alembic_config():
    """Alembic pointed at Alliés' migrations (version table alembic_version_allies)."""
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@schema_cli.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade_command(revision):
    """Bring Alliés' tables up to `revision` (the latest by default)."""
    upgrade_schema(revision)


@schema_cli.command("downgrade")
@click.argument("revision")
@with_appcontext
def downgrade_command(revision):
    """Take Alliés' tables back to `revision` ("base" removes them)."""
    downgrade_schema(revision)


@schema_cli.command("current")
@with_appcontext
def current_command():
    """Print the revision Alliés' tables are at."""
    command.current(alembic_config())


@schema_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@with_appcontext
def revision_command(message):
    """Write a new migration from the differences between the models and the database (to read and complete)."""
    command.revision(alembic_config(), message=message, autogenerate=True)


def upgrade_schema(revision="head"):
    """Bring Alliés' tables up to `revision`, in the current application's database."""
    command.upgrade(alembic_config(), revision)


def downgrade_schema(revision):
    """Take Alliés' tables back to `revision`, in the current application's database."""
    command.downgrade(alembic_config(), revision)
