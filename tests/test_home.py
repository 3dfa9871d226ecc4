"""The home page: what needs each person now (calls, budget, requests, the lab's news, the last import)."""

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.approvals.operations import approve
from app.audit.operations import record
from app.budgets.operations import log_time
from app.database import session
from app.clock import utcnow
from app.signups.operations import sign_up
from tests.conftest import sign_in

TODAY = date.today()


def section(page, heading_id):
    """The HTML of the home block headed by `heading_id`."""
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert match, f"no block {heading_id}"
    return match.group(0)


def nav(page):
    return re.search(r'<nav aria-label="[^"]*" class="main-nav">.*?</nav>', page, re.S).group(0)


@pytest.fixture
def running(people, make_call):
    """A call running now, the agent approved on it for 10 h and 8,5 h of them logged (past 80 %)."""
    call = make_call(title="Carnet de bord", start_date=TODAY - timedelta(days=30), end_date=TODAY + timedelta(days=60))
    signup, *_ = sign_up(call.id, people["agent"], "Motivé", Decimal(10))
    allocation = approve(signup, people["manager"])
    log_time(allocation, people["agent"], TODAY, Decimal("8.5"))
    session.commit()
    return call


def test_agent_sees_open_calls_and_budget(app, people, make_call, running):
    soon = make_call(title="Atelier accueil", deadline=utcnow() + timedelta(days=2))
    make_call(title="Fermé au public", status="draft")
    page = sign_in(app.test_client(), people["agent"]).get("/").get_data(as_text=True)
    calls = section(page, "home-calls")
    assert "2 appels vous sont ouverts." in calls  # the draft is not open; the running call is
    assert f'href="/calls/{soon.id}">Atelier accueil</a>' in calls
    assert calls.index("Atelier accueil") < calls.index("Carnet de bord")  # soonest deadline first
    assert 'href="/calls"' in calls
    budget = section(page, "home-budget")
    assert "10 h accordées, 8,5 h utilisées, 1,5 h restantes" in budget
    assert "80\u00a0%" in budget and 'class="notice warning"' in budget
    assert 'href="/my/budget"' in budget
    assert 'aria-labelledby="home-inbox"' not in page and 'aria-labelledby="home-new-signups"' not in page
    assert 'aria-labelledby="home-import"' not in page
    profile = section(page, "profile-title")
    assert "Mon profil" in profile and 'href="/my/tokens"' in profile and 'href="/my/data"' in profile


def test_agent_without_calls_nor_budget(app, people):
    page = sign_in(app.test_client(), people["agent"]).get("/").get_data(as_text=True)
    assert "Aucun appel ne vous est ouvert pour l'instant." in section(page, "home-calls")
    assert 'href="/my/sign-ups"' in section(page, "home-budget")


def test_api_tokens_leave_the_main_menu(app, people):
    page = sign_in(app.test_client(), people["agent"]).get("/").get_data(as_text=True)
    assert "/my/tokens" not in nav(page)
    assert "Accueil" in nav(page)


def test_manager_sees_the_requests_waiting_and_the_oldest_age(app, people, make_call, make_user):
    call = make_call(title="Atelier accueil")
    first, *_ = sign_up(call.id, people["agent"], "Motivé", Decimal(10))
    first.submitted_at = first.manager_asked_at = datetime.now(timezone.utc) - timedelta(days=5, hours=1)
    sign_up(call.id, make_user(manager=people["manager"]), "Moi aussi", Decimal(10))
    session.commit()
    page = sign_in(app.test_client(), people["manager"]).get("/").get_data(as_text=True)
    inbox = section(page, "home-inbox")
    assert "2 demandes attendent votre décision." in inbox
    assert "La plus ancienne attend depuis 5 jours." in inbox
    assert 'href="/approvals"' in inbox and 'href="/approvals/delegation"' in inbox


def test_manager_with_nothing_waiting(app, people):
    page = sign_in(app.test_client(), people["manager"]).get("/").get_data(as_text=True)
    assert "Aucune demande n'attend votre décision." in section(page, "home-inbox")


def test_lab_sees_new_sign_ups_calls_closing_and_budgets_past_80(app, people, make_call, running):
    closing = make_call(title="Clôture proche", deadline=utcnow() + timedelta(days=3))
    make_call(title="Clôture lointaine", deadline=utcnow() + timedelta(days=20))
    page = sign_in(app.test_client(), people["lab"]).get("/").get_data(as_text=True)
    new = section(page, "home-new-signups")
    assert "1 candidature envoyée ces 7 derniers jours." in new
    assert f'href="/lab/volunteers?submitted_from={(TODAY - timedelta(days=7)).isoformat()}"' in new
    soon = section(page, "home-closing")
    assert f'href="/lab/calls/{closing.id}">Clôture proche</a>' in soon and "Clôture lointaine" not in soon
    assert 'href="/lab/calls"' in soon
    budgets = section(page, "home-budgets")
    assert "1 dotation en cours a utilisé 80\u00a0% ou plus de son temps." in budgets
    assert 'href="/lab/volunteers?status=approved"' in budgets


def test_admin_sees_the_last_directory_import(app, people):
    page = sign_in(app.test_client(), people["admin"]).get("/").get_data(as_text=True)
    assert "L'annuaire n'a jamais été importé." in section(page, "home-import")
    record("directory.import", rows=4, created=1, updated=2, deactivated=1, unchanged=0, reactivated=0)
    record("directory.import", rows=9, created=3, updated=5, deactivated=1, unchanged=0, reactivated=0)
    session.commit()
    block = section(sign_in(app.test_client(), people["admin"]).get("/").get_data(as_text=True), "home-import")
    assert "3 créations, 5 mises à jour, 1 désactivations" in block
    assert 'href="/admin/audit?action=directory.import"' in block
    assert 'aria-labelledby="home-import"' not in sign_in(app.test_client(), people["lab"]).get("/").get_data(as_text=True)


def test_a_deputy_sees_the_requests_of_the_manager_they_stand_in_for(app, people, make_call, make_user):
    from app.approvals.operations import delegate

    deputy = make_user("dana.deputy")
    assert 'aria-labelledby="home-inbox"' not in sign_in(app.test_client(), deputy).get("/").get_data(as_text=True)
    sign_up(make_call().id, people["agent"], "Motivé", Decimal(10))
    delegate(people["manager"], deputy, TODAY, TODAY + timedelta(days=3))
    session.commit()
    inbox = section(sign_in(app.test_client(), deputy).get("/").get_data(as_text=True), "home-inbox")
    assert "1 demande attend votre décision." in inbox and "La plus ancienne est arrivée aujourd'hui." in inbox
