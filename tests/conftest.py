"""Fixtures: one app per test process whose tests each run in a transaction rolled back after them; an app of their
own, on tables emptied after them, for tests that need their writes committed (SQLite, or PostgreSQL with
TEST_DATABASE_URL)."""

import os
import tempfile
import uuid
from contextlib import contextmanager, nullcontext
from datetime import date
from itertools import count

import pytest
from flask.testing import FlaskClient
from jinja2 import MemcachedBytecodeCache
from sqlalchemy import Connection, create_engine, delete, event, select, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from app import create_app
from app.database import Model, session as db_session
from app.directory.models import OrgUnit, RoleGrant, User
from app.extensions import limiter

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REQUIRE_PG = os.environ.get("REQUIRE_PG") == "1"
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
PASSWORD = "correct horse battery staple"
PASSWORD_HASH = generate_password_hash(PASSWORD)

if REQUIRE_PG and not ON_POSTGRES:
    raise pytest.UsageError("REQUIRE_PG=1 but TEST_DATABASE_URL does not point to PostgreSQL.")


# Fixtures that hand the database to another app, a server or a connection of their own: their tests commit.
COMMITTING_FIXTURES = {"app_factory", "database_url"}


# The long tests (real servers, browsers, fuzzing) run first: the processes share them out, then the short ones.
LONG_MARKS = {"browser", "postgres", "postgres_pass"}


def pytest_collection_modifyitems(config, items):
    """Tests using a committing fixture are marked `committed`; walks in a real browser that are not marked `once`
    are marked `postgres_pass` (one run, on production's database when there is one); the long tests come first;
    PostgreSQL-only tests are skipped on SQLite unless REQUIRE_PG=1 (then they fail)."""
    for item in items:
        if COMMITTING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.committed)
        if "browser" in item.keywords and "once" not in item.keywords:
            item.add_marker(pytest.mark.postgres_pass)
    items.sort(key=lambda item: not LONG_MARKS & set(item.keywords))  # stable: a module's tests stay together
    if ON_POSTGRES:
        return
    reason = "needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://…"
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def database_url(test_database):
    """The test database's URL, for tests that commit: other apps, servers and connections see their writes."""
    return test_database


@pytest.fixture(scope="session")
def test_database():
    """The test database, emptied and created once per run (per worker when the run is split with -n)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if ON_POSTGRES and worker:
        url = make_url(TEST_DATABASE_URL)
        url = url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False)
        admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{make_url(url).database}"'))
        admin.dispose()
    elif ON_POSTGRES:
        url = TEST_DATABASE_URL
    else:
        directory = tempfile.mkdtemp(prefix="allies-tests-")
        url = f"sqlite:///{directory}/test.sqlite3"
    engine = create_engine(url)
    Model.metadata.drop_all(engine)
    Model.metadata.create_all(engine)
    engine.dispose()
    yield url
    if ON_POSTGRES and worker:
        admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def empty_database_url(tmp_path):
    """A new empty database of the kind this run uses (a throw-away PostgreSQL database, or a SQLite file)."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path}/empty.sqlite3"
        return
    name = f"allies_empty_{uuid.uuid4().hex[:10]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def build_config(database_url, **overrides):
    """The configuration of a test application."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "ALLIES_ORG_NAME": "Région Test",
    }
    config.update(overrides)
    return config


class TemplateCodeStore(dict):
    """Compiled templates shared by every test app: each new app would otherwise compile them all again."""

    def set(self, key, value, timeout=None):
        self[key] = value


TEMPLATE_CODE = MemcachedBytecodeCache(TemplateCodeStore())


class RequestContextClient(FlaskClient):
    """Each request runs in its own app context (own `g`, own database session), as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def build_app(database_url, **overrides):
    """A test application: clients running each request in its own app context, templates compiled once."""
    application = create_app(build_config(database_url, **overrides))
    application.test_client_class = RequestContextClient
    application.jinja_env.bytecode_cache = TEMPLATE_CODE
    return application


@pytest.fixture
def app_factory(database_url):
    """Build apps on the test database, for tests whose writes are committed; every table is emptied after."""
    apps = []

    def build(**overrides):
        application = build_app(database_url, **overrides)
        apps.append(application)
        return application

    yield build
    for application in apps:
        empty_tables(application)


def snapshot(engine):
    """Every row of every table, in id order: what `restore` puts back (an engine, or a rolled-back test's
    connection standing for it)."""
    with engine.connect() if hasattr(engine, "connect") else nullcontext(engine) as connection:
        return [(table, [dict(row) for row in connection.execute(
            select(table).order_by(*table.primary_key.columns)).mappings()]) for table in Model.metadata.sorted_tables]


