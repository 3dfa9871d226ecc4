"""Today and this month are the intranet's (ALLIES_TIMEZONE), not the server's: at 23:30 UTC on 31 December it is
already 1 January in Paris, and every rule that reads "today" says so."""

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from app.api.operations import create_token
from app.approvals.operations import approve, delegate, send_reminders
from app.approvals.queries import allocated_this_year, delegations_of, managers_deputised_by
from app.budgets.models import Allocation, TimeEntry
from app.budgets.operations import can_change, log_time
from app.refusals import Refusal
from app.database import session
from app.clock import local_day, local_midnight, local_now, local_today
from app.exports.volunteers import facilitator_allocations, file_name
from app.signups.operations import sign_up, withdraw
from tests.conftest import sign_in
from tests.pages import field_value, one, parse_page, read_page, text_of

NEW_YEAR_IN_PARIS = datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)  # 00:30 on 1 January 2027 in Paris
NEW_YEAR, OLD_YEAR_EVE = date(2027, 1, 1), date(2026, 12, 31)


@pytest.fixture
def frozen():
    """The clock stopped at 23:30 UTC on 31 December 2026."""
    with time_machine.travel(NEW_YEAR_IN_PARIS, tick=False):
        yield


@pytest.fixture
def allocation(frozen, people, make_call):
    """The agent's allocation of 20 h from 1 December 2026 to 30 June 2027."""
    call = make_call(title="Réseau des facilitateurs", start_date=date(2026, 12, 1), end_date=date(2027, 6, 30),
                     needs_manager_agreement=True)
    signup, *_ = sign_up(call.id, people["agent"], "Motivation", Decimal(20))
    allocation = approve(signup, people["manager"])
    session.commit()
    return allocation


def test_the_helpers_read_the_intranet_clock(app, frozen):
    assert local_today() == NEW_YEAR and local_now().hour == 0 and local_now().minute == 30
    assert local_day(NEW_YEAR_IN_PARIS) == NEW_YEAR and local_day(NEW_YEAR_IN_PARIS.replace(tzinfo=None)) == NEW_YEAR
    assert local_midnight(NEW_YEAR) == datetime(2026, 12, 31, 23, tzinfo=timezone.utc)


