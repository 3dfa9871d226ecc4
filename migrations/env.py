"""Alembic environment of Alliés: only allies_* tables, with a version table of our own."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)  # a host's loggers stay on
logger = logging.getLogger("alembic.env")

VERSION_TABLE = "alembic_version_allies"


def include_name(name, type_, parent_names):
    """Look only at Alliés tables, so a host's tables are never touched."""
    if type_ == "table":
        return name.startswith("allies_")
    return True


def engine():
    """The engine of the Flask-SQLAlchemy instance Alliés runs with (its own, or the host's)."""
    return current_app.extensions["allies"].db.engine


# Every allies_* table, whatever name the package is installed under.
target_metadata = current_app.extensions["allies"].metadata


def run_migrations_offline():
    """Emit SQL to standard output instead of running it."""
    context.configure(url=engine().url.render_as_string(hide_password=False), target_metadata=target_metadata,
                      literal_binds=True, version_table=VERSION_TABLE, include_name=include_name,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on a connection of the application's engine."""

    def skip_empty_revision(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    with engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, version_table=VERSION_TABLE,
                          include_name=include_name, render_as_batch=True, compare_type=True,
                          process_revision_directives=skip_empty_revision)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
