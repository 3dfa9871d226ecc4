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
from tests.test_browser import chromium, live_app, page, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


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
