"""Production answers only for its own host name: Alliés' address comes from ALLIES_BASE_URL, never a request."""

import secrets

import pytest

from app import create_app
from tests.conftest import build_config
from tests.pages import parse_page

try:  # installed, the package carries config.py; in the source tree it sits beside the package
    from app.config import ProductionConfig
except ImportError:
    from config import ProductionConfig

BASE_URL = "https://intranet.example/volontaires"


@pytest.fixture
def production_factory(database_url, tmp_path):
    """Standalone apps with the production configuration class on the test database."""
    apps = []

    def build(**overrides):
        settings = build_config(database_url, **{"SECRET_KEY": secrets.token_urlsafe(32), "ALLIES_BASE_URL": BASE_URL,
                                             **overrides})
        app = create_app(type("TestProductionConfig", (ProductionConfig,), settings), instance_path=str(tmp_path))
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            app.extensions["allies"].db.engine.dispose()


@pytest.mark.postgres  # production refuses SQLite
def test_production_answers_400_to_another_host(production_factory):
    client = production_factory().test_client()
    refused = client.get("/login", headers={"Host": "evil.example"})
    assert parse_page(refused, status=400, h1="Requête incorrecte").html["lang"] == "fr"
    assert client.get("/login", base_url="https://intranet.example").status_code == 200
    assert client.get("/", base_url="https://intranet.example:443").status_code == 302


@pytest.mark.postgres  # production refuses SQLite
def test_forwarded_host_is_judged_too(production_factory):
    client = production_factory(ALLIES_PROXY_HOPS=1).test_client()
    headers = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https", "X-Forwarded-Prefix": "/volontaires"}
    assert client.get("/login", base_url="http://127.0.0.1:8000", headers=headers).status_code == 400
    headers["X-Forwarded-Host"] = "intranet.example"
    assert client.get("/login", base_url="http://127.0.0.1:8000", headers=headers).status_code == 200


@pytest.mark.postgres  # production refuses SQLite
def test_explicit_trusted_hosts_win(production_factory):
    client = production_factory(TRUSTED_HOSTS=["intranet.example", ".region.example"]).test_client()
    assert client.get("/login", base_url="https://intranet.example").status_code == 200
    assert client.get("/login", base_url="https://volontaires.region.example").status_code == 200
    assert client.get("/login", base_url="https://evil.example").status_code == 400


@pytest.mark.postgres  # production refuses SQLite
def test_trusted_hosts_must_include_the_base_url(production_factory):
    with pytest.raises(RuntimeError, match="TRUSTED_HOSTS must include ALLIES_BASE_URL's host"):
        production_factory(TRUSTED_HOSTS=["volontaires.example"])


@pytest.mark.postgres  # production refuses SQLite
def test_production_refuses_to_start_without_its_address(production_factory):
    with pytest.raises(RuntimeError, match="Production needs ALLIES_BASE_URL"):
        production_factory(ALLIES_BASE_URL=None)


def test_development_answers_any_host(app):
    assert app.test_client().get("/login", headers={"Host": "anything.example"}).status_code == 200


def test_trusted_hosts_in_development_refuse_others_with_our_page(app_factory):
    client = app_factory(TRUSTED_HOSTS=["127.0.0.1"]).test_client()
    assert client.get("/login", base_url="http://127.0.0.1:5000").status_code == 200
    refused = client.get("/login", headers={"Host": "evil.example"})
    assert parse_page(refused, status=400, h1="Requête incorrecte").html["lang"] == "fr"
    with pytest.raises(RuntimeError, match="TRUSTED_HOSTS must include ALLIES_BASE_URL's host"):
        app_factory(TRUSTED_HOSTS=["localhost"])
