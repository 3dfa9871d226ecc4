"""Hostile input found by hand, one defect a test: forged hosts, oversized bodies, values the database cannot take,
and the lab's typing that must not break pages for everyone."""

import json
import socket
from datetime import date
from decimal import Decimal

import feedparser
import pytest
import requests
from sqlalchemy import func, select

from app.api.operations import create_token
from app.calls.models import Call, Question
from app.database import session
from app.mail.models import OutboxMessage
from app.signups.models import SignUp
from app.signups.operations import sign_up
from tests.conftest import sign_in
from tests.pages import flashes, one, parse_page, text_of

API = "/api/v1"


def count(model):
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def bearer(user):
    token = create_token(user, "Jeton")[1]
    session.commit()
    return {"Authorization": f"Bearer {token}"}


# --- links in mails --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("through", ["api", "page"])
def test_a_forged_host_never_reaches_the_links_in_mails(app, people, make_call, through):
    app.config["ALLIES_BASE_URL"] = "https://intranet.example/volontaires"
    call = make_call(capacity=3)
    client = app.test_client()
    if through == "api":
        response = client.post(f"{API}/calls/{call.id}/sign-ups", json={"motivation": "Motivée", "hours_asked": 10},
                               headers={**bearer(people["agent"]), "Host": "evil.example"})
        assert response.status_code == 201, response.get_data(as_text=True)
    else:
        with client.session_transaction(base_url="http://evil.example/") as flask_session:
            flask_session["_user_id"] = people["agent"].get_id()
        response = client.post(f"/calls/{call.id}/sign-up", base_url="http://evil.example/",
                               data={"motivation": "Motivée", "hours_asked": "10", "availability": ""})
        assert response.status_code == 302
    mails = session.execute(select(OutboxMessage)).scalars().all()
    assert len(mails) >= 3  # the agent, the manager, the lab
    for mail in mails:
        assert "evil.example" not in mail.body_html + mail.body_text
        assert "https://intranet.example/volontaires/" in mail.body_html


# --- sizes -----------------------------------------------------------------------------------------------------

def test_unknown_answer_keys_are_refused_at_the_first_and_the_answer_stays_small(app, people, make_call):
    call = make_call(questions=[("short_text", "Pourquoi ?", False, [])])
    answers = {str(key): "x" for key in range(100_000, 160_000)}
    response = app.test_client().post(f"{API}/calls/{call.id}/sign-ups", headers=bearer(people["agent"]),
                                      json={"motivation": "Motivée", "answers": answers})
    assert response.status_code == 422
    assert len(response.get_json()["errors"]) == 1 and len(response.data) < 2_000
    assert count(SignUp) == 0


def test_a_json_body_over_the_limit_is_refused_before_it_is_read(app, people, make_call):
    call = make_call()
    body = json.dumps({"motivation": "x" * 2_000_000})
    response = app.test_client().post(f"{API}/calls/{call.id}/sign-ups", data=body,
                                      headers={**bearer(people["agent"]), "Content-Type": "application/json"})
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert count(SignUp) == 0


