"""The example intranet with Alliés installed as a package: host pages unaffected, Alliés under
/volontaires, the host's sign-in, its layout, one transaction per request for both."""

import os
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import allies
import pytest
from allies.calls.operations import create_call, publish
from allies.directory.models import OrgUnit, RoleGrant, User, utcnow
from allies.signups.models import SignUp
from intranet import Account, Activity, Base, create_intranet, db, login_manager
from sqlalchemy import func, inspect, select

PASSWORD = "intranet-password"
HOST_PATHS = {"/", "/login", "/logout"}


@pytest.fixture
def app(tmp_path):
    """The intranet on an empty database (INTRANET_TEST_DATABASE_URL, else a SQLite file), emptied afterwards."""
    url = os.environ.get("INTRANET_TEST_DATABASE_URL") or f"sqlite:///{tmp_path}/intranet.sqlite3"
    app = create_intranet({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["create-tables"]).exit_code == 0
    result = runner.invoke(args=["allies-db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        unit = OrgUnit(name="Direction du numérique", path="DGS/Direction du numérique")
        manager = User(login="manon", email="manon@region.fr", given_name="Manon", family_name="Durand", org_unit=unit)
        agent = User(login="alex", email="alex@region.fr", given_name="Alex", family_name="Martin", org_unit=unit,
                     manager=manager)
        lab = User(login="lea", email="lea@region.fr", given_name="Léa", family_name="Labbé", org_unit=unit,
                   role_grants=[RoleGrant(role="lab")])
        db.session.add_all([manager, agent, lab])
        for login in ("manon", "alex", "lea", "outsider"):
            account = Account(login=login)
            account.set_password(PASSWORD)
            db.session.add(account)
        db.session.flush()
        call = create_call(lab, title="Atelier accueil", summary="Repenser l'accueil.", body="Trois demi-journées.",
                           capacity=5, deadline=utcnow() + timedelta(days=10), audience_all=True,
                           commitment_kind="percent", commitment_value=Decimal(10), start_date=date(2027, 1, 1),
                           end_date=date(2027, 6, 30), needs_manager_agreement=True, contact="labo@region.fr")
        publish(call, lab)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        assert runner.invoke(args=["allies-db", "downgrade", "base"]).exit_code == 0
        Base.metadata.drop_all(db.engine)
        db.engine.dispose()


def sign_in(client, login):
    response = client.post("/login", data={"login": login, "password": PASSWORD})
    assert response.status_code == 302
    return client


def csrf_token(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.mark.skipif(not os.environ.get("ALLIES_FROM_WHEEL"), reason="run from the source tree")
def test_alliés_comes_from_the_installed_package(tmp_path):
    assert "site-packages" in Path(allies.__file__).parts
    # The installed package also runs on its own: it carries its configuration module.
    standalone = allies.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/alone.sqlite3",
                                    "SECRET_KEY": "standalone-secret-key-long-enough"})
    assert standalone.extensions["allies"].standalone


def test_the_hosts_pages_and_login_manager_are_untouched(app):
    client = app.test_client()
    response = client.get("/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response.headers  # Alliés' headers stay on Alliés' pages
    assert app.login_manager is login_manager  # no second login manager
    assert app.blueprints["main"].import_name == "intranet"  # the host's own "main" blueprint
    # The host's own form keeps working without Alliés' CSRF token.
    assert client.post("/login", data={"login": "alex", "password": PASSWORD}).status_code == 302


def test_anonymous_visitors_sign_in_on_the_host_and_come_back(app):
    client = app.test_client()
    response = client.get("/volontaires/calls")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/volontaires/calls"
    response = client.post("/login?next=/volontaires/calls", data={"login": "alex", "password": PASSWORD})
    assert response.headers["Location"] == "/volontaires/calls"
    assert client.get("/volontaires/calls").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example/"])
def test_the_hosts_sign_in_never_sends_people_elsewhere(app, target):
    response = app.test_client().post("/login", query_string={"next": target},
                                      data={"login": "alex", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_a_host_account_unknown_to_the_directory_is_refused(app):
    client = sign_in(app.test_client(), "outsider")
    response = client.get("/volontaires/")
    assert response.headers["Location"] == "/volontaires/login?next=/volontaires/"  # not the host's: no loop
    response = client.get(response.headers["Location"])
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "outsider" in html and "annuaire" in html and 'id="intranet-header"' in html


def test_every_alliés_link_is_under_the_prefix_inside_the_hosts_layout(app):
    client = sign_in(app.test_client(), "lea")
    with app.app_context():
        call_id = db.session.execute(select(allies.calls.models.Call.id)).scalar_one()
    for path in ("/volontaires/", "/volontaires/calls", f"/volontaires/calls/{call_id}", "/volontaires/my/sign-ups",
                 "/volontaires/lab/calls"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert 'id="intranet-header"' in html  # the host's layout
        assert "Content-Security-Policy" in response.headers
        for link in re.findall(r'(?:href|src|action)="(/[^"]*)"', html):
            assert link.split("?")[0] in HOST_PATHS or link.startswith("/volontaires/"), (path, link)


def test_the_pages_speak_french_from_the_compiled_catalogs(app):
    client = sign_in(app.test_client(), "alex")
    assert "Appels à volontaires" in client.get("/volontaires/calls").get_data(as_text=True)


def test_the_widget_frames_on_the_hosts_home_page(app):
    client = app.test_client()
    home = client.get("/").get_data(as_text=True)
    assert 'src="/volontaires/widget/calls"' in home
    assert client.get("/volontaires/widget/calls").status_code in (200, 302)


def counts(app):
    with app.app_context():
        return (db.session.execute(select(func.count()).select_from(SignUp)).scalar_one(),
                db.session.execute(select(func.count()).select_from(Activity)).scalar_one())


def test_one_transaction_holds_the_hosts_writes_and_alliés(app):
    client = sign_in(app.test_client(), "alex")
    with app.app_context():
        call_id = db.session.execute(select(allies.calls.models.Call.id)).scalar_one()
    form_page = client.get(f"/volontaires/calls/{call_id}/sign-up").get_data(as_text=True)
    signups, activity = counts(app)

    # A failed request: Alliés does not commit, and the host's write of the same request goes too.
    response = client.post(f"/volontaires/calls/{call_id + 1}/sign-up",
                           data={"csrf_token": csrf_token(form_page), "motivation": "Je veux aider.",
                                 "hours_asked": "10"})
    assert response.status_code == 404
    assert counts(app) == (signups, activity)

    # Accepted: both are committed together, and the redirect stays under the prefix.
    response = client.post(f"/volontaires/calls/{call_id}/sign-up",
                           data={"csrf_token": csrf_token(form_page), "motivation": "Je veux aider.",
                                 "hours_asked": "10"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/volontaires/my/sign-ups")
    assert counts(app) == (signups + 1, activity + 1)


def test_alliés_forms_need_their_csrf_token_even_though_the_host_checks_none(app):
    client = sign_in(app.test_client(), "alex")
    with app.app_context():
        call_id = db.session.execute(select(allies.calls.models.Call.id)).scalar_one()
    response = client.post(f"/volontaires/calls/{call_id}/sign-up", data={"motivation": "x", "hours_asked": "10"})
    assert response.status_code == 400


def test_alliés_keeps_its_own_migration_history(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {"alembic_version_allies", "allies_users", "intranet_accounts"} <= tables
    assert "alembic_version" not in tables
    runner = app.test_cli_runner()
    assert runner.invoke(args=["allies-db", "downgrade", "base"]).exit_code == 0
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert not any(name.startswith("allies_") for name in tables)
    assert "intranet_accounts" in tables
