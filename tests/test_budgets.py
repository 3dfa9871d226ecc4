"""Time budgets: logging time within the allocation and never past 100 %, warnings, entries of the current month,
extensions decided like requests, downward revisions, and the pages that show them."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import format_decimal
from sqlalchemy import func, select

from app.approvals.models import Decision
from app.approvals.operations import approve, delegate
from app.audit.models import AuditEntry
from app.budgets.models import Allocation, Extension, TimeEntry
from app.budgets.operations import log_time, request_extension
from app.refusals import Refusal
from app.budgets.queries import budgets, hours_in_year, pace_on
from app.database import session
from app.mail.models import OutboxMessage
from app.signups.operations import sign_up
from tests.conftest import sign_in
from tests.pages import error_summary, field_value, flashes, one, parse_page, read_page, table_rows, text_of, texts
from tests.test_signups import post_together

TODAY = date.today()


@pytest.fixture
def allocation(people, make_call):
    """The agent's allocation of 10 h, running from 60 days ago to 60 days ahead."""
    call = make_call(title="Réseau des facilitateurs", start_date=TODAY - timedelta(days=60),
                     end_date=TODAY + timedelta(days=60))
    signup, *_ = sign_up(call.id, people["agent"], "Motivation très personnelle", Decimal(10))
    allocation = approve(signup, people["manager"])
    session.commit()
    return allocation


@pytest.fixture
def agent_client(app, people):
    return sign_in(app.test_client(), people["agent"])


@pytest.fixture
def manager_client(app, people):
    return sign_in(app.test_client(), people["manager"])


def entries():
    return session.execute(select(TimeEntry).order_by(TimeEntry.id)).scalars().all()


def used(allocation):
    session.expire_all()
    return budgets([session.get(Allocation, allocation.id)])[0].used


def log(client, allocation, day=TODAY, hours="1", note="Atelier"):
    return client.post(f"/my/budget/allocations/{allocation.id}",
                       data={"day": day.isoformat(), "hours": hours, "note": note})


