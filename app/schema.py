"""Alliés' own migration history, kept apart from a host's: `flask allies-db upgrade` works in any host.

Standalone, `flask db …` (Flask-Migrate) runs the same migrations.
"""

import click
from alembic import command
from alembic.config import Config
from flask.cli import with_appcontext

from .extensions import MIGRATIONS_DIR

schema_cli = click.Group("allies-db", help="Alliés' tables: migrate them, whatever the host does with its own.")


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
    command.upgrade(alembic_config(), revision)


@schema_cli.command("downgrade")
@click.argument("revision")
@with_appcontext
def downgrade_command(revision):
    """Take Alliés' tables back to `revision` ("base" removes them)."""
    command.downgrade(alembic_config(), revision)


@schema_cli.command("current")
@with_appcontext
def current_command():
    """Print the revision Alliés' tables are at."""
    command.current(alembic_config())
