"""The JSON API at /api/v1: bearer tokens only, the pages' own rules and operations, problem+json errors."""

import hashlib
import logging
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.api.models import ApiToken
from app.api.openapi import DOCUMENT
from app.api.operations import create_token
from app.approvals.operations import approve
from app.audit.models import AuditEntry
from app.approvals.models import Decision
from app.budgets.models import Extension, TimeEntry
from app.budgets.operations import log_time, request_extension
from app.calls.models import Call
from app.database import session
from app.signups.models import SignUp
from app.signups.operations import sign_up
from tests.conftest import count_queries, sign_in
from tests.pages import error_summary, one, parse_page, read_page, table_rows, text_of

API = "/api/v1"
PROBLEM = "application/problem+json"
OPERATIONS = sorted(spec["operationId"] for methods in DOCUMENT["paths"].values() for spec in methods.values())


@pytest.fixture
def world(people, make_call):
    """A call with questions the agent signed up to (pending the manager), a running call with the agent's
    allocation and an entry, another allocation with an extension waiting for the manager, a draft, and a token
    per role."""
    call = make_call(capacity=3, questions=[("short_text", "Pourquoi ?", True, []), ("yes_no", "Dispo ?", False, [])])
    signup, *_ = sign_up(call.id, people["agent"], "Motivé", Decimal(10),
                        answers=[(call.active_questions[0], "Parce que")])
    today = date.today()
    running = make_call(title="En cours", start_date=today - timedelta(days=30), end_date=today + timedelta(days=60))
    approved, *_ = sign_up(running.id, people["agent"], "Motivé", Decimal(10))
    allocation = approve(approved, people["manager"])
    entry, _ = log_time(allocation, people["agent"], today, Decimal(1))
    longer = make_call(title="Prolongée", start_date=today - timedelta(days=10), end_date=today + timedelta(days=20))
    extended, *_ = sign_up(longer.id, people["agent"], "Motivé", Decimal(6))
    extension = request_extension(approve(extended, people["manager"]), people["agent"], Decimal(4), None, "Un atelier")
    draft = make_call(title="Brouillon", status="draft")
    tokens = {role: create_token(user, f"Jeton {role}")[1] for role, user in people.items()}
    session.commit()
    return {**people, "call": call, "signup": signup, "running": running, "allocation": allocation, "entry": entry,
            "extension": extension, "draft": draft, "tokens": tokens}


def bearer(world, role):
    return {"Authorization": f"Bearer {world['tokens'][role]}"}


def api(client, method, path, token=None, **kwargs):
    headers = kwargs.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.open(API + path, method=method, headers=headers, **kwargs)


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == PROBLEM
    problem = response.get_json()
    assert problem["status"] == status and problem["title"] and problem["detail"] and problem["type"]
    return problem