def test_time_for_the_first_of_january_is_accepted_at_half_past_midnight_in_paris(app, people, allocation):
    client = sign_in(app.test_client(), people["agent"])
    response = client.post(f"/my/budget/allocations/{allocation.id}",
                           data={"day": "2027-01-01", "hours": "1", "note": "Vœux"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert session.execute(select(TimeEntry.day)).scalar_one() == NEW_YEAR
    page = read_page(client, f"/my/budget/allocations/{allocation.id}")
    assert field_value(page, "day") == "2027-01-01", "the form proposes Paris's day"
    assert text_of(read_page(client, "/my/budget").h1).endswith("— 2027"), "the year shown is Paris's"
    token = create_token(people["agent"], "Intranet")[1]
    session.commit()
    answer = app.test_client().get("/api/v1/me/budget", headers={"Authorization": f"Bearer {token}"})
    assert json.loads(answer.data)["year"] == 2027, answer.get_data(as_text=True)[:300]


def test_december_is_closed_once_january_begins_in_paris(app, people, allocation):
    with time_machine.travel(datetime(2026, 12, 31, 12, tzinfo=timezone.utc), tick=False):
        entry, _ = log_time(allocation, people["agent"], OLD_YEAR_EVE, Decimal(1))
        session.commit()
        assert can_change(entry, people["agent"])
    assert not can_change(entry, people["agent"]), "December is a past month in Paris"
    with pytest.raises(Refusal, match="mois passés sont clos"):
        log_time(allocation, people["agent"], OLD_YEAR_EVE, Decimal(1))
    client = sign_in(app.test_client(), people["agent"])
    assert client.post(f"/my/budget/entries/{entry.id}/delete").status_code in (302, 403, 404)
    assert session.get(TimeEntry, entry.id) is not None


def test_delegations_start_and_end_on_paris_days(app, frozen, people, make_user):
    starting, ended = make_user("dana.deputy"), make_user("yann.deputy")
    delegate(people["manager"], starting, NEW_YEAR, date(2027, 1, 9))
    delegate(people["manager"], ended, date(2026, 12, 20), OLD_YEAR_EVE)
    session.commit()
    assert managers_deputised_by(starting) == [people["manager"].id]
    assert managers_deputised_by(ended) == []
    assert [delegation.deputy_id for delegation in delegations_of(people["manager"])] == [starting.id]
    client = sign_in(app.test_client(), people["manager"])
    response = client.post("/approvals/delegation", data={"deputy": "dana.deputy", "start_date": "2026-12-24",
                                                          "end_date": "2026-12-31"})
    assert response.status_code == 200, "a delegation cannot end on a day already over in Paris"
    assert len(delegations_of(people["manager"])) == 1


def test_withdrawing_ends_the_allocation_on_pariss_day(app, people, allocation):
    withdraw(allocation.signup, people["agent"])
    session.commit()
    session.expire_all()
    assert session.get(Allocation, allocation.id).end_date == NEW_YEAR


def test_exports_are_named_and_filtered_on_pariss_day(app, people, allocation, make_call):
    ended = make_call(title="Fini la veille", start_date=date(2026, 6, 1), end_date=OLD_YEAR_EVE,
                      needs_manager_agreement=True)
    signup, *_ = sign_up(ended.id, people["lab"], "Motivation", Decimal(4))
    approve(signup, people["manager"])
    session.commit()
    running = session.execute(facilitator_allocations()).scalars().all()
    assert [row.id for row in running] == [allocation.id], "an allocation ended on 31 December is over in Paris"
    assert file_name("Réseau des facilitateurs", "ods") == "reseau-des-facilitateurs-2027-01-01.ods"
    response = sign_in(app.test_client(), people["lab"]).post("/lab/facilitators/export", data={"file_format": "csv"})
    assert response.status_code == 200 and "Martin" in response.get_data(as_text=True)
    assert "2027-01-01.csv" in response.headers["Content-Disposition"]
    response = sign_in(app.test_client(), people["agent"]).get("/my/data.json")
    assert response.status_code == 200 and response.get_data(as_text=True)
    assert "2027-01-01.json" in response.headers["Content-Disposition"]


def test_the_year_of_allocations_is_pariss(app, people, allocation, make_call):
    later = make_call(title="Appel 2027", start_date=NEW_YEAR, end_date=date(2027, 3, 31))
    signup, *_ = sign_up(later.id, people["lab"], "Motivation", Decimal(6))
    approve(signup, people["manager"])
    session.commit()
    assert allocated_this_year([people["lab"].id, people["agent"].id]) == {people["lab"].id: Decimal(6)}


def test_reminders_count_working_days_from_the_day_asked_in_paris(app, people, make_call):
    call = make_call(title="Demande de fin d'année", needs_manager_agreement=True)
    signup, *_ = sign_up(call.id, people["agent"], "Motivation", Decimal(4))
    # Asked at 23:30 UTC on Sunday 3 January 2027: Monday 4 January in Paris.
    signup.submitted_at = signup.manager_asked_at = datetime(2027, 1, 3, 23, 30, tzinfo=timezone.utc)
    session.commit()
    # Three working days (the reminder's wait) after Monday 4 is Thursday 7; counted from Sunday it would be Wednesday.
    assert send_reminders(today=date(2027, 1, 6))["reminder"] == 0
    assert send_reminders(today=date(2027, 1, 7))["reminder"] == 1


@pytest.mark.parametrize("zone, moment, accepted", [
    # 13:30 UTC on 31 December: half past midnight on 1 January in Nouméa, still the afternoon of the 31st in Paris.
    ("Pacific/Noumea", datetime(2026, 12, 31, 13, 30, tzinfo=timezone.utc), True),
    ("Europe/Paris", datetime(2026, 12, 31, 13, 30, tzinfo=timezone.utc), False),
    # 01:30 UTC on 1 January: already January in Paris, still 22:30 on the 31st in Cayenne.
    ("America/Cayenne", datetime(2027, 1, 1, 1, 30, tzinfo=timezone.utc), False),
    ("Europe/Paris", datetime(2027, 1, 1, 1, 30, tzinfo=timezone.utc), True),
])
def test_the_intranet_time_zone_is_read_from_the_configuration(app_factory, people, make_call, zone, moment,
                                                                accepted):
    other = app_factory(ALLIES_TIMEZONE=zone)
    with time_machine.travel(moment, tick=False):
        with other.app_context():
            assert local_today() == (NEW_YEAR if accepted else OLD_YEAR_EVE)
        call = make_call(title="Réseau", start_date=date(2026, 12, 1), end_date=date(2027, 6, 30))
        signup, *_ = sign_up(call.id, people["agent"], "Motivation", Decimal(20))
        allocation = approve(signup, people["manager"])
        session.commit()
        response = sign_in(other.test_client(), people["agent"]).post(
            f"/my/budget/allocations/{allocation.id}", data={"day": "2027-01-01", "hours": "1", "note": ""})
    assert (response.status_code == 302) is accepted, response.get_data(as_text=True)[:300]
    if not accepted:
        assert "jour à venir" in text_of(one(parse_page(response, status=422), "#day-error"))
