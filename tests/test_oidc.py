"""OpenID Connect sign-in against a real provider (Authlib's server side) served over HTTP on 127.0.0.1.

Alliés runs under Flask's test client; the browser's visits to the provider are real HTTP requests, and so
are Alliés' own calls to it (discovery, JWKS, token, UserInfo).
"""

import base64
import hashlib
import socket
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import Identity
from app.database import session
from app import Allies
from tests.conftest import PASSWORD
from tests.pages import flashes, one, read_page, text_of
from tests.oidc_provider import OpenIDProvider

CLIENT_ID = "allies-tests"
CLIENT_SECRET = "a-client-secret-long-enough-for-the-tests"
CALLBACK = "http://localhost/login/oidc/callback"
PROVIDER_NAME = "Keycloak de test"


@pytest.fixture(scope="module")
def provider():
    """The provider, started once for the module; each test gets it well-behaved and with nobody signed in."""
    running = OpenIDProvider(CLIENT_ID, CLIENT_SECRET, [CALLBACK]).start()
    yield running
    running.stop()


def oidc_settings(issuer, **overrides):
    return {"ALLIES_IDENTITY_SOURCE": "oidc", "ALLIES_OIDC_ISSUER": issuer, "ALLIES_OIDC_CLIENT_ID": CLIENT_ID,
            "ALLIES_OIDC_CLIENT_SECRET": CLIENT_SECRET, "ALLIES_OIDC_PROVIDER_NAME": PROVIDER_NAME,
            "ALLIES_DEFAULT_LOCALE": "en", "ALLIES_OIDC_TIMEOUT": 3, **overrides}


@pytest.fixture
def app(app_factory, provider):
    """Alliés signing people in at the test provider (overrides conftest's local-accounts app)."""
    provider.reset()
    application = app_factory(**oidc_settings(provider.issuer))
    with application.app_context():
        yield application


def person(sub="kc-0001", login="alex.agent", **claims):
    return {"sub": sub, "preferred_username": login, "email": f"{login}@example.org", **claims}


def go_to_provider(client, next_path=None):
    """Click « Sign in with … »: Alliés' redirect, then the provider's answer (its redirect back to Alliés)."""
    start = client.get("/login/oidc", query_string={"next": next_path} if next_path else None)
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text[:300]
    assert answer.headers["Location"].startswith(CALLBACK)
    return answer.headers["Location"]


def sign_in_at_provider(client, next_path=None):
    """The whole round trip; Alliés' answer to the provider's redirect."""
    return client.get(go_to_provider(client, next_path))


def signed_in(client):
    return client.get("/").status_code == 200


def flashed(client):
    """The messages flashed on the sign-in page the person lands on."""
    return " ".join(text for _, text in flashes(read_page(client, "/login")))


def audit_actions():
    return [entry.action for entry in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]


def test_sign_in_lands_on_next_and_links_the_subject(app, client, people, provider):
    provider.person = person()
    response = sign_in_at_provider(client, next_path="/calls?q=atelier")
    assert response.status_code == 302
    assert response.headers["Location"] == "/calls?q=atelier"
    assert client.get("/calls").status_code == 200
    identity = session.execute(select(Identity)).scalar_one()
    assert (identity.source, identity.subject, identity.user_id) == ("oidc", f"{provider.issuer}#kc-0001",
                                                                    people["agent"].id)
    assert audit_actions() == ["auth.identity_linked", "auth.sign_in"]


def test_the_authorization_request_uses_pkce_s256_state_and_nonce(app, client, people, provider):
    provider.person = person()
    sign_in_at_provider(client)
    asked = provider.authorization_requests[0]
    assert asked["response_type"] == "code"
    assert asked["client_id"] == CLIENT_ID
    assert asked["redirect_uri"] == CALLBACK
    assert asked["scope"].split() == ["openid", "email", "profile"]
    assert asked["code_challenge_method"] == "S256"
    assert len(asked["state"]) >= 32 and len(asked["nonce"]) >= 32
    verifier = provider.token_requests[0]["form"]["code_verifier"]
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert asked["code_challenge"] == digest
    assert provider.token_requests[0]["basic"]  # client_secret_basic, the default
    assert signed_in(client)


def test_a_next_outside_the_app_lands_home(app, client, people, provider):
    provider.person = person()
    response = sign_in_at_provider(client, next_path="//evil.example/phish")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("state", ["forged-state-value-forged-state-value", None])
