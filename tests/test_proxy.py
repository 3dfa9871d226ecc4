"""Alliés under /volontaires behind a real nginx, served by a real gunicorn, driven by Debian's Chromium.

nginx reaches gunicorn from 127.0.0.2 (`proxy_bind`), direct requests come from 127.0.0.1: with
ALLIES_TRUSTED_PROXIES=127.0.0.2, only what went through nginx may carry the sign-on header.
"""

import base64
import hashlib
import http.client
import os
import secrets
import shutil
import signal
import subprocess
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.database import session
from app.signups.models import SignUp
from conftest import PASSWORD
from live_servers import free_port, start_gunicorn, wait_for_port
from test_browser import axe_check, chromium  # noqa: F401  (the Chromium fixture, skipped without it)

pytestmark = pytest.mark.browser

NGINX = shutil.which("nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
PREFIX = "/volontaires"
PROXY_ADDRESS = "127.0.0.2"
HTPASSWD_USERS = ("alex.agent", "zoe.unknown")  # zoe is known to the proxy, not to the Alliés directory


def htpasswd_line(user, password):
    """An nginx auth_basic line in the {SSHA} scheme (salted SHA-1, which nginx reads natively)."""
    salt = secrets.token_bytes(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return f"{user}:{{SSHA}}{base64.b64encode(digest + salt).decode()}\n"


# The README's reference block, with $http_host (the port here is not 443) and proxy_bind to 127.0.0.2.
LOCATION = """
        location {prefix}/ {{
            proxy_pass http://127.0.0.1:{upstream}/;
            proxy_bind {proxy_address};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Forwarded-Prefix {prefix};
            {extra}
        }}"""
SIGN_ON = """auth_basic "Intranet";
            auth_basic_user_file {htpasswd};
            proxy_set_header X-Remote-User $remote_user;
            proxy_set_header Authorization "";"""
NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 128; }}
http {{
    access_log {folder}/nginx-access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{nginx_local};
        {local_location}
    }}
    server {{
        listen 127.0.0.1:{nginx_header};
        {header_location}
    }}
}}
"""


@pytest.fixture(scope="module")
def stack(database_url, tmp_path_factory):
    """nginx on two ports — password sign-in, and sign-on by auth_basic with X-Remote-User — in front of gunicorn.

    Three gunicorn: local accounts; the header mode with gunicorn's defaults, reached directly; and the header
    mode with header_map=dangerous (underscored headers mapped too) behind nginx, so that what reaches the app
    through nginx is nginx's doing alone.
    """
    if NGINX is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but nginx is not installed (apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    folder = tmp_path_factory.mktemp("proxy")
    header_mode = {"ALLIES_IDENTITY_SOURCE": "header", "ALLIES_TRUSTED_HEADER": "X-Remote-User",
                   "ALLIES_TRUSTED_PROXIES": PROXY_ADDRESS}
    servers = {
        "gunicorn_local": start_gunicorn(database_url, folder, "local", SESSION_COOKIE_NAME="allies_session",
                                         SESSION_COOKIE_PATH=PREFIX),
        "gunicorn_header": start_gunicorn(database_url, folder, "header", **header_mode),
        "gunicorn_dangerous": start_gunicorn(database_url, folder, "header-dangerous", "--header-map", "dangerous",
                                              **header_mode),
    }
    htpasswd = folder / "htpasswd"
    htpasswd.write_text("".join(htpasswd_line(user, PASSWORD) for user in HTPASSWD_USERS))
    ports = {"nginx_local": free_port(), "nginx_header": free_port()}
    location = {"prefix": PREFIX, "proxy_address": PROXY_ADDRESS}
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(
        folder=folder, **ports,
        local_location=LOCATION.format(upstream=servers["gunicorn_local"][1], extra="", **location),
        header_location=LOCATION.format(upstream=servers["gunicorn_dangerous"][1],
                                        extra=SIGN_ON.format(htpasswd=htpasswd), **location)))
    nginx_log = folder / "nginx-error.log"
    nginx_log.touch()
    nginx = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf), "-e", str(nginx_log)],
                             stdout=subprocess.DEVNULL, stderr=nginx_log.open("a"))
    try:
        for process, port, log in servers.values():
            wait_for_port(port, process, log)
        for port in ports.values():
            wait_for_port(port, nginx, nginx_log)
        yield {**ports, **{name: port for name, (process, port, log) in servers.items()}}
    finally:
        for process in [nginx, *(process for process, port, log in servers.values())]:
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown (SIGTERM waits for its workers)
        for process in [nginx, *(process for process, port, log in servers.values())]:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def fetch(port, path, headers=(), source=None, user=None):
    """One GET to 127.0.0.1:`port`, from `source` (a loopback address), with the Basic credentials of `user`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                            source_address=(source, 0) if source else None)
    headers = list(headers)
    if user:
        headers.append(("Authorization", "Basic " + base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()))
    connection.putrequest("GET", path, skip_accept_encoding=True)
    for name, value in headers:
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, response.headers, body