def restore(engine, rows, written=None):
    """Put the snapshot's rows back (same ids: the URLs and forms read stay valid) in the tables `written` and those
    pointing at them, or in every table."""
    tables = [table for table, _ in rows]
    if written is not None:
        tables = [table for table in tables if table.name in set(written)]
        for table in [table for table, _ in rows]:  # sorted: a table comes after the tables it points at
            if table not in tables and any(key.column.table in tables for key in table.foreign_keys):
                tables.append(table)
    with engine.begin() as connection:
        for table, _ in reversed(rows):
            if table in tables:
                connection.execute(delete(table))
        for table, table_rows in rows:
            if table in tables and table_rows:  # in id order: a row pointing at its own table comes after its target
                connection.execute(table.insert(), table_rows)


_LOADED = {}  # (what, database, day): the rows it left, in this test process


def load_once(application, what, load):
    """Run `load()` in `application` the first time this process asks for `what` on its database today; after that,
    put back the rows it left (same ids) instead: a few inserts rather than the operations. The tables must hold
    nothing else (an app from `app_factory`, emptied after each test)."""
    with application.app_context():
        engine = application.extensions["allies"].db.engine
        key = (what, str(engine.url), date.today())  # dates in the rows are today's
        if key in _LOADED:
            restore(engine, _LOADED[key])
        else:
            load()
            db_session.commit()
            _LOADED[key] = snapshot(engine)
        db_session.remove()


def empty_tables(application):
    """Delete every row `application` committed, and close its connections."""
    with application.app_context():
        db_session.remove()
        state = application.extensions["allies"]
        with state.db.engine.begin() as connection:
            for table in reversed(Model.metadata.sorted_tables):
                connection.execute(delete(table))
        state.db.engine.dispose()


class RolledBackConnection(Connection):
    """A test's connection, in the transaction rolled back after the test, standing for the app's engine: each
    session joins it in a savepoint of its own (its commit releases the savepoint), and what the app writes on a
    connection of its own (`engine.begin()`) goes in a savepoint too — inside the request's, so it goes if the
    request's goes: a test reading such a write after a request that wrote nothing is marked `committed`."""

    @contextmanager
    def begin(self):
        """As `Engine.begin()`: this connection, its writes kept when the block ends without an error."""
        with self.begin_nested():
            yield self


@pytest.fixture(scope="session")
def shared_app(test_database):
    """The app of this test process's rolled-back tests, built once."""
    application = build_app(test_database)
    yield application
    with application.app_context():
        application.extensions["allies"].db.engine.dispose()


@pytest.fixture
def rolled_back_app(shared_app):
    """The shared app on a connection whose transaction is rolled back after the test; its config, instance folder
    and the rate limiter (one for every app of the process) put back as they were."""
    config, instance_path = dict(shared_app.config), shared_app.instance_path
    limiter.enabled = shared_app.config["RATELIMIT_ENABLED"]  # the last app built sets it for all
    db = shared_app.extensions["allies"].db
    with shared_app.app_context():
        engines = db.engines
    engine = engines[None]
    connection = RolledBackConnection(engine)
    transaction = Connection.begin(connection)
    engines[None] = connection
    sessions = db.session.session_factory  # Flask-SQLAlchemy's one `db`: the same for apps built in other tests
    options = dict(sessions.kw)
    sessions.configure(join_transaction_mode="create_savepoint")
    try:
        yield shared_app
    finally:
        sessions.kw = options
        engines[None] = engine
        transaction.rollback()
        connection.close()
        shared_app.config.clear()
        shared_app.config.update(config)
        shared_app.instance_path = instance_path
        limiter.enabled = shared_app.config["RATELIMIT_ENABLED"]