def test_a_wrong_or_missing_state_is_refused(app, client, people, provider, state):
    provider.person = person()
    callback = urlsplit(go_to_provider(client))
    query = {name: values[0] for name, values in parse_qs(callback.query).items()}
    query.pop("state")
    if state:
        query["state"] = state
    response = client.get(callback.path, query_string=query)
    assert response.headers["Location"] == "/login"
    assert "could not be verified" in flashed(client)
    assert not signed_in(client)
    assert provider.token_requests == []  # the code was never even exchanged
    assert audit_actions() == ["auth.sign_in_failed"]


def test_an_answer_is_used_once_and_only_by_the_browser_that_started(app, client, people, provider):
    provider.person = person()
    callback = go_to_provider(client)
    other_browser = app.test_client()
    assert other_browser.get(callback).headers["Location"] == "/login"
    assert not signed_in(other_browser)
    assert client.get(callback).headers["Location"] == "/"
    client.post("/logout")
    assert client.get(callback).headers["Location"] == "/login"  # replayed: its state is gone
    assert not signed_in(client)


TAMPERINGS = {
    "signature by a key the provider does not publish": ({}, True),
    "another issuer": ({"iss": "http://127.0.0.1:1/evil"}, False),
    "another audience": ({"aud": "someone-else"}, False),
    "another audience, our client as authorised party": ({"aud": ["someone-else"], "azp": CLIENT_ID}, False),
    "another nonce": ({"nonce": "a-nonce-this-browser-never-sent-a-nonce"}, False),
    "expired an hour ago": ({"exp": "an hour ago"}, False),
    "no subject": ({"sub": None}, False),
}


@pytest.mark.parametrize("tampering", sorted(TAMPERINGS))
def test_a_tampered_id_token_is_refused(app, client, people, provider, tampering):
    changes, forge = TAMPERINGS[tampering]
    provider.person = person()
    provider.id_token_changes = {name: int(time.time()) - 3600 if value == "an hour ago" else value
                                 for name, value in changes.items()}
    provider.forge_signature = forge
    response = sign_in_at_provider(client)
    assert response.headers["Location"] == "/login"
    assert "could not be verified" in flashed(client)
    assert not signed_in(client)
    assert session.execute(select(Identity)).first() is None
    assert audit_actions() == ["auth.sign_in_failed"]


def test_the_subject_is_linked_once_and_another_subject_cannot_take_the_login(app, client, people, provider):
    provider.person = person(sub="kc-0001")
    sign_in_at_provider(client)
    client.post("/logout")
    assert sign_in_at_provider(client).headers["Location"] == "/"
    assert session.execute(select(Identity.subject)).scalars().all() == [f"{provider.issuer}#kc-0001"]

    impostor = app.test_client()
    provider.person = person(sub="kc-9999", login="alex.agent")
    assert sign_in_at_provider(impostor).headers["Location"] == "/login"
    assert "matches no active account" in flashed(impostor)
    assert not signed_in(impostor)
    assert session.execute(select(Identity.subject)).scalars().all() == [f"{provider.issuer}#kc-0001"]


@pytest.mark.parametrize("who", ["unknown login", "deactivated agent", "no login claim"])
def test_people_without_an_active_account_are_refused(app, client, people, provider, who):
    provider.person = {"unknown login": person(login="nobody.here"), "deactivated agent": person(),
                       "no login claim": {"sub": "kc-0001"}}[who]
    if who == "deactivated agent":
        people["agent"].active = False
        session.commit()
    assert sign_in_at_provider(client).headers["Location"] == "/login"
    page = flashed(client)
    assert ("could not be verified" if who == "no login claim" else "matches no active account") in page
    assert PROVIDER_NAME in page
    assert not signed_in(client)
    assert audit_actions()[-1] == "auth.sign_in_failed"


def test_a_refusal_at_the_provider_is_explained(app, client, people, provider):
    provider.person = person()
    provider.refuse = True
    callback = go_to_provider(client)
    assert parse_qs(urlsplit(callback).query)["error"] == ["access_denied"]
    assert client.get(callback).headers["Location"] == "/login"
    assert "cancelled or refused" in flashed(client)
    assert not signed_in(client)


def test_a_provider_out_of_reach_gets_a_clear_message(app_factory):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    application = app_factory(**oidc_settings(f"http://127.0.0.1:{closed_port}"))
    client = application.test_client()
    response = client.get("/login/oidc?next=/calls")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/calls"
    page = read_page(client, response.headers["Location"])
    assert "cannot be reached right now" in " ".join(text for _, text in flashes(page))
    assert one(page, "main a[href='/login/oidc?next=/calls']")  # the button to try again keeps next


def test_a_failing_token_endpoint_gets_a_clear_message(app, client, people, provider):
    provider.person = person()
    provider.token_endpoint_down = True
    assert sign_in_at_provider(client).headers["Location"] == "/login"
    assert "cannot be reached right now" in flashed(client)
    assert not signed_in(client)


