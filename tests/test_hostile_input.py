"""Every route of the url_map gets the hostile values of the catalog in its query parameters, form fields and JSON
fields: no answer is a server error, and a refusal writes nothing.

Where the parameters come from: the pages themselves (each page reachable by a role is read once: its GET forms and
its links name the query parameters, its POST forms name the fields, their kinds and a valid baseline), `page` on the
views that paginate, and the OpenAPI description for the JSON API. A POST route that no page holds a form for fails
the net, so a new route joins it; a route reading no parameter gets the values in one it does not read.

Which values go where (tests/hostile.py, `plan`): every field gets the core values (NUL, empty, blanks), a number or
id field the numbers, a day or moment field the dates; every other value of the catalog (controls, invalid UTF-8, the
10^6-character text, 2,000 repeats of a key, the values a route has no field of the kind for) goes once per route, to
its first field of the kind the value looks like. An operation of the JSON API gets the JSON catalog in its body.
The sweep's requests go out as the roles reaching the route in turn; Hypothesis then combines several hostile fields
at once as any of them. The figures (catalog, routes, requests, server errors) are printed at the end of the run.
"""
import importlib
import inspect
import json
import logging
import re
from dataclasses import dataclass, field

import pytest
from flask import got_request_exception, url_for
from flask.globals import _cv_app
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.api.operations import create_token
from app.database import session
from tests.conftest import restore, snapshot
from tests.hostile import (CATALOG, JSON_BODIES, JSON_CATALOG, WriteWatch, baseline_of, example_of, first_line,
                           json_body, kind_of_schema, path_and_query, plain, plan, query_string, read_page)
from tests.test_access_matrix import MATRIX, ROLES, SIGN_IN

SIGNED_IN = ROLES[1:]
COMBINATIONS = 3  # Hypothesis examples per endpoint, each with several hostile fields at once
NUMERIC_IDS = tuple(value for value in CATALOG if re.fullmatch(r"\d+", value.value if isinstance(value.value, str)
                                                               else ""))
# Writes a refusal may make, by table, and why.
ALLOWED_WRITES_ON_REFUSAL = {
    "allies_api_tokens": "a bearer token's last use is recorded once it is recognised, whatever the answer",
    "allies_audit_entries": "a refused sign-in is audited",
}
UNREAD = "unread"  # the parameter or field a target that reads none gets the catalog in: the request is still parsed
SKIPPED_FIELDS = {"csrf_token"}  # CSRF is off in test apps; tests/test_csrf.py checks the token on every POST route
# POST routes whose success is a page (200), not a redirection: what that page shows.
SUCCESS_PAGES = {"/my/tokens": "the new token, shown once"}
# Pages the access matrix does not open, holding forms it does not show: (role, endpoint, URL arguments, query).
EXTRA_PAGES = (
    ("manager", "allies.approvals.delegation", {}, {"q": "Léa"}),  # the deputy is chosen among the search's answers
    ("admin", "allies.directory.user_detail", {"user_id": "lab"}, {}),  # a role to take back
)
# POST routes whose form no page shows with the matrix's objects: the form class gives the fields.
FORM_CLASSES = {
    "allies.budgets.extension": "app.budgets.forms:ExtensionForm",  # the allocation already has an extension asked
}

_WORLD = {}  # per test process: the snapshot of the objects and what the pages showed, read once


def url_of(app, endpoint, arguments, ids, **overrides):
    values = {name: ids.get(value, value) for name, value in arguments.items()}
    values.update(overrides)
    with app.test_request_context():
        return url_for(endpoint, **values)


def reaching_roles(endpoint, method):
    """The roles the access matrix lets through to the view (not refused, not sent to sign in)."""
    matrix_method, _, expected = MATRIX[endpoint]
    if endpoint.startswith("allies.api.") and endpoint != "allies.api.openapi_document":
        return SIGNED_IN  # with a bearer token
    if matrix_method == "GET":
        roles = [role for role in ROLES if expected[role] == 200]
    else:
        roles = [role for role in ROLES if expected[role] not in (403, 404, SIGN_IN)]
    return roles or ["anonymous"]  # the routes nobody reaches here (OpenID Connect off) still get the values