@pytest.fixture
def app(request):
    """The application under test, with an app context pushed: the shared one, rolled back after the test, or for
    tests marked `committed`, one of their own."""
    if request.node.get_closest_marker("committed"):
        application = request.getfixturevalue("app_factory")()
    else:
        application = request.getfixturevalue("rolled_back_app")
    with application.app_context():
        yield application


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner of the app."""
    return app.test_cli_runner()


_sequence = count(1)


@pytest.fixture
def make_unit(app):
    """Create an org unit (and its parents) from a path."""

    def make(path="DGS/Direction test/Service test"):
        parent = None
        built = ""
        for name in path.split("/"):
            built = f"{built}/{name}" if built else name
            unit = db_session.query(OrgUnit).filter_by(path=built).one_or_none()
            if unit is None:
                unit = OrgUnit(name=name, path=built, parent=parent)
                db_session.add(unit)
            parent = unit
        db_session.commit()
        return parent

    return make


@pytest.fixture
def make_user(app, make_unit):
    """Create a user; `roles` among lab/admin; everyone gets the test password."""

    def make(login=None, roles=(), manager=None, unit=None, quotity=100, active=True, **fields):
        number = next(_sequence)
        login = login or f"agent{number}"
        user = User(login=login, email=fields.pop("email", f"{login}@example.org"),
                    given_name=fields.pop("given_name", "Camille"), family_name=fields.pop("family_name", f"Test{number}"),
                    org_unit=unit or make_unit(), manager=manager, quotity=quotity, active=active,
                    password_hash=PASSWORD_HASH, session_version=1, **fields)
        user.role_grants = [RoleGrant(role=role) for role in roles]
        db_session.add(user)
        db_session.commit()
        return user

    return make


@pytest.fixture
def people(make_user):
    """One person per role: a manager with an agent, a lab member, an admin."""
    manager = make_user("manon.manager", given_name="Manon", family_name="Durand")
    agent = make_user("alex.agent", manager=manager, given_name="Alex", family_name="Martin")
    lab = make_user("lea.lab", roles=("lab",), manager=manager, given_name="Léa", family_name="Labbé")
    admin = make_user("ada.admin", roles=("admin",), given_name="Ada", family_name="Admin")
    return {"agent": agent, "manager": manager, "lab": lab, "admin": admin}


def sign_in(client, user):
    """Sign `user` in on `client` by setting Flask-Login's session keys (no password hashing)."""
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user.get_id()
        flask_session["_fresh"] = True
    return client


@pytest.fixture
def client_for(app, people):
    """A test client signed in as the person of a role ("anonymous" for none)."""

    def build(role):
        client = app.test_client()
        if role != "anonymous":
            sign_in(client, people[role])
        return client

    return build


@pytest.fixture
def make_call(app, people):
    """Create a published call through the operations (questions as (kind, label, required, choices))."""
    from datetime import date, timedelta
    from decimal import Decimal

    from app.calls.operations import add_question, create_call, publish
    from app.clock import utcnow

    def make(title="Atelier design des services", capacity=None, questions=(), status="published", units=(),
             needs_manager_agreement=True, kind="percent", value=Decimal(10), **fields):
        start = fields.pop("start_date", date(2027, 1, 1))
        call = create_call(people["lab"], audience_units=list(units), title=title,
                           summary=fields.pop("summary", "Un atelier pour repenser l'accueil."),
                           body=fields.pop("body", "**Trois** demi-journées."), capacity=capacity,
                           deadline=fields.pop("deadline", utcnow() + timedelta(days=10)), audience_all=not units,
                           commitment_kind=kind, commitment_value=value, start_date=start,
                           end_date=fields.pop("end_date", date(2027, 6, 30)),
                           needs_manager_agreement=needs_manager_agreement,
                           contact=fields.pop("contact", "labo@region.fr"), **fields)
        for kind_, label, required, choices in questions:
            add_question(call, people["lab"], kind=kind_, label=label, required=required, choices=list(choices))
        if status == "published":
            publish(call, people["lab"])
        db_session.commit()
        return call

    return make


