"""Journeys as people make them: Debian's Chromium against gunicorn (on PostgreSQL in the PostgreSQL pass), in
French, with downloads saved and read back whole — a streamed body runs after the request's session is gone,
which only a real server shows."""

import csv
import io
import re
from types import SimpleNamespace

import openpyxl
import pytest
import requests
from odf import table, teletype
from odf.opendocument import load
from sqlalchemy import select

from app.api.operations import create_token
from app.audit.models import AuditEntry
from app.calls.models import Question
from app.database import session
from app.demo.cli import load_demo
from app.demo.data import DEMO_ACCOUNTS, DEMO_PASSWORD
from app.directory.models import User
from live_servers import start_gunicorn, wait_for_port
from test_browser import chromium  # noqa: F401  (the Chromium fixture, skipped without it)

pytestmark = pytest.mark.browser

FORMATS = {"ods": "ODS (LibreOffice, recommandé)", "xlsx": "XLSX (Excel)", "csv": "CSV, séparé par des points-virgules"}


@pytest.fixture
def server(app_factory, database_url, tmp_path):
    """The demo on the test database, served by gunicorn (two workers) as in production; fails the test if the
    server logged an error."""
    application = app_factory()
    with application.app_context():
        load_demo()
        session.commit()
        session.remove()
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
