"""Journeys as people make them: Debian's Chromium against gunicorn (on PostgreSQL in the PostgreSQL pass), in
French, with downloads saved and read back whole — a streamed body runs after the request's session is gone,
which only a real server shows."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
import requests
from odf import table, teletype
from odf.opendocument import load
from playwright.sync_api import expect
from sqlalchemy import select

from app.api.operations import create_token
from app.audit.models import AuditEntry
from app.calls.models import Question
from app.database import session
from app.demo.cli import load_demo
from app.demo.data import DEMO_ACCOUNTS, DEMO_PASSWORD
from app.directory.models import User
from conftest import load_once
from live_servers import start_gunicorn, wait_for_port
from test_browser import chromium  # noqa: F401  (the Chromium fixture, skipped without it)

pytestmark = pytest.mark.browser

FORMATS = {"ods": "ODS (LibreOffice, recommandé)", "xlsx": "XLSX (Excel)", "csv": "CSV, séparé par des points-virgules"}


@pytest.fixture
def server(app_factory, database_url, tmp_path):
    """The demo on the test database, served by gunicorn (two workers) as in production; fails the test if the
    server logged an error."""
    application = app_factory()
    load_once(application, "demo", load_demo)
    process, port, log = start_gunicorn(database_url, tmp_path, "journeys", "--workers", "2", "--threads", "1",
                                        ALLIES_LOGIN_RATE_LIMIT="100 per minute",
                                        ALLIES_LOGIN_RATE_LIMIT_PER_LOGIN="100 per minute")
    try:
        wait_for_port(port, process, log)
        yield SimpleNamespace(url=f"http://127.0.0.1:{port}", app=application, log=log, folder=tmp_path)
    finally:
        process.terminate()
        process.wait(timeout=20)
    logged = log.read_text()
    assert "Traceback" not in logged and "Error handling request" not in logged, logged


@pytest.fixture
def person(chromium, server):  # noqa: F811
    """A new browser (its own cookies) signed in as a demo login, in French."""
    contexts = []

    def open_as(login):
        context = chromium.new_context(base_url=server.url, locale="fr-FR", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Identifiant").fill(login)
        page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(re.compile(r"/$"))
        return page

    yield open_as
    for context in contexts:
        context.close()


def download(page, button_name="Télécharger cette liste"):
    """Click a download button; the saved file's (name, bytes)."""
    with page.expect_download() as info:
        page.get_by_role("button", name=button_name).click()
    saved = info.value
    assert saved.failure() is None, saved.failure()
    with open(saved.path(), "rb") as handle:
        return saved.suggested_filename, handle.read()


