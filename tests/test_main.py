"""Layout, language, security headers, error pages, configuration checks."""

import re
import secrets
from pathlib import Path

import pytest
from sqlalchemy import event

from app import check_production_config, create_app
from app.markup import render_markdown
from tests.conftest import sign_in
from tests.pages import definitions, flashes, one, parse_page, read_page, table_rows, text_of, texts

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def nav_links(page):
    """Where the main menu leads."""
    return [link["href"] for link in page.select("nav.main-nav a")]


def test_layout_has_skip_link_nav_footer_and_french(client, people):
    page = read_page(sign_in(client, people["admin"]), "/")
    assert page.html["lang"] == "fr"
    assert one(page, "a.skip-link")["href"] == "#main" and page.main["id"] == "main"
    assert text_of(one(page, "header .org-name")) == "Région Test"
    assert [link["href"] for link in page.select("footer a")] == ["/privacy", "/accessibility"]
    assert "/admin/users" in nav_links(page), "admins see the directory in the navigation"
    assert one(page, "main .flashes[role=status]")


def test_navigation_follows_role(client, people):
    page = read_page(sign_in(client, people["agent"]), "/")
    assert "/calls" in nav_links(page) and not page.select("a[href='/admin/users']")


def test_home_shows_the_profile(client, people):
    shown = definitions(read_page(sign_in(client, people["lab"]), "/"), "dl.profile")
    assert shown == {"Nom": "Léa Labbé", "Identifiant": "lea.lab", "Courriel": "lea.lab@example.org",
                     "Unité administrative": "DGS › Direction test › Service test", "Responsable": "Manon Durand",
                     "Quotité": "100\u00a0% d'un temps plein", "Rôles": "Équipe du laboratoire"}


def test_part_time_quotity_is_shown_for_the_locale(client, make_user):
    user = make_user(quotity=80)
    assert definitions(read_page(sign_in(client, user), "/"), "dl.profile")["Quotité"] == "80\u00a0% d'un temps plein"


def test_manager_is_named_a_manager(client, people):
    roles = definitions(read_page(sign_in(client, people["manager"]), "/"), "dl.profile")["Rôles"]
    assert roles == "Agent, Responsable d'équipe"


def test_language_switch_to_english_and_back(client, people):
    sign_in(client, people["agent"])
    response = client.post("/language", data={"locale": "en", "next": "/privacy"})
    assert response.headers["Location"] == "/privacy"
    page = read_page(client, "/")
    assert page.html["lang"] == "en" and text_of(one(page, "#profile-title")) == "My profile"
    client.post("/language", data={"locale": "fr"})
    assert read_page(client, "/").html["lang"] == "fr"


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"locale": "xx", "next": "https://evil.example"})
    assert read_page(client, "/privacy").html["lang"] == "fr"


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_hsts_and_secure_cookie_in_production_settings(app_factory):
    application = app_factory(ALLIES_HSTS=True, SESSION_COOKIE_SECURE=True)
    response = application.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in response.headers["Set-Cookie"]


def test_templates_have_no_inline_script_or_style():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert "<style" not in text and " style=" not in text and "|safe" not in text, path


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "{{7*7}}", "\"><img src=x onerror=alert(1)>"])
def test_user_data_renders_as_text(client, make_user, payload):
    admin = make_user(roles=("admin",))
    make_user(given_name=payload, family_name="Payload")
    page = read_page(sign_in(client, admin), "/admin/users?q=payload")
    assert "Payload 49" not in text_of(page.main)
    assert not page.select("script:not([src]), img[src=x]"), "no element comes from the payload"
    assert f"{payload} Payload" in texts(page, "#users-caption ~ tbody a"), "shown as typed, as text"


def test_markdown_is_sanitised():
    html = str(render_markdown("# Titre\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) **gras** "
                               "[site](https://example.org)"))
    assert "<h1>Titre</h1>" in html and "<strong>gras</strong>" in html
    assert "<script" not in html and 'href="javascript' not in html
    assert 'href="https://example.org" rel="noopener noreferrer"' in html


def test_privacy_notice_from_the_instance_folder(app, client, tmp_path):
    app.instance_path = str(tmp_path)
    (tmp_path / "privacy.fr.md").write_text("# Notice du conseil\n\nDPO : dpo@region.fr <script>x</script>",
                                            encoding="utf-8")
    page = read_page(client, "/privacy")
    assert texts(page, "main .prose h1") == ["Notice du conseil"]
    assert "dpo@region.fr" in text_of(page.main) and not page.select("script:not([src])")


def test_default_privacy_notice_names_controller_and_legal_basis(client):
    page = text_of(read_page(client, "/privacy").main)
    assert "6-1-e" in page and "CNIL" in page


