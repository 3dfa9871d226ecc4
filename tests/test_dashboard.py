"""The lab's dashboard: figures of the year, their tables, and figures that a retention purge leaves alone."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.approvals.operations import approve, refuse
from app.budgets.operations import log_time
from app.budgets.queries import hours_between, overview_by_directorate
from app.dashboard.queries import hours_per_month, manager_decisions, participation_by_category, signups_per_call
from app.database import session
from app.privacy.operations import purge
from app.signups.operations import sign_up
from tests.conftest import sign_in
from tests.pages import read_page, table_rows, text_of

YEAR = date.today().year


@pytest.fixture
def activity(people, make_call, make_user):
    """A call over the whole year: three sign-ups, two decided (one after two days), time logged in January."""
    call = make_call(title="Réseau annuel", start_date=date(YEAR, 1, 1), end_date=date(YEAR, 12, 31),
                     capacity=None)
    agents = [make_user(manager=people["manager"]) for _ in range(3)]
    signups = [sign_up(call.id, agent, "Oui", Decimal(365))[0] for agent in agents]
    allocation = approve(signups[0], people["manager"])
    log_time(allocation, agents[0], date(YEAR, 1, 10), Decimal(3), today=date(YEAR, 1, 31))
    signups[1].manager_asked_at = datetime.now(timezone.utc) - timedelta(days=2)
    signups[1].submitted_at = datetime.now(timezone.utc) - timedelta(days=9)  # a week on a waiting list first
    refuse(signups[1], people["manager"], "Pas cette année")
    session.commit()
    return call


def test_figures(app, activity):
    (call,), calls = signups_per_call(YEAR)
    assert calls == 1
    assert call.total == 3 and call.counts["approved"] == 1 and call.counts["refused"] == 1
    assert call.counts["pending_manager"] == 1
    months = hours_per_month(YEAR)
    days = 366 if YEAR % 4 == 0 else 365
    assert months[0] == (date(YEAR, 1, 1), (Decimal(365) * 31 / days).quantize(Decimal("0.01")), Decimal(3))
    assert sum(agreed for _, agreed, _ in months) == pytest.approx(365, abs=0.1)
    decisions = manager_decisions(YEAR)
    assert (decisions.approved, decisions.refused, decisions.approval_rate) == (1, 1, 0.5)
    assert decisions.median_days == pytest.approx(1.0, abs=0.1)  # 0 and 2 days


def test_page_charts_tables_and_purge(app, people, activity):
    client = sign_in(app.test_client(), people["lab"])
    page = read_page(client, "/lab/dashboard")
    assert len(page.select("main figure.chart")) == 4 and len(page.select("main caption[id]")) == 4
    assert not page.select("script")
    text = text_of(page.main)
    assert "1 acceptées sur 3 candidatures" in text and "50\u00a0%" in text
    assert "Réseau annuel" in [row[0] for row in table_rows(page, "calls-caption")]
    figures = [signups_per_call(YEAR), hours_per_month(YEAR), manager_decisions(YEAR), participation_by_category(YEAR)]
    purge(today=date(YEAR + 3, 1, 1))
    session.commit()
    assert [signups_per_call(YEAR), hours_per_month(YEAR), manager_decisions(YEAR),
            participation_by_category(YEAR)] == figures
    assert len(read_page(client, "/lab/dashboard").select("main figure.chart")) == 4
    assert sign_in(app.test_client(), people["manager"]).get("/lab/dashboard").status_code == 403


def test_opens_on_the_year_of_the_open_calls_when_this_year_is_empty(app, people, make_call):
    from app.dashboard.queries import year_that_matters

    make_call(title="Saison prochaine", start_date=date(YEAR + 1, 1, 1), end_date=date(YEAR + 1, 6, 30))
    assert year_that_matters() == YEAR + 1
    client = sign_in(app.test_client(), people["lab"])
    read_page(client, "/lab/dashboard", h1=f"Tableau de bord — {YEAR + 1}")
    read_page(client, f"/lab/dashboard?year={YEAR}", h1=f"Tableau de bord — {YEAR}")


def test_opens_on_this_year_while_it_holds_allocations(app, activity, make_call):
    from app.dashboard.queries import year_that_matters

    make_call(title="Saison prochaine", start_date=date(YEAR + 1, 1, 1), end_date=date(YEAR + 1, 6, 30))
    assert year_that_matters() == YEAR


def test_the_database_spreads_hours_as_the_budgets_do(app, people, make_call, make_user):
    """The hours agreed per month and per directorate, summed by the database, are the budgets' own spread of each
    allocation over its days: across a new year, over 29 February, longer than the year, on a single day."""
    spans = [(date(2027, 12, 1), date(2028, 1, 31), Decimal(62)), (date(2028, 2, 10), date(2028, 3, 5), Decimal("7.25")),
             (date(2027, 3, 15), date(2029, 2, 14), Decimal(300)), (date(2028, 6, 30), date(2028, 6, 30), Decimal("0.25"))]
    call = make_call(capacity=None, start_date=date(2027, 3, 15), end_date=date(2029, 2, 14))
    allocations = []
    for start, end, hours in spans:
        allocation = approve(sign_up(call.id, make_user(manager=people["manager"]), "Oui", hours)[0], people["manager"])
        allocation.start_date, allocation.end_date, allocation.hours = start, end, hours
        allocations.append(allocation)
    session.commit()
    months = hours_per_month(2028)
    for (month, agreed, _), following in zip(months, [first for first, *_ in months[1:]] + [date(2029, 1, 1)]):
        spread = sum(hours_between(a.hours, a.start_date, a.end_date, month, following - timedelta(days=1))
                     for a in allocations)
        assert agreed == spread.quantize(Decimal("0.01")), month
    long_share = Decimal(300) / 703  # 703 days from 15 March 2027 to 14 February 2029, 29 February 2028 among them
    assert months[0][1] == (31 + 31 * long_share).quantize(Decimal("0.01")) == Decimal("44.23")
    assert months[1][1] == (Decimal("7.25") * 20 / 25 + 29 * long_share).quantize(Decimal("0.01"))
    (directorate,) = overview_by_directorate(2028)
    in_year = sum(hours_between(a.hours, a.start_date, a.end_date, date(2028, 1, 1), date(2028, 12, 31))
                  for a in allocations)
    assert directorate.agents == 4 and directorate.allocated == in_year.quantize(Decimal("0.01"))
    assert overview_by_directorate(2026) == []


def test_the_busiest_calls_are_shown_and_the_list_of_calls_has_the_others(app, people, make_call, make_user):
    agents = [make_user(manager=people["manager"]) for _ in range(2)]
    for number in range(21):
        call = make_call(title=f"Appel {number:02d}", start_date=date(YEAR, 3, 1), end_date=date(YEAR, 6, 30),
                         capacity=None)
        for agent in agents[:1 + (number == 20)]:
            sign_up(call.id, agent, "Oui", Decimal(7))
    session.commit()
    calls, with_signups = signups_per_call(YEAR)
    assert with_signups == 21 and len(calls) == 20
    assert (calls[0].title, calls[0].total, calls[0].counts["pending_manager"]) == ("Appel 20", 2, 2)
    assert [call.title for call in calls[1:]] == [f"Appel {number:02d}" for number in range(19)]
    page = read_page(sign_in(app.test_client(), people["lab"]), "/lab/dashboard")
    assert len(table_rows(page, "calls-caption")) == 20
    assert "Les 20 appels ayant le plus de candidatures, sur 21 appels avec des candidatures" in text_of(page.main)
    assert page.main.find("a", string="Tous les appels et leurs candidatures")["href"] == "/lab/calls"