class TestLogging:
    def test_logging_time_in_quarter_hours(self, agent_client, allocation):
        response = log(agent_client, allocation, hours="1,75", note="Atelier accueil")
        assert response.status_code == 302
        (entry,) = entries()
        assert entry.hours == Decimal("1.75") and entry.day == TODAY and entry.note == "Atelier accueil"
        page = read_page(agent_client, response.headers["Location"])
        assert [category for category, text in flashes(page) if "Temps enregistré" in text] == ["success"]
        assert [row[1:3] for row in table_rows(page, "entries-caption")] == [["1,75 h", "Atelier accueil"]]

    @pytest.mark.parametrize("fields, field, message", [
        ({"hours": "1,1"}, "hours", "quarts d'heure"),
        ({"hours": "0"}, "hours", "entre un quart d'heure et 24 heures"),
        ({"hours": "25"}, "hours", "entre un quart d'heure et 24 heures"),
        ({"hours": "deux"}, "hours", "Saisissez un nombre"),
        ({"hours": ""}, "hours", "Indiquez les heures"),
        ({"day": (TODAY + timedelta(days=1)).isoformat()}, "day", "jour à venir"),
        ({"day": (TODAY - timedelta(days=61)).isoformat()}, "day", "la période de cette dotation"),
        ({"day": ""}, "day", "Indiquez le jour"),
    ])
    def test_bad_input_gets_a_field_message_and_writes_nothing(self, agent_client, allocation, fields, field,
                                                              message):
        data = {"day": TODAY.isoformat(), "hours": "1", "note": "Note gardée", **fields}
        page = parse_page(agent_client.post(f"/my/budget/allocations/{allocation.id}", data=data), status=422)
        assert message in text_of(one(page, f"#{field}-error"))
        assert one(page, f"[name={field}]")["aria-invalid"] == "true"
        assert field_value(page, "note") == "Note gardée"  # nothing typed is lost
        assert entries() == []

    def test_warnings_at_80_and_100_percent(self, agent_client, allocation):
        log(agent_client, allocation, hours="7,75")
        assert "Attention" not in text_of(read_page(agent_client, f"/my/budget/allocations/{allocation.id}").main)
        response = log(agent_client, allocation, hours="0,25")  # 8 h of 10: 80 %
        page = text_of(read_page(agent_client, response.headers["Location"]).main)
        assert "Vous avez utilisé 80\u00a0% de votre temps" in page and "80\u00a0% atteints" in page
        response = log(agent_client, allocation, hours="2")
        page = text_of(read_page(agent_client, response.headers["Location"]).main)
        assert "Vous avez utilisé 100\u00a0% de votre temps" in page and "100\u00a0% atteints" in page
        assert [row[6] for row in table_rows(read_page(agent_client, "/my/budget"), "allocations-caption")] == [
            "100\u00a0% atteints"]

    def test_past_100_percent_is_refused_and_points_to_the_extension(self, agent_client, allocation):
        log(agent_client, allocation, hours="9")
        response = log(agent_client, allocation, hours="1,25")
        page = parse_page(response, status=422)
        assert "Vous dépasseriez les 10 h accordées (reste\u00a0: 1 h)" in text_of(one(page, "#hours-error"))
        assert one(page, f"main a[href='/my/budget/allocations/{allocation.id}/extension']")
        assert used(allocation) == Decimal(9)

    def test_an_agent_cannot_log_on_another_agents_allocation(self, app, allocation, make_user, people):
        other = sign_in(app.test_client(), make_user(manager=people["manager"]))
        assert log(other, allocation).status_code == 404
        assert other.get(f"/my/budget/allocations/{allocation.id}").status_code == 404
        with pytest.raises(Refusal):
            log_time(allocation, people["manager"], TODAY, Decimal(1))
        assert entries() == []

    def test_an_allocation_not_started_has_no_form(self, agent_client, people, make_call):
        call = make_call(title="Plus tard", start_date=TODAY + timedelta(days=10), end_date=TODAY + timedelta(days=40))
        signup, *_ = sign_up(call.id, people["agent"], "Oui", Decimal(5))
        later = approve(signup, people["manager"])
        session.commit()
        page = read_page(agent_client, f"/my/budget/allocations/{later.id}")
        assert "pourrez saisir du temps à partir de ce jour" in text_of(page.main) and not page.select("[name=hours]")
        assert log(agent_client, later).status_code == 422


    def test_a_day_has_24_hours_across_allocations(self, agent_client, people, allocation, make_call):
        call = make_call(title="Autre", start_date=TODAY - timedelta(days=5), end_date=TODAY + timedelta(days=5))
        signup, *_ = sign_up(call.id, people["agent"], "Oui", Decimal(30))
        other = approve(signup, people["manager"])
        log_time(other, people["agent"], TODAY, Decimal(20))
        session.commit()
        response = log(agent_client, allocation, hours="4,25")
        assert "Vous avez déjà saisi 20 h ce jour-là" in text_of(parse_page(response, status=422).main)
        assert log(agent_client, allocation, hours="4").status_code == 302


