"""Migrations: upgrade from empty, downgrade to base, and models that match the migrations."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from app import create_app
from app.database import Model
from tests.conftest import build_config

def allies_tables(url):
    engine = create_engine(url)
    try:
        return {name for name in inspect(engine).get_table_names() if name.startswith("allies") or "alembic" in name}
    finally:
        engine.dispose()


def test_upgrade_from_empty_matches_models_and_downgrades(empty_database_url):
    app = create_app(build_config(empty_database_url))
    with app.app_context():
        upgrade()
        tables = allies_tables(empty_database_url)
        assert "alembic_version_allies" in tables and "alembic_version" not in tables
        assert {table.name for table in Model.metadata.sorted_tables} <= tables

        engine = app.extensions["allies"].db.engine
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True,
                "include_name": lambda name, type_, parents: type_ != "table" or name.startswith("allies_"),
            })
            differences = compare_metadata(context, Model.metadata)
        assert differences == [], f"models and migrations differ: {differences}"

        downgrade(revision="base")
        assert allies_tables(empty_database_url) == {"alembic_version_allies"}
        app.extensions["allies"].db.engine.dispose()
