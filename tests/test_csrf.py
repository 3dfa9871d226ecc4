"""With CSRF protection on (as in production), every POST route refuses a request without a token."""

import pytest
from flask import url_for

from tests.conftest import sign_in
from tests.pages import field_value, one, parse_page, read_page, text_of


@pytest.fixture
def csrf_app(app_factory):
    application = app_factory(WTF_CSRF_ENABLED=True)
    with application.app_context():
        yield application


def post_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if "POST" in rule.methods), key=lambda r: r.endpoint)


def test_there_are_post_routes(csrf_app):
    assert {rule.endpoint for rule in post_rules(csrf_app)} >= {"allies.auth.login", "allies.auth.logout", "allies.main.set_language"}


def test_every_post_route_needs_a_token(csrf_app, make_user):
    admin = make_user(roles=("admin",))
    target = make_user()
    for rule in post_rules(csrf_app):
        client = sign_in(csrf_app.test_client(), admin)
        with csrf_app.test_request_context():
            url = url_for(rule.endpoint, **{name: target.id for name in rule.arguments})
        response = client.post(url, data={"role": "lab", "locale": "en", "login": "x", "password": "y"})
        if rule.endpoint.startswith("allies.api."):  # exempt: no cookie opens the JSON API, only a bearer token
            assert response.status_code == 401 and response.mimetype == "application/problem+json", rule.endpoint
            continue
        assert response.status_code == 400, rule.endpoint
        assert text_of(parse_page(response, status=400).h1) in ("Requête incorrecte", "Bad request"), rule.endpoint


def test_a_valid_token_is_accepted(csrf_app, make_user):
    user = make_user()
    client = csrf_app.test_client()
    token = field_value(one(read_page(client, "/login"), "main form[method=post]"), "csrf_token")
    from tests.conftest import PASSWORD

    response = client.post("/login", data={"csrf_token": token, "login": user.login, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