class TestEntries:
    def test_change_and_delete_an_entry_of_the_current_month(self, agent_client, allocation):
        log(agent_client, allocation, hours="2")
        (entry,) = entries()
        response = agent_client.post(f"/my/budget/entries/{entry.id}/edit",
                                     data={"day": TODAY.isoformat(), "hours": "3,5", "note": "Corrigé"})
        assert response.status_code == 302
        session.expire_all()
        assert entries()[0].hours == Decimal("3.5") and entries()[0].note == "Corrigé"
        assert agent_client.post(f"/my/budget/entries/{entry.id}/delete").status_code == 302
        assert entries() == []

    def test_a_change_cannot_pass_100_percent(self, agent_client, allocation):
        log(agent_client, allocation, hours="6")
        log(agent_client, allocation, hours="3")
        first = entries()[0]
        response = agent_client.post(f"/my/budget/entries/{first.id}/edit",
                                     data={"day": TODAY.isoformat(), "hours": "7,5", "note": ""})
        assert "(reste\u00a0: 7 h)" in text_of(parse_page(response, status=422).main)
        assert used(allocation) == Decimal(9)
        response = agent_client.post(f"/my/budget/entries/{first.id}/edit",
                                     data={"day": TODAY.isoformat(), "hours": "7", "note": ""})
        assert response.status_code == 302 and used(allocation) == Decimal(10)

    def test_entries_of_past_months_are_closed(self, agent_client, people, allocation):
        last_month = TODAY.replace(day=1) - timedelta(days=1)
        entry, _ = log_time(allocation, people["agent"], last_month, Decimal(1), today=last_month)  # logged then
        session.commit()
        assert agent_client.get(f"/my/budget/entries/{entry.id}/edit").status_code == 404
        assert agent_client.post(f"/my/budget/entries/{entry.id}/delete").status_code == 404
        page = read_page(agent_client, f"/my/budget/allocations/{allocation.id}")
        assert "Les mois passés sont clos" in text_of(page.main)
        log(agent_client, allocation)
        current = entries()[-1]
        response = agent_client.post(f"/my/budget/entries/{current.id}/edit",
                                     data={"day": last_month.isoformat(), "hours": "1", "note": ""})
        assert "mois en cours" in text_of(parse_page(response, status=422).main)

    def test_an_agent_cannot_touch_another_agents_entries(self, app, people, allocation, make_user):
        entry, _ = log_time(allocation, people["agent"], TODAY, Decimal(1))
        session.commit()
        other = sign_in(app.test_client(), make_user(manager=people["manager"]))
        assert other.get(f"/my/budget/entries/{entry.id}/edit").status_code == 404
        assert other.post(f"/my/budget/entries/{entry.id}/edit", data={"day": TODAY.isoformat(),
                                                                       "hours": "5"}).status_code == 404
        assert other.post(f"/my/budget/entries/{entry.id}/delete").status_code == 404
        assert len(entries()) == 1 and entries()[0].hours == Decimal(1)