def read_rows(file_format, content):
    """Every row of a downloaded spreadsheet, as text cells (the header first)."""
    if file_format == "csv":
        assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM for spreadsheets"
        return [row for row in csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")]
    if file_format == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        return [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    document = load(io.BytesIO(content))
    return [[teletype.extractText(cell) for cell in row.getElementsByType(table.TableCell)]
            for row in document.spreadsheet.getElementsByType(table.TableRow)]


def screen_rows(page):
    """The names heading the rows of the page's data table (the first line of each), as shown."""
    cells = page.locator("table.data-table tbody th[scope=row]").all_inner_texts()
    return [" ".join(text.strip().split("\n")[0].split()) for text in cells]


def test_the_lab_downloads_each_list_whole_in_every_format(server, person):
    """Each call's volunteer list (questions included) and the facilitators' network, in ODS, XLSX and CSV, read
    back whole from the real server and compared with the screen; the audit log says what was sent."""
    lab = person(DEMO_ACCOUNTS["lab"])
    lab.get_by_role("link", name="Volontaires", exact=True).click()
    lab.wait_for_url("**/lab/volunteers")
    calls = lab.locator("select#call option").evaluate_all("options => options.map(o => [o.value, o.textContent])")
    assert len(calls) >= 3
    with server.app.app_context():
        questioned = {str(call_id) for call_id in session.execute(select(Question.call_id)).scalars()}
    downloads, screens = 0, {}
    for call_id, title in calls:
        lab.goto(f"/lab/volunteers?call={call_id}")
        names = screens[call_id] = screen_rows(lab)
        for file_format, label in FORMATS.items():
            lab.get_by_label(label).check()
            name, content = download(lab)
            assert name.endswith(f".{file_format}")
            header, *rows = read_rows(file_format, content)
            assert header[:3] == ["Nom", "Prénom", "Courriel"], (title, file_format, header)
            assert [f"{row[1]} {row[0]}" for row in rows] == names, (title, file_format)
            assert all(row[5] == title for row in rows), (title, file_format)
            downloads += 1

    lab.goto("/lab/facilitators")
    network = screen_rows(lab)
    assert network, "the demo has running budgets"
    for file_format, label in FORMATS.items():
        lab.get_by_label(label).check()
        _name, content = download(lab)
        header, *rows = read_rows(file_format, content)
        assert header[:2] == ["Nom", "Prénom"], (file_format, header)
        assert [f"{row[1]} {row[0]}" for row in rows] == network, file_format
        downloads += 1

    with server.app.app_context():  # the intranet's other systems, through the API, get the same files
        lab_user = session.execute(select(User).filter_by(login=DEMO_ACCOUNTS["lab"])).scalar_one()
        _row, token = create_token(lab_user, "Entrepôt de données")
        session.commit()
    with_questions = [call_id for call_id, _title in calls if call_id in questioned]
    assert with_questions, "the demo has a call with questions"
    for file_format in FORMATS:
        answer = requests.post(f"{server.url}/api/v1/volunteers/export",
                               params={"call": with_questions[0], "format": file_format},
                               headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert answer.status_code == 200, answer.text[:300]
        header, *rows = read_rows(file_format, answer.content)
        assert len(header) > 14, "one column per question"
        assert [f"{row[1]} {row[0]}" for row in rows] == screens[with_questions[0]]
        downloads += 1

    with server.app.app_context():
        entries = session.execute(select(AuditEntry).where(AuditEntry.action.like("export.%"))
                                  .order_by(AuditEntry.id)).scalars().all()
        assert len(entries) == downloads
        assert all(entry.details["complete"] for entry in entries)
        sent = [entry.details["rows"] for entry in entries if entry.action == "export.facilitators"]
        assert sent == [len(network)] * 3


TITLE = "Accueil des usagers : on réinvente"
QUESTIONS = [  # (kind, label, choices): one question of each kind
    ("short_text", "Votre fonction", ""),
    ("long_text", "Une expérience d'accueil marquante", ""),
    ("single_choice", "Site de rattachement", "Orléans\nNantes\nTours"),
    ("multiple_choice", "Ateliers possibles", "Cartographie\nEntretiens usagers\nPrototypage"),
    ("yes_no", "Avez-vous déjà animé un atelier ?", ""),
    ("number", "Années d'ancienneté", ""),
    ("date", "Première date possible", ""),
]


def team_of(server, login, count):
    """(login, full name) of `count` active direct reports of the manager `login`, the demo agent first."""
    with server.app.app_context():
        manager = session.execute(select(User).filter_by(login=login)).scalar_one()
        team = session.execute(select(User).where(User.manager_id == manager.id, User.active.is_(True))
                               .order_by(User.login != DEMO_ACCOUNTS["agent"], User.login)).scalars().all()
        return [(user.login, user.full_name) for user in team[:count]]


def answer_every_question(page, motivation, hours):
    """Fill the sign-up form: motivation, hours typed the French way, one answer per question."""
    page.get_by_label("Pourquoi souhaitez-vous participer").fill(motivation)
    page.get_by_label("Temps que vous demandez").fill(hours)
    page.get_by_label("Votre fonction").fill("Chargée d'accueil")
    page.get_by_label("Une expérience d'accueil marquante").fill("Un usager perdu,\nguidé jusqu'au bon service.")
    page.get_by_label("Nantes").check()
    page.get_by_label("Cartographie").check()
    page.get_by_label("Prototypage").check()
    page.get_by_role("group", name="Avez-vous déjà animé un atelier ?").get_by_label("Oui").check()
    page.get_by_label("Années d'ancienneté").fill("12,5")
    page.get_by_label("Première date possible").fill("2027-03-15")
    page.get_by_role("button", name="Envoyer ma candidature").click()
    page.wait_for_url("**/my/sign-ups**")


def decide(page, name, title=TITLE):
    """Open the decision on `name`'s request for the call `title` from the manager's requests."""
    row = page.get_by_role("row").filter(has_text=title).filter(has_text=name)
    row.get_by_role("link", name=f"Décider — {name}").click()
    page.wait_for_url(re.compile(r"/approvals/\d+$"))


def test_a_call_from_its_writing_to_the_time_logged(server, person):
    """The lab writes a call with a question of each kind and publishes it; three agents sign up with French
    decimals (the third waits); the manager agrees to less for one and refuses another with a reason the agent
    reads, which promotes the third; the volunteer logs time, is refused past 100 % and asks for an extension;
    the lab downloads the list with the answers; the volunteer downloads « Mes données »."""
    (agent_login, agent_name), (second_login, second_name), (third_login, third_name) = \
        team_of(server, DEMO_ACCOUNTS["manager"], 3)

    lab = person(DEMO_ACCOUNTS["lab"])
    lab.goto("/lab/calls/new")
    lab.get_by_label("Titre").fill("Accueil des usagers : on réinvente")
    lab.get_by_label("Résumé").fill("Trois ateliers pour repenser l'accueil.")
    lab.get_by_label("Temps demandé, exprimé en").select_option("total_hours")
    lab.get_by_label("Volume de temps").fill("10,5")
    lab.get_by_label("Début de la période").fill(f"{date.today().year}-01-01")
    lab.get_by_label("Fin de la période").fill(f"{date.today().year}-12-31")
    lab.get_by_label("Places").fill("2")
    lab.get_by_label("Date de clôture des candidatures").fill((date.today() + timedelta(days=20)).isoformat() + "T12:00")
    lab.get_by_role("button", name="Enregistrer").click()
    for kind, label, choices in QUESTIONS:
        lab.get_by_label("Type de réponse").select_option(kind)
        lab.get_by_role("textbox", name=re.compile(r"^Question")).fill(label)
        if choices:
            lab.get_by_label("Choix possibles, un par ligne").fill(choices)
        lab.get_by_role("button", name="Ajouter la question").click()
        expect(lab.locator("body")).to_contain_text(label)
    rehearsal = lab.locator("section.preview")  # the draft, as agents will see it, before anything is published
    expect(rehearsal).to_contain_text("Aperçu : voici ce que verront les agents.")
    for _kind, label, _choices in QUESTIONS:
        expect(rehearsal.get_by_text(label, exact=True).first).to_be_visible()
    expect(rehearsal.get_by_label("Années d'ancienneté")).to_be_visible()
    expect(rehearsal.get_by_role("button", name="Envoyer ma candidature")).to_be_disabled()
    lab.get_by_role("link", name="Publier").click()
    expect(lab.locator("main")).to_contain_text("Accueil des usagers : on réinvente")  # a page that asks first
    lab.get_by_role("button", name="Oui, publier").click()
    expect(lab.get_by_text("Ouvert").first).to_be_visible()
    call_url = lab.url

    agent = person(agent_login)
    agent.goto("/calls")
    agent.get_by_role("link", name="Accueil des usagers : on réinvente").click()
    agent.get_by_role("link", name="Candidater à cet appel").click()
    expect(agent.get_by_label("Temps que vous demandez")).to_have_value("10,5")  # proposed, the French way
    answer_every_question(agent, "Je reçois des usagers chaque jour.", "10,5")
    expect(agent.get_by_text("En attente du responsable").first).to_be_visible()

    second = person(second_login)
    second.goto("/calls")
    second.get_by_role("link", name="Accueil des usagers : on réinvente").click()
    second.get_by_role("link", name="Candidater à cet appel").click()
    answer_every_question(second, "Pour apprendre.", "7")

    third = person(third_login)
    third.goto("/calls")
    third.get_by_role("link", name="Accueil des usagers : on réinvente").click()
    third.get_by_role("link", name="Candidater à cet appel").click()
    answer_every_question(third, "Moi aussi.", "3,25")
    expect(third.locator(".flashes")).to_contain_text("liste d")

    manager = person(DEMO_ACCOUNTS["manager"])
    manager.goto("/approvals")
    decide(manager, agent_name)
    expect(manager.locator("main")).to_contain_text("Trois ateliers pour repenser l'accueil.")  # what the call asks
    assert "Je reçois des usagers" not in manager.content() and "Chargée d'accueil" not in manager.content()
    manager.get_by_label("J'accorde moins de temps").check()
    manager.get_by_label("Heures accordées").fill("7,5")
    manager.get_by_role("button", name="Envoyer ma décision").click()
    expect(manager.locator(".flashes")).to_contain_text("Demande acceptée")
    decide(manager, second_name)
    manager.get_by_label("Je refuse").check()
    manager.get_by_label("Motif du refus").fill("Clôture budgétaire en cours dans le service.")
    manager.get_by_role("button", name="Envoyer ma décision").click()
    expect(manager.locator(".flashes")).to_contain_text("refusée")

    second.goto("/my/sign-ups")
    expect(second.locator("main")).to_contain_text("Clôture budgétaire en cours dans le service.")
    third.goto("/my/sign-ups")
    expect(third.get_by_role("row", name=re.compile("Accueil des usagers"))).to_contain_text("En attente du responsable")

    agent.goto("/my/budget")
    agent.get_by_role("link", name="Accueil des usagers : on réinvente").click()
    agent.get_by_role("textbox", name=re.compile(r"^Heures")).fill("6,5")
    agent.get_by_label("Note").fill("Atelier cartographie")
    agent.get_by_role("button", name="Enregistrer ce temps").click()
    expect(agent.locator(".flashes")).to_contain_text("Vous avez utilisé 80\u202f%")
    agent.get_by_role("textbox", name=re.compile(r"^Heures")).fill("1,25")
    agent.get_by_role("button", name="Enregistrer ce temps").click()
    expect(agent.locator("#hours-error")).to_contain_text("Vous dépasseriez les 7,5 h accordées")
    agent.get_by_role("link", name="Demander une prolongation").click()
    agent.get_by_label("Heures supplémentaires").fill("2,5")
    agent.get_by_label("Pourquoi vous en avez besoin").fill("Un atelier de plus")
    agent.get_by_role("button", name="Envoyer ma demande").click()
    expect(agent.locator("body")).to_contain_text("attend la décision de votre responsable")

    lab.goto(call_url)
    call_id = re.search(r"/lab/calls/(\d+)", call_url).group(1)
    lab.goto(f"/lab/volunteers?call={call_id}")
    names = screen_rows(lab)
    assert sorted(names) == sorted([agent_name, second_name, third_name])
    for file_format, label in FORMATS.items():
        lab.get_by_label(label).check()
        _name, content = download(lab)
        header, *rows = read_rows(file_format, content)
        assert header[-7:] == [label for _kind, label, _choices in QUESTIONS], file_format
        assert [f"{row[1]} {row[0]}" for row in rows] == names, file_format
        answers = rows[[f"{row[1]} {row[0]}" for row in rows].index(agent_name)][-7:]
        assert answers[:2] == ["Chargée d'accueil", "Un usager perdu,\nguidé jusqu'au bon service."], file_format
        assert answers[2:5] == ["Nantes", "Cartographie\u00a0; Prototypage", "Oui"], file_format

    agent.goto("/my/data")
    with agent.expect_download() as info:
        agent.get_by_role("link", name="Télécharger mes données (tableur ODS)").click()
    assert info.value.failure() is None
    with open(info.value.path(), "rb") as handle:
        content = handle.read()
    sheets = load(io.BytesIO(content)).spreadsheet.getElementsByType(table.Table)
    assert len(sheets) >= 5
    assert "Accueil des usagers : on réinvente" in teletype.extractText(load(io.BytesIO(content)).spreadsheet)


def test_the_admin_grants_a_role_and_reads_it_in_the_audit_log(server, person):
    """The admin finds a person by name, grants them a role, and the audit log says so in words; the new lab
    member then reaches the lab's pages on the next request, in another worker."""
    admin = person(DEMO_ACCOUNTS["admin"])
    expect(admin.locator("main")).to_contain_text("Annuaire")  # the admin's home says what needs them
    admin.get_by_role("link", name="Annuaire").first.click()
    admin.get_by_label("Rechercher", exact=True).fill("mercier")
    admin.get_by_role("button", name="Rechercher").click()
    admin.get_by_role("link", name="Ana Mercier").click()
    expect(admin.get_by_role("heading", name="Ana Mercier")).to_be_visible()
    admin.get_by_label("Rôle à attribuer").select_option("lab")
    admin.get_by_role("button", name="Attribuer ce rôle").click()
    expect(admin.get_by_text("C'est fait")).to_be_visible()
    admin.goto("/admin/audit")
    first_row = admin.locator("table.data-table tbody tr").first
    expect(first_row).to_contain_text("Rôle accordé")
    expect(first_row).to_contain_text("Ana Mercier")

    member = person("ana.mercier")
    member.goto("/lab/calls")
    expect(member.get_by_role("heading", name="Appels du laboratoire")).to_be_visible()


def test_a_manager_decides_from_the_mail_in_two_clicks_without_signing_in(server, person, chromium):  # noqa: F811
    """An agent signs up in Chromium; the mail worker sends the manager's request mail; the manager, not signed in,
    opens its link and agrees in one more click; the agent reads the decision. Prints the time from mail to
    decision."""
    import email
    import time

    from app.calls.models import Call
    from app.clock import utcnow
    from app.mail.operations import send_due

    ((agent_login, agent_name),) = team_of(server, DEMO_ACCOUNTS["manager"], 1)
    with server.app.app_context():
        call = Call(title="Jardins partagés du siège", summary="Un potager pour les agents.", status="published",
                    deadline=utcnow() + timedelta(days=10), commitment_kind="total_hours", commitment_value=7.5,
                    start_date=date.today(), end_date=date.today() + timedelta(days=60), published_at=utcnow())
        session.add(call)
        session.commit()
        call_id = call.id
    agent = person(agent_login)
    agent.goto(f"/calls/{call_id}/sign-up")
    agent.get_by_label("Pourquoi souhaitez-vous participer").fill("J'ai la main verte.")
    agent.get_by_label("Temps que vous demandez").fill("7,5")
    agent.get_by_role("button", name="Envoyer ma candidature").click()
    agent.wait_for_url("**/my/sign-ups**")

    with server.app.app_context():
        manager = session.execute(select(User).filter_by(login=DEMO_ACCOUNTS["manager"])).scalar_one()
        server.app.config.update(ALLIES_MAIL_BACKEND="folder", ALLIES_MAIL_FOLDER=str(server.folder / "mails"))
        send_due(limit=100_000)
        session.commit()
        sent_at = time.monotonic()
        requests_ = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                     for path in (server.folder / "mails").glob("*.eml")]
        request_mail = next(mail for mail in requests_ if mail["To"] == manager.email
                            and "Jardins partagés du siège" in mail.get_body(("plain",)).get_content())
    text = request_mail.get_body(("plain",)).get_content()
    assert "Décidez en deux clics, sans vous connecter" in text
    path = re.search(r"https?://[^/\s]+(?:/[^/\s]*)*?(/decide/[A-Za-z0-9_-]{43})", text).group(1)

    reader = chromium.new_context(base_url=server.url, locale="fr-FR")  # the manager's mail client: no session
    try:
        page = reader.new_page()
        opened = time.monotonic()
        page.goto(path)  # click 1
        expect(page.locator("main")).to_contain_text(agent_name)
        expect(page.locator("main")).to_contain_text("Jardins partagés du siège")
        page.get_by_role("button", name="J’accepte les 7,5 h demandées").click()  # click 2
        expect(page.locator(".flashes")).to_contain_text("Vous avez accordé 7,5\u00a0h")
        decided = time.monotonic()
        expect(page.locator(".notice")).to_contain_text(f"Décidé par {manager.full_name}")
    finally:
        reader.close()
    print(f"mail sent → decision: {decided - sent_at:.2f} s, of which link opened → decided {decided - opened:.2f} s")

    agent.goto("/my/sign-ups")
    expect(agent.get_by_role("row").filter(has_text="Jardins partagés du siège")).to_contain_text("Accepté")
    with server.app.app_context():
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "approvals.decided_by_mail_link")
                                ).scalars().one()
        assert entry.actor_id == manager.id and "Chrom" in entry.details["user_agent"]


