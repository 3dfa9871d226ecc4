"""The lab's volunteer list and its files: the same rows as the screen, read back with real readers (openpyxl,
odfpy, csv), safe against formulas, with Unicode, long texts and line breaks intact."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from babel.numbers import format_decimal
from odf import table
from odf.namespaces import OFFICENS, TABLENS
from odf.opendocument import load
from sqlalchemy import select

from app.approvals.operations import approve
from app.audit.models import AuditEntry
from app.budgets.operations import log_time
from app.database import session
from app.signups.operations import sign_up
from tests.conftest import sign_in
from tests.pages import one, read_page, table_rows, text_of

PAYLOADS = ['=HYPERLINK("http://x","y")', "+33 6 12 34 56 78", "-2+3", "@SUM(A1)", "\tcaché", "\rretour"]


@pytest.fixture
def volunteers(people, make_call, make_user, make_unit):
    """Two calls; sign-ups from agents with awkward names and answers, one approved with time logged."""
    today = date.today()
    lycees = make_unit("DGS/Direction des lycées/Service restauration")
    first = make_call(title="Atelier « cantine » 2027", capacity=None, start_date=today - timedelta(days=30),
                      end_date=today + timedelta(days=30),
                      questions=[("short_text", "Téléphone", False, []), ("long_text", "Votre expérience", False, []),
                                 ("multiple_choice", "Méthodes", False, ["Design", "Facilitation, graphique"]),
                                 ("date", "Disponible le", False, []), ("number", "Ateliers animés", False, [])])
    second = make_call(title="Réseau des facilitateurs", capacity=None)
    names = [("=HYPERLINK(\"http://x\",\"y\")", "Zoé"), ("Ŝtraße-Nguyễn", "Åsa"), ("O'Brien", "Łucja"),
             ("Иванова", "Мария"), ("Dupont", "Jean"), ("Martin", "Léa")]
    agents = [make_user(family_name=family, given_name=given, manager=people["manager"],
                        unit=lycees if index % 2 else None) for index, (family, given) in enumerate(names)]
    signups = []
    for index, agent in enumerate(agents):
        answers = [(first.active_questions[0], PAYLOADS[index]),
                   (first.active_questions[1], "Ligne 1\nLigne 2\n" + "long " * 9000),
                   (first.active_questions[2], ["Design", "Facilitation, graphique"]),
                   (first.active_questions[3], today + timedelta(days=3)),
                   (first.active_questions[4], Decimal(index))]
        signups.append(sign_up(first.id, agent, "=HYPERLINK(\"http://x\",\"y\")", Decimal("10.5"),
                               answers=answers)[0])
    sign_up(second.id, agents[0], "Motivé", Decimal(7))
    allocation = approve(signups[1], people["manager"], Decimal(8))
    log_time(allocation, agents[1], today, Decimal("2.25"))
    session.commit()
    return {"first": first, "second": second, "agents": agents}


MIMETYPES = {"csv": "text/csv", "csv_comma": "text/csv", "ods": "application/vnd.oasis.opendocument.spreadsheet",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def is_download(response, file_format):
    """Whether `response` is the file asked for, sent as an attachment, not a page."""
    return (response.status_code == 200 and response.mimetype == MIMETYPES[file_format]
            and response.headers["Content-Disposition"].startswith("attachment; filename="))


def export(client, file_format, **filters):
    response = client.post("/lab/volunteers/export", query_string=filters, data={"file_format": file_format})
    assert is_download(response, file_format), response.get_data(as_text=True)[:300]
    return response


def screen_names(client, **filters):
    """The agents' names in the list on screen, in its order; the count above the list agrees."""
    page = read_page(client, "/lab/volunteers", query_string=filters)
    rows = page.select("#volunteers-caption ~ tbody > tr")
    assert text_of(one(page, "main p[role=status]")).startswith(f"{len(rows)} ")
    return [next(row.th.strings).strip() for row in rows]


def xlsx_rows(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[cell for cell in row] for row in sheet.iter_rows()]


def ods_rows(content):
    document = load(io.BytesIO(content))
    return document.spreadsheet.getElementsByType(table.TableRow)


@pytest.fixture
def lab(app, people):
    return sign_in(app.test_client(), people["lab"])