# operationId: (method, path, body, role with the right, status it gets, role without it, status it gets)
# Role rules (lab) answer 403; someone else's object answers 404, as on the pages (its existence is not told).
CASES = {
    "listCalls": ("GET", "/calls", None, "agent", 200, None, None),
    "getCall": ("GET", "/calls/{call}", None, "agent", 200, None, None),
    "createCall": ("POST", "/calls", {"title": "Nouvel appel", "summary": "Pour tester", "commitment_kind": "total_hours",
                                      "commitment_value": 14, "start_date": "2030-03-01", "end_date": "2030-03-31",
                                      "deadline": "2030-02-01T12:00:00+01:00"}, "lab", 201, "agent", 403),
    "updateCall": ("PATCH", "/calls/{call}", {"capacity": 5}, "lab", 200, "manager", 403),
    "publishCall": ("POST", "/calls/{draft}/publish", None, "lab", 200, "agent", 403),
    "closeCall": ("POST", "/calls/{call}/close", None, "lab", 200, "admin", 403),
    "createSignUp": ("POST", "/calls/{call}/sign-ups", {"motivation": "Je veux aider", "hours_asked": 8,
                                                         "answers": {"{question}": "Parce que"}}, "manager", 201,
                     None, None),
    "listMySignUps": ("GET", "/me/sign-ups", None, "agent", 200, None, None),
    "withdrawSignUp": ("POST", "/me/sign-ups/{signup}/withdraw", None, "agent", 200, "manager", 404),
    "listCallSignUps": ("GET", "/calls/{call}/sign-ups", None, "lab", 200, "agent", 403),
    "declineSignUp": ("POST", "/sign-ups/{signup}/decline", {"reason": "Complet"}, "lab", 200, "manager", 403),
    "listPendingApprovals": ("GET", "/approvals", None, "manager", 200, None, None),
    "decideApproval": ("POST", "/approvals/{signup}", {"outcome": "approve_less", "hours": 6}, "manager", 200,
                       "admin", 404),
    "getMyBudget": ("GET", "/me/budget", None, "agent", 200, None, None),
    "createTimeEntry": ("POST", "/me/budget/allocations/{allocation}/time-entries",
                        {"day": date.today().isoformat(), "hours": 1.5, "note": "Atelier"}, "agent", 201, "manager", 404),
    "listTimeEntries": ("GET", "/me/budget/allocations/{allocation}/time-entries", None, "agent", 200, "lab", 404),
    "exportVolunteers": ("POST", "/volunteers/export?format=csv", None, "lab", 200, "manager", 403),
    "requestExtension": ("POST", "/me/budget/allocations/{allocation}/extensions", {"extra_hours": 4, "note": "Deux"},
                         "agent", 201, "manager", 404),
    "listPendingExtensions": ("GET", "/approvals/extensions", None, "manager", 200, None, None),
    "decideExtension": ("POST", "/approvals/extensions/{extension}", {"outcome": "approve_less", "hours": 2},
                        "manager", 200, "admin", 404),
}
# Open to every agent: a wrong role has no meaning; a wrong object does (createSignUp: a draft is not found).
WRONG_OBJECT = {
    "getCall": ("GET", "/calls/{draft}", None, "agent", 404),
    "createSignUp": ("POST", "/calls/{draft}/sign-ups", {"motivation": "Oui"}, "agent", 404),
    "listCalls": ("GET", "/calls?scope=lab", None, "agent", 403),
    "listMySignUps": ("GET", "/me/sign-ups", None, "lab", 200),
    "listPendingApprovals": ("GET", "/approvals", None, "agent", 200),
    "getMyBudget": ("GET", "/me/budget", None, "admin", 200),
    "listPendingExtensions": ("GET", "/approvals/extensions", None, "agent", 200),
}


def fill(path, world):
    return path.format(call=world["call"].id, draft=world["draft"].id, signup=world["signup"].id,
                       allocation=world["allocation"].id, extension=world["extension"].id)


def fill_body(body, world):
    if body and "answers" in body:
        return {**body, "answers": {str(world["call"].active_questions[0].id): "Parce que"}}
    return body


def test_every_operation_is_a_case_and_a_route(app):
    assert set(CASES) == set(OPERATIONS) and len(OPERATIONS) == 20
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for template, methods in DOCUMENT["paths"].items():
        for method, spec in methods.items():
            rule = rules[f"allies.api.{spec['operationId']}"]
            assert method.upper() in rule.methods
            assert rule.rule.replace("int:", "") == API + template.replace("{", "<").replace("}", ">")


@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_right_role_is_served(app, world, operation):
    method, path, body, role, status, _, _ = CASES[operation]
    response = api(app.test_client(), method, fill(path, world), world["tokens"][role], json=fill_body(body, world))
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    if operation != "exportVolunteers":
        assert response.mimetype == "application/json"


def test_the_wrong_role_is_refused(app, world):
    """Refusals change nothing, so one world serves every operation."""
    for operation in OPERATIONS:
        method, path, body, _, _, role, status = CASES[operation]
        if role is None:
            method, path, body, role, status = WRONG_OBJECT[operation]
        response = api(app.test_client(), method, fill(path, world), world["tokens"][role], json=fill_body(body, world))
        if status >= 400:
            assert_problem(response, status)
        else:
            answer = response.get_json()
            assert response.status_code == status and answer.get("items", answer.get("allocations")) == [], operation


def test_without_a_token_every_operation_answers_401(app, world):
    for operation in OPERATIONS:
        method, path, body, *_ = CASES[operation]
        response = api(app.test_client(), method, fill(path, world), json=fill_body(body, world))
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer"), operation


def row_counts():
    """How many rows the API's writes could add to, per table."""
    return {model.__name__: session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Call, SignUp, TimeEntry, Extension, Decision)}


def test_a_session_cookie_alone_never_opens_the_api(app, world):
    before = row_counts()
    for operation in OPERATIONS:
        method, path, body, role, *_ = CASES[operation]
        client = sign_in(app.test_client(), world[role])
        assert client.get("/").status_code == 200  # the cookie does open the pages
        assert_problem(api(client, method, fill(path, world), json=fill_body(body, world)), 401)
    session.expire_all()
    assert row_counts() == before and world["extension"].status == "pending"


