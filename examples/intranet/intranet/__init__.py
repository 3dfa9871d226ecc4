"""A small intranet that runs Alliés as a plugin: its own accounts, sign-in, layout and tables.

Alliés lives under /volontaires, uses this intranet's database session (one transaction per
request for both), asks it who is signed in, and renders inside its layout.
"""

import os
from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from allies import Allies


class Base(DeclarativeBase):
    """The intranet's own tables."""


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
# The intranet's own pages; its blueprint may be called "main": Alliés' endpoints are all "allies.…".
bp = Blueprint("main", __name__)


class Account(UserMixin, db.Model):
    """An intranet account; its login is the one Alliés' directory knows."""

    __tablename__ = "intranet_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)


class Activity(db.Model):
    """The intranet's trail of every change request, written in the request's transaction."""

    __tablename__ = "intranet_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(timezone.utc))


@login_manager.user_loader
def load_account(account_id):
    return db.session.get(Account, int(account_id))


def signed_in_login():
    """Who the intranet has signed in, for Alliés (ALLIES_HOST_LOGIN)."""
    return current_user.login if current_user.is_authenticated else None

def local_path(target):
    """`target` if it is a path of this site (Alliés sends `next`), else None: no open redirect."""
    if not target or "\\" in target or any(ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/")
def home():
    return render_template("intranet/home.html")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        account = db.session.execute(
            db.select(Account).filter_by(login=request.form.get("login", "").strip().lower())).scalar_one_or_none()
        if account is not None and check_password_hash(account.password_hash, request.form.get("password", "")):
            login_user(account)
            db.session.commit()
            return redirect(local_path(request.args.get("next", "")) or url_for("main.home"))
        flash("Identifiant ou mot de passe incorrect.", "error")
    return render_template("intranet/login.html")


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    db.session.commit()
    return redirect(url_for("main.home"))


def create_intranet(config=None):
    """The intranet application, with Alliés mounted under /volontaires."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY", "intranet-example-secret-key-change-me"),
        SQLALCHEMY_DATABASE_URI=os.environ.get(
            "INTRANET_DATABASE_URL", f"sqlite:///{os.path.join(app.instance_path, 'intranet.sqlite3')}"),
        ALLIES_URL_PREFIX="/volontaires",
        ALLIES_IDENTITY_SOURCE="host",
        ALLIES_HOST_LOGIN=signed_in_login,
        ALLIES_HOST_LOGIN_ENDPOINT="main.login",
        ALLIES_BASE_TEMPLATE="intranet/layout.html",
        ALLIES_ORG_NAME="Intranet de la Région",
    )
    app.config.update(config or {})
    db.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "main.login"
    app.register_blueprint(bp)
    Allies(app, db=db)

    @app.before_request
    def keep_activity():
        if request.method == "POST":
            db.session.add(Activity(method=request.method, path=request.path))

    @app.cli.command("create-tables")
    def create_tables():
        """Create the intranet's own tables (Alliés' come from `flask allies-db upgrade`)."""
        db.create_all()

    @app.cli.command("add-account")
    def add_account():
        """Give every login of Alliés' directory an intranet account (password: the login), for trying."""
        from allies.directory.models import User

        for login in db.session.execute(db.select(User.login)).scalars():
            if db.session.execute(db.select(Account).filter_by(login=login)).scalar_one_or_none() is None:
                account = Account(login=login)
                account.set_password(login)
                db.session.add(account)
        db.session.commit()

    return app