@pytest.mark.parametrize("filters", [{}, {"status": "approved"}, {"unit": "dgs/direction des LYCÉES"},
                                     {"q": "nguyen"}, {"status": ["pending_manager", "approved"], "q": "a"}])
def test_every_format_holds_the_rows_of_the_screen_in_its_order(app, lab, volunteers, filters):
    expected = screen_names(lab, **filters)
    assert expected, "the filter should match someone"
    workbook = xlsx_rows(export(lab, "xlsx", **filters).data)
    assert [f"{row[1].value} {row[0].value}" for row in workbook[1:]] == expected
    # The hours agreed, used and remaining: read for the page's rows on screen, for every row in a file.
    screen_hours = [row[-3:] for row in table_rows(read_page(lab, "/lab/volunteers", query_string=filters),
                                                   "volunteers-caption")]
    file_hours = [[format_decimal(cell.value, locale="fr_FR") if cell.value is not None else ""
                   for cell in row[9:12]] for row in workbook[1:]]
    assert screen_hours == file_hours and ["8", "2,25", "5,75"] in screen_hours
    lines = list(csv.reader(io.StringIO(export(lab, "csv", **filters).data.decode("utf-8-sig")), delimiter=";"))
    assert len(lines) == len(expected) + 1
    sheet = ods_rows(export(lab, "ods", **filters).data)
    assert len(sheet) == len(expected) + 1


def test_formulas_are_text_in_every_format(lab, volunteers):
    call = volunteers["first"].id
    workbook = xlsx_rows(export(lab, "xlsx", call=call).data)
    phone_column = [cell.value for cell in workbook[0]].index("Téléphone")
    cells = [row[phone_column] for row in workbook[1:]]
    assert sorted(cell.value for cell in cells) == sorted(payload.replace("\r", "\n") for payload in PAYLOADS)
    assert all(cell.data_type == "s" for cell in cells)
    names = [row[0] for row in workbook[1:]]
    assert any(cell.value.startswith("=HYPERLINK") and cell.data_type == "s" for cell in names)

    for row in ods_rows(export(lab, "ods", call=call).data):
        for cell in row.getElementsByType(table.TableCell):
            assert not cell.getAttrNS(TABLENS, "formula")
    texts = {str(cell) for row in ods_rows(export(lab, "ods", call=call).data)
             for cell in row.getElementsByType(table.TableCell) if cell.getAttrNS(OFFICENS, "value-type") == "string"}
    assert '=HYPERLINK("http://x","y")' in texts and "+33 6 12 34 56 78" in texts

    lines = list(csv.reader(io.StringIO(export(lab, "csv", call=call).data.decode("utf-8-sig")), delimiter=";"))
    column = lines[0].index("Téléphone")
    assert sorted(line[column] for line in lines[1:]) == sorted("'" + payload for payload in PAYLOADS)
    assert any(line[0] == "'=HYPERLINK(\"http://x\",\"y\")" for line in lines[1:])


def test_cells_keep_their_types_unicode_and_line_breaks(lab, volunteers):
    call = volunteers["first"].id
    workbook = xlsx_rows(export(lab, "xlsx", call=call, q="nguyen").data)
    header, row = [cell.value for cell in workbook[0]], workbook[1]
    values = dict(zip(header, (cell.value for cell in row)))
    assert values["Nom"] == "Ŝtraße-Nguyễn" and values["Prénom"] == "Åsa"
    assert values["Heures demandées"] == 10.5 and values["Heures accordées"] == 8
    assert values["Heures utilisées"] == 2.25 and values["Heures restantes"] == 5.75
    assert values["Disponible le"].date() == date.today() + timedelta(days=3)
    assert values["Ateliers animés"] == 1 and values["Méthodes"] == "Design\u00a0; Facilitation, graphique"
    assert values["Votre expérience"].startswith("Ligne 1\nLigne 2\nlong") and len(values["Votre expérience"]) == 32767  # Excel's cell limit
    assert row[header.index("Date d'envoi")].is_date

    sheet = ods_rows(export(lab, "ods", call=call, q="nguyen").data)
    cells = sheet[1].getElementsByType(table.TableCell)
    experience = cells[[str(cell) for cell in sheet[0].getElementsByType(table.TableCell)].index("Votre expérience")]
    assert experience.getAttrNS(OFFICENS, "string-value") == "Ligne 1\nLigne 2\n" + "long " * 9000
    assert cells[8].getAttrNS(OFFICENS, "value-type") == "float" and cells[8].getAttrNS(OFFICENS, "value") == "10.5"
    assert cells[12].getAttrNS(OFFICENS, "date-value") == (date.today() - timedelta(days=30)).isoformat()

    text = export(lab, "csv", call=call, q="nguyen").data
    assert text.startswith(b"\xef\xbb\xbf")
    line = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))[1]
    assert line[8] == "10,5" and line[12] == (date.today() - timedelta(days=30)).isoformat()
    assert line[15] == "Ligne 1\nLigne 2\n" + "long " * 9000 and line[7].endswith(("+01:00", "+02:00"))
    comma = list(csv.reader(io.StringIO(export(lab, "csv_comma", call=call, q="nguyen").data.decode("utf-8-sig"))))
    assert comma[1][8] == "10.5"