def test_a_cookie_write_changes_nothing_even_with_csrf_on(app_factory, make_user):
    application = app_factory(WTF_CSRF_ENABLED=True)
    with application.app_context():
        lab = make_user(roles=("lab",))
        client = sign_in(application.test_client(), lab)
        body = CASES["createCall"][2]
        assert_problem(api(client, "POST", "/calls", json=body), 401)
        token = create_token(lab, "Intranet")[1]
        session.commit()
        assert api(client, "POST", "/calls", json=body, token="allies_not-the-token").status_code == 401
        assert session.execute(select(func.count(Call.id))).scalar_one() == 0
        created = api(client, "POST", "/calls", json=body, token=token)
        assert created.status_code == 201, "no CSRF token is asked of the API: no cookie opens it"
        assert created.headers["Location"].endswith(f"/api/v1/calls/{created.get_json()['id']}")


def test_writes_are_committed(app, world):
    response = api(app.test_client(), "POST", f"/calls/{world['draft'].id}/publish", world["tokens"]["lab"])
    assert response.get_json()["status"] == "published"
    session.expire_all()
    assert session.get(Call, world["draft"].id).status == "published"
    actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert "call.published" in actions


class TestTokens:
    @pytest.mark.committed  # the first use is noted on a connection of its own, whatever becomes of the request's
    def test_the_database_keeps_only_a_hash_and_the_page_shows_the_token_once(self, app, people, caplog):
        client = sign_in(app.test_client(), people["agent"])
        caplog.set_level(logging.DEBUG)
        page = parse_page(client.post("/my/tokens", data={"name": "Portail de l'intranet"}))
        token = text_of(one(page, "code#new-token"))
        assert token.startswith("allies_") and len(token) > 40
        row = session.execute(select(ApiToken)).scalar_one()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and row.prefix == token[:15]
        stored = [str(value) for value in session.execute(select(ApiToken.__table__)).one()]
        assert not any(token in value for value in stored)
        assert token not in str([entry.details for entry in session.execute(select(AuditEntry)).scalars()])
        again = read_page(client, "/my/tokens")
        assert token not in str(again) and table_rows(again, "tokens-caption")[0][:2] == [
            "Portail de l'intranet", f"{row.prefix}…"]
        assert api(app.test_client(), "GET", "/me/sign-ups", token).status_code == 200
        assert token not in caplog.text
        session.expire_all()
        assert session.get(ApiToken, row.id).last_used_at is not None

    def test_revoked_token_is_refused(self, app, people):
        client = sign_in(app.test_client(), people["agent"])
        token, clear = create_token(people["agent"], "Ancien")
        session.commit()
        assert api(app.test_client(), "GET", "/me/budget", clear).status_code == 200
        assert client.post(f"/my/tokens/{token.id}/revoke").status_code == 302
        response = api(app.test_client(), "GET", "/me/budget", clear)
        assert_problem(response, 401)
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
        assert client.post(f"/my/tokens/{token.id}/revoke").status_code == 404

    def test_someone_elses_token_cannot_be_revoked(self, app, people):
        token, clear = create_token(people["manager"], "Le sien")
        session.commit()
        client = sign_in(app.test_client(), people["agent"])
        assert client.post(f"/my/tokens/{token.id}/revoke").status_code == 404
        assert api(app.test_client(), "GET", "/me/budget", clear).status_code == 200

    def test_a_deactivated_agents_tokens_stop_working(self, app, people):
        clear = create_token(people["agent"], "Portail")[1]
        session.commit()
        assert api(app.test_client(), "GET", "/me/budget", clear).status_code == 200
        people["agent"].active = False
        session.commit()
        assert_problem(api(app.test_client(), "GET", "/me/budget", clear), 401)

    @pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic YWxleDpzZWNyZXQ=", "Bearer allies_x",
                                        "Bearer " + "allies_" + "x" * 300, "bearer allies_\u00e9"])
    def test_a_bad_authorization_header_is_a_401(self, app, people, header):
        response = app.test_client().get(f"{API}/me/budget", headers={"Authorization": header} if header else {})
        assert_problem(response, 401)

    def test_a_name_is_required_and_the_page_says_so(self, app, people):
        client = sign_in(app.test_client(), people["agent"])
        page = parse_page(client.post("/my/tokens", data={"name": "  "}), status=422)
        assert one(page, "input[name=name]")["aria-invalid"] == "true" and len(error_summary(page)) == 1
        assert session.execute(select(func.count(ApiToken.id))).scalar_one() == 0

    def test_the_command_line_creates_lists_and_revokes(self, app, runner, people):
        created = runner.invoke(args=["tokens", "create", "alex.agent", "--name", "Portail"])
        assert created.exit_code == 0, created.output
        clear = created.stdout.strip().splitlines()[-1]
        assert clear.startswith("allies_")
        assert api(app.test_client(), "GET", "/me/sign-ups", clear).status_code == 200
        listed = runner.invoke(args=["tokens", "list", "alex.agent"])
        assert clear[:15] in listed.output and clear not in listed.output and "Portail" in listed.output
        revoked = runner.invoke(args=["tokens", "revoke", "alex.agent", clear[:15]])
        assert revoked.exit_code == 0, revoked.output
        assert api(app.test_client(), "GET", "/me/sign-ups", clear).status_code == 401
        assert clear not in str([entry.details for entry in session.execute(select(AuditEntry)).scalars()])

    def test_the_command_line_says_what_is_wrong(self, runner, people):
        assert runner.invoke(args=["tokens", "create", "nobody"]).exit_code == 1
        assert runner.invoke(args=["tokens", "revoke", "alex.agent"]).exit_code == 1
        assert runner.invoke(args=["tokens", "revoke", "alex.agent", "allies_zzzz"]).exit_code == 1
        people["agent"].active = False
        session.commit()
        assert runner.invoke(args=["tokens", "create", "alex.agent"]).exit_code == 1


