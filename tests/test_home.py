"""The home page: what needs each person now (calls, budget, requests, the lab's news, the last import)."""

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
from tests.pages import one, read_page, text_of, texts

TODAY = date.today()


def home(client):
    """The home page, checked (tests/pages.py)."""
    return read_page(client, "/")


def section(page, heading_id):
    """The home block headed by `heading_id`."""
    return one(page, f"section[aria-labelledby={heading_id}]")


def links(element):
    """Where the links of an element lead, in order."""
    return [link["href"] for link in element.select("a")]


def blocks(page):
    """The ids of the headings of the home blocks shown."""
    return [block["aria-labelledby"] for block in page.select("main section[aria-labelledby]")]


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
    page = home(sign_in(app.test_client(), people["agent"]))
    calls = section(page, "home-calls")
    assert "2 appels vous sont ouverts." in text_of(calls)  # the draft is not open; the running call is
    assert [(text_of(link), link["href"]) for link in calls.select("li > a")] == [
        ("Atelier accueil", f"/calls/{soon.id}"), ("Carnet de bord", f"/calls/{running.id}")]  # soonest deadline first
    assert links(calls)[-1] == "/calls"
    budget = section(page, "home-budget")
    assert "10 h accordées, 8,5 h utilisées, 1,5 h restantes" in text_of(budget)
    assert text_of(one(budget, ".notice.warning")).startswith("80\u00a0%")
    assert links(budget) == ["/my/budget"]
    assert blocks(page) == ["home-calls", "home-budget", "profile-title"]
    profile = section(page, "profile-title")
    assert text_of(profile.h2) == "Mon profil" and links(profile) == ["/my/data", "/my/tokens"]


def test_agent_without_calls_nor_budget(app, people):
    page = home(sign_in(app.test_client(), people["agent"]))
    assert "Aucun appel ne vous est ouvert pour l'instant." in text_of(section(page, "home-calls"))
    assert links(section(page, "home-budget")) == ["/my/sign-ups"]


def test_api_tokens_leave_the_main_menu(app, people):
    menu = one(home(sign_in(app.test_client(), people["agent"])), "nav.main-nav")
    assert "/my/tokens" not in links(menu)
    assert "Accueil" in texts(menu, "a")


def test_manager_sees_the_requests_waiting_and_the_oldest_age(app, people, make_call, make_user):
    call = make_call(title="Atelier accueil")
    first, *_ = sign_up(call.id, people["agent"], "Motivé", Decimal(10))
    first.submitted_at = first.manager_asked_at = datetime.now(timezone.utc) - timedelta(days=5, hours=1)
    sign_up(call.id, make_user(manager=people["manager"]), "Moi aussi", Decimal(10))
    session.commit()
    inbox = section(home(sign_in(app.test_client(), people["manager"])), "home-inbox")
    assert texts(inbox, "p")[0] == "2 demandes attendent votre décision. La plus ancienne attend depuis 5 jours."
    assert links(inbox) == ["/approvals", "/approvals/delegation"]


def test_manager_with_nothing_waiting(app, people):
    page = home(sign_in(app.test_client(), people["manager"]))
    assert "Aucune demande n'attend votre décision." in text_of(section(page, "home-inbox"))


def test_lab_sees_new_sign_ups_calls_closing_and_budgets_past_80(app, people, make_call, running):
    closing = make_call(title="Clôture proche", deadline=utcnow() + timedelta(days=3))
    make_call(title="Clôture lointaine", deadline=utcnow() + timedelta(days=20))
    page = home(sign_in(app.test_client(), people["lab"]))
    new = section(page, "home-new-signups")
    assert "1 candidature envoyée ces 7 derniers jours." in text_of(new)
    assert links(new) == [f"/lab/volunteers?submitted_from={(TODAY - timedelta(days=7)).isoformat()}"]
    soon = section(page, "home-closing")
    assert [(text_of(link), link["href"]) for link in soon.select("li > a")] == [
        ("Clôture proche", f"/lab/calls/{closing.id}")]
    assert links(soon)[-1] == "/lab/calls"
    budgets = section(page, "home-budgets")
    assert "1 dotation en cours a utilisé 80\u00a0% ou plus de son temps." in text_of(budgets)
    assert links(budgets) == ["/lab/volunteers?status=approved"]


def test_admin_sees_the_last_directory_import(app, people):
    page = home(sign_in(app.test_client(), people["admin"]))
    assert "L'annuaire n'a jamais été importé." in text_of(section(page, "home-import"))
    record("directory.import", rows=4, created=1, updated=2, deactivated=1, unchanged=0, reactivated=0)
    record("directory.import", rows=9, created=3, updated=5, deactivated=1, unchanged=0, reactivated=0)
    session.commit()
    block = section(home(sign_in(app.test_client(), people["admin"])), "home-import")
    assert "3 créations, 5 mises à jour, 1 désactivations" in text_of(block)
    assert links(block) == ["/admin/audit?action=directory.import"]
    assert "home-import" not in blocks(home(sign_in(app.test_client(), people["lab"])))


def test_a_deputy_sees_the_requests_of_the_manager_they_stand_in_for(app, people, make_call, make_user):
    from app.approvals.operations import delegate

    deputy = make_user("dana.deputy")
    assert "home-inbox" not in blocks(home(sign_in(app.test_client(), deputy)))
    sign_up(make_call().id, people["agent"], "Motivé", Decimal(10))
    delegate(people["manager"], deputy, TODAY, TODAY + timedelta(days=3))
    session.commit()
    inbox = section(home(sign_in(app.test_client(), deputy)), "home-inbox")
    assert texts(inbox, "p")[0] == "1 demande attend votre décision. La plus ancienne est arrivée aujourd'hui."


def test_requests_to_decide_are_in_the_navigation_of_managers_of_an_active_agent(app, people, make_user):
    """Read with the signed-in agent in its one query: the manager of an active agent has the link; an agent, or a
    manager whose only report left, has not."""
    former = make_user("former.boss")
    make_user("gone.agent", manager=former, active=False)
    links = {login: texts(read_page(sign_in(app.test_client(), user), "/accessibility"), "nav a")
             for login, user in (("manager", people["manager"]), ("agent", people["agent"]), ("former", former))}
    assert "Demandes à valider" in links["manager"]
    assert "Demandes à valider" not in links["agent"] and "Demandes à valider" not in links["former"]