def test_an_empty_list_is_a_file_with_headers_only(lab, volunteers):
    for file_format in ("xlsx", "ods", "csv"):
        response = export(lab, file_format, q="personne-de-ce-nom")
        if file_format == "xlsx":
            assert len(xlsx_rows(response.data)) == 1
        elif file_format == "ods":
            assert len(ods_rows(response.data)) == 1
        else:
            assert response.data.decode("utf-8-sig").count("\r\n") == 1


def test_the_file_is_named_on_the_server_private_and_audited(lab, people, volunteers):
    response = export(lab, "ods", call=volunteers["first"].id, status="pending_manager")
    today = date.today().isoformat()
    assert response.headers["Content-Disposition"] == f"attachment; filename=atelier-cantine-2027-{today}.ods"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/vnd.oasis.opendocument.spreadsheet"
    assert session.execute(select(AuditEntry).where(AuditEntry.action == "export.volunteers")).first() is None
    assert len(ods_rows(response.data)) == 6  # the entry is written once the file is sent, with its rows
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "export.volunteers")).scalar_one()
    assert entry.actor_id == people["lab"].id and entry.details["format"] == "ods" and entry.details["rows"] == 5
    assert entry.details["complete"] is True
    assert entry.details["filters"] == {"calls": [volunteers["first"].id], "statuses": ["pending_manager"]}
    assert export(lab, "xlsx").headers["Content-Disposition"].endswith(f"filename=volontaires-{today}.xlsx")


def test_a_download_stopped_midway_is_audited_as_such(lab, people, volunteers):
    response = lab.post("/lab/volunteers/export", query_string={"call": volunteers["first"].id},
                        data={"file_format": "csv"})
    next(iter(response.response))  # the header line reaches the browser, then the connection drops
    response.close()
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "export.volunteers")).scalar_one()
    assert entry.details["complete"] is False and entry.details["rows"] < 5


def test_bad_filters_fall_back_and_others_are_refused(app, lab, people, volunteers):
    page = read_page(lab, "/lab/volunteers?submitted_from=demain&status=inconnu&call=abc")
    assert text_of(one(page, "main p[role=status]")) == "7 candidatures correspondent à ces filtres."
    assert len(page.select("#volunteers-caption ~ tbody > tr")) == 7
    for role in ("agent", "manager"):
        client = sign_in(app.test_client(), people[role])
        assert client.get("/lab/volunteers").status_code == 403
        assert client.post("/lab/volunteers/export", data={"file_format": "csv"}).status_code == 403