def test_rate_limit_per_token_answers_429_problem(app_factory, make_user):
    application = app_factory(RATELIMIT_ENABLED=True, ALLIES_API_RATE_LIMIT="3 per minute")
    with application.app_context():
        user = make_user()
        first, second = create_token(user, "Un")[1], create_token(user, "Deux")[1]
        session.commit()
        client = application.test_client()
        codes = [api(client, "GET", "/me/budget", first).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        problem = assert_problem(api(client, "GET", "/me/budget", first), 429)
        assert problem["type"] == "about:blank"
        assert 1 <= int(api(client, "GET", "/me/budget", first).headers["Retry-After"]) <= 61
        assert api(client, "GET", "/me/budget", second).status_code == 200, "the count is per token"


def test_list_calls_queries_do_not_grow_with_rows(app, people, make_call, make_user):
    clear = create_token(people["agent"], "Portail")[1]
    session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {clear}"

    def add(count):
        for index in range(count):
            call = make_call(title=f"Appel {index}", capacity=2, questions=[("short_text", "Pourquoi ?", False, [])])
            sign_up(call.id, make_user(), "Motivé", Decimal(10))
            sign_up(call.id, people["agent"], "Moi aussi", Decimal(10))
        session.commit()

    add(2)
    count_queries(app, client, f"{API}/calls")  # the first use notes last_used_at
    few = count_queries(app, client, f"{API}/calls")
    add(15)
    many = count_queries(app, client, f"{API}/calls?per_page=100")
    assert many == few
    lab = create_token(people["lab"], "Labo")[1]
    session.commit()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {lab}"
    count_queries(app, client, f"{API}/calls?scope=lab")
    few = count_queries(app, client, f"{API}/calls?scope=lab&per_page=2")
    assert count_queries(app, client, f"{API}/calls?scope=lab&per_page=100") == few


class TestErrors:
    def test_unknown_address_and_method_under_the_api_are_problems(self, app, world):
        client = app.test_client()
        assert_problem(api(client, "GET", "/nowhere", world["tokens"]["agent"]), 404)
        assert_problem(api(client, "GET", "/nowhere"), 404)
        response = api(client, "DELETE", "/calls", world["tokens"]["lab"])
        assert_problem(response, 405)
        assert "POST" in response.headers["Allow"]
        assert_problem(api(client, "GET", "/calls/99999999999999999999", world["tokens"]["lab"]), 404)
        assert_problem(api(client, "GET", "/calls/0", world["tokens"]["lab"]), 404)
        assert client.get("/nowhere").mimetype == "text/html", "outside the API, pages stay pages"

    def test_an_unexpected_error_is_a_500_problem_and_nothing_is_kept(self, app, world, monkeypatch):
        from app.api import views

        def broken(*args, **kwargs):
            raise RuntimeError("a fault after the call was written")

        monkeypatch.setattr(views, "call_detail", broken)
        before = row_counts()
        assert_problem(api(app.test_client(), "POST", "/calls", world["tokens"]["lab"], json=CASES["createCall"][2]),
                       500)
        session.expire_all()
        assert row_counts() == before
        assert "call.created" not in [entry.action for entry in session.execute(select(AuditEntry)).scalars()
                                      if entry.details.get("title") == "Nouvel appel"]

    def test_bad_input_gets_422_with_messages_per_field(self, app, world):
        lab = world["tokens"]["lab"]
        problem = assert_problem(api(app.test_client(), "POST", "/calls", lab, json={
            "title": "  ", "summary": "Résumé", "commitment_kind": "percent", "commitment_value": 250,
            "start_date": "2030-03-01", "end_date": "2030-02-01", "deadline": "2020-01-01T10:00:00Z"}), 422)
        assert problem["type"] == "urn:allies:problem:invalid-input"
        assert set(problem["errors"]) == {"title", "commitment_value", "end_date", "deadline"}
        problem = assert_problem(api(app.test_client(), "POST", "/calls", lab, json={"title": 3, "deadline": "demain"}), 422)
        assert set(problem["errors"]) == {"title", "deadline"}
        for query in ("?page=0", "?per_page=1000", "?page=x", "?kind=weekly", "?q=" + "x" * 101, "?scope=all",
                      "?q=a%00b"):
            assert_problem(api(app.test_client(), "GET", "/calls" + query, world["tokens"]["agent"]), 422)

    def test_bodies_that_are_not_json_objects(self, app, world):
        lab, client = world["tokens"]["lab"], app.test_client()
        assert_problem(api(client, "POST", "/calls", lab, data="title=x"), 415)
        assert_problem(api(client, "POST", "/calls", lab, data="{not json", content_type="application/json"), 400)
        assert_problem(api(client, "POST", "/calls", lab, json=["a list"]), 400)
        assert_problem(api(client, "POST", "/calls", lab, json={"title": "a\u0000b"}), 422)

    def test_mass_assignment_changes_nothing(self, app, world):
        body = {**CASES["createCall"][2], "status": "published", "held_places": 99, "created_by_id": 1}
        created = api(app.test_client(), "POST", "/calls", world["tokens"]["lab"], json=body).get_json()
        assert created["status"] == "draft" and created["places_left"] is None
        decided = api(app.test_client(), "POST", f"/calls/{world['call'].id}/sign-ups", world["tokens"]["lab"],
                      json={"motivation": "Moi", "status": "approved", "hours_asked": 4,
                            "answers": {str(world["call"].active_questions[0].id): "Oui"}}).get_json()
        assert decided["status"] == "pending_manager"

    def test_refusals_are_409_with_the_operations_message(self, app, world):
        lab = world["tokens"]["lab"]
        problem = assert_problem(api(app.test_client(), "POST", f"/calls/{world['call'].id}/publish", lab), 409)
        assert problem["type"] == "urn:allies:problem:refused"
        assert_problem(api(app.test_client(), "POST", f"/calls/{world['draft'].id}/close", lab), 409)
        decided = api(app.test_client(), "POST", f"/approvals/{world['signup'].id}", world["tokens"]["manager"],
                      json={"outcome": "refuse", "reason": "Pas ce trimestre"})
        assert decided.status_code == 200 and decided.get_json()["status"] == "refused"
        assert_problem(api(app.test_client(), "POST", f"/approvals/{world['signup'].id}", world["tokens"]["manager"],
                           json={"outcome": "approve"}), 409)
        assert_problem(api(app.test_client(), "POST", f"/me/sign-ups/{world['signup'].id}/withdraw",
                           world["tokens"]["agent"]), 409)

    def test_a_capacity_below_the_places_held_is_refused_on_the_field(self, app, world):
        sign_up(world["call"].id, world["manager"], "Moi aussi", Decimal(4))
        session.commit()
        problem = assert_problem(api(app.test_client(), "PATCH", f"/calls/{world['call'].id}", world["tokens"]["lab"],
                                     json={"capacity": 1, "title": "Nouveau titre"}), 422)
        assert list(problem["errors"]) == ["capacity"]
        response = api(app.test_client(), "PATCH", f"/calls/{world['call'].id}", world["tokens"]["lab"],
                       json={"title": "Nouveau titre", "capacity": None})
        assert response.status_code == 200
        call = response.get_json()
        assert call["title"] == "Nouveau titre" and call["capacity"] is None
        assert call["deadline"] == world["call"].deadline.isoformat(), "a deadline left out is kept as it is"


class TestFlows:
    def test_sign_up_twice_lands_on_the_same_sign_up(self, app, world):
        manager = world["tokens"]["manager"]
        body = {"motivation": "Je viens", "answers": {str(world["call"].active_questions[0].id): "Oui",
                                                       str(world["call"].active_questions[1].id): True}}
        first = api(app.test_client(), "POST", f"/calls/{world['call'].id}/sign-ups", manager, json=body)
        second = api(app.test_client(), "POST", f"/calls/{world['call'].id}/sign-ups", manager, json=body)
        assert first.status_code == 201 and second.status_code == 200
        assert first.get_json()["id"] == second.get_json()["id"]
        assert first.get_json()["hours_asked"] > 0, "the call's proposal when no hours are given"
        signup = session.get(SignUp, first.get_json()["id"])
        assert [answer.value for answer in signup.answers] == ["Oui", "yes"]

    def test_sign_up_checks_answers_and_hours_like_the_form(self, app, world):
        manager, call = world["tokens"]["manager"], world["call"]
        first, second = call.active_questions
        before = row_counts()
        problem = assert_problem(api(app.test_client(), "POST", f"/calls/{call.id}/sign-ups", manager, json={
            "motivation": "Oui", "answers": {str(first.id): ["a", "list"], "999": "x"}}), 422)
        assert set(problem["errors"]) == {"answers.999"}  # an unknown question is refused at once, alone
        problem = assert_problem(api(app.test_client(), "POST", f"/calls/{call.id}/sign-ups", manager, json={
            "motivation": "Oui", "answers": {str(first.id): ["a", "list"]}}), 422)
        assert set(problem["errors"]) == {f"answers.{first.id}"}
        problem = assert_problem(api(app.test_client(), "POST", f"/calls/{call.id}/sign-ups", manager, json={
            "motivation": "Oui", "hours_asked": 1e300, "answers": {str(second.id): "peut-être"}}), 422)
        assert set(problem["errors"]) == {"hours_asked", f"answers.{first.id}", f"answers.{second.id}"}
        assert row_counts() == before

    def test_an_extension_is_asked_checked_and_decided_like_on_the_pages(self, app, world):
        agent, manager, allocation = world["tokens"]["agent"], world["tokens"]["manager"], world["allocation"]
        path = f"/me/budget/allocations/{allocation.id}/extensions"
        before = row_counts()
        nothing = assert_problem(api(app.test_client(), "POST", path, agent, json={"note": "Rien"}), 422)
        assert list(nothing["errors"]) == ["extra_hours"]
        earlier = assert_problem(api(app.test_client(), "POST", path, agent,
                                     json={"new_end_date": allocation.start_date.isoformat()}), 422)
        assert list(earlier["errors"]) == ["new_end_date"]
        for hours in (1e300, 1.1, -2):
            assert "extra_hours" in assert_problem(api(app.test_client(), "POST", path, agent,
                                                       json={"extra_hours": hours}), 422)["errors"]
        assert row_counts() == before
        later = (allocation.end_date + timedelta(days=14)).isoformat()
        asked = api(app.test_client(), "POST", path, agent, json={"extra_hours": 3.5, "new_end_date": later,
                                                                    "note": "Deux entretiens de plus"})
        assert asked.status_code == 201, asked.get_json()
        assert asked.get_json() | {"id": 0, "submitted_at": ""} == {
            "id": 0, "allocation_id": allocation.id, "extra_hours": 3.5, "new_end_date": later,
            "note": "Deux entretiens de plus", "status": "pending", "submitted_at": ""}
        again = assert_problem(api(app.test_client(), "POST", path, agent, json={"extra_hours": 1}), 409)
        assert "attend déjà la décision" in again["detail"]

        inbox = api(app.test_client(), "GET", "/approvals/extensions", manager).get_json()
        assert inbox["total"] == 2
        first = inbox["items"][0]
        assert first["id"] == world["extension"].id and first["note"] == "Un atelier"
        assert first["agent"]["login"] == world["agent"].login and first["call"]["title"] == "Prolongée"
        assert first["allocation"] | {"start_date": "", "end_date": ""} == {
            "hours": 6, "used": 0, "start_date": "", "end_date": ""}
        assert inbox["items"][1]["allocation"]["used"] == 1  # the world's entry
        assert api(app.test_client(), "GET", "/approvals/extensions", agent).get_json()["total"] == 0

        decide = f"/approvals/extensions/{world['extension'].id}"
        assert "hours" in assert_problem(api(app.test_client(), "POST", decide, manager,
                                             json={"outcome": "approve_less", "hours": 5}), 422)["errors"]
        assert "reason" in assert_problem(api(app.test_client(), "POST", decide, manager,
                                              json={"outcome": "refuse"}), 422)["errors"]
        decided = api(app.test_client(), "POST", decide, manager, json={"outcome": "approve_less", "hours": 2.5})
        assert decided.status_code == 200, decided.get_json()
        assert decided.get_json()["status"] == "approved" and decided.get_json()["hours_agreed"] == 2.5
        assert decided.get_json()["allocation"]["hours"] == 8.5
        assert_problem(api(app.test_client(), "POST", decide, manager, json={"outcome": "approve"}), 409)
        refused = api(app.test_client(), "POST", f"/approvals/extensions/{asked.get_json()['id']}", manager,
                      json={"outcome": "refuse", "reason": "Pas ce trimestre"})
        assert refused.get_json()["status"] == "refused" and refused.get_json()["hours_agreed"] is None
        session.expire_all()
        assert [entry.action for entry in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()][-2:] \
            == ["allocation.extension_approved", "allocation.extension_refused"]
        assert session.get(Extension, world["extension"].id).allocation.hours == Decimal("8.5")

    def test_an_extension_escalated_once_is_not_shown_to_the_managers_manager(self, app, world, make_user):
        from app.approvals.models import RequestReminder

        big_boss = make_user("grand.chef")
        world["manager"].manager = big_boss
        # The original request was escalated before the manager approved it: that escalation ended with it.
        session.add(RequestReminder(signup_id=world["extension"].allocation.signup_id, kind="escalation",
                                    recipient_id=big_boss.id, sent_on=date.today()))
        boss = create_token(big_boss, "Portail")[1]
        session.commit()
        listed = api(app.test_client(), "GET", "/approvals/extensions", boss).get_json()
        assert listed["total"] == 0 and "Un atelier" not in str(listed)
        assert_problem(api(app.test_client(), "POST", f"/approvals/extensions/{world['extension'].id}", boss,
                           json={"outcome": "approve"}), 404)

    def test_a_later_end_alone_has_no_hours_to_lessen(self, app, world):
        agent, manager, allocation = world["tokens"]["agent"], world["tokens"]["manager"], world["allocation"]
        later = (allocation.end_date + timedelta(days=7)).isoformat()
        asked = api(app.test_client(), "POST", f"/me/budget/allocations/{allocation.id}/extensions", agent,
                    json={"new_end_date": later}).get_json()
        decide = f"/approvals/extensions/{asked['id']}"
        less = assert_problem(api(app.test_client(), "POST", decide, manager,
                                  json={"outcome": "approve_less", "hours": 1}), 422)
        assert list(less["errors"]) == ["outcome"]
        decided = api(app.test_client(), "POST", decide, manager, json={"outcome": "approve"}).get_json()
        assert decided["allocation"]["end_date"] == later and decided["hours_agreed"] == 0

    def test_time_entries_never_pass_the_budget(self, app, world):
        agent, allocation = world["tokens"]["agent"], world["allocation"]
        path = f"/me/budget/allocations/{allocation.id}/time-entries"
        too_much = api(app.test_client(), "POST", path, agent, json={"day": date.today().isoformat(), "hours": 10})
        assert list(assert_problem(too_much, 422)["errors"]) == ["hours"]
        logged = api(app.test_client(), "POST", path, agent, json={"day": date.today().isoformat(), "hours": 8.25})
        assert logged.status_code == 201 and logged.get_json()["budget_reached"] == 0.8
        entries = api(app.test_client(), "GET", path + "?per_page=1", agent).get_json()
        assert entries["total"] == 2 and entries["pages"] == 2 and len(entries["items"]) == 1
        budget = api(app.test_client(), "GET", "/me/budget", agent).get_json()
        assert budget["allocations"][0]["used"] == 9.25 and budget["allocations"][0]["level"] == "warning"
        assert session.execute(select(func.count(TimeEntry.id))).scalar_one() == 2

    def test_export_streams_the_list_and_is_audited(self, app, world):
        response = api(app.test_client(), "POST", f"/volunteers/export?format=csv&call={world['call'].id}",
                       world["tokens"]["lab"])
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        assert "Martin" in response.get_data(as_text=True)
        session.expire_all()
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "export.volunteers")).scalar_one()
        assert entry.details["format"] == "csv" and entry.details["rows"] == 1
        assert_problem(api(app.test_client(), "POST", "/volunteers/export?format=pdf", world["tokens"]["lab"]), 422)
        assert_problem(api(app.test_client(), "POST", "/volunteers/export?call=abc", world["tokens"]["lab"]), 422)

    def test_a_call_for_chosen_units_names_them_and_keeps_them_when_changed(self, app, world, make_unit):
        unit = make_unit("DGS/Direction du numérique")
        session.commit()
        lab, body = world["tokens"]["lab"], CASES["createCall"][2]
        created = api(app.test_client(), "POST", "/calls", lab, json={**body, "audience_unit_ids": [unit.id]})
        assert created.status_code == 201, created.get_json()
        assert created.get_json()["audience_all"] is False and created.get_json()["audience_unit_ids"] == [unit.id]
        changed = api(app.test_client(), "PATCH", f"/calls/{created.get_json()['id']}", lab, json={"title": "Autre"})
        assert changed.get_json()["audience_unit_ids"] == [unit.id] and changed.get_json()["audience_all"] is False
        everyone = api(app.test_client(), "PATCH", f"/calls/{created.get_json()['id']}", lab,
                       json={"audience_unit_ids": []}).get_json()
        assert everyone["audience_all"] is True and everyone["audience_unit_ids"] == []
        unknown = assert_problem(api(app.test_client(), "POST", "/calls", lab,
                                     json={**body, "audience_unit_ids": [unit.id + 1000]}), 422)
        assert list(unknown["errors"]) == ["audience_unit_ids"]
        wrong_type = assert_problem(api(app.test_client(), "POST", "/calls", lab,
                                        json={**body, "audience_unit_ids": "1"}), 422)
        assert wrong_type["errors"] == {"audience_unit_ids": ["Indiquez une liste de nombres entiers."]}

    def test_the_approver_never_sees_the_motivation(self, app, world):
        pending = api(app.test_client(), "GET", "/approvals", world["tokens"]["manager"]).get_json()
        assert pending["total"] == 1 and "Motivé" not in str(pending)
        lab_view = api(app.test_client(), "GET", f"/calls/{world['call'].id}/sign-ups", world["tokens"]["lab"]).get_json()
        assert lab_view["items"][0]["motivation"] == "Motivé"


