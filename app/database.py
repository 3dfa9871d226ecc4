"""The declarative base of every Alliés table and the session the code works with."""

from datetime import timezone

from flask import current_app, g
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Enum, Float, Integer, MetaData, TypeDecorator, event, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.functions import FunctionElement
from werkzeug.local import LocalProxy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Model(DeclarativeBase):
    """Base of the allies_* tables, independent of any Flask-SQLAlchemy instance (plugin mode)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator):
    """A moment, stored with its time zone where the database keeps one (PostgreSQL) and in UTC everywhere;
    always read back as an aware UTC datetime, SQLite included."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def keep_sqlite_savepoints_nested(engine):
    """On SQLite, open the transaction before a savepoint. Python's sqlite3 driver opens one only at the first
    write: a savepoint taken before would open its own, and releasing it would commit the request's writes."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "savepoint", _begin_before_savepoint):
        event.listen(engine, "savepoint", _begin_before_savepoint)


def _begin_before_savepoint(connection, name):
    driver_connection = connection.connection.dbapi_connection
    if not driver_connection.in_transaction:
        driver_connection.execute("BEGIN")


def stored_enum(enum, check_name, length=20):
    """A column type for `enum`: its values stored as VARCHAR(`length`) under the CHECK constraint `check_name`
    (no native enum type, so adding a member is a new constraint, not an ALTER TYPE); read back as members."""
    return Enum(enum, native_enum=False, create_constraint=True, length=length, validate_strings=True,
                values_callable=lambda members: [member.value for member in members], name=check_name)


class days_between(FunctionElement):
    """SQL: the days from the date `start` to the date `end` (end − start: an integer on PostgreSQL, a whole float on
    SQLite, where hours stored as integers would otherwise divide as integers)."""

    type = Integer()
    inherit_cache = True


class seconds_between(FunctionElement):
    """SQL: the seconds from the moment `start` to the moment `end`."""

    type = Float()
    inherit_cache = True


class earliest(FunctionElement):
    """SQL: the smallest of its arguments."""

    inherit_cache = True


class latest(FunctionElement):
    """SQL: the greatest of its arguments."""

    inherit_cache = True


def _spell(function, postgresql, sqlite):
    """Have `function` written as the template `postgresql`, or `sqlite` on SQLite: {0}, {1}… are its arguments,
    {all} all of them."""

    def writer(template):
        def write(element, compiler, **kw):
            arguments = [compiler.process(clause, **kw) for clause in element.clauses]
            return template.format(*arguments, all=", ".join(arguments))
        return write

    compiles(function)(writer(postgresql))
    compiles(function, "sqlite")(writer(sqlite))


_spell(days_between, "({1} - {0})", "(julianday({1}) - julianday({0}))")
_spell(seconds_between, "EXTRACT(EPOCH FROM ({1} - {0}))", "((julianday({1}) - julianday({0})) * 86400.0)")
_spell(earliest, "LEAST({all})", "min({all})")
_spell(latest, "GREATEST({all})", "max({all})")


# The standalone instance; a host intranet may hand its own to Allies(app, db=host_db).
db = SQLAlchemy(metadata=Model.metadata, engine_options={"pool_pre_ping": True})

# The session of whichever Flask-SQLAlchemy instance this app runs with.
session = LocalProxy(lambda: current_app.extensions["allies"].db.session)


def keep_at_request_end():
    """Have this request's end commit what it wrote though it is a GET (the records of a sign-on), as it commits
    a form sent; nothing commits before then."""
    g.allies_keep_writes = True


def must_commit(method, status_code):
    """Whether the request's end commits: a state-changing request that succeeded, or a GET that kept its writes."""
    if method not in ("GET", "HEAD", "OPTIONS"):
        return status_code < 400
    return g.get("allies_keep_writes", False) and status_code < 500


def get_or_404(model, ident):
    """The row of `model` with this primary key, or 404."""
    return current_app.extensions["allies"].db.get_or_404(model, ident)


MAX_PAGE = 100_000  # beyond, a page number is a typing mistake (and an offset the database cannot take)


def page_from(args):
    """The page asked for in the query string `args`: 1 when missing or wrong, at most MAX_PAGE."""
    page = args.get("page", 1, type=int)
    return min(max(page, 1), MAX_PAGE)


def paginate(query, page, per_page=None):
    """One page of `query`, of ALLIES_PAGE_SIZE rows unless told (Flask-SQLAlchemy's pagination)."""
    return current_app.extensions["allies"].db.paginate(
        query, page=page, per_page=per_page or current_app.config["ALLIES_PAGE_SIZE"], error_out=False
    )


def all_rows(query):
    """Every object a select returns."""
    return session.execute(query).scalars().all()


def count_rows(query):
    """How many rows a select returns (its order left aside)."""
    return session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