class TestExtension:
    def test_full_budget_then_extension_approved_less_then_more_time_logged(self, agent_client, manager_client,
                                                                            people, allocation):
        log(agent_client, allocation, hours="10")
        response = agent_client.post(f"/my/budget/allocations/{allocation.id}/extension", data={
            "extra_hours": "6", "new_end_date": (TODAY + timedelta(days=90)).isoformat(), "note": "Deux ateliers"})
        assert response.status_code == 302
        extension = session.execute(select(Extension)).scalar_one()
        mail = session.execute(select(OutboxMessage).where(OutboxMessage.recipient_id == people["manager"].id)
                               .order_by(OutboxMessage.id.desc())).scalars().first()
        assert "prolongation" in mail.subject and "/decide/link-token-slot-1" in mail.body_text
        inbox = read_page(manager_client, "/approvals")
        assert "Prolongations demandées" in texts(inbox, "main h2")
        [extension_row] = inbox.select("#extensions-caption ~ tbody > tr")
        assert extension_row.select_one(f"a[href='/approvals/extensions/{extension.id}']")
        page = text_of(read_page(manager_client, f"/approvals/extensions/{extension.id}").main)
        assert "Deux ateliers" in page and "Motivation très personnelle" not in page
        response = manager_client.post(f"/approvals/extensions/{extension.id}",
                                       data={"outcome": "approve_less", "hours": "4"})
        assert response.status_code == 302
        session.expire_all()
        extended = session.get(Allocation, allocation.id)
        assert extended.hours == Decimal(14) and extended.end_date == TODAY + timedelta(days=90)
        decision = session.execute(select(Decision).where(Decision.kind == "extension")).scalar_one()
        assert (decision.hours_asked, decision.hours_agreed) == (Decimal(6), Decimal(4))
        assert log(agent_client, allocation, hours="4").status_code == 302
        assert used(allocation) == Decimal(14)

    def test_refusal_needs_a_reason_and_changes_nothing(self, agent_client, manager_client, people, allocation):
        extension = request_extension(allocation, people["agent"], Decimal(2), None)
        session.commit()
        response = manager_client.post(f"/approvals/extensions/{extension.id}", data={"outcome": "refuse"})
        assert "Indiquez le motif du refus" in text_of(parse_page(response, status=422).main)
        manager_client.post(f"/approvals/extensions/{extension.id}",
                            data={"outcome": "refuse", "reason": "Période chargée"})
        session.expire_all()
        assert session.get(Extension, extension.id).status == "refused"
        assert session.get(Allocation, allocation.id).hours == Decimal(10)
        mail = session.execute(select(OutboxMessage).where(OutboxMessage.recipient_id == people["agent"].id)
                               .order_by(OutboxMessage.id.desc())).scalars().first()
        assert "refusée" in mail.subject and "Période chargée" in mail.body_text

    @pytest.mark.parametrize("fields, message", [
        ({}, "plus d'heures, une fin plus tardive, ou les deux"),
        ({"extra_hours": "1,1"}, "quarts d'heure"),
        ({"new_end_date": TODAY.isoformat()}, "après la fin actuelle"),
    ])
    def test_bad_extension_requests(self, agent_client, allocation, fields, message):
        page = parse_page(agent_client.post(f"/my/budget/allocations/{allocation.id}/extension",
                                            data={"note": "Je garde ce texte", **fields}), status=422)
        assert message in " ".join(message for _, message in error_summary(page))
        assert field_value(page, "note") == "Je garde ce texte"
        assert session.execute(select(func.count(Extension.id))).scalar_one() == 0

    @pytest.mark.parametrize("fields, message", [
        ({"extra_hours": "1e30"}, "au plus"),
        ({"extra_hours": "100000"}, "au plus"),
        ({"extra_hours": "-2"}, "au plus"),
        ({"new_end_date": (TODAY + timedelta(days=60 + 367)).isoformat()}, "au plus un an plus tard"),
    ])
    def test_extensions_stay_within_working_time_and_a_year(self, agent_client, allocation, fields, message):
        response = agent_client.post(f"/my/budget/allocations/{allocation.id}/extension", data=fields)
        assert message in text_of(parse_page(response, status=422).main)
        assert session.execute(select(func.count(Extension.id))).scalar_one() == 0

    def test_an_ended_sign_up_cancels_its_extension_and_cannot_be_extended(self, app, people, allocation):
        from app.approvals.operations import approve_extension, revise_allocation
        from app.signups.operations import decline

        extension = request_extension(allocation, people["agent"], Decimal(2), TODAY + timedelta(days=90))
        decline(allocation.signup, people["lab"], "Le projet s'arrête.")
        session.commit()
        session.expire_all()
        ended = session.get(Allocation, allocation.id)
        assert ended.end_date == TODAY and session.get(Extension, extension.id).status == "cancelled"
        with pytest.raises(Refusal):
            approve_extension(session.get(Extension, extension.id), people["manager"])
        with pytest.raises(Refusal, match="pris fin"):
            revise_allocation(ended, people["manager"], Decimal(5), "Fin")
        with pytest.raises(Refusal, match="pris fin"):
            request_extension(ended, people["agent"], Decimal(1), None)
        team = read_page(sign_in(app.test_client(), people["manager"]), "/approvals/team")
        assert "Réduire" not in text_of(team.main)

    def test_one_pending_extension_at_a_time(self, people, allocation):
        request_extension(allocation, people["agent"], Decimal(2), None)
        with pytest.raises(Refusal, match="attend déjà"):
            request_extension(allocation, people["agent"], Decimal(3), None)

    def test_a_deputy_decides_extensions_only_during_the_delegation(self, app, people, allocation, make_user):
        deputy = make_user("dana.deputy")
        delegation = delegate(people["manager"], deputy, TODAY + timedelta(days=1), TODAY + timedelta(days=5))
        extension = request_extension(allocation, people["agent"], Decimal(2), None)
        session.commit()
        deputy_client = sign_in(app.test_client(), deputy)
        assert deputy_client.get(f"/approvals/extensions/{extension.id}").status_code == 404  # not yet
        delegation.start_date = TODAY
        session.commit()
        assert deputy_client.post(f"/approvals/extensions/{extension.id}",
                                  data={"outcome": "approve"}).status_code == 302
        decision = session.execute(select(Decision).where(Decision.kind == "extension")).scalar_one()
        assert decision.decided_by_id == deputy.id and decision.on_behalf_of_id == people["manager"].id