def test_the_openapi_document_is_public(app):
    response = app.test_client().get(f"{API}/openapi.json")
    assert response.status_code == 200 and response.get_json()["openapi"] == "3.1.0"
    assert response.get_json()["servers"] == [{"url": API}]


def test_the_other_lists_queries_do_not_grow_with_rows(app, people, make_call, make_user, make_unit):
    """listMySignUps, listCallSignUps (answers, org units), listPendingApprovals and listPendingExtensions, with
    few rows then many."""
    tokens = {role: create_token(people[role], "Portail")[1] for role in ("agent", "lab", "manager")}
    call = make_call(title="Appel compté", questions=[("short_text", "Pourquoi ?", False, [])])
    session.commit()
    client = app.test_client()

    def add(count):
        for index in range(count):
            other = make_call(title=f"Autre appel {index}")
            sign_up(other.id, people["agent"], "Moi aussi", Decimal(10))
            someone = make_user(manager=people["manager"], unit=make_unit(f"DGS/Direction {index}/Service"))
            sign_up(call.id, someone, "Motivé", Decimal(10), answers=[(call.active_questions[0], f"Réponse {index}")])
            running = make_call(title=f"En cours {index}", start_date=date.today() - timedelta(days=5),
                                end_date=date.today() + timedelta(days=30))
            running_signup, *_ = sign_up(running.id, someone, "Motivé", Decimal(6))
            request_extension(approve(running_signup, people["manager"]), someone, Decimal(2), None, f"Note {index}")
        session.commit()

    def queries(role, path):
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tokens[role]}"
        return count_queries(app, client, f"{API}{path}")

    lists = (("agent", "/me/sign-ups?per_page=100"), ("lab", f"/calls/{call.id}/sign-ups?per_page=100"),
             ("manager", "/approvals?per_page=100"), ("manager", "/approvals/extensions?per_page=100"))
    add(2)
    for role, path in lists:
        queries(role, path)  # the first use notes last_used_at
    few = [queries(role, path) for role, path in lists]
    add(12)
    assert [queries(role, path) for role, path in lists] == few
