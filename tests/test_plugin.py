"""Plugin mode with a host that protects its own forms, limits its own requests and signs people in:
Alliés' hooks stay on Alliés' requests, and its API still takes tokens."""

import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask, render_template_string, request
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import delete

from app.api.operations import create_token
from app.database import Model
from app.directory.models import User
from app import Allies
from tests.pages import parse_page

ROOT = Path(__file__).resolve().parent.parent
HOST_PAGE = "{{ 'labels' if call_status_labels is defined else 'no labels' }}"


@pytest.fixture
def host(database_url, people):
    """A host intranet with its own CSRFProtect, a default rate limit, and Alliés under /volontaires."""
    app = Flask("host")
    app.config.update(SECRET_KEY="host-secret-key-long-enough-for-the-tests", SQLALCHEMY_DATABASE_URI=database_url,
                      RATELIMIT_DEFAULT="2 per minute", ALLIES_URL_PREFIX="/volontaires",
                      ALLIES_IDENTITY_SOURCE="host", ALLIES_HOST_LOGIN=lambda: request.headers.get("X-Host-Login"))
    db = SQLAlchemy()
    db.init_app(app)
    CSRFProtect(app)

    @app.route("/")
    def home():
        return render_template_string(HOST_PAGE)

    Allies(app, db=db)
    yield app
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(Model.metadata.sorted_tables):
                connection.execute(delete(table))
        db.engine.dispose()


def test_the_hosts_own_pages_keep_their_own_rules(host):
    answer = host.test_client().get("/")
    assert answer.get_data(as_text=True) == "no labels"  # no Alliés template variables on the host's pages
    assert "Content-Security-Policy" not in answer.headers


# Flask-Limiter keeps its default limits per process: a fresh one shows what a host's RATELIMIT_DEFAULT does.
LIMITED_HOST = """
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from app import Allies

app = Flask("host")
app.config.update(SECRET_KEY="x" * 40, SQLALCHEMY_DATABASE_URI="sqlite://", RATELIMIT_DEFAULT="2 per minute",
                  ALLIES_URL_PREFIX="/volontaires", ALLIES_IDENTITY_SOURCE="host", ALLIES_HOST_LOGIN=lambda: None)
db = SQLAlchemy()
db.init_app(app)
app.add_url_rule("/", "home", lambda: "ok")
Allies(app, db=db)
client = app.test_client()
print(*[client.get("/").status_code for _ in range(4)])
"""


def test_alliés_limiter_never_counts_the_hosts_requests():
    done = subprocess.run([sys.executable, "-c", LIMITED_HOST], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["200"] * 4


def test_the_api_takes_tokens_even_when_the_host_checks_csrf_on_every_form(host, people):
    lab_id = people["lab"].id
    with host.app_context():
        host_session = host.extensions["allies"].db.session
        _row, token = create_token(host_session.get(User, lab_id), "test")
        host_session.commit()
    client = host.test_client()
    answer = client.post("/volontaires/api/v1/calls", json={}, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 422  # past the host's CSRF check: the token opened it, the empty call is refused
    assert answer.content_type == "application/problem+json"
    # Alliés' pages stay under the host's CSRF check.
    assert client.post("/volontaires/language", data={"locale": "en"}).status_code == 400


def test_alliés_pages_answer_with_alliés_error_pages_in_the_host(host, people):
    client = host.test_client()
    answer = client.get("/volontaires/lab/calls", headers={"X-Host-Login": "alex.agent"})
    page = parse_page(answer, status=403)  # Alliés' own page (its style sheet), not Flask's default
    assert page.select("head link[rel=stylesheet][href*='allies']")


def test_a_host_with_its_own_login_manager_cannot_use_alliés_sessions(database_url):
    app = Flask("host")
    app.config.update(SECRET_KEY="host-secret-key-long-enough-for-the-tests", SQLALCHEMY_DATABASE_URI=database_url)
    LoginManager(app)
    with pytest.raises(RuntimeError, match="'host'"):
        Allies(app)
