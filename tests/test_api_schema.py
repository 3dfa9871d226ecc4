"""The API's OpenAPI 3.1 description is valid, and schemathesis, with a real token for each role and realistic data,
finds no server error and no answer outside the description (statuses, media types, headers, bodies)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from app.api.operations import create_token
from app.approvals.operations import approve
from app.budgets.operations import log_time, request_extension
from app.calls.operations import close
from app.database import session
from app.signups.operations import sign_up
from schemathesis import GenerationMode

ROLES = ("agent", "manager", "lab", "admin")
MAX_EXAMPLES = 15  # per operation and role
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


def test_the_description_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document, cls=OpenAPIV31SpecValidator)
    operations = [spec["operationId"] for methods in document["paths"].values() for spec in methods.values()]
    assert len(operations) == len(set(operations)) == 20
    for methods in document["paths"].values():
        for spec in methods.values():
            assert "401" in spec["responses"] and "429" in spec["responses"], spec["operationId"]


def realistic_data(people, make_call, make_user):
    """Calls of every kind of question (open, full with a waiting list, closed, draft, running), sign-ups waiting
    for the manager, an allocation with time logged and an extension asked."""
    today = date.today()
    questions = [("short_text", "Pourquoi ?", True, []), ("long_text", "Votre expérience", False, []),
                 ("single_choice", "Atelier", False, ["Accueil", "Téléphone"]),
                 ("multiple_choice", "Méthodes", False, ["Design", "Data", "Terrain"]),
                 ("yes_no", "Disponible le 12 ?", False, []), ("number", "Années de service", False, []),
                 ("date", "Disponible à partir du", False, [])]
    open_call = make_call(capacity=3, questions=questions)
    full = make_call(title="Complet", capacity=1, kind="hours_per_month", value=Decimal(4))
    running = make_call(title="En cours", start_date=today - timedelta(days=30), end_date=today + timedelta(days=60),
                        kind="total_hours", value=Decimal(20))
    make_call(title="Brouillon", status="draft")
    closed = make_call(title="Fermé", needs_manager_agreement=False)
    close(closed, people["lab"])
    colleagues = [make_user(manager=people["manager"]) for _ in range(3)]
    sign_up(open_call.id, colleagues[0], "Motivée", Decimal(10), answers=[(open_call.active_questions[0], "Envie")])
    sign_up(full.id, colleagues[1], "Premier", Decimal(8))
    sign_up(full.id, people["agent"], "Deuxième", Decimal(8))
    for agent in (people["agent"], people["lab"], colleagues[2]):
        signup, *_ = sign_up(running.id, agent, "Je contribue", Decimal(10))
        allocation = approve(signup, people["manager"])
        log_time(allocation, agent, today, Decimal(2), "Atelier")
    request_extension(allocation, colleagues[2], Decimal(4), None, "Deux ateliers de plus")
    sign_up(open_call.id, people["lab"], "Le labo aussi", Decimal(5), answers=[(open_call.active_questions[0], "Oui")])
    session.commit()


def real_ids():
    """{path parameter: the ids of the objects in the database}, so cases hit real objects as well as random ids."""
    from sqlalchemy import select

    from app.budgets.models import Allocation, Extension
    from app.calls.models import Call
    from app.signups.models import SignUp

    return {name: session.execute(select(model.id).order_by(model.id)).scalars().all()
            for name, model in (("call_id", Call), ("signup_id", SignUp), ("allocation_id", Allocation),
                                ("extension_id", Extension))}


def strategy_for(operation, ids):
    """Positive and negative cases, with random path ids or the ids of real objects."""
    names = [parameter.name for parameter in operation.path_parameters]
    fixed = [{name: value} for name in names for value in ids.get(name, [])]
    return st.one_of([operation.as_strategy(generation_mode=mode, path_parameters=parameters)
                      for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
                      for parameters in [None, *fixed]])


@pytest.mark.postgres_pass  # the description is the code's: checked once, on production's database
@pytest.mark.parametrize("role", ROLES)
def test_the_api_keeps_to_its_description(app, people, make_call, make_user, role):
    """Every operation, with this role's token: no 500, and every answer as the description says. Bounded and
    deterministic: derandomized, a dozen cases per operation."""
    realistic_data(people, make_call, make_user)
    headers = {"Authorization": f"Bearer {create_token(people[role], 'Schemathesis')[1]}"}
    session.commit()
    ids = real_ids()

    def wsgi(environ, start_response):
        """Each request in its own app context (own session, own `g`), as in production."""
        with app.app_context():
            return app(environ, start_response)

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 20
    for operation in operations:

        @given(case=strategy_for(operation, ids))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink])
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as failure:  # noqa: BLE001 — every operation is tried, then all failures are shown
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)
