"""A real browser (Debian's Chromium) against a real server: the main flow by keyboard, and axe on every page."""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from app.database import session
from app.demo.cli import load_demo
from app.demo.data import DEMO_ACCOUNTS, DEMO_PASSWORD
from app.directory.models import User

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright; skipped without it unless REQUIRE_BROWSER=1."""
    if CHROMIUM is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_app(app_factory):
    """The app with CSRF on and the demo directory, served by a real HTTP server on a free port."""
    application = app_factory(WTF_CSRF_ENABLED=True)
    with application.app_context():
        load_demo()
        session.commit()
        session.remove()
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    application.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield application
    server.shutdown()
    thread.join()


@pytest.fixture
def page(chromium, live_app):
    context = chromium.new_context(base_url=live_app.config["LIVE_URL"], locale="fr-FR")
    yield context.new_page()
    context.close()


def sign_in(page, login):
    page.goto("/login")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/")


def test_sign_in_with_the_keyboard_alone(page):
    page.goto("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "login"
    page.keyboard.type(DEMO_ACCOUNTS["agent"])
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Mon profil").is_visible()
    assert "Service formation" in page.content()
    outline = page.evaluate("""() => { document.querySelector('main a, footer a').focus();
        return getComputedStyle(document.activeElement).outlineStyle; }""")
    assert outline != "none", "focus must be visible"


def test_admin_walks_the_main_pages(page):
    sign_in(page, DEMO_ACCOUNTS["admin"])
    page.get_by_role("link", name="Annuaire").click()
    page.get_by_label("Rechercher", exact=True).fill("roussel")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Roussel Camille").click()
    assert page.get_by_role("heading", name="Camille Roussel").is_visible()
    page.get_by_role("button", name="Attribuer ce rôle").click()
    assert page.get_by_text("C'est fait").is_visible()
    page.get_by_role("link", name="Unités administratives").click()
    assert page.get_by_role("link", name="Laboratoire d'innovation publique").is_visible()
    page.get_by_role("button", name="English").click()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_by_role("heading", name="Org units").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.goto("/")
    assert "/login" in page.url


def pages_for(role, live_app):
    """The GET pages a person of this role reaches, with realistic data."""
    with live_app.app_context():
        agent_id = session.query(User.id).filter_by(login=DEMO_ACCOUNTS["agent"]).scalar()
        manager_id = session.query(User.id).filter_by(login=DEMO_ACCOUNTS["manager"]).scalar()
    public = ["/privacy", "/accessibility", "/page-qui-n-existe-pas"]
    if role == "anonymous":
        return ["/login", *public]
    pages = ["/", *public]
    if role == "admin":
        pages += ["/admin/users", "/admin/users?q=zzzz", "/admin/users?role=lab", "/admin/users?page=2",
                  f"/admin/users/{agent_id}", f"/admin/users/{manager_id}", "/admin/org-units"]
    else:
        pages += ["/admin/users"]  # the 403 page
    return pages


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("role", ["anonymous", "agent", "manager", "lab", "admin"])
def test_axe_finds_no_violation(page, live_app, role, language):
    from axe_playwright_python.sync_playwright import Axe

    if role != "anonymous":
        sign_in(page, DEMO_ACCOUNTS[role])
    if language == "en":
        page.goto("/privacy")
        page.get_by_role("button", name="English").click()
    axe = Axe()
    found = {}
    for url in pages_for(role, live_app):
        page.goto(url)
        assert page.evaluate("document.documentElement.lang") == language
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            found[url] = results.generate_report()
    assert found == {}, "\n\n".join(f"{url}\n{report}" for url, report in found.items())