@pytest.mark.parametrize("locale, texts", [
    ("fr", {400: "Requête incorrecte", 403: "Accès refusé", 404: "Page introuvable", 429: "Trop de tentatives",
            500: "Une erreur s'est produite", 503: "Service indisponible"}),
    ("en", {400: "Bad request", 403: "Access denied", 404: "Page not found", 429: "Too many attempts",
            500: "Something went wrong", 503: "Service unavailable"}),
])
def test_error_pages_in_both_languages(app_factory, locale, texts):
    application = app_factory(ALLIES_DEFAULT_LOCALE=locale)
    from flask import abort

    for code in texts:
        application.add_url_rule(f"/boom/{code}", f"boom{code}", lambda code=code: abort(code))
    application.add_url_rule("/crash", "crash", lambda: 1 / 0)
    client = application.test_client()
    for code, text in texts.items():
        page = parse_page(client.get("/crash" if code == 500 else f"/boom/{code}"), status=code, h1=text)
        assert page.html["lang"] == locale


def test_database_down_gives_503_and_recovers(app_factory, people):
    application = app_factory()
    client = sign_in(application.test_client(), people["agent"])
    down = {"now": True}
    with application.app_context():
        engine = application.extensions["allies"].db.engine

        @event.listens_for(engine, "do_connect")
        def refuse_while_down(dialect, record, cargs, cparams):
            if down["now"]:
                raise dialect.loaded_dbapi.OperationalError("connection refused (test)")

        engine.dispose()
    page = parse_page(client.get("/"), status=503, h1="Service indisponible")
    assert "base de données" in text_of(page.main)
    down["now"] = False
    assert client.get("/").status_code == 200