class TestRevision:
    def test_revise_downward_with_a_reason(self, agent_client, manager_client, people, allocation):
        log(agent_client, allocation, hours="3")
        page = text_of(read_page(manager_client, "/approvals/team").main)
        assert "Réseau des facilitateurs" in page and "Motivation très personnelle" not in page
        response = manager_client.post(f"/approvals/allocations/{allocation.id}/revise",
                                       data={"hours": "6", "reason": "Réorganisation du service"})
        assert response.status_code == 302
        session.expire_all()
        assert session.get(Allocation, allocation.id).hours == Decimal(6)
        decision = session.execute(select(Decision).where(Decision.kind == "revision")).scalar_one()
        assert (decision.hours_asked, decision.hours_agreed, decision.outcome) == (Decimal(10), Decimal(6), "revised")
        audit = session.execute(select(AuditEntry).where(AuditEntry.action == "allocation.revised")).scalar_one()
        assert audit.details["hours_before"] == "10.00" and audit.details["reason"] == "Réorganisation du service"
        history = text_of(read_page(manager_client, "/approvals/history").main)
        assert "de 10 h à 6 h" in history and "Réorganisation du service" in history

    @pytest.mark.parametrize("fields, message", [
        ({"hours": "2", "reason": "Trop"}, "pas moins que les"),       # below the 3 h used
        ({"hours": "12", "reason": "Plus"}, "moins que les"),          # upward
        ({"hours": "5,1", "reason": "Quart"}, "quarts d'heure"),
        ({"hours": "5", "reason": ""}, "Indiquez le motif de la révision"),
    ])
    def test_bad_revisions_are_refused(self, agent_client, manager_client, allocation, fields, message):
        log(agent_client, allocation, hours="3")
        response = manager_client.post(f"/approvals/allocations/{allocation.id}/revise", data=fields)
        page = parse_page(response, status=422)
        assert message in " ".join(message for _, message in error_summary(page))
        session.expire_all()
        assert session.get(Allocation, allocation.id).hours == Decimal(10)

    def test_a_manager_outside_the_team_sees_nothing(self, app, people, allocation, make_user):
        stranger = make_user("other.manager")
        make_user(manager=stranger)
        client = sign_in(app.test_client(), stranger)
        assert client.get(f"/approvals/allocations/{allocation.id}/revise").status_code == 404
        assert client.post(f"/approvals/allocations/{allocation.id}/revise",
                           data={"hours": "5", "reason": "x"}).status_code == 404
        extension = request_extension(allocation, people["agent"], Decimal(2), None)
        session.commit()
        assert client.get(f"/approvals/extensions/{extension.id}").status_code == 404
        assert "Réseau des facilitateurs" not in text_of(read_page(client, "/approvals/team").main)
        assert "Réseau des facilitateurs" not in text_of(read_page(client, "/approvals").main)

    def test_an_escalation_gives_no_right_once_the_request_is_decided(self, app, people, allocation, make_user):
        from app.approvals.models import RequestReminder

        boss = make_user("bruno.boss")
        people["manager"].manager = boss
        session.add(RequestReminder(signup_id=allocation.signup_id, kind="escalation", recipient_id=boss.id,
                                    sent_on=TODAY))
        extension = request_extension(allocation, people["agent"], Decimal(2), None)
        session.commit()
        client = sign_in(app.test_client(), boss)
        assert client.get(f"/approvals/allocations/{allocation.id}/revise").status_code == 404
        assert client.get(f"/approvals/extensions/{extension.id}").status_code == 404

    def test_the_agent_cannot_decide_their_own_extension(self, agent_client, people, allocation):
        extension = request_extension(allocation, people["agent"], Decimal(2), None)
        session.commit()
        assert agent_client.get(f"/approvals/extensions/{extension.id}").status_code == 404
        assert agent_client.post(f"/approvals/extensions/{extension.id}", data={"outcome": "approve"}).status_code == 404
        assert agent_client.get(f"/approvals/allocations/{allocation.id}/revise").status_code == 404