def test_the_password_form_is_gone_and_a_posted_password_signs_nobody_in(app, client, people):
    page = read_page(client, "/login?next=/calls")
    assert text_of(one(page, "main a[href='/login/oidc?next=/calls']")) == f"Sign in with {PROVIDER_NAME}"
    assert not page.select("[name=password]")
    response = client.post("/login", data={"login": "alex.agent", "password": PASSWORD, "next": "/calls"})
    assert response.status_code != 302
    assert not signed_in(client)
    assert audit_actions() == []


def test_signing_out_ends_the_sessions_then_the_providers(app, client, people, provider):
    provider.person = person()
    sign_in_at_provider(client)
    version = people["agent"].session_version
    response = client.post("/logout")
    assert response.status_code == 302
    logout = urlsplit(response.headers["Location"])
    assert f"{logout.scheme}://{logout.netloc}{logout.path}" == f"{provider.issuer}/logout"
    asked = {name: values[0] for name, values in parse_qs(logout.query).items()}
    assert asked["post_logout_redirect_uri"] == "http://localhost/login/oidc/signed-out"
    assert asked["id_token_hint"].count(".") == 2 and len(asked["state"]) >= 32
    assert not signed_in(client)
    session.refresh(people["agent"])
    assert people["agent"].session_version == version + 1

    back = requests.get(response.headers["Location"], allow_redirects=False, timeout=5).headers["Location"]
    assert back.startswith("http://localhost/login/oidc/signed-out?state=")
    assert client.get(back).headers["Location"] == "/login"
    assert "You are signed out" in flashed(client)


def test_proconnect_style_login_claim_from_a_signed_userinfo(app_factory, people, provider):
    """ProConnect: client_secret_post, and `uid` (or `email`) only in a UserInfo answer that is a signed JWT."""
    provider.person = {"sub": "pc-5f0c", "uid": "alex.agent", "email": "alex.martin@example.org",
                       "given_name": "Alex", "usual_name": "Martin"}
    provider.id_token_claims = ()
    provider.userinfo_signed = True
    provider.auth_methods = ("client_secret_post",)
    application = app_factory(**oidc_settings(provider.issuer, ALLIES_OIDC_LOGIN_CLAIM="uid",
                                              ALLIES_OIDC_SCOPES="openid email uid"))
    client = application.test_client()
    assert sign_in_at_provider(client).headers["Location"] == "/"
    assert signed_in(client)
    assert not provider.token_requests[0]["basic"]
    assert provider.token_requests[0]["form"]["client_secret"] == CLIENT_SECRET


def test_a_login_claim_missing_from_the_id_token_comes_from_userinfo(app, client, people, provider):
    provider.person = person()
    provider.id_token_claims = ()
    assert sign_in_at_provider(client).headers["Location"] == "/"
    assert signed_in(client)


@pytest.mark.parametrize("signed", [False, True])
def test_a_userinfo_answer_about_someone_else_is_refused(app, client, people, provider, signed):
    provider.person = person()
    provider.id_token_claims = ()
    provider.userinfo_signed = signed
    provider.userinfo_changes = {"sub": "kc-someone-else"}
    assert sign_in_at_provider(client).headers["Location"] == "/login"
    assert "could not be verified" in flashed(client)
    assert not signed_in(client)


def test_the_oidc_pages_are_absent_in_the_other_modes(app_factory):
    client = app_factory().test_client()
    for path in ("/login/oidc", "/login/oidc/callback?code=x&state=y", "/login/oidc/signed-out"):
        assert client.get(path).status_code == 404


@pytest.mark.parametrize("settings, complaint", [
    ({"ALLIES_OIDC_ISSUER": ""}, "ALLIES_OIDC_ISSUER"),
    ({"ALLIES_OIDC_CLIENT_SECRET": ""}, "ALLIES_OIDC_CLIENT_SECRET"),
    ({"ALLIES_OIDC_SCOPES": "email profile"}, "openid"),
])
def test_a_bad_configuration_stops_the_start(app_factory, settings, complaint):
    with pytest.raises(RuntimeError, match=complaint):
        app_factory(**oidc_settings("http://127.0.0.1:1", **settings))


def test_production_wants_an_https_issuer():
    host = Flask("intranet")
    host.config.update(SQLALCHEMY_DATABASE_URI="sqlite://", ALLIES_PRODUCTION=True,
                       **oidc_settings("http://sso.example/realms/agents"))
    with pytest.raises(RuntimeError, match="https://"):
        Allies(host)
