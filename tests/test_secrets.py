"""The session key: never a published one; a random key per instance folder in development; production refuses
a missing or guessable one."""

import logging
import os
import secrets
import stat

import pytest
from flask import Flask

from app import check_production_config, create_app, secret_strength
from tests.conftest import build_config

PUBLISHED_KEY = "dev-only-secret-key-change-me"  # the key config.py used to fall back on
PRODUCTION = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://allies@db.example/allies",
              "ALLIES_BASE_URL": "https://intranet.example/volontaires"}


@pytest.fixture
def keyless_app_factory(database_url, tmp_path):
    """Apps built without SECRET_KEY, as a deployment that forgot it: the test database, a given instance folder."""
    apps = []

    def build(instance=tmp_path / "instance"):
        app = create_app(build_config(database_url, SECRET_KEY=None), instance_path=str(instance))
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            app.extensions["allies"].db.engine.dispose()


def forged_cookie(key, user):
    """A session cookie naming `user` as signed in, signed with `key`."""
    forger = Flask("forger")
    forger.secret_key = key
    return forger.session_interface.get_signing_serializer(forger).dumps({"_user_id": user.get_id(), "_fresh": True})


def test_a_cookie_signed_with_the_published_key_opens_nothing(keyless_app_factory, people):
    application = keyless_app_factory()
    client = application.test_client()
    client.set_cookie("session", forged_cookie(PUBLISHED_KEY, people["admin"]))
    response = client.get("/admin/audit")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    client.set_cookie("session", forged_cookie(application.secret_key, people["admin"]))
    assert client.get("/admin/audit").status_code == 200, "the instance's own key does sign sessions"


def test_without_secret_key_a_random_key_is_kept_in_the_instance_folder(keyless_app_factory, tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        first = keyless_app_factory()
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == first.secret_key
    assert secret_strength(first.secret_key) >= 128 and first.secret_key != PUBLISHED_KEY
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    warning = next(record.getMessage() for record in caplog.records if "SECRET_KEY is not set" in record.getMessage())
    assert str(key_file) in warning and "production" in warning

    second = keyless_app_factory()
    assert second.secret_key == first.secret_key, "a restart, or another worker, keeps the sessions"
    elsewhere = keyless_app_factory(tmp_path / "other-instance")
    assert elsewhere.secret_key != first.secret_key


def test_production_refuses_a_missing_key():
    with pytest.raises(RuntimeError, match="Production needs SECRET_KEY"):
        check_production_config({**PRODUCTION, "SECRET_KEY": None})


@pytest.mark.parametrize("key", [
    "k" * 40,
    "abc" * 14,
    "password" * 5,
    "abcdefghij" * 4,
    PUBLISHED_KEY,
    "x3Oh6e_fqAkNgAUGIR_LAw",  # random (token_urlsafe(16)) but short: 22 characters
])
def test_production_refuses_a_guessable_key(key):
    with pytest.raises(RuntimeError, match=r"cannot be guessed: at least 32 characters and 128 bits") as refusal:
        check_production_config({**PRODUCTION, "SECRET_KEY": key})
    assert key not in str(refusal.value), "the refusal never repeats the key (it ends up in logs)"
    assert "secrets.token_urlsafe(32)" in str(refusal.value)


@pytest.mark.parametrize("make_key", [lambda: secrets.token_urlsafe(32), lambda: secrets.token_hex(32)])
def test_production_accepts_generated_keys(make_key):
    for _ in range(200):
        check_production_config({**PRODUCTION, "SECRET_KEY": make_key()})


def test_production_app_refuses_to_start_without_a_key(tmp_path):
    config = {**build_config(PRODUCTION["SQLALCHEMY_DATABASE_URI"], SECRET_KEY=None), **PRODUCTION,
              "ALLIES_PRODUCTION": True}
    with pytest.raises(RuntimeError, match="Production needs SECRET_KEY"):
        create_app(config, instance_path=str(tmp_path))
    assert not (tmp_path / "secret_key").exists(), "production never makes a key of its own"