def test_an_agent_downloads_an_attestation_that_verifies_by_its_qr_code(server, person, tmp_path):
    """The demo agent, whose time was agreed and logged, downloads « Mon attestation » in Chromium from gunicorn:
    its figures are those of « Mon budget temps »; its QR code, read from the PDF, opens the verification page,
    which says it is genuine and shows the PDF's SHA-256; the lab gives a badge and a thank-you letter, which the
    agent sends to their manager."""
    import hashlib
    import shutil
    import subprocess

    from babel.dates import format_date
    from babel.numbers import format_decimal, parse_decimal
    from pypdf import PdfReader

    agent = person(DEMO_ACCOUNTS["agent"])
    agent.goto("/my/budget")
    (budget_row,) = [[cell.inner_text() for cell in row.locator("th, td").all()]
                     for row in agent.locator("table:has(#allocations-caption) tbody tr").all()]
    this_month = format_date(date.today(), "MMMM", locale="fr")
    logged_this_month = sum((parse_decimal(row.locator("td").inner_text().split("\xa0h")[0].split(" h")[0], locale="fr")
                             for row in agent.locator("table:has(#months-caption) tbody tr").all()
                             if row.locator("th").inner_text() == this_month), Decimal(0))
    year = date.today().year
    agent.goto("/my/participation")
    agent.get_by_role("textbox", name="Du (obligatoire)").fill(f"{year}-01-01")
    agent.get_by_role("textbox", name="Au (obligatoire)").fill(f"{year}-12-31")
    with agent.expect_download() as info:
        agent.get_by_role("button", name="Télécharger mon attestation (PDF)").click()
    pdf = (tmp_path / "attestation.pdf")
    info.value.save_as(pdf)
    data = pdf.read_bytes()
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
    # The call, then its hours agreed and used as « Mon budget temps » writes them, less this month's (not closed).
    title, agreed, used = budget_row[0], budget_row[2], budget_row[3].split(" (")[0]
    closed = parse_decimal(used.split("\xa0h")[0].split(" h")[0], locale="fr") - logged_this_month
    assert title in text and f"{agreed} {format_decimal(closed, locale='fr')} h" in text, (budget_row, text)

    assert shutil.which("zbarimg") and shutil.which("pdftoppm"), "apt-get install poppler-utils zbar-tools"
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf), str(tmp_path / "page")], check=True)
    (url,) = subprocess.run(["zbarimg", "--quiet", "--raw", *map(str, sorted(tmp_path.glob("page*.png")))],
                            capture_output=True, text=True, check=True).stdout.split()
    path = url[url.index("/verify/"):]
    visitor = agent.context.browser.new_context(base_url=server.url, locale="fr-FR").new_page()
    visitor.goto(path)
    expect(visitor.locator(".notice")).to_contain_text("est authentique")
    expect(visitor.locator(".facts")).to_contain_text(hashlib.sha256(data).hexdigest())
    visitor.context.close()

    lab = person(DEMO_ACCOUNTS["lab"])
    with server.app.app_context():
        agent_id = session.execute(select(User.id).filter_by(login=DEMO_ACCOUNTS["agent"])).scalar_one()
    lab.goto(f"/lab/agents/{agent_id}/recognition")
    lab.get_by_label("Pionnier·e").check()
    lab.get_by_role("button", name="Attribuer ce badge").click()
    expect(lab.locator(".flashes")).to_contain_text("Le badge est attribué")
    lab.get_by_label("Votre lettre").fill("Merci pour votre engagement dans les ateliers.")
    lab.get_by_role("button", name="Envoyer la lettre").click()
    expect(lab.locator(".flashes")).to_contain_text("La lettre est écrite")

    agent.goto("/my/participation")
    expect(agent.locator(".badges")).to_contain_text("Pionnier·e")
    agent.get_by_role("button", name=re.compile("La transmettre à mon ou ma responsable")).click()
    expect(agent.locator(".flashes")).to_contain_text("La lettre est transmise")
    letter = agent.get_by_role("link", name=re.compile(r"^Lettre du .* \(PDF\)$"))
    with agent.expect_download() as info:
        letter.click()
    info.value.save_as(tmp_path / "merci.pdf")
    # The manager it was sent to reads it from the server too, whole.
    manager = person(DEMO_ACCOUNTS["manager"])
    answer = manager.request.get(letter.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    for pdf in ((tmp_path / "merci.pdf").read_bytes(), answer.body()):
        words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "Merci pour votre engagement dans les ateliers." in words