@pytest.fixture
def objects(people, make_call):
    """The people, a published call with a question, the agent's sign-up to it, and one object of every kind the
    URLs name (delegation, allocation, time entry, extension, API token): the access matrix and the hostile-input net."""
    from datetime import date, timedelta
    from decimal import Decimal

    from app.api.operations import create_token
    from app.approvals.models import DecisionLink
    from app.approvals.operations import approve, delegate
    from app.hashing import secret_hash
    from app.recognition.models import Attestation
    from app.recognition.operations import add_testimonial, write_letter
    from app.budgets.operations import log_time, request_extension
    from app.signups.operations import sign_up

    call = make_call(capacity=3, questions=[("short_text", "Pourquoi ?", False, []), ("yes_no", "Dispo ?", False, [])])
    signup, *_ = sign_up(call.id, people["agent"], "Motivé", Decimal(10))
    delegation = delegate(people["manager"], people["lab"], date.today(), date.today() + timedelta(days=7))
    running = make_call(title="En cours", start_date=date.today() - timedelta(days=30),
                        end_date=date.today() + timedelta(days=60))
    approved, *_ = sign_up(running.id, people["agent"], "Motivé", Decimal(10))
    allocation = approve(approved, people["manager"])
    entry, _ = log_time(allocation, people["agent"], date.today(), Decimal(1))
    extension = request_extension(allocation, people["agent"], Decimal(5), None)
    token, _ = create_token(people["agent"], "Portail")
    # The manager's request mail was not sent: its decision link gets a secret the tests know.
    link = db_session.execute(select(DecisionLink).where(DecisionLink.signup_id == signup.id)).scalar_one()
    link.token.token_hash = secret_hash(DECISION_LINK_SECRET)
    letter = write_letter(people["agent"], people["lab"], "Merci pour les ateliers.")
    testimonial = add_testimonial(people["agent"], running.id, people["lab"], "Sophie Martin", "partner",
                                  "Un regard neuf.", True)
    attestation = Attestation(number=ATTESTATION_NUMBER, agent=people["agent"], first_day=date(2026, 1, 1),
                              last_day=date(2026, 12, 31), locale="fr", sha256="0" * 64)
    db_session.add(attestation)
    db_session.commit()
    return {**people, "call": call, "question": call.active_questions[0], "signup": signup,
            "delegation": delegation, "allocation": allocation, "entry": entry, "extension": extension,
            "token": token, "letter": letter, "attestation": attestation, "testimonial": testimonial}


# The secret of the decision link of the manager's request in `objects` (43 URL-safe characters, as minted).
DECISION_LINK_SECRET = "matrix-decision-link-secret-0123456789abcde"
assert len(DECISION_LINK_SECRET) == 43
# The number of the attestation in `objects` (made without its PDF: the pages about it read its row only).
ATTESTATION_NUMBER = "ALL-2026-MATRIX23"

_SHARED_OBJECTS = {}  # per test process: the rows of `objects`, and each object's class and id


@pytest.fixture
def shared_objects(app, request):
    """The objects of `objects`, for a rolled-back test that only reads them: built by the first test of the process
    that asks, then put back as rows in each test's transaction (same ids), and loaded again by id."""
    engine = app.extensions["allies"].db.engine
    if _SHARED_OBJECTS.get("day") == date.today():  # dates in the rows are that day's
        restore(engine, _SHARED_OBJECTS["rows"])
        return {name: db_session.get(kind, ident) for name, (kind, ident) in _SHARED_OBJECTS["ids"].items()}
    built = request.getfixturevalue("objects")
    _SHARED_OBJECTS.update(day=date.today(), rows=snapshot(engine),
                           ids={name: (type(thing), thing.id) for name, thing in built.items()})
    return built


# In a rolled-back test, each session stands in a savepoint; in production it commits on its own connection, which
# sends no statement: the savepoints are not counted.
TEST_SAVEPOINTS = ("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")


def count_queries(app, client, url):
    """How many SQL statements a GET of `url` runs (it must answer 200)."""
    statements = []
    engine = app.extensions["allies"].db.engine.engine  # the engine, or a rolled-back test's connection's engine

    def counter(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith(TEST_SAVEPOINTS):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return len(statements)


def pytest_terminal_summary(terminalreporter):
    """The hostile-input net's figures, when it ran: its catalog, the routes it covered, requests and server errors."""
    runs = [dict(report.user_properties) for reports in terminalreporter.stats.values() for report in reports
            if getattr(report, "when", None) == "call"
            and "hostile_requests" in dict(getattr(report, "user_properties", ()))]
    if not runs:
        return
    from tests.hostile import CATALOG, JSON_BODIES, JSON_CATALOG

    terminalreporter.write_line(
        f"Hostile-input net: {len(CATALOG)} named values, {len(JSON_CATALOG)} JSON values, {len(JSON_BODIES)} whole "
        f"bodies; {len(runs)} routes of {runs[0]['hostile_endpoints']} endpoints; "
        f"{sum(run['hostile_requests'] for run in runs)} requests; "
        f"{sum(run['hostile_server_errors'] for run in runs)} server errors")


@pytest.fixture
def page_as(client_for):
    """GET a page as a role ("anonymous" for none) and return its soup, once tests/pages.py has checked its status,
    its HTML, its title and its <h1>: page_as("lab", "/lab/calls"), page_as("agent", url, status=404)."""
    from tests.pages import read_page

    def read(role, url, status=200, **kwargs):
        return read_page(client_for(role), url, status=status, **kwargs)

    return read
