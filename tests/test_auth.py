"""Sign-in, sign-out, sessions, rate limiting, safe redirects and the set-password command."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.database import session
from tests.conftest import PASSWORD, sign_in
from tests.pages import definitions, error_summary, flashes, one, parse_page, read_page


def login(client, login, password=PASSWORD, **extra):
    return client.post("/login", data={"login": login, "password": password, **extra})


def test_sign_in_then_home_shows_profile(client, people):
    response = login(client, "alex.agent")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    profile = definitions(read_page(client, "/"), "dl.profile")
    assert profile["Nom"] == "Alex Martin" and profile["Responsable"] == "Manon Durand"
    assert profile["Unité administrative"] == "DGS › Direction test › Service test"


def test_login_is_case_insensitive(client, people):
    assert login(client, "  Alex.Agent ").status_code == 302


@pytest.mark.parametrize("who, password", [("alex.agent", "wrong password"), ("nobody.here", PASSWORD)])
def test_failure_message_is_generic_and_audited(client, people, who, password):
    page = parse_page(login(client, who, password))
    assert [category for category, text in flashes(page) if "Échec de la connexion" in text] == ["error"]
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "auth.sign_in_failed")).scalar_one()
    assert entry.actor_id is None, "a failed attempt is nobody's action"
    assert entry.actor_label == (who if who == "alex.agent" else "?"), "unknown text typed as login is not kept"
    assert password not in str(entry.details)


def test_success_is_audited(client, people):
    login(client, "alex.agent")
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "auth.sign_in")).scalar_one()
    assert entry.actor_id == people["agent"].id


def test_deactivated_agent_cannot_sign_in(client, make_user):
    make_user("gone.away", active=False)
    assert login(client, "gone.away").status_code == 200


def test_empty_fields_get_messages(client):
    page = parse_page(client.post("/login", data={}))
    assert [field for field, _ in error_summary(page)] == ["login", "password"]
    assert one(page, "#login-error") and one(page, "#password-error")


@pytest.mark.parametrize("target, expected", [
    ("/admin/users?q=a", "/admin/users?q=a"),
    ("/privacy", "/privacy"),
    ("//evil.example/x", "/"),
    ("/\\evil.example", "/"),
    ("https://evil.example/", "/"),
    ("javascript:alert(1)", "/"),
    ("/%0d%0aLocation: x", "/%0d%0aLocation:%20x"),  # stays a path, no header injection
    ("\t//evil.example", "/"),
])
def test_next_only_leads_inside_the_app(client, people, target, expected):
    response = login(client, "ada.admin", next=target)
    assert response.headers["Location"] == expected


def test_anonymous_visit_comes_back_after_sign_in(client, people):
    response = client.get("/admin/org-units")
    assert response.headers["Location"] == "/login?next=/admin/org-units"
    next_value = "/admin/org-units"
    assert login(client, "ada.admin", next=next_value).headers["Location"] == next_value


def test_sign_out_ends_the_session_server_side(app, people):
    client = sign_in(app.test_client(), people["agent"])
    with client.session_transaction() as stolen:
        stolen_cookie = dict(stolen)
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302
    replay = app.test_client()
    with replay.session_transaction() as flask_session:
        flask_session.update(stolen_cookie)
    assert replay.get("/").status_code == 302, "a copy of the old session cookie must not work"


def test_deactivation_ends_sessions(app, people):
    client = sign_in(app.test_client(), people["agent"])
    assert client.get("/").status_code == 200
    people["agent"].active = False
    session.commit()
    assert client.get("/").status_code == 302


def test_login_attempts_are_rate_limited(app_factory, make_user):
    application = app_factory(RATELIMIT_ENABLED=True, ALLIES_LOGIN_RATE_LIMIT="3 per minute")
    with application.app_context():
        client = application.test_client()
        codes = [login(client, "nobody", "x").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        response = client.post("/login", data={"login": "nobody", "password": "x"})
        parse_page(response, status=429, h1="Trop de tentatives")


def test_rate_limit_also_counts_per_login(app_factory):
    application = app_factory(RATELIMIT_ENABLED=True, ALLIES_LOGIN_RATE_LIMIT="100 per minute",
                              ALLIES_LOGIN_RATE_LIMIT_PER_LOGIN="2 per minute")
    with application.app_context():
        codes = []
        for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            client = application.test_client()
            codes.append(client.post("/login", data={"login": "target", "password": "x"},
                                     environ_base={"REMOTE_ADDR": address}).status_code)
        assert codes == [200, 200, 429]


def test_password_is_never_in_the_audit_log(client, people):
    login(client, "alex.agent", "my secret guess")
    assert "my secret guess" not in str([entry.details for entry in session.execute(select(AuditEntry)).scalars()])


class TestSetPasswordCommand:
    def test_from_stdin(self, app, runner, people):
        result = runner.invoke(args=["users", "set-password", "alex.agent"], input="a brand new passphrase\n")
        assert result.exit_code == 0, result.output
        session.expire_all()
        assert people["agent"].check_password("a brand new passphrase")
        assert app.test_client().post("/login", data={"login": "alex.agent", "password": "a brand new passphrase"}
                                      ).status_code == 302

    def test_too_short(self, runner, people):
        result = runner.invoke(args=["users", "set-password", "alex.agent"], input="short\n")
        assert result.exit_code == 1
        assert "12" in result.output
        session.expire_all()
        assert people["agent"].check_password(PASSWORD)

    def test_unknown_login(self, runner, people):
        result = runner.invoke(args=["users", "set-password", "nobody"], input="a brand new passphrase\n")
        assert result.exit_code == 1
        assert "nobody" in result.output


def test_successful_sign_ins_do_not_count_toward_the_limit(app_factory, make_user):
    application = app_factory(RATELIMIT_ENABLED=True, ALLIES_LOGIN_RATE_LIMIT="3 per minute")
    with application.app_context():
        user = make_user()
        codes = [application.test_client().post("/login", data={"login": user.login, "password": PASSWORD}
                                                ).status_code for _ in range(5)]
        assert codes == [302] * 5, "a whole office signing in from one address is not blocked"


def test_set_password_with_empty_stdin_says_so(runner, people):
    result = runner.invoke(args=["users", "set-password", "alex.agent"], input="\n")
    assert result.exit_code == 1 and "entrée standard" in result.output