@pytest.mark.parametrize("depth", [25, 500, 5_000])
def test_deeply_nested_json_is_a_bad_request(app, people, make_call, depth):
    call = make_call()
    body = '{"motivation": "Motivée", "availability": ' + "[" * depth + "]" * depth + "}"
    response = app.test_client().post(f"{API}/calls/{call.id}/sign-ups", data=body,
                                      headers={**bearer(people["agent"]), "Content-Type": "application/json"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert count(SignUp) == 0


def test_the_api_lists_at_most_fifty_wrong_fields(app):
    from app.api.problems import InvalidInput

    assert len(InvalidInput({f"field{n}": ["Faux."] for n in range(10_000)}).errors) == 50


def test_a_form_with_too_many_fields_or_bytes_is_refused(app, people, make_call):
    call = make_call()
    client = sign_in(app.test_client(), people["agent"])
    fields = "&".join(f"f{n}=1" for n in range(5_000))
    response = client.post(f"/calls/{call.id}/sign-up", data="motivation=Motiv%C3%A9e&hours_asked=10&" + fields,
                           content_type="application/x-www-form-urlencoded")
    parse_page(response, status=413, h1="Trop de données envoyées")
    response = client.post(f"/calls/{call.id}/sign-up", data="motivation=" + "x" * 600_000,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert count(SignUp) == 0
    assert client.post(f"/calls/{call.id}/sign-up", data={"motivation": "Motivée", "hours_asked": "10"}
                       ).status_code == 302


def test_the_standalone_app_caps_every_body(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 8 * 1024 * 1024
    assert app.config["MAX_FORM_MEMORY_SIZE"] == 500_000 and app.config["MAX_FORM_PARTS"] == 1_000


# --- values the database cannot take ---------------------------------------------------------------------------

def test_nul_in_a_sign_in_is_an_ordinary_wrong_sign_in(app, people):
    response = app.test_client().post("/login", data={"login": "a\x00b", "password": "x"})
    refusals = [category for category, text in flashes(parse_page(response)) if "Échec de la connexion" in text]
    assert refusals == ["error"]


def test_control_characters_in_a_call_are_cleaned_where_they_come_in(app, people, make_call):
    call = make_call()
    client = sign_in(app.test_client(), people["lab"])
    data = {"title": "Atelier\x0bdesign\x00 des services\x1b", "summary": "Ligne un\x0bLigne deux\r\nTrois\x00",
            "body": "", "capacity": "", "deadline": "2030-01-15T12:00", "audience_all": "all",
            "commitment_kind": "percent", "commitment_value": "10", "start_date": "2030-02-01",
            "end_date": "2030-06-30", "needs_manager_agreement": "y", "contact": "labo@region.fr"}
    response = client.post(f"/lab/calls/{call.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    call = session.get(Call, call.id)
    assert call.title == "Atelier design des services"
    assert call.summary == "Ligne un\nLigne deux\nTrois"
    feed = sign_in(app.test_client(), people["agent"]).get("/calls.atom")
    assert feed.status_code == 200
    parsed = feedparser.parse(feed.data)
    assert parsed.bozo == 0 and parsed.entries[0].title == "Atelier design des services"


@pytest.mark.parametrize("path", ["/calls", "/approvals", "/approvals/history", "/lab/calls", "/lab/volunteers",
                                  "/admin/users", "/admin/audit"])
@pytest.mark.parametrize("page", ["99999999999999999999", "-5", "abc"])
def test_any_page_number_shows_a_page(page_as, path, page):
    role = {"/approvals": "manager", "/approvals/history": "manager", "/lab/calls": "lab", "/lab/volunteers": "lab",
            "/admin/users": "admin", "/admin/audit": "admin"}.get(path, "agent")
    page_as(role, f"{path}?page={page}")


@pytest.mark.parametrize("query", ["submitted_to=9999-12-31", "submitted_from=0001-01-01", "since=0001-01-01",
                                   "until=9999-12-31", "object_id=2147483648", "object_id=99999999999999999999"])
def test_out_of_range_filters_fall_back(page_as, query):
    path = "/admin/audit" if query.split("=")[0] in ("since", "until", "object_id") else "/lab/volunteers"
    role = "admin" if path == "/admin/audit" else "lab"
    page = page_as(role, f"{path}?{query}")
    field = query.split("=")[0]
    if field != "object_id":
        assert "Indiquez une date entre les années 1900 et 2999" in text_of(one(page, f"#{field}-error"))


def test_out_of_range_dates_in_the_api_export_are_refused_with_a_message(app, people):
    response = app.test_client().post(f"{API}/volunteers/export?submitted_to=9999-12-31",
                                     headers=bearer(people["lab"]))
    assert response.status_code == 422 and "submitted_to" in response.get_json()["errors"]


def test_an_id_beyond_the_database_integers_is_not_found(page_as):
    page_as("agent", "/calls/2147483648", status=404, h1="Page introuvable")
    page_as("lab", "/lab/calls/99999999999999999999/edit", status=404, h1="Page introuvable")


@pytest.mark.parametrize("bound", ["1e20", "-1e20", "1e400", "1000000000"])
def test_question_bounds_beyond_a_billion_are_refused(app, people, make_call, bound):
    call = make_call(status="draft")
    client = sign_in(app.test_client(), people["lab"])
    response = client.post(f"/lab/calls/{call.id}/questions",
                           data={"kind": "number", "label": "Combien ?", "min_value": bound})
    assert "Saisissez un nombre inférieur à 1" in text_of(one(parse_page(response, status=422), "#min_value-error"))
    assert count(Question) == 0


def test_a_number_answer_of_1e400_is_refused(app, people, make_call):
    call = make_call(questions=[("number", "Combien ?", True, [])])
    question = call.active_questions[0]
    client = sign_in(app.test_client(), people["agent"])
    response = client.post(f"/calls/{call.id}/sign-up",
                           data={"motivation": "Motivée", "hours_asked": "10", f"q{question.id}": "1e400"})
    assert response.status_code in (200, 422) and count(SignUp) == 0
    response = app.test_client().post(f"{API}/calls/{call.id}/sign-ups", headers=bearer(people["agent"]),
                                      data='{"motivation": "M", "answers": {"%d": 1e400}}' % question.id,
                                      content_type="application/json")
    assert response.status_code in (400, 422) and count(SignUp) == 0


# --- periods and hours -----------------------------------------------------------------------------------------

def test_a_call_period_longer_than_five_years_is_refused_with_a_message(app, people):
    token = bearer(people["lab"])
    response = app.test_client().post(f"{API}/calls", headers=token, json={
        "title": "Un siècle", "summary": "Long.", "deadline": "2030-01-15T12:00:00+01:00",
        "commitment_kind": "percent", "commitment_value": 100, "start_date": "2030-02-01", "end_date": "2099-12-31"})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "5 ans" in response.get_json()["errors"]["end_date"][0]
    assert count(Call) == 0


def test_an_extension_far_in_the_future_is_refused_with_a_message(app, people, make_call):
    from app.budgets.models import Extension
    from app.approvals.operations import approve

    call = make_call(start_date=date(2027, 1, 1), end_date=date(2027, 6, 30))
    signup, *_ = sign_up(call.id, people["agent"], "Motivée", Decimal(10))
    allocation = approve(signup, people["manager"])
    session.commit()
    client = sign_in(app.test_client(), people["agent"])
    for end, message in (("9999-12-31", "Indiquez une date entre les années 1900 et 2999"),
                         ("2040-12-31", "au plus un an plus tard")):
        response = client.post(f"/my/budget/allocations/{allocation.id}/extension",
                               data={"extra_hours": "", "new_end_date": end, "note": "Plus"})
        assert message in text_of(one(parse_page(response, status=422), "#new_end_date-error"))
    assert count(Extension) == 0
    assert client.get(f"/my/budget/allocations/{allocation.id}").status_code == 200


def test_old_control_characters_in_a_title_do_not_break_the_feed(app, people, make_call):
    call = make_call()
    call.title, call.summary = "Atelier\x0bdesign\x1b", "Résumé\x0c"
    session.commit()
    feed = sign_in(app.test_client(), people["agent"]).get("/calls.atom")
    assert feed.status_code == 200 and feedparser.parse(feed.data).entries[0].title == "Atelier design"


# --- found by the hostile-input net -----------------------------------------------------------------------------

def test_raw_bytes_in_a_query_string_are_a_bad_request(app, client_for, page_as):
    for role, path in (("agent", "/calls"), ("anonymous", "/privacy"), ("anonymous", "/calls"), ("lab", "/lab/calls")):
        page_as(role, path, status=400, h1="Requête incorrecte", environ_overrides={"QUERY_STRING": "q=\xff\xfe&x=1"})
    response = client_for("anonymous").get(f"{API}/calls", environ_overrides={"QUERY_STRING": "q=\xff"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_the_way_back_after_signing_in_keeps_an_encoded_query(client_for):
    response = client_for("anonymous").get("/calls?q=%C3%A9t%C3%A9&page=2")
    assert response.status_code == 302 and "next=/calls?q%3D%25C3%25A9t%25C3%25A9%26page%3D2" in response.location


def test_a_blank_number_is_a_missing_one(app, people, make_call):
    call = make_call()
    client = sign_in(app.test_client(), people["lab"])
    data = {"title": "Atelier", "summary": "Résumé", "deadline": "2030-01-15T12:00", "audience_all": "all",
            "commitment_kind": "percent", "commitment_value": " \t ", "start_date": "2030-02-01",
            "end_date": "2030-06-30"}
    response = client.post(f"/lab/calls/{call.id}/edit", data=data)
    assert one(parse_page(response), "#commitment_value-error")


@pytest.mark.parametrize("value", ["99999999999999999999", "-99999999999999999999", "2147483648", "0"])
def test_ticked_ids_beyond_the_database_integers_are_refused(app, people, value):
    response = sign_in(app.test_client(), people["manager"]).post("/approvals/approve", data={"signups": value})
    assert response.status_code in (302, 422)


# --- the same, on a real server -----------------------------------------------------------------------------------

def raw_status(port, request_line):
    """The status a server answers to a request line sent as raw bytes (a client library would encode them)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request_line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


@pytest.mark.postgres_pass  # a real server: once, on production's database
def test_gunicorn_answers_hostile_requests_with_our_pages_and_never_a_forged_link(app, people, make_call,
                                                                                   database_url, tmp_path):
    from live_servers import start_gunicorn, wait_for_port

    call = make_call()
    token = bearer(people["agent"])
    process, port, log = start_gunicorn(database_url, tmp_path, "hostile",
                                        ALLIES_BASE_URL="https://intranet.example/volontaires")
    try:
        wait_for_port(port, process, log)
        base = f"http://127.0.0.1:{port}"
        big = requests.post(f"{base}/login", data="login=" + "x" * 600_000, timeout=10,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert big.status_code == 413 and "Trop de données envoyées" in big.text
        # gunicorn refuses such a request line itself; other servers hand it to Alliés (see the test above)
        assert raw_status(port, b"GET /privacy?q=\xff\xfe HTTP/1.1") == 400
        deep = requests.post(f"{base}{API}/calls/{call.id}/sign-ups", timeout=10,
                             data='{"motivation": "M", "availability": ' + "[" * 500 + "]" * 500 + "}",
                             headers={**token, "Content-Type": "application/json"})
        assert deep.status_code == 400 and deep.headers["Content-Type"] == "application/problem+json"
        forged = requests.post(f"{base}{API}/calls/{call.id}/sign-ups", json={"motivation": "Motivée"}, timeout=10,
                               headers={**token, "Host": "evil.example", "X-Forwarded-Host": "evil.example"})
        assert forged.status_code == 201, forged.text
    finally:
        process.terminate()
        process.wait(timeout=20)
    session.expire_all()
    mails = session.execute(select(OutboxMessage)).scalars().all()
    assert len(mails) >= 3 and not any("evil.example" in mail.body_html + mail.body_text for mail in mails)
    assert all("https://intranet.example/volontaires/" in mail.body_html for mail in mails)
    assert "Traceback" not in log.read_text()