class TestPages:
    def test_budget_page_figures_pace_and_charts(self, agent_client, people, allocation):
        log_time(allocation, people["agent"], TODAY - timedelta(days=40), Decimal("2.5"), today=TODAY - timedelta(days=40))
        log_time(allocation, people["agent"], TODAY, Decimal(1))
        session.commit()
        budget = budgets([allocation])[0]
        assert budget.used == Decimal("3.5") and budget.remaining == Decimal("6.5")
        assert budget.pace == pace_on(allocation, TODAY) == Decimal("5")  # 61 of 121 days of 10 h, to the quarter
        page = read_page(agent_client, "/my/budget")
        assert one(page, ".chart.bar-chart[aria-labelledby=allocations-title]") and not page.select("script")
        assert page.select("svg.bar[width='100%']")  # the words above it are HTML: they wrap on a phone
        row = table_rows(page, "allocations-caption")[0]
        assert row[2:6] == ["10 h", "3,5 h (35\u00a0%)", "6,5 h", "5 h"]
        detail = read_page(agent_client, f"/my/budget/allocations/{allocation.id}")
        assert detail.select("svg polyline") and "Rythme régulier" in text_of(detail.main)
        assert "aujourd'hui" in texts(detail, "svg text") and detail.select("table caption")

    def test_the_year_view_sums_every_allocation(self, agent_client, people, allocation, make_call):
        call = make_call(title="Second appel", start_date=TODAY - timedelta(days=10), end_date=TODAY + timedelta(days=10))
        signup, *_ = sign_up(call.id, people["agent"], "Encore", Decimal(4))
        second = approve(signup, people["manager"])
        log_time(allocation, people["agent"], TODAY, Decimal(2))
        log_time(second, people["agent"], TODAY, Decimal("1.5"))
        session.commit()
        page = read_page(agent_client, f"/my/budget?year={TODAY.year}")
        calls = sorted(row[0] for row in table_rows(page, "allocations-caption"))
        assert calls == ["Réseau des facilitateurs", "Second appel"]
        assert text_of(one(page, "#months-caption ~ tfoot td")).startswith("3,5 h, soit")

    def test_history_lists_decisions_taken_for_me(self, app, people, make_call, make_user):
        deputy = make_user("dana.deputy")
        delegate(people["manager"], deputy, TODAY, TODAY + timedelta(days=3))
        call = make_call(title="Appel délégué")
        signup, *_ = sign_up(call.id, people["agent"], "Oui", Decimal(8))
        approve(signup, deputy)
        session.commit()
        page = text_of(read_page(sign_in(app.test_client(), people["manager"]), "/approvals/history").main)
        assert "Appel délégué" in page and "pour Manon Durand" in page

    def test_lab_overview_counts_agents_without_an_org_unit(self, app, people, allocation):
        people["agent"].org_unit = None
        session.commit()
        page = read_page(sign_in(app.test_client(), people["lab"]), "/lab/dashboard")
        assert [row[0] for row in table_rows(page, "directorates-caption")] == ["Sans unité"]

    def test_lab_overview_per_directorate(self, app, people, allocation, make_user, make_unit):
        elsewhere = make_user(manager=people["manager"], unit=make_unit("DGS/Direction des lycées/Service A"))
        call = allocation.signup.call
        signup, *_ = sign_up(call.id, elsewhere, "Oui", Decimal(6))
        other = approve(signup, people["manager"])
        log_time(other, elsewhere, TODAY, Decimal(2))
        session.commit()
        page = read_page(sign_in(app.test_client(), people["lab"]), "/lab/dashboard")
        rows = {row[0]: row for row in table_rows(page, "directorates-caption")}
        in_year = sum(1 for n in range(121) if (allocation.start_date + timedelta(days=n)).year == TODAY.year)
        lycees, test_unit = rows["Direction des lycées"], rows["Direction test"]
        assert lycees[1] == "1" and lycees[3].startswith("2 h")  # one agent, 2 h logged this year
        for hours, row in ((6, lycees), (10, test_unit)):  # the hours agreed that fall in this year
            expected = (Decimal(hours) * in_year / 121).quantize(Decimal("0.01"))
            assert row[2] == f"{format_decimal(expected)} h", (expected, row)

    def test_hours_in_year_spread_over_the_period(self, app, allocation):
        allocation.start_date, allocation.end_date, allocation.hours = date(2027, 12, 1), date(2028, 1, 31), Decimal(62)
        assert hours_in_year(allocation, 2027) == Decimal(31) and hours_in_year(allocation, 2028) == Decimal(31)
        assert hours_in_year(allocation, 2026) == 0


