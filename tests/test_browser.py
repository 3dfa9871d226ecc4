"""A real browser (Debian's Chromium) against a real server: the main flow by keyboard, and axe on every page."""

import os
import re
import shutil
import threading
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from axe_playwright_python.base import AXE_SCRIPT, AxeResults
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app.api.operations import create_token
from app.budgets.models import Allocation
from app.budgets.operations import log_time, request_extension
from app.approvals.queries import pending_extensions_for, pending_for
from app.database import count_rows, session
from app.demo.cli import load_demo
from app.demo.data import DEMO_ACCOUNTS, DEMO_PASSWORD
from app.calls.models import Call
from app.directory.models import User
from app.signups.models import SignUp
from app.signups.operations import sign_up
from conftest import load_once

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}


def axe_check(page):
    """axe's WCAG 2.0/2.1 A and AA violations on the page's document; axe is put in the document unless an init
    script (`load_axe_in_every_document`) already did."""
    if not page.evaluate("typeof axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    return AxeResults(page.evaluate("options => axe.run(document, options)", AXE_OPTIONS))


def load_axe_in_every_document(page):
    """Have Chromium put axe in each document the page's context loads: a crawl sends the script once, not per page."""
    page.context.add_init_script(script=AXE_SCRIPT)


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright; skipped without it unless REQUIRE_BROWSER=1."""
    if CHROMIUM is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=15_000)  # a loaded two-core machine may take more than the default 5 s per page
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def live_settings(folder):
    """A served app's settings: CSRF on, mails written in `folder`, the lab's directory group named."""
    return dict(WTF_CSRF_ENABLED=True, ALLIES_MAIL_BACKEND="folder", ALLIES_MAIL_FOLDER=str(folder / "mails"),
                ALLIES_LDAP_LAB_GROUP="CN=GG-Labo,OU=Groupes,DC=corp")  # a person's page says so


def load_demo_world(application):
    """The demo, and for its agent a sign-up to the busy call, a time entry, an extension request and an API token
    (built once per test process, then put back as rows)."""

    def load():
        load_demo()
        agent = session.query(User).filter_by(login=DEMO_ACCOUNTS["agent"]).one()
        busy_call = session.query(Call).filter_by(capacity=3).one()
        sign_up(busy_call.id, agent, "Je veux contribuer.", Decimal(20))
        allocation = session.query(Allocation).filter_by(agent_id=agent.id).one()
        log_time(allocation, agent, date.today(), Decimal("0.25"), "Relais auprès du service")
        request_extension(allocation, agent, Decimal(4), None, "Deux ateliers de plus")
        create_token(agent, "Portail de l'intranet")  # the agent's token page lists one

    load_once(application, "demo world", load)


@pytest.fixture
def live_app(app_factory, tmp_path):
    """The app with CSRF on and the demo world, served by a real HTTP server on a free port."""
    application = app_factory(**live_settings(tmp_path))
    load_demo_world(application)
    with served(application):
        yield application


@contextmanager
def served(application):
    """`application` on a real HTTP server on a free port, its address in config["LIVE_URL"]."""
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    application.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    try:
        yield application
    finally:
        server.shutdown()
        thread.join()


@contextmanager
def french_tab(chromium, application, **options):
    """A new browser tab (its own cookies) on the served `application`, in French."""
    context = chromium.new_context(base_url=application.config["LIVE_URL"], locale="fr-FR", **options)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(chromium, live_app):
    with french_tab(chromium, live_app) as tab:
        yield tab


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
    expect(page.get_by_role("heading", name="Mon profil")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Service formation")
    outline = page.evaluate("""() => { document.querySelector('main a, footer a').focus();
        return getComputedStyle(document.activeElement).outlineStyle; }""")
    assert outline != "none", "focus must be visible"


def test_admin_walks_the_main_pages(page):
    sign_in(page, DEMO_ACCOUNTS["admin"])
    page.get_by_role("link", name="Annuaire").click()
    page.get_by_label("Rechercher", exact=True).fill("roussel")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Camille Roussel").click()
    expect(page.get_by_role("heading", name="Camille Roussel")).to_be_visible()
    page.get_by_role("button", name="Attribuer ce rôle").click()
    expect(page.get_by_text("C'est fait")).to_be_visible()
    page.get_by_role("link", name="Unités administratives").click()
    expect(page.get_by_role("link", name="Laboratoire d'innovation publique")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Org units")).to_be_visible()  # the page the language change reloads
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Sign out").click()
    page.goto("/")
    assert "/login" in page.url


def test_the_manager_decides_on_a_phone_without_scrolling_sideways(page, live_app):
    """At 320 CSS px, « Décider » shows on every waiting request and extension, without scrolling the table."""
    with live_app.app_context():
        manager = session.query(User).filter_by(login=DEMO_ACCOUNTS["manager"]).one()
        member = (session.query(User).filter(User.manager_id == manager.id, User.active.is_(True),
                                             User.login != DEMO_ACCOUNTS["agent"]).order_by(User.login).first())
        taken = session.query(SignUp.call_id).filter_by(agent_id=member.id)
        call = next(call for call in session.query(Call).filter_by(status="published", audience_all=True,
                                                                  needs_manager_agreement=True)
                    .filter(~Call.id.in_(taken)).order_by(Call.id) if call.capacity is None or call.places_left)
        signup, created, _rank = sign_up(call.id, member, "Pour mon service.", Decimal(4))
        assert created and signup.status == "pending_manager"
        session.commit()
        waiting = count_rows(pending_for(manager)) + count_rows(pending_extensions_for(manager))
    sign_in(page, DEMO_ACCOUNTS["manager"])
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/approvals")
    decide = page.get_by_role("link", name=re.compile("^Décider —"))
    assert decide.count() == waiting >= 2  # the sign-ups and the extension
    for index in range(decide.count()):
        box = decide.nth(index).bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= 320, f"« Décider » is at {box} on a 320 px screen"


@pytest.mark.once  # the same HTML whatever the database
def test_the_single_sign_on_page_passes_axe(chromium, app_factory):
    application = app_factory(ALLIES_IDENTITY_SOURCE="oidc", ALLIES_OIDC_ISSUER="http://127.0.0.1:9",
                              ALLIES_OIDC_CLIENT_ID="allies", ALLIES_OIDC_CLIENT_SECRET="not-a-real-secret",
                              ALLIES_OIDC_PROVIDER_NAME="ProConnect")
    with served(application), french_tab(chromium, application) as page:
        page.goto("/calls")
        expect(page.get_by_role("link", name="Se connecter avec ProConnect")).to_be_visible()
        assert page.locator('input[type="password"]').count() == 0
        results = axe_check(page)
    assert results.violations_count == 0, results.generate_report()


def tab_to(page, name, limit=120):
    """Press Tab until the focused element's accessible text contains `name`; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate("""() => { const e = document.activeElement;
            if (!e.matches('a, button, input, select, textarea')) return '';  // not the body, nor a scroll region
            return (e.innerText || e.value || e.getAttribute('aria-label') || '') + ' ' +
                   (e.labels && e.labels.length ? e.labels[0].innerText : ''); }""")
        text = " ".join(text.split())
        if name in text:
            return
    pytest.fail(f"the keyboard never reached « {name} » (last: {text!r})")


def keyboard_sign_in(page, login):
    page.goto("/login")
    tab_to(page, "Identifiant")
    page.keyboard.type(login)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")


def test_call_sign_up_waiting_list_promotion_cycle(chromium, live_app):
    """The lab publishes a call with one place; an agent signs up by keyboard alone, a second one is waitlisted,
    the first withdraws by keyboard alone, and the second is promoted at once."""
    base = live_app.config["LIVE_URL"]
    lab = chromium.new_context(base_url=base, locale="fr-FR").new_page()
    sign_in(lab, DEMO_ACCOUNTS["lab"])
    lab.get_by_role("link", name="Appels du laboratoire").click()
    lab.get_by_role("link", name="Rédiger un nouvel appel").click()
    lab.get_by_label("Titre").fill("Atelier « usagers » du printemps")
    lab.get_by_label("Résumé").fill("Une journée pour écouter les usagers.")
    lab.get_by_label("Temps demandé, exprimé en").select_option("total_hours")
    lab.get_by_label("Volume de temps").fill("7")
    lab.get_by_label("Début de la période").fill("2027-03-01")
    lab.get_by_label("Fin de la période").fill("2027-03-31")
    lab.get_by_label("Places").fill("1")
    lab.get_by_label("Date de clôture des candidatures").fill("2030-02-15T12:00")
    lab.get_by_role("button", name="Enregistrer").click()
    lab.get_by_label("Type de réponse").select_option("yes_no")
    lab.get_by_role("textbox", name=re.compile(r"^Question")).fill("Pouvez-vous venir le 12 mars ?")
    lab.get_by_label("Réponse obligatoire").check()
    lab.get_by_role("button", name="Ajouter la question").click()
    lab.get_by_role("link", name="Publier").click()
    lab.get_by_role("button", name="Oui, publier").click()
    expect(lab.get_by_text("Ouvert").first).to_be_visible()

    first = chromium.new_context(base_url=base, locale="fr-FR").new_page()
    keyboard_sign_in(first, DEMO_ACCOUNTS["agent"])
    tab_to(first, "Appels à volontaires")
    first.keyboard.press("Enter")
    first.wait_for_url("**/calls")
    tab_to(first, "Atelier « usagers » du printemps")
    first.keyboard.press("Enter")
    first.wait_for_url(re.compile(r"/calls/\d+$"))
    tab_to(first, "Candidater à cet appel")
    first.keyboard.press("Enter")
    first.wait_for_url("**/sign-up")
    tab_to(first, "Pourquoi souhaitez-vous participer")
    first.keyboard.type("J'accueille des usagers tous les jours.")
    tab_to(first, "Oui")
    first.keyboard.press("Space")
    tab_to(first, "Envoyer ma candidature")
    first.keyboard.press("Enter")
    first.wait_for_url("**/my/sign-ups**")
    expect(first.get_by_text("En attente du responsable").first).to_be_visible()

    second = chromium.new_context(base_url=base, locale="fr-FR").new_page()
    sign_in(second, DEMO_ACCOUNTS["manager"])
    second.goto("/calls")
    second.get_by_role("link", name="Atelier « usagers » du printemps").click()
    second.get_by_role("link", name="Candidater à cet appel").click()
    second.get_by_label("Pourquoi souhaitez-vous participer").fill("Pour mon équipe.")
    second.get_by_label("Non").check()
    second.get_by_role("button", name="Envoyer ma candidature").click()
    expect(second.locator(".flashes")).to_contain_text("liste d")
    expect(second.get_by_role("cell", name=re.compile("n° 1"))).to_be_visible()

    first.goto("/my/sign-ups")
    tab_to(first, "Retirer — Atelier « usagers » du printemps")
    first.keyboard.press("Enter")
    first.wait_for_url("**/withdraw")
    tab_to(first, "Oui, retirer ma candidature")
    first.keyboard.press("Enter")
    first.wait_for_url("**/my/sign-ups")
    expect(first.get_by_text("Retirée").first).to_be_visible()

    second.goto("/my/sign-ups")
    row = second.get_by_role("row", name="Atelier « usagers » du printemps")
    expect(row).to_contain_text("En attente du responsable")
    lab.goto("/lab/calls")
    lab.get_by_role("link", name="Atelier « usagers » du printemps").first.click()
    lab.get_by_role("link", name="2 candidatures").click()
    expect(lab.locator("body")).to_contain_text("Pouvez-vous venir le 12 mars ?")


def test_time_budget_cycle(chromium, live_app):
    """Sign-up → the manager agrees → time logged → 80 % warning → refusal past 100 % → extension asked and
    agreed → more time logged; a second request decided by a deputy, a third by the manager's manager after an
    escalation."""
    base = live_app.config["LIVE_URL"]
    today = date.today()
    with live_app.app_context():
        from app.approvals.operations import send_reminders
        from app.calls.operations import create_call, publish

        lab = session.query(User).filter_by(login=DEMO_ACCOUNTS["lab"]).one()
        manager = session.query(User).filter_by(login=DEMO_ACCOUNTS["manager"]).one()
        call = create_call(lab, audience_units=[], title="Carnet de bord des usagers", summary="Tenir un carnet.",
                           body="", capacity=None, deadline=datetime.now(timezone.utc) + timedelta(days=5),
                           audience_all=True, commitment_kind="total_hours", commitment_value=Decimal(4),
                           start_date=today - timedelta(days=10), end_date=today + timedelta(days=50),
                           needs_manager_agreement=True, contact="")
        publish(call, lab)
        team = session.query(User).filter(User.manager_id == manager.id, User.active.is_(True),
                                          User.login != DEMO_ACCOUNTS["agent"]).order_by(User.login).all()
        (deputy, deputy_id), (second, second_id), (third, third_id) = [(user.login, user.id) for user in team[:3]]
        names = {user.id: user.full_name for user in team[:3]}
        boss_login = manager.manager.login
        session.commit()
        call_id = call.id

    agent = chromium.new_context(base_url=base, locale="fr-FR").new_page()
    sign_in(agent, DEMO_ACCOUNTS["agent"])
    agent.goto("/calls")
    agent.get_by_role("link", name="Carnet de bord des usagers").click()
    agent.get_by_role("link", name="Candidater à cet appel").click()
    agent.get_by_label("Pourquoi souhaitez-vous participer").fill("Je rencontre des usagers chaque jour.")
    agent.get_by_role("button", name="Envoyer ma candidature").click()
    expect(agent.get_by_text("En attente du responsable").first).to_be_visible()

    boss = chromium.new_context(base_url=base, locale="fr-FR").new_page()
    sign_in(boss, DEMO_ACCOUNTS["manager"])
    # The manager decides, and the volunteer logs time, with the keyboard alone.
    tab_to(boss, "Demandes à valider")
    boss.keyboard.press("Enter")
    boss.wait_for_url("**/approvals")
    tab_to(boss, "Décider — Camille Roussel")
    boss.keyboard.press("Enter")
    boss.wait_for_url(re.compile(r"/approvals/\d+$"))
    assert "Je rencontre des usagers" not in boss.content()  # the motivation stays with the lab (page loaded above)
    tab_to(boss, "J'accorde le temps demandé")
    boss.keyboard.press("Space")
    tab_to(boss, "Envoyer ma décision")
    boss.keyboard.press("Enter")
    boss.wait_for_url("**/approvals")
    expect(boss.locator(".flashes")).to_contain_text("Demande acceptée")

    tab_to(agent, "Mon budget temps")
    agent.keyboard.press("Enter")
    agent.wait_for_url("**/my/budget")
    tab_to(agent, "Carnet de bord des usagers")
    agent.keyboard.press("Enter")
    agent.wait_for_url(re.compile(r"/my/budget/allocations/\d+$"))
    expect(agent.get_by_role("img", name="Heures utilisées sur la période, comparées à un rythme régulier")).to_be_visible()
    assert agent.get_by_label("Jour").input_value() == today.isoformat()  # today by default
    tab_to(agent, "Heures")
    agent.keyboard.type("3.25")
    tab_to(agent, "Note")
    agent.keyboard.type("Carnet rempli")
    tab_to(agent, "Enregistrer ce temps")
    with agent.expect_navigation():
        agent.keyboard.press("Enter")
    expect(agent.locator(".flashes")).to_contain_text("Vous avez utilisé 80")
    agent.get_by_role("textbox", name="Heures").fill("1")
    agent.get_by_role("button", name="Enregistrer ce temps").click()
    expect(agent.locator("#hours-error")).to_contain_text("Vous dépasseriez les 4 h accordées")
    assert agent.get_by_role("textbox", name="Heures").get_attribute("aria-invalid") == "true"
    agent.get_by_role("textbox", name="Heures").fill("0.75")
    agent.get_by_role("button", name="Enregistrer ce temps").click()
    expect(agent.locator(".flashes")).to_contain_text("Vous avez utilisé 100")
    agent.get_by_role("link", name="Demander une prolongation").click()
    agent.get_by_label("Heures supplémentaires").fill("2")
    agent.get_by_label("Pourquoi vous en avez besoin").fill("Deux entretiens de plus")
    agent.get_by_role("button", name="Envoyer ma demande").click()
    expect(agent.locator("body")).to_contain_text("attend la décision de votre responsable")

    boss.get_by_role("link", name="Demandes à valider").click()
    boss.get_by_role("link", name="Décider — prolongation de Camille Roussel").last.click()
    expect(boss.locator("body")).to_contain_text("Deux entretiens de plus")
    boss.get_by_label("J'accorde le temps demandé").check()
    boss.get_by_role("button", name="Envoyer ma décision").click()
    expect(boss.locator(".flashes")).to_contain_text("Prolongation accordée")

    agent.reload()
    agent.get_by_label("Jour").fill(today.isoformat())
    agent.get_by_role("textbox", name="Heures").fill("1.5")
    agent.get_by_role("button", name="Enregistrer ce temps").click()
    expect(agent.locator(".flashes")).to_contain_text("Temps enregistré")
    expect(agent.get_by_role("row", name=re.compile("Carnet rempli"))).to_be_visible()

    # A deputy decides during the manager's absence.
    with live_app.app_context():
        sign_up(call_id, session.get(User, second_id), "Moi aussi", Decimal(4))
        session.commit()
    boss.goto("/approvals/delegation")
    boss.get_by_label("Nom de votre suppléant ou suppléante").fill(names[deputy_id])
    boss.get_by_role("button", name="Rechercher").click()
    boss.get_by_label(re.compile("^" + re.escape(names[deputy_id]))).check()
    boss.get_by_label("Du").fill(today.isoformat())
    boss.get_by_label("Au").fill((today + timedelta(days=7)).isoformat())
    boss.get_by_role("button", name="Enregistrer").click()
    stand_in = chromium.new_context(base_url=base, locale="fr-FR").new_page()
    sign_in(stand_in, deputy)
    stand_in.goto("/approvals")
    stand_in.get_by_role("link", name=f"Décider — {names[second_id]}").click()
    stand_in.get_by_label("J'accorde le temps demandé").check()
    stand_in.get_by_role("button", name="Envoyer ma décision").click()
    expect(stand_in.locator(".flashes")).to_contain_text("Demande acceptée")

    # A request left waiting is passed to the manager's own manager, who decides.
    with live_app.app_context():
        late, *_ = sign_up(call_id, session.get(User, third_id), "Et moi", Decimal(4))
        late.submitted_at = late.manager_asked_at = datetime.now(timezone.utc) - timedelta(days=20)
        session.commit()
        assert send_reminders()["escalation"] == 1
        session.commit()
    director = chromium.new_context(base_url=base, locale="fr-FR").new_page()
    sign_in(director, boss_login)
    director.goto("/approvals")
    director.get_by_role("link", name=f"Décider — {names[third_id]}").click()
    director.get_by_label("J'accorde moins de temps").check()
    director.get_by_label("Heures accordées").fill("2.5")
    director.get_by_role("button", name="Envoyer ma décision").click()
    expect(director.locator(".flashes")).to_contain_text("Demande acceptée")
    boss.goto("/approvals/history")
    expect(boss.get_by_role("row", name=re.compile(names[third_id]))).to_be_visible()


def host_page(html):
    """A page of another site (the intranet) on a free loopback port; returns its URL and its server."""
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def test_the_widget_shows_in_the_intranets_iframe_and_nowhere_else(chromium, live_app, tmp_path):
    """Public to the intranet, framed by the allowed origin only."""
    frame = f'<iframe src="{live_app.config["LIVE_URL"]}/widget/calls" title="Appels" width="440" height="400"></iframe>'
    html = f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Intranet</title></head><body>{frame}</body></html>'
    allowed, allowed_server = host_page(html)
    other, other_server = host_page(html)
    live_app.config.update(ALLIES_PUBLIC_CALLS=True, ALLIES_WIDGET_FRAME_ANCESTORS=allowed)
    try:
        page = chromium.new_context(locale="fr-FR").new_page()  # nobody signed in
        page.goto(allowed)
        widget = page.frame_locator("iframe")
        expect(widget.get_by_role("heading", name="Appels à volontaires ouverts")).to_be_visible()
        assert widget.get_by_role("link").first.get_attribute("href").startswith(live_app.config["LIVE_URL"])
        page.screenshot(path=str(tmp_path / "widget-in-intranet.png"))
        page.goto(other)
        page.wait_for_timeout(500)
        assert "Appels à volontaires ouverts" not in page.frames[-1].content()  # refused by frame-ancestors
    finally:
        live_app.config.update(ALLIES_PUBLIC_CALLS=False, ALLIES_WIDGET_FRAME_ANCESTORS="'self'")
        allowed_server.shutdown()
        other_server.shutdown()
