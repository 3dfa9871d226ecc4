"""Single sign-on by a header: believed only in that mode and only from ALLIES_TRUSTED_PROXIES.

These run in the test client with the peer address set by hand; tests/test_proxy.py proves the same through
a real nginx and gunicorn.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.audit.models import AuditEntry
from app.auth.models import Identity
from app.clock import utcnow
from app.database import session
from tests.pages import one, parse_page, read_page, text_of

PROXY = "127.0.0.2"
HEADER_MODE = {"ALLIES_IDENTITY_SOURCE": "header", "ALLIES_TRUSTED_HEADER": "X-Remote-User",
               "ALLIES_TRUSTED_PROXIES": (PROXY,)}


@pytest.fixture
def header_app(app_factory, people):
    """Alliés signing agents in by the X-Remote-User header of the proxy at 127.0.0.2."""
    return app_factory(**HEADER_MODE)


def get(application, path, login=None, peer=PROXY, headers=(), **environ):
    """A GET from `peer`, naming `login` in X-Remote-User when given."""
    headers = list(headers) + ([("X-Remote-User", login)] if login is not None else [])
    return application.test_client().get(path, headers=headers, environ_base={"REMOTE_ADDR": peer, **environ})


def audit_actions():
    session.expire_all()
    return session.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()


def is_signed_in(response, person):
    """Whether the answer is a page shown to `person`, signed in: their name in the menu."""
    return response.status_code == 200 and text_of(parse_page(response).select_one("nav .nav-user")) == person.full_name


def is_refused(application, response):
    """Sent to the sign-in page, which explains instead of asking for a password."""
    if response.status_code != 302 or "/login" not in response.headers["Location"]:
        return False
    page = application.test_client().get(response.headers["Location"], environ_base={"REMOTE_ADDR": "10.9.9.9"})
    return page.status_code == 403 and not parse_page(page, status=403).select("input[type=password]")


def test_the_agent_named_by_the_trusted_proxy_is_signed_in_without_a_password(header_app, people):
    client = header_app.test_client()
    signed = client.get("/", headers={"X-Remote-User": "alex.agent"}, environ_base={"REMOTE_ADDR": PROXY})
    assert is_signed_in(signed, people["agent"])
    # Nothing is remembered in a cookie: the same browser without the header is not signed in.
    assert client.get("/", environ_base={"REMOTE_ADDR": PROXY}).status_code == 302
    assert is_signed_in(get(header_app, "/calls", "ALEX.AGENT"), people["agent"])  # logins match in any case


def test_the_header_from_an_address_that_is_not_a_trusted_proxy_is_ignored(header_app, people, caplog):
    response = get(header_app, "/", "alex.agent", peer="10.9.9.9")
    assert is_refused(header_app, response)
    assert "not in ALLIES_TRUSTED_PROXIES" in caplog.text
    assert audit_actions() == []


def test_a_forged_forwarded_address_does_not_make_a_client_the_proxy(app_factory, people):
    """ProxyFix rewrites REMOTE_ADDR from X-Forwarded-For; the trust goes to the TCP peer it kept aside."""
    application = app_factory(**HEADER_MODE, ALLIES_PROXY_HOPS=1)
    forged = get(application, "/", "alex.agent", peer="10.9.9.9", headers=[("X-Forwarded-For", PROXY)])
    assert is_refused(application, forged)
    through_the_proxy = get(application, "/", "alex.agent", headers=[("X-Forwarded-For", "10.1.2.3")])
    assert is_signed_in(through_the_proxy, people["agent"])
    session.expire_all()
    assert session.execute(select(AuditEntry.ip).where(AuditEntry.action == "auth.sign_in")).scalar_one() == "10.1.2.3"


def test_trusted_proxies_may_be_networks_given_as_text(app_factory, people):
    application = app_factory(**{**HEADER_MODE, "ALLIES_TRUSTED_PROXIES": "192.0.2.7, 10.0.0.0/8"})
    assert is_signed_in(get(application, "/", "alex.agent", peer="10.20.30.40"), people["agent"])
    assert is_signed_in(get(application, "/", "alex.agent", peer="::ffff:10.20.30.40"), people["agent"])
    assert is_refused(application, get(application, "/", "alex.agent", peer="11.0.0.1"))


def test_the_cgi_variable_remote_user_is_the_default(app_factory, people):
    application = app_factory(ALLIES_IDENTITY_SOURCE="header", ALLIES_TRUSTED_PROXIES=(PROXY,))
    assert is_signed_in(get(application, "/", REMOTE_USER="alex.agent"), people["agent"])
    assert is_refused(application, get(application, "/", "alex.agent"))  # the HTTP header is another thing


@pytest.mark.parametrize("value", ["alex.agent, mallory", "alex.agent,mallory", "alex agent", "", "alex\tagent"])
def test_a_value_that_is_not_one_login_is_refused(header_app, value, caplog):
    assert is_refused(header_app, get(header_app, "/", value))
    assert "not one login" in caplog.text  # refused as malformed, before any directory look-up
    assert audit_actions() == []


def test_the_dash_and_underscore_twins_merged_into_one_variable_are_refused(header_app, caplog):
    """X-Remote-User and X_Remote_User land in the same HTTP_X_REMOTE_USER when a server merges them."""
    response = get(header_app, "/", headers=[("X-Remote-User", "alex.agent"), ("X_Remote_User", "ada.admin")])
    assert is_refused(header_app, response)
    assert "not one login" in caplog.text


def test_in_local_mode_the_header_is_ignored(app, client, people):
    response = client.get("/", headers=[("X-Remote-User", "alex.agent")],
                          environ_base={"REMOTE_ADDR": PROXY, "REMOTE_USER": "alex.agent"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert one(read_page(client, "/login"), "main form input[type=password][name=password]")


@pytest.mark.parametrize("login", ["nobody", "alex.agent"])
def test_an_account_missing_from_the_directory_gets_a_clear_page(header_app, people, login):
    people["agent"].active = False
    session.commit()
    response = get(header_app, "/", login)
    assert response.status_code == 302
    page = parse_page(get(header_app, response.headers["Location"], login), status=403)
    text = text_of(page.main)
    assert login in text and "annuaire" in text and not page.select("input[type=password]")


def test_without_the_header_the_page_says_sign_in_happens_in_the_intranet(header_app):
    assert "authentification unique" in text_of(parse_page(get(header_app, "/login"), status=403).main)
    form = {"login": "alex.agent", "password": "correct horse battery staple"}
    refused = header_app.test_client().post("/login", data=form, environ_base={"REMOTE_ADDR": PROXY})
    assert refused.status_code == 403  # no password is ever checked


def test_a_sign_in_is_recorded_once_a_day(header_app, people):
    for _ in range(3):
        assert is_signed_in(get(header_app, "/", "alex.agent"), people["agent"])
    assert audit_actions() == ["auth.identity_linked", "auth.sign_in"]
    session.execute(update(Identity).values(last_seen_at=utcnow() - timedelta(days=1)))
    session.commit()
    get(header_app, "/", "alex.agent")
    get(header_app, "/", "alex.agent")
    assert audit_actions() == ["auth.identity_linked", "auth.sign_in", "auth.sign_in"]


def test_a_refusal_is_recorded_once_a_day_per_address(header_app):
    for _ in range(3):
        get(header_app, "/", "nobody", REMOTE_ADDR=PROXY)
    assert audit_actions() == ["auth.sign_in_failed"]
    assert session.execute(select(func.count(Identity.id))).scalar() == 0


def test_sign_out_is_not_offered_and_says_why(header_app, people):
    client = header_app.test_client()
    environ = {"REMOTE_ADDR": PROXY, "HTTP_X_REMOTE_USER": "alex.agent"}
    page = read_page(client, "/", environ_base=environ)
    assert not page.select("form[action='/logout']") and "Se déconnecter" not in page.get_text()
    response = client.post("/logout", environ_base=environ)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert is_signed_in(client.get("/", environ_base=environ), people["agent"])


@pytest.mark.parametrize("overrides, message", [
    ({"ALLIES_TRUSTED_PROXIES": ()}, "needs ALLIES_TRUSTED_PROXIES"),
    ({"ALLIES_TRUSTED_PROXIES": "proxy.intranet"}, "neither an IP address nor a network"),
    ({"ALLIES_TRUSTED_HEADER": "X_Remote_User"}, "underscores"),
    ({"ALLIES_TRUSTED_HEADER": "HTTP_X_REMOTE_USER"}, "X-Remote-User"),
])
def test_the_header_mode_refuses_to_start_when_misconfigured(app_factory, overrides, message):
    with pytest.raises(RuntimeError, match=message):
        app_factory(**{**HEADER_MODE, **overrides})