def test_production_refuses_weak_secret_sqlite_and_no_address():
    good = {"SECRET_KEY": secrets.token_urlsafe(32), "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://x/y",
            "ALLIES_BASE_URL": "https://intranet.example/volontaires"}
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        check_production_config({**good, "SECRET_KEY": "dev-only-secret-key-change-me"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        check_production_config({**good, "SECRET_KEY": "short"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        check_production_config({**good, "SECRET_KEY": "x" * 48})
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        check_production_config({**good, "SQLALCHEMY_DATABASE_URI": "sqlite:///allies.db"})
    for address in (None, "", "intranet.example", "/volontaires", "ftp://intranet.example"):
        with pytest.raises(RuntimeError, match="ALLIES_BASE_URL"):
            check_production_config({**good, "ALLIES_BASE_URL": address})
    check_production_config(good)


def test_production_app_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("ALLIES_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    import importlib

    import config

    importlib.reload(config)
    try:
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app()
    finally:
        monkeypatch.delenv("ALLIES_ENV")
        importlib.reload(config)


def test_extension_refuses_double_registration(app):
    from app import Allies

    with pytest.raises(RuntimeError, match="already registered"):
        Allies(app)


def test_forwarded_headers_are_ignored_by_default(client):
    response = client.get("/", headers={"X-Forwarded-Prefix": "/volontaires", "X-Forwarded-Host": "evil.example"})
    assert response.headers["Location"] == "/login?next=/"


def test_trusted_proxy_prefix_and_scheme(app_factory):
    application = app_factory(ALLIES_PROXY_HOPS=1)
    response = application.test_client().get("/", headers={
        "X-Forwarded-Prefix": "/volontaires", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "intranet.region.fr",
        "X-Forwarded-For": "10.1.2.3"})
    assert response.headers["Location"] == "/volontaires/login?next=/volontaires/"
    page = read_page(application.test_client(), "/login", headers={"X-Forwarded-Prefix": "/volontaires"})
    assert one(page.head, "link[rel=stylesheet][href^='/volontaires/allies-static/allies/allies.css?v=']")


def test_logo_hosted_elsewhere_is_allowed_by_the_csp(app_factory):
    application = app_factory(ALLIES_ORG_LOGO="https://intranet.region.fr/static/logo.svg")
    response = application.test_client().get("/login")
    assert "img-src 'self' data: https://intranet.region.fr;" in response.headers["Content-Security-Policy"]
    assert one(parse_page(response), "header img.logo")["src"] == "https://intranet.region.fr/static/logo.svg"


def test_manager_sees_the_team_on_the_home_page(client, people, make_user):
    make_user("left.team", manager=people["manager"], active=False, given_name="Parti", family_name="Ailleurs")
    page = read_page(sign_in(client, people["manager"]), "/")
    assert text_of(one(page, "#team-title")) == "Mon équipe"
    assert sorted(row[0] for row in table_rows(page, "team-caption")) == ["Alex Martin", "Léa Labbé"]
    assert not read_page(sign_in(client, people["agent"]), "/").select("#team-title, #team-caption")


def test_failed_sign_in_says_error_in_the_title(client, people):
    page = parse_page(client.post("/login", data={"login": "alex.agent", "password": "wrong"}))
    assert text_of(page.title).startswith("Erreur\u00a0:")
    assert not text_of(read_page(client, "/login").title).startswith("Erreur")


def test_admin_notes_are_shown_to_admins_only(client, people):
    assert "privacy.fr.md" not in read_page(sign_in(client, people["agent"]), "/privacy").get_text()
    assert "privacy.fr.md" in text_of(one(read_page(sign_in(client, people["admin"]), "/privacy"), "main p.hint"))


def test_identity_sources_can_be_added(app_factory):
    from app.auth.identity import IDENTITY_SOURCES, LocalAccounts, register_identity_source

    @register_identity_source
    class Nobody(LocalAccounts):
        name = "nobody"

        def current_agent(self):
            return None

    try:
        application = app_factory(ALLIES_IDENTITY_SOURCE="nobody")
        assert application.extensions["allies"].identity.name == "nobody"
    finally:
        IDENTITY_SOURCES.pop("nobody")
    with pytest.raises(RuntimeError, match="ALLIES_IDENTITY_SOURCE"):
        app_factory(ALLIES_IDENTITY_SOURCE="unknown")


def test_the_main_colour_comes_from_config_and_must_read_on_white(app_factory):
    import pytest

    from app.main.theme import contrast_with_white

    themed = app_factory(ALLIES_THEME_COLOUR="#8a1538")
    client = themed.test_client()
    css = client.get("/theme.css")
    assert css.mimetype == "text/css" and css.get_data(as_text=True) == ":root { --blue: #8a1538; }\n"
    link = one(read_page(client, "/login").head, "link[rel=stylesheet][href^='/theme.css?v=']")["href"]
    assert client.get(link).get_data(as_text=True) == ":root { --blue: #8a1538; }\n"
    other = app_factory(ALLIES_THEME_COLOUR="#000091").test_client()
    assert one(read_page(other, "/login").head, "link[rel=stylesheet][href^='/theme.css?v=']")["href"] != link
    assert round(contrast_with_white("#000091"), 1) == 14.9 and round(contrast_with_white("#767676"), 2) == 4.54
    with pytest.raises(ValueError, match="contrast of 2.16:1"):
        app_factory(ALLIES_THEME_COLOUR="#f0a000")
    with pytest.raises(ValueError, match="such as #000091"):
        app_factory(ALLIES_THEME_COLOUR="red")


def test_assets_are_kept_a_year_by_the_link_that_names_their_digest(client):
    """The stylesheet, the theme and the logo are linked with a digest of what they serve: a browser keeps them a
    year instead of asking again at each page; a link naming another digest (an older file) is not kept."""
    page = read_page(client, "/login")
    links = [one(page.head, f"link[rel={kind}][href*='{name}']")["href"]
             for kind, name in (("stylesheet", "allies.css"), ("stylesheet", "theme.css"), ("icon", "logo.svg"))]
    for link in links:
        path, _, version = link.partition("?v=")
        assert len(version) == 12, link
        kept = client.get(link)
        assert kept.status_code == 200 and kept.cache_control.max_age == 365 * 24 * 3600, link
        assert kept.cache_control.public and kept.cache_control.immutable and not kept.cache_control.no_cache
        for other in (path, f"{path}?v=000000000000"):
            asked = client.get(other)
            assert asked.status_code == 200 and asked.get_data() == kept.get_data(), other
            assert asked.cache_control.max_age is None and (asked.cache_control.no_cache or asked.cache_control.no_store)


def cut_the_commit(app, how):
    """Arm a one-off fault: the next COMMIT finds its connection gone — closed under it, or, on PostgreSQL, its
    server process terminated (psycopg then fails at COMMIT as when the server goes down)."""
    engine = app.extensions["allies"].db.engine
    armed = {"now": True}

    @event.listens_for(engine, "commit")
    def lose_the_connection(connection):
        if not armed["now"]:
            return
        armed["now"] = False
        dbapi_connection = connection.connection.dbapi_connection
        if how == "closed":
            dbapi_connection.close()
            return
        from sqlalchemy import create_engine, text

        admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as other:
            assert other.execute(text("SELECT pg_terminate_backend(:pid, 10000)"),
                                 {"pid": dbapi_connection.info.backend_pid}).scalar_one()
        admin.dispose()

    return armed


def commit_fault(how):
    """A way to cut the commit; terminating the server process is PostgreSQL's (its pass runs it)."""
    return pytest.param(how, marks=() if how == "closed" else (pytest.mark.postgres,))


FAULTS = [commit_fault("closed"), commit_fault("terminated")]


def written_sign_ups(call):
    from sqlalchemy import func, select

    from app.calls.models import Call
    from app.database import session
    from app.signups.models import SignUp

    session.expire_all()
    count = session.execute(select(func.count()).select_from(SignUp).where(SignUp.call_id == call.id)).scalar_one()
    return count, session.get(Call, call.id).held_places


@pytest.mark.committed  # the fault waits for a real COMMIT
@pytest.mark.parametrize("how", FAULTS)
def test_a_commit_failing_as_the_database_goes_gives_the_503_page(app, people, make_call, how):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: what escapes becomes the server's bare 500
    call = make_call(capacity=2)
    client = sign_in(app.test_client(), people["agent"])
    data = {"motivation": "J'aime les ateliers.", "hours_asked": "20", "availability": "Le mardi"}
    armed = cut_the_commit(app, how)
    response = client.post(f"/calls/{call.id}/sign-up", data=data)
    assert not armed["now"], "the commit was reached"
    page = parse_page(response, status=503, h1="Service indisponible")
    assert page.html["lang"] == "fr" and "base de données" in text_of(page.main)
    assert written_sign_ups(call) == (0, 0)
    assert "Content-Security-Policy" in response.headers
    assert flashes(read_page(client, "/my/sign-ups")) == [], "no untrue notice"
    assert client.post(f"/calls/{call.id}/sign-up", data=data).status_code == 302, "the next request works"
    assert written_sign_ups(call) == (1, 1)


@pytest.mark.committed  # the fault waits for a real COMMIT
@pytest.mark.parametrize("how", FAULTS)
def test_a_commit_failing_as_the_database_goes_gives_a_503_problem_on_the_api(app, people, make_call, how):
    from app.api.operations import create_token
    from app.database import session

    app.config["PROPAGATE_EXCEPTIONS"] = False
    call = make_call(capacity=2)
    token = create_token(people["agent"], "Jeton")[1]
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/calls", headers=headers).status_code == 200  # the token's first use noted
    armed = cut_the_commit(app, how)
    response = app.test_client().post(f"/api/v1/calls/{call.id}/sign-ups", headers=headers,
                                      json={"motivation": "Motivé", "hours_asked": 10})
    assert not armed["now"], "the commit was reached"
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 503 and "base de données" in response.get_json()["detail"]
    assert written_sign_ups(call) == (0, 0)
    again = app.test_client().post(f"/api/v1/calls/{call.id}/sign-ups", headers=headers,
                                   json={"motivation": "Motivé", "hours_asked": 10})
    assert again.status_code == 201
    assert written_sign_ups(call) == (1, 1)


def test_a_commit_refused_by_a_constraint_gives_the_500_page_and_writes_nothing(app, people, make_call, caplog):
    from app.database import session
    from app.directory.models import User

    app.config["PROPAGATE_EXCEPTIONS"] = False
    call = make_call(capacity=2)
    client = sign_in(app.test_client(), people["agent"])
    sneaked = {"now": True}

    @event.listens_for(session, "before_commit")
    def add_a_duplicate_login(request_session):
        if sneaked["now"]:
            sneaked["now"] = False
            request_session.add(User(login="alex.agent", email="twin@example.org", given_name="Alex",
                                     family_name="Jumeau", session_version=1))

    try:
        response = client.post(f"/calls/{call.id}/sign-up", data={"motivation": "J'aime les ateliers.",
                                                                   "hours_asked": "20", "availability": ""})
    finally:
        event.remove(session, "before_commit", add_a_duplicate_login)
    page = parse_page(response, status=500, h1="Une erreur s'est produite")
    assert page.html["lang"] == "fr"
    assert written_sign_ups(call) == (0, 0)
    assert "IntegrityError" in caplog.text, "the error is logged with its traceback"


@pytest.mark.committed  # the fault waits for a real COMMIT
def test_an_error_page_after_a_failed_commit_keeps_the_language_chosen(app, people, make_call):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    call = make_call(capacity=2)
    client = sign_in(app.test_client(), people["agent"])
    client.post("/language", data={"locale": "en"})
    cut_the_commit(app, "closed")
    response = client.post(f"/calls/{call.id}/sign-up", data={"motivation": "I like workshops.",
                                                               "hours_asked": "20", "availability": ""})
    assert parse_page(response, status=503, h1="Service unavailable").html["lang"] == "en"