class ErrorCatcher(logging.Handler):
    """The exceptions the app's error page logs (it answers 500 itself: nothing reaches the test client)."""

    def __init__(self, errors):
        super().__init__(logging.ERROR)
        self.errors = errors

    def emit(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            self.errors.append(record.exc_info[1])


class World:
    """The app of the test with the snapshot's objects, one signed-in client per role, and what was written."""

    def __init__(self, app, engine):
        self.app, self.engine = app, engine
        self.ids, self.tokens, self.survey = _WORLD["ids"], _WORLD["tokens"], _WORLD["survey"]
        self.watch = WriteWatch(engine)
        self.clients = {role: self.client(role) for role in ROLES}
        self.sent, self.errors = 0, []
        got_request_exception.connect(self._error, app, weak=False)
        app.logger.addHandler(ErrorCatcher(self.errors))

    def _error(self, sender, exception, **extra):
        self.errors.append(exception)

    def rule(self, endpoint):
        return next(rule for rule in self.app.url_map.iter_rules() if rule.endpoint == endpoint)

    def client(self, role):
        client = self.app.test_client()
        if role != "anonymous":
            with client.session_transaction() as flask_session:
                flask_session["_user_id"] = _WORLD["sessions"][role]
                flask_session["_fresh"] = True
        return client

    def send(self, role, method, url, query=b"", body=None, content_type=None, headers=None):
        """The status, or the exception the app raised; and the tables it wrote. Data is put back after a write."""
        self.sent += 1
        before = _cv_app.get(None)
        try:
            response = self.clients[role].open(url, method=method, data=body, content_type=content_type,
                                               headers=headers, buffered=True,  # a streamed body read in its context
                                               environ_overrides={"QUERY_STRING": query.decode("latin-1")})
            outcome, refused = response.status_code, (response.status_code >= 400 or method != "GET" and
                                                      response.status_code == 200 and response.mimetype == "text/html")
            if outcome >= 500:  # the error page: the exception it stands for was signalled
                outcome = f"{outcome} " + (first_line(self.errors[-1]) if self.errors else
                                           repr(response.get_data(as_text=True)[:120]))
            response.close()
        except Exception as error:  # noqa: BLE001 — the test client re-raises what the app let through (a 500)
            outcome, refused = first_line(error), True
        if _cv_app.get(None) is not before:  # a context the request pushed and never popped breaks every test after
            outcome = f"{outcome}, and left {_cv_app.get(None)!r} pushed"
            while _cv_app.get(None) not in (before, None):
                _cv_app.get().pop()
        self.errors.clear()
        written = self.watch.take()
        if written:
            restore(self.engine, _WORLD["rows"], written)
            self.watch.take()
        if method != "GET" or written:
            self.clients[role] = self.client(role)  # signing out, or the restore, ends the session of the cookie
        return outcome, refused, written


def merge_kinds(found, *seen):
    """Add the parameters {name: kind} seen on a page to those found so far; a parameter seen as two kinds is text."""
    for kinds in seen:
        for name, kind in kinds.items():
            found[name] = kind if found.get(name, kind) == kind else "text"


def reads_page_number(view):
    """Whether a view reads `?page=` (it paginates)."""
    source = inspect.getsource(inspect.unwrap(view))
    return "page_from(" in source or "page_args(" in source


def survey_pages(world):
    """Read every page each role reaches: the POST forms (by endpoint) and the GET parameters (by endpoint)."""
    adapter = world.app.url_map.bind("localhost")
    forms, parameters = {}, {}
    pages = [(role, endpoint, url_of(world.app, endpoint, arguments, world.ids))
             for endpoint, (method, arguments, expected) in sorted(MATRIX.items())
             if "GET" in world.rule(endpoint).methods and endpoint != "allies.main.static"
             for role in reaching_roles(endpoint, "GET") if expected.get(role) != 404 or method == "GET"]
    pages += [(role, endpoint, url_of(world.app, endpoint, arguments, world.ids, **query))
              for role, endpoint, arguments, query in EXTRA_PAGES]
    for role, endpoint, url in pages:
        if True:
            response = world.clients[role].get(url, buffered=True)  # a streamed download read within its context
            if response.mimetype != "text/html" or response.status_code != 200:
                continue
            page = read_page(response.get_data(as_text=True))
            for form in page.forms:
                path, names = path_and_query(form["action"] or url)
                try:
                    target, _ = adapter.match(path, method=form["method"].upper())
                except Exception:  # noqa: BLE001 — a form to elsewhere (none today) is not this app's
                    continue
                if form["method"] == "post":
                    found = forms.setdefault(target, {})
                    if role not in found or form["action"] in ("", url):
                        found[role] = (form["action"] or url, baseline_of(form), list(form["order"]), form["kinds"])
                else:
                    merge_kinds(parameters.setdefault(target, {}), names,
                                {name: form["kinds"].get(name, "text") for name in form["order"]})
            for link in page.links:
                path, names = path_and_query(link)
                try:
                    target, _ = adapter.match(path, method="GET")
                except Exception:  # noqa: BLE001 — a link out of the app
                    continue
                merge_kinds(parameters.setdefault(target, {}), names)
            assert not world.watch.take(), f"GET {url} wrote"
    document = world.clients["anonymous"].get(url_of(world.app, "allies.api.openapi_document", {}, {})).get_json()
    return {"forms": forms, "parameters": parameters, "openapi": document}


@pytest.fixture
def world(app, request):
    engine = app.extensions["allies"].db.engine
    if not _WORLD:
        objects = request.getfixturevalue("objects")
        tokens = {role: create_token(objects[role], "Filet")[1] for role in SIGNED_IN}
        session.commit()
        _WORLD.update(ids={name: thing.id for name, thing in objects.items()}, tokens=tokens,
                      sessions={role: objects[role].get_id() for role in SIGNED_IN}, rows=snapshot(engine))
        session.remove()
        _WORLD["survey"] = None
        built = World(app, engine)
        _WORLD["survey"] = survey_pages(built)
    else:
        restore(engine, _WORLD["rows"])
    return World(app, engine)


def api_operation(world, endpoint):
    """({query parameter: kind}, body baseline or None, {body field: kind}) of an API operation, from its description."""
    document = world.survey["openapi"]
    name = endpoint.rsplit(".", 1)[1]
    for spec in (spec for methods in document["paths"].values() for spec in methods.values()):
        if spec["operationId"] == name:
            components = document["components"]["schemas"]
            query = {parameter["name"]: kind_of_schema(parameter.get("schema", {}), components)
                     for parameter in spec.get("parameters", []) if parameter["in"] == "query"}
            content = spec.get("requestBody", {}).get("content", {}).get("application/json")
            if not content:
                return query, None, {}
            schema = content["schema"]
            while "$ref" in schema:
                schema = components[schema["$ref"].rsplit("/", 1)[1]]
            kinds = {name: kind_of_schema(inner, components) for name, inner in schema.get("properties", {}).items()}
            return query, example_of(schema, components), kinds
    raise AssertionError(f"{endpoint} is not in the OpenAPI description")


@dataclass
class Target:
    """Where hostile values go on one route: a query string, a form body or a JSON body, and who may send them."""

    method: str
    url: str
    kind: str  # "query", "form" or "json"
    names: list
    roles: list
    baseline: object = None  # form: [(name, value)]; json: {name: value}
    api: bool = False
    kinds: dict = field(default_factory=dict)  # {name: "number", "date" or "text"}
    carries_catalog: bool = True  # False: its fields get their values, the rest of the catalog goes to another target

    def request(self, world, role, values):
        """The keyword arguments of `World.send` for these {name: hostile value}."""
        headers = {"Authorization": f"Bearer {world.tokens[role]}"} if self.api else None
        if self.kind == "query":
            body = json.dumps(self.baseline).encode() if self.baseline is not None else None
            return dict(query=query_string(list(values.items())), headers=headers, body=body,
                        content_type="application/json" if body is not None else None)
        if self.kind == "form":
            pairs = [(name, plain(given)) for name, given in self.baseline if name not in values]
            return dict(body=query_string(pairs + list(values.items())), headers=headers,
                        content_type="application/x-www-form-urlencoded")
        return dict(body=json_body(self.baseline, {name: value.token for name, value in values.items()}),
                    headers=headers, content_type="application/json")


def form_of(world, endpoint, role):
    """(URL, baseline, field names, {field: kind}) of the form posting to `endpoint` as `role` sees it; None if none."""
    found = world.survey["forms"].get(endpoint)
    if found:
        return found.get(role) or next(iter(found.values()))
    if endpoint in FORM_CLASSES:
        module, name = FORM_CLASSES[endpoint].split(":")
        with world.app.test_request_context():
            form = getattr(importlib.import_module(module), name)(meta={"csrf": False})
            fields = [entry for entry in form if entry.type not in ("SubmitField", "CSRFTokenField")]
            pairs = [(entry.name, entry._value()) for entry in fields]
            kinds = {entry.name: "date" if re.search("Date|Day|Moment", entry.type)
                     else "number" if re.search("Decimal|Integer", entry.type) else "text" for entry in fields}
        _, arguments, _ = MATRIX[endpoint]
        return url_of(world.app, endpoint, arguments, world.ids), pairs, [name for name, _ in pairs], kinds
    return None


def api_roles(world, target):
    """The roles whose token gets past the access checks with the baseline request (else every role)."""
    reached = []
    for role in SIGNED_IN:
        status, _, _ = world.send(role, target.method, target.url, **target.request(world, role, {}))
        if status not in (401, 403, 404):
            reached.append(role)
    return reached or list(SIGNED_IN)


def targets_of(world, endpoint):
    """The targets of a route, and what is missing to reach it (a POST route without a known form)."""
    rule = world.rule(endpoint)
    matrix_method, arguments, _ = MATRIX[endpoint]
    url = url_of(world.app, endpoint, arguments, world.ids)
    targets, missing = [], []
    if endpoint.startswith("allies.api.") and endpoint != "allies.api.openapi_document":
        query, body, body_kinds = api_operation(world, endpoint)
        probe = Target(matrix_method, url, "json" if body is not None else "query", [], [], body or None, api=True)
        roles = api_roles(world, probe)
        targets.append(Target(matrix_method, url, "query", sorted(query) or [UNREAD], roles, body, api=True,
                              kinds=query, carries_catalog=body is None))
        if body is not None:
            targets.append(Target(matrix_method, url, "json", list(body), roles, body, api=True, kinds=body_kinds))
        return targets, missing
    if "GET" in rule.methods:
        kinds = dict(world.survey["parameters"].get(endpoint, {}))
        if reads_page_number(world.app.view_functions[endpoint]):
            kinds["page"] = "number"
        targets.append(Target("GET", url, "query", sorted(kinds) or [UNREAD], reaching_roles(endpoint, "GET"),
                              kinds=kinds))
    if "POST" in rule.methods:
        roles = reaching_roles(endpoint, "POST")
        form = form_of(world, endpoint, roles[0])
        if form is None:
            missing.append(f"{endpoint}: no page holds a form posting to it (add a page to EXTRA_PAGES)")
        else:
            action, baseline, fields, kinds = form
            names = [name for name in fields if name not in SKIPPED_FIELDS]
            targets.append(Target("POST", action, "form", names or [UNREAD], roles, baseline, kinds=kinds))
    return targets, missing


def sweep_of(world, endpoint, targets):
    """The planned (parameter, value) pairs of every target, the roles reaching it taking turns; then the route's
    hostile ids and whole JSON bodies."""
    cases, sent = [], set()
    for target in targets:
        catalog = JSON_CATALOG if target.kind == "json" else CATALOG
        skipped = sent if target.carries_catalog else {value.name for value in catalog}
        for number, (name, value) in enumerate(plan(target.names, target.kinds, catalog, skipped)):
            sent.add(value.name)
            role = target.roles[number % len(target.roles)]  # each reaching role takes its turn
            cases.append((role, target.method, target.url, f"{target.kind}:{name}", value,
                          target.request(world, role, {name: value})))
        if target.api and target.method != "GET" and target is targets[-1]:
            headers = {"Authorization": f"Bearer {world.tokens[target.roles[0]]}"}
            for value in JSON_BODIES:
                cases.append((target.roles[0], target.method, target.url, "json body", value,
                              dict(body=value.token, headers=headers, content_type="application/json")))
            if target.baseline is not None:
                extra = {"status": "closed", "id": 1, "owner_id": 1, "approved_hours": 1000}
                cases.append((target.roles[0], target.method, target.url, "json unknown keys", plain(str(extra)),
                              dict(body=json.dumps({**target.baseline, **extra}).encode(), headers=headers,
                                   content_type="application/json")))
    rule = world.rule(endpoint)
    matrix_method, arguments, _ = MATRIX[endpoint]
    first = targets[0] if targets else None
    for name in rule.arguments:
        if first is None or not isinstance(rule._converters[name].to_python("1"), int):
            continue
        for value in NUMERIC_IDS:
            url = url_of(world.app, endpoint, arguments, world.ids, **{name: int(value.value)})
            request = first.request(world, first.roles[0], {}) if first.method == matrix_method else {}
            cases.append((first.roles[0], matrix_method, url, f"<{name}>", value, request))
    return cases


def verdict(world, role, method, url, what, value, request):
    """A line saying what went wrong, or None."""
    outcome, refused, written = world.send(role, method, url, **request)
    allowed = set(ALLOWED_WRITES_ON_REFUSAL) if url.startswith("/api/") or url.startswith("/login") else set()
    if isinstance(outcome, str):
        return f"{method} {url} {what}={value.name} as {role}: {outcome}"
    if refused and set(written) - allowed and not (outcome == 200 and url in SUCCESS_PAGES):
        return f"{method} {url} {what}={value.name} as {role}: {outcome} but wrote {sorted(set(written))}"
    return None


def combinations(target):
    """Several fields of the target hostile at once, as any role that reaches it."""
    catalog = JSON_CATALOG if target.kind == "json" else CATALOG
    return st.tuples(st.sampled_from(target.roles), st.dictionaries(st.sampled_from(target.names),
                                                                     st.sampled_from(catalog), min_size=2,
                                                                     max_size=4))


@pytest.mark.postgres_pass  # where overflow and NUL bite; on SQLite when there is no PostgreSQL
@pytest.mark.committed  # the world is a snapshot of the tables, put back on connections of its own
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_no_hostile_value_breaks_a_route(world, endpoint, record_property):
    """The sweep (every parameter × every value), then Hypothesis's combinations; all failures shown together."""
    targets, failures = targets_of(world, endpoint)
    cases = sweep_of(world, endpoint, targets)
    failures += [line for case in cases if (line := verdict(world, *case))]
    for target in (target for target in targets if len(target.names) >= 2):

        @given(combinations(target))
        @settings(max_examples=COMBINATIONS, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate])
        def combine(drawn):
            role, values = drawn
            line = verdict(world, role, target.method, target.url, target.kind + ":" + "+".join(values),
                           plain(" + ".join(value.name for value in values.values())),
                           target.request(world, role, values))
            if line:
                failures.append(line)

        combine()
    record_property("hostile_requests", world.sent)
    record_property("hostile_server_errors", sum(" but wrote " not in line for line in failures))
    record_property("hostile_endpoints", len({rule.endpoint for rule in world.app.url_map.iter_rules()}))
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