def signed_in_as(answer, person):
    status, headers, body = answer
    return status == 200 and person.full_name in body


def refused(answer):
    """Sent to the sign-in page (whose 403 says why), never signed in."""
    status, headers, body = answer
    return status == 302 and urlsplit(headers["Location"]).path.endswith("/login")


# --- Password sign-in through nginx, with Chromium ---------------------------------------------------------


def test_the_whole_app_works_under_the_prefix(stack, chromium, people, make_call):  # noqa: F811
    base = f"http://127.0.0.1:{stack['nginx_local']}"
    call = make_call(title="Atelier derrière le proxy")
    context = chromium.new_context(locale="fr-FR", extra_http_headers={"X-Forwarded-For": "203.0.113.66"})
    page = context.new_page()
    problems, requested, redirects = [], [], []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requested.append(request.url))

    def check_redirect(response):
        if response.status in (301, 302, 303, 307, 308):
            location = response.headers["location"]
            redirects.append(location)
            if not (location.startswith(PREFIX + "/") or location.startswith(base + PREFIX + "/")):
                problems.append(f"{response.url} redirects to {location}")

    page.on("response", check_redirect)

    def check_links():
        """Every link, form, style sheet, image and script of the page points under the prefix."""
        addresses = page.eval_on_selector_all(
            "a[href], form[action], link[href], img[src], script[src]",
            "elements => elements.map(e => e.href || e.action || e.src)")
        for address in addresses:
            if address.startswith("http") and not address.startswith(base + PREFIX + "/"):
                problems.append(f"{page.url} links to {address}")

    page.goto(base + PREFIX + "/")
    assert page.url == f"{base}{PREFIX}/login?next={PREFIX}/"
    check_links()
    page.get_by_label("Identifiant").fill("alex.agent")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(base + PREFIX + "/")
    assert page.get_by_role("heading", name="Mon profil").is_visible()
    check_links()
    page.get_by_role("link", name="Appels à volontaires").click()
    page.wait_for_url(base + PREFIX + "/calls")
    check_links()
    page.get_by_role("link", name="Atelier derrière le proxy").click()
    page.get_by_role("link", name="Candidater à cet appel").click()
    page.wait_for_url(f"{base}{PREFIX}/calls/{call.id}/sign-up")
    check_links()
    page.get_by_label("Pourquoi souhaitez-vous participer ?").fill("Je connais bien l'accueil.")
    page.get_by_label("Temps que vous demandez, en heures sur la période").fill("20")
    page.get_by_role("button", name="Envoyer ma candidature").click()  # the form's CSRF token goes through nginx
    page.wait_for_url(f"{base}{PREFIX}/my/sign-ups*")
    check_links()
    cookies = context.cookies()
    context.close()

    # A cookie of Alliés' own, not the intranet's "session".
    assert [(cookie["name"], cookie["path"]) for cookie in cookies] == [("allies_session", PREFIX)]
    assert problems == []
    assert len(redirects) >= 3  # to the sign-in page, after signing in, after signing up
    assert all(url.startswith(base + PREFIX + "/") for url in requested), requested
    assert any("/allies-static/allies/allies.css" in url for url in requested)
    session.expire_all()
    assert session.execute(select(SignUp.agent_id)).scalar_one() == people["agent"].id
    # One proxy (ALLIES_PROXY_HOPS=1): the client's forged X-Forwarded-For is not its address, nginx's view is.
    sign_in_ip = session.execute(select(AuditEntry.ip).where(AuditEntry.action == "auth.sign_in")).scalar_one()
    assert sign_in_ip == "127.0.0.1"


# --- Sign-on by the proxy's header ------------------------------------------------------------------------------


