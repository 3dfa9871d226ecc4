"""Migrations: upgrade from empty, downgrade to base, and models that match the migrations."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from app import create_app
from app.database import Model
from app.schema import downgrade_schema, upgrade_schema
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
        upgrade_schema()
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

        downgrade_schema("base")
        assert allies_tables(empty_database_url) == {"alembic_version_allies"}
        app.extensions["allies"].db.engine.dispose()


def test_volunteers_of_calls_without_agreement_get_their_budget_on_upgrade(empty_database_url):
    from datetime import date, timedelta
    from decimal import Decimal

    import sqlalchemy as sa
    from sqlalchemy import select

    from app.budgets.models import Allocation
    from app.calls.models import Call
    from app.database import session
    from app.clock import utcnow
    from app.signups.models import SignUp

    app = create_app(build_config(empty_database_url))
    with app.app_context():
        upgrade_schema("0007")
        # The directory's table as it stood at 0007 (the model has columns added since): written with Core.
        users = sa.Table("allies_users", sa.MetaData(), autoload_with=session.connection())
        now = utcnow()
        agent_id = session.execute(sa.insert(users).values(
            login="alex", email="alex@example.org", given_name="Alex", family_name="Martin", sort_name="martin alex",
            search_text="alex martin", quotity=100, active=True, session_version=1, created_at=now,
            updated_at=now)).inserted_primary_key[0]
        call = Call(title="Relecture", summary="Relire", deadline=utcnow() + timedelta(days=3),
                    commitment_kind="total_hours", commitment_value=Decimal(6), start_date=date(2027, 1, 1),
                    end_date=date(2027, 3, 31), needs_manager_agreement=False, status="published", held_places=2)
        accepted = SignUp(call=call, agent_id=agent_id, status="approved", hours_asked=Decimal("6.5"))
        withdrawn = SignUp(call=call, agent_id=agent_id, status="withdrawn", hours_asked=Decimal(3))
        session.add_all([accepted, withdrawn])
        session.commit()
        accepted_id = accepted.id
        session.remove()

        upgrade_schema()
        (allocation,) = session.execute(select(Allocation)).scalars().all()
        assert allocation.signup_id == accepted_id and allocation.hours == Decimal("6.5")
        assert (allocation.start_date, allocation.end_date) == (date(2027, 1, 1), date(2027, 3, 31))
        session.remove()
        downgrade_schema("0007")
        assert session.execute(select(Allocation)).scalars().all() != [], "the downgrade keeps the budgets"
        session.remove()
        app.extensions["allies"].db.engine.dispose()