@pytest.mark.postgres
def test_two_entries_at_once_never_pass_100_percent(app_factory, people, allocation):
    """Two entries of 6 h posted at the same instant on a 10 h budget: one is refused."""
    clients = [sign_in(app_factory().test_client(), people["agent"]) for _ in range(2)]
    codes = post_together(clients, f"/my/budget/allocations/{allocation.id}",
                          {"day": TODAY.isoformat(), "hours": "6", "note": ""})
    assert sorted(codes) == [302, 422]
    assert used(allocation) == Decimal(6)


@pytest.mark.postgres
def test_manager_and_deputy_deciding_at_once_one_decision_wins(app_factory, people, make_call, make_user):
    deputy = make_user("dana.deputy")
    delegate(people["manager"], deputy, TODAY, TODAY + timedelta(days=3))
    call = make_call(title="Course")
    signup, *_ = sign_up(call.id, people["agent"], "Oui", Decimal(8))
    session.commit()
    clients = [sign_in(app_factory().test_client(), person) for person in (people["manager"], deputy)]
    codes = post_together(clients, f"/approvals/{signup.id}", {"outcome": "approve"})
    assert codes == [302, 302]
    assert session.execute(select(func.count(Decision.id))).scalar_one() == 1
    assert session.execute(select(func.count(Allocation.id))).scalar_one() == 1


def test_budget_mails_speak_the_recipients_language(app, people, allocation):
    from app.approvals.operations import approve_extension, revise_allocation

    people["manager"].locale = "en"
    extension = request_extension(allocation, people["agent"], Decimal(2), TODAY + timedelta(days=90), "Un atelier")
    approve_extension(extension, people["manager"])
    revise_allocation(allocation, people["manager"], Decimal(8), "Moins de besoins")
    session.commit()
    to_manager = session.execute(select(OutboxMessage).where(OutboxMessage.recipient_id == people["manager"].id)
                                 .order_by(OutboxMessage.id.desc())).scalars().first()
    assert to_manager.subject.startswith("Alex Martin asks for an extension")
    assert "more hours: 2 on top of the 10 agreed" in to_manager.body_text and "a later end" in to_manager.body_text
    subjects = [message.subject for message in session.execute(
        select(OutboxMessage).where(OutboxMessage.recipient_id == people["agent"].id)).scalars()]
    assert "Votre prolongation pour « Réseau des facilitateurs » est accordée" in subjects  # subjects on one line
    assert "Votre temps pour « Réseau des facilitateurs » est révisé" in subjects
    revised = session.execute(select(OutboxMessage).where(OutboxMessage.recipient_id == people["agent"].id)
                              .order_by(OutboxMessage.id.desc())).scalars().first()
    assert "Moins de besoins" in revised.body_text and "Vous disposez désormais de 8 heures" in revised.body_text