def test_the_command_writes_the_same_list(app, runner, volunteers, tmp_path):
    target = tmp_path / "liste.xlsx"
    result = runner.invoke(args=["export", "volunteers", "--format", "xlsx", "--call", str(volunteers["first"].id),
                                 "--status", "approved", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "1 lignes écrites" in result.output
    rows = xlsx_rows(target.read_bytes())
    assert len(rows) == 2 and rows[1][0].value == "Ŝtraße-Nguyễn"
    assert session.execute(select(AuditEntry).where(AuditEntry.action == "export.volunteers")).scalar_one()
    bad = runner.invoke(args=["export", "volunteers", "--from", "hier", "-o", str(target)])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    unwritable = runner.invoke(args=["export", "volunteers", "-o", str(tmp_path / "absent" / "x.ods")])
    assert unwritable.exit_code != 0 and "absent" in unwritable.output


def test_the_facilitators_network_lists_running_budgets_and_exports_them(app, lab, people, volunteers):
    page = read_page(lab, "/lab/facilitators")
    assert text_of(one(page, "main p[role=status]")) == "1 dotation en cours."
    [row] = table_rows(page, "facilitators-caption")
    assert row[0].startswith("Åsa Ŝtraße-Nguyễn") and row[5].startswith("2,25 h")
    response = lab.post("/lab/facilitators/export", data={"file_format": "xlsx"})
    assert is_download(response, "xlsx")
    assert response.headers["Content-Disposition"].endswith(f"filename=facilitateurs-{date.today().isoformat()}.xlsx")
    rows = xlsx_rows(response.data)
    assert [cell.value for cell in rows[1]][:2] == ["Ŝtraße-Nguyễn", "Åsa"] and rows[1][9].value == 2.25
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "export.facilitators")).scalar_one()
    assert entry.details == {"format": "xlsx", "rows": 1, "complete": True}
    response = lab.post("/lab/facilitators/export", data={"file_format": "csv"})
    assert is_download(response, "csv")
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert len(lines) == 2 and lines[1][8] == "8"


def test_the_download_form_keeps_every_filter_of_the_screen(lab, volunteers):
    filters = {"call": [volunteers["first"].id, volunteers["second"].id], "status": ["pending_manager", "approved"]}
    page = read_page(lab, "/lab/volunteers", query_string=filters)
    action = one(page, "form[method=post][action^='/lab/volunteers/export']")["action"]
    response = lab.post(action, data={"file_format": "csv"})
    assert is_download(response, "csv")
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert len(lines) - 1 == len(screen_names(lab, **filters)) == 7


def test_unknown_calls_are_left_out_alone_and_a_bad_format_is_refused(lab, volunteers):
    names = screen_names(lab, call=[volunteers["second"].id, 99999, "abc"])
    assert names == ['Zoé =HYPERLINK("http://x","y")']
    assert lab.post("/lab/volunteers/export", data={"file_format": "pdf"}).status_code == 400


def test_date_filters_follow_local_days(app, lab, volunteers):
    from datetime import datetime, timezone

    from app.signups.models import SignUp

    late = session.execute(select(SignUp).order_by(SignUp.id)).scalars().first()
    late.submitted_at = datetime(2027, 3, 1, 23, 30, tzinfo=timezone.utc)  # 00:30 on 2 March in Paris
    session.commit()
    assert len(screen_names(lab, submitted_from="2027-03-02", submitted_to="2027-03-02")) == 1
    assert screen_names(lab, submitted_from="2027-03-01", submitted_to="2027-03-01") == []


def test_ods_headers_never_break_the_xml(lab, volunteers):
    question = volunteers["first"].active_questions[0]
    question.label = "Télé\x0bphone"
    session.commit()
    sheet = ods_rows(export(lab, "ods", call=volunteers["first"].id).data)
    assert "Téléphone" in [str(cell) for cell in sheet[0].getElementsByType(table.TableCell)]


def test_the_command_refuses_unknown_calls(runner, volunteers, tmp_path):
    result = runner.invoke(args=["export", "volunteers", "--call", "99999", "-o", str(tmp_path / "x.ods")])
    assert result.exit_code == 1 and "99999" in result.output and not (tmp_path / "x.ods").exists()


def test_a_multiple_choice_answer_reads_the_same_on_screen_and_in_files(lab, volunteers):
    from app.signups.models import SignUp

    call = volunteers["first"]
    lines = list(csv.reader(io.StringIO(export(lab, "csv", call=call.id, q="dupont").data.decode("utf-8-sig")),
                            delimiter=";"))
    cell = lines[1][lines[0].index("Méthodes")]
    assert cell == "Design\u00a0; Facilitation, graphique"
    signup = session.execute(select(SignUp).where(SignUp.call_id == call.id,
                                                  SignUp.agent_id == volunteers["agents"][4].id)).scalar_one()
    profile = read_page(lab, f"/lab/sign-ups/{signup.id}").select(".profile dt")
    assert [dt.find_next_sibling("dd").get_text() for dt in profile if dt.get_text() == "Méthodes"] == [cell]