def test_nginx_signs_the_agent_in_without_a_password_form(stack, chromium, people):  # noqa: F811
    base = f"http://127.0.0.1:{stack['nginx_header']}{PREFIX}"
    found = {}
    for login, expected in (("alex.agent", "Mon profil"), ("zoe.unknown", None)):
        context = chromium.new_context(locale="fr-FR", http_credentials={"username": login, "password": PASSWORD})
        page = context.new_page()
        problems = []
        page.on("console", lambda message: message.type == "error" and problems.append(message.text))
        response = page.goto(base + "/")
        assert page.locator("input[type=password]").count() == 0
        assert page.get_by_role("button", name="Se déconnecter").count() == 0  # the proxy's sign-on outlives Alliés
        if expected:
            assert response.status == 200 and page.get_by_role("heading", name=expected).is_visible()
        else:
            assert response.status == 403 and page.url.startswith(base + "/login")
            assert "zoe.unknown" in page.locator("main").inner_text()
        results = axe_check(page)
        if results.violations_count:
            found[page.url] = results.generate_report()
        problems = [text for text in problems if "403" not in text]  # the refusal page's own status
        assert problems == []
        context.close()
    assert found == {}, "\n\n".join(f"{url}\n{report}" for url, report in found.items())


def test_a_header_sent_by_the_client_is_overwritten_by_nginx(stack, people):
    forged = [("X-Remote-User", "ada.admin"), ("X_Remote_User", "ada.admin"), ("X-Forwarded-For", PROXY_ADDRESS)]
    # The dangerous gunicorn behind nginx would map X_Remote_User: Alex is signed in, so nginx dropped it.
    assert signed_in_as(fetch(stack["nginx_header"], PREFIX + "/", forged, user="alex.agent"), people["agent"])
    status, headers, body = fetch(stack["nginx_header"], PREFIX + "/", forged)
    assert status == 401  # no credentials: nginx answers, the app never sees the forged header


def test_the_header_sent_straight_to_gunicorn_is_refused(stack, people):
    """From 127.0.0.1 (not the proxy) the header is ignored; even from the proxy's address gunicorn drops X_…."""
    assert refused(fetch(stack["gunicorn_header"], "/", [("X-Remote-User", "alex.agent")]))
    naming_the_proxy = [("X-Remote-User", "alex.agent"), ("X-Forwarded-For", PROXY_ADDRESS)]
    assert refused(fetch(stack["gunicorn_header"], "/", naming_the_proxy))
    assert refused(fetch(stack["gunicorn_header"], "/", [("X_Remote_User", "alex.agent")], source=PROXY_ADDRESS))
    assert signed_in_as(fetch(stack["gunicorn_header"], "/", [("X-Remote-User", "alex.agent")], source=PROXY_ADDRESS),
                        people["agent"])


def test_dash_and_underscore_twins_merged_by_the_server_are_refused(stack, people):
    """With header_map=dangerous gunicorn joins both into one value, "alex.agent,ada.admin": Alliés refuses it."""
    twins = [("X-Remote-User", "alex.agent"), ("X_Remote_User", "ada.admin")]
    assert refused(fetch(stack["gunicorn_dangerous"], "/", twins, source=PROXY_ADDRESS))
    session.expire_all()
    assert session.execute(select(AuditEntry.action)).scalars().all() == []  # refused before any directory look-up
    # Why nginx must drop underscored headers: this gunicorn would take X_Remote_User alone for X-Remote-User.
    alone = fetch(stack["gunicorn_dangerous"], "/", [("X_Remote_User", "ada.admin")], source=PROXY_ADDRESS)
    assert signed_in_as(alone, people["admin"])


def test_in_local_mode_the_header_is_ignored_even_from_the_proxy(stack, people):
    assert refused(fetch(stack["gunicorn_local"], "/", [("X-Remote-User", "alex.agent")], source=PROXY_ADDRESS))
    assert refused(fetch(stack["nginx_local"], PREFIX + "/", [("X-Remote-User", "alex.agent")]))  # through nginx


@pytest.mark.postgres
def test_parallel_first_requests_of_an_agent_link_one_identity(stack, people):
    """A page and its style sheets arrive together on the first visit: every one is signed in, one link is made.

    PostgreSQL only, as in production (which refuses SQLite): the sign-on's records ride the request's transaction,
    and SQLite lets no transaction that has read write beside another one writing ("database is locked")."""
    from concurrent.futures import ThreadPoolExecutor

    from app.auth.models import Identity

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: fetch(stack["nginx_header"], PREFIX + "/", user="alex.agent"), range(8)))
    assert all(signed_in_as(answer, people["agent"]) for answer in answers), [answer[0] for answer in answers]
    session.expire_all()
    assert session.execute(select(Identity.subject)).scalars().all() == ["alex.agent"]
