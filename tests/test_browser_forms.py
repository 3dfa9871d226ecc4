"""Forms in a real browser, in French: decimals with a comma kept in their fields, errors summed up and focused."""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app.budgets.models import Allocation
from app.budgets.operations import log_time
from app.database import session
from app.demo.data import DEMO_ACCOUNTS
from app.directory.models import User
from tests.test_browser import axe_check, chromium, live_app, page, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
TITLE = "Réseau des facilitateurs de l'accueil"


@pytest.fixture
def open_call(live_app):
    """A published call asking 158,5 hours in total over a year, open to every agent."""
    from datetime import datetime, timedelta, timezone

    from app.calls.operations import create_call, publish

    with live_app.app_context():
        lab = session.query(User).filter_by(login=DEMO_ACCOUNTS["lab"]).one()
        call = create_call(lab, audience_units=[], title=TITLE, summary="Accueillir autrement.", body="",
                           capacity=None, deadline=datetime.now(timezone.utc) + timedelta(days=5),
                           audience_all=True, commitment_kind="total_hours", commitment_value=Decimal("158.5"),
                           start_date=date.today() + timedelta(days=10), end_date=date.today() + timedelta(days=360),
                           needs_manager_agreement=True, contact="")
        publish(call, lab)
        session.commit()
        return call.id


def open_sign_up_form(page, call_id):
    sign_in(page, DEMO_ACCOUNTS["agent"])
    page.goto(f"/calls/{call_id}")
    page.get_by_role("link", name="Candidater à cet appel").click()


def test_editing_an_entry_of_one_and_a_half_hours_shows_1_5(page, live_app):
    with live_app.app_context():
        agent = session.query(User).filter_by(login=DEMO_ACCOUNTS["agent"]).one()
        allocation = session.query(Allocation).filter_by(agent_id=agent.id).one()
        entry, _ = log_time(allocation, agent, date.today(), Decimal("1.5"), "Atelier d'une heure et demie")
        session.commit()
        entry_id = entry.id
    sign_in(page, DEMO_ACCOUNTS["agent"])
    page.goto(f"/my/budget/entries/{entry_id}/edit")
    expect(page.get_by_role("textbox", name="Heures")).to_have_value("1,5")
    page.get_by_role("textbox", name="Heures").fill("1,75")
    page.get_by_role("button", name=re.compile("Enregistrer")).click()
    expect(page.locator(".flashes")).to_contain_text("modifiée")
    with live_app.app_context():
        from app.budgets.models import TimeEntry
        assert session.get(TimeEntry, entry_id).hours == Decimal("1.75")


def test_a_sign_up_sent_empty_lands_on_the_error_summary(page, open_call):
    open_sign_up_form(page, open_call)
    page.get_by_label(re.compile("Temps que vous demandez")).fill("")
    page.get_by_role("button", name="Envoyer ma candidature").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text(re.compile(r"Il y a \d+ erreurs?"))
    links = summary.get_by_role("link")
    assert links.count() >= 2
    for index in range(links.count()):
        target = links.nth(index).get_attribute("href")
        assert page.locator(target).count() == 1, target
    results = axe_check(page)
    assert results.violations_count == 0, results.generate_report()
    links.first.click()
    expect(page.get_by_label("Pourquoi souhaitez-vous participer")).to_be_focused()


def test_the_time_proposed_with_a_comma_is_in_the_field_and_is_sent(page, live_app, open_call):
    open_sign_up_form(page, open_call)
    hours = page.get_by_role("textbox", name=re.compile("Temps que vous demandez"))
    expect(hours).to_have_value("158,5")
    hours.fill("1 607,25")
    page.get_by_role("button", name="Envoyer ma candidature").click()  # the motivation is missing, and too much time
    expect(page.get_by_role("textbox", name=re.compile("Temps que vous demandez"))).to_have_value("1 607,25")
    page.get_by_role("textbox", name=re.compile("Temps que vous demandez")).fill("158,5")
    page.get_by_label("Pourquoi souhaitez-vous participer").fill("J'accueille des usagers tous les jours.")
    page.get_by_role("button", name="Envoyer ma candidature").click()
    page.wait_for_url("**/my/sign-ups**")
    with live_app.app_context():
        from app.signups.models import SignUp
        assert session.query(SignUp).filter_by(call_id=open_call).one().hours_asked == Decimal("158.5")


def test_the_call_form_with_errors_opens_its_units_and_passes_axe(page, live_app):
    sign_in(page, DEMO_ACCOUNTS["lab"])
    page.goto("/lab/calls/new")
    units = page.locator("details.unit-choice")
    expect(units).not_to_have_attribute("open", "")
    expect(page.get_by_role("group", name="Temps demandé")).to_be_visible()
    page.get_by_label("Les agents des unités choisies").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(units).to_have_attribute("open", "")
    page.locator(".error-summary").get_by_role("link", name=re.compile("Unités")).click()
    expect(page.locator("#audience_units-0")).to_be_focused()
    results = axe_check(page)
    assert results.violations_count == 0, results.generate_report()
