"""Managers decide on their agents' requests: approve as asked, approve less, refuse; allocations follow."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date

import pytest
from sqlalchemy import func, select

from app.approvals.models import Decision
from app.audit.models import AuditEntry
from app.budgets.models import Allocation
from app.calls.models import Call
from app.database import session
from app.mail.models import OutboxMessage
from app.signups.models import SignUp
from app.signups.operations import sign_up
from tests.conftest import sign_in
from tests.pages import (cells, definitions, error_summary, flashes, one, parse_page, read_page, table_rows, text_of,
                         texts)
from tests.test_signups import post_together


@pytest.fixture
def request_(people, make_call):
    """The agent's sign-up, waiting for the manager's decision."""
    call = make_call(capacity=1)
    signup, *_ = sign_up(call.id, people["agent"], "Motivation personnelle", Decimal(40))
    session.commit()
    return signup


@pytest.fixture
def manager_client(client, people):
    return sign_in(client, people["manager"])


def inbox_rows(client, url="/approvals"):
    """The requests waiting in a manager's inbox, as (agent, call, time asked, already allocated this year)."""
    return [(row[1], row[3], row[5], row[6]) for row in table_rows(read_page(client, url), "requests-caption")]


def reload(signup):
    session.expire_all()
    return session.get(SignUp, signup.id)


def test_approve_as_asked_creates_the_allocation(manager_client, people, request_):
    page = read_page(manager_client, f"/approvals/{request_.id}")
    assert "Motivation personnelle" not in page.get_text(" ")
    assert definitions(page, ".facts")["Temps demandé"].startswith("40 heures")
    response = manager_client.post(f"/approvals/{request_.id}", data={"outcome": "approve"})
    assert response.status_code == 302
    assert reload(request_).status == "approved"
    allocation = session.execute(select(Allocation)).scalar_one()
    assert allocation.hours == Decimal(40) and allocation.agent_id == people["agent"].id
    assert allocation.start_date == request_.call.start_date and allocation.end_date == request_.call.end_date
    decision = session.execute(select(Decision)).scalar_one()
    assert decision.decided_by_id == people["manager"].id and decision.hours_agreed == Decimal(40)
    subjects = [m.subject for m in session.execute(select(OutboxMessage)
                                                   .where(OutboxMessage.recipient_id == people["agent"].id))
                .scalars()]
    assert any("acceptée" in subject for subject in subjects), subjects


def test_approve_less(manager_client, request_):
    manager_client.post(f"/approvals/{request_.id}", data={"outcome": "approve_less", "hours": "12,5"})
    assert session.execute(select(Allocation.hours)).scalar_one() == Decimal("12.5")


@pytest.mark.parametrize("data, error", [
    ({"outcome": "approve_less", "hours": "50"}, "hours"),
    ({"outcome": "approve_less", "hours": "40"}, "hours"),
    ({"outcome": "approve_less", "hours": "0"}, "hours"),
    ({"outcome": "approve_less", "hours": "3,1"}, "hours"),
    ({"outcome": "approve_less"}, "hours"),
    ({"outcome": "refuse", "reason": "  "}, "reason"),
    ({"outcome": "maybe"}, "outcome"),
])
def test_bad_decisions_are_refused_on_the_field(manager_client, request_, data, error):
    page = parse_page(manager_client.post(f"/approvals/{request_.id}", data=data))
    assert len(error_summary(page)) == 1 and one(page, f"#{error}-error")
    assert reload(request_).status == "pending_manager"
    assert session.execute(select(func.count(Decision.id))).scalar_one() == 0


def test_refusal_needs_a_reason_and_frees_the_place(manager_client, people, request_, make_user):
    waiting, *_ = sign_up(request_.call_id, make_user(), "En attente", Decimal(10))
    session.commit()
    manager_client.post(f"/approvals/{request_.id}", data={"outcome": "refuse", "reason": "Période chargée."})
    assert reload(request_).status == "refused"
    assert session.get(SignUp, waiting.id).status == "pending_manager", "the place went to the waiting list"
    assert session.get(Call, request_.call_id).held_places == 1
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "signup.refused")).scalar_one()
    assert entry.actor_id == people["manager"].id and entry.details["reason"] == "Période chargée."


def test_approve_several_at_once(manager_client, people, make_call, make_user):
    call = make_call(capacity=5)
    signups = [sign_up(call.id, make_user(manager=people["manager"]), "M", Decimal(8))[0] for _ in range(3)]
    session.commit()
    response = manager_client.post("/approvals/approve", data={"signups": [s.id for s in signups[:2]]})
    assert response.status_code == 302
    session.expire_all()
    assert [session.get(SignUp, s.id).status for s in signups] == ["approved", "approved", "pending_manager"]
    assert manager_client.post("/approvals/approve", data={}).status_code == 302


def test_a_long_inbox_is_paged_oldest_first_and_approving_keeps_to_my_requests(app_factory, people, make_call,
                                                                                 make_user):
    application = app_factory(ALLIES_PAGE_SIZE=5)
    call = make_call(capacity=None)
    signups = [sign_up(call.id, make_user(manager=people["manager"], family_name=f"Membre{index:02d}"), "M",
                       Decimal(8))[0] for index in range(7)]
    stranger = sign_up(call.id, make_user(), "M", Decimal(8))[0]
    session.commit()
    client = sign_in(application.test_client(), people["manager"])
    first, second = inbox_rows(client), inbox_rows(client, "/approvals?page=2")
    assert [agent for agent, *_ in first] == [f"Camille Membre{index:02d}" for index in range(5)]
    assert [agent for agent, *_ in second] == ["Camille Membre05", "Camille Membre06"]
    assert "Page 1 sur 2" in texts(read_page(client, "/approvals"), "nav.pagination li")
    page = parse_page(client.post("/approvals/approve", data={"signups": [signups[6].id, stranger.id]},
                                  follow_redirects=True))
    assert [text for _, text in flashes(page)] == [
        "C'est fait\u00a0: Demandes acceptées\u00a0: 1.",
        "Information\u00a0: 1 demande cochée était déjà décidée, ou ne relève pas de vous\u00a0: elle reste en l'état."]
    session.expire_all()
    assert session.get(SignUp, signups[6].id).status == "approved"
    assert session.get(SignUp, stranger.id).status == "pending_manager"


def test_only_the_agents_manager_decides(app, people, request_, make_user):
    for user in (people["lab"], people["admin"], people["agent"], make_user()):
        client = sign_in(app.test_client(), user)
        assert client.get(f"/approvals/{request_.id}").status_code == 404
        assert client.post(f"/approvals/{request_.id}", data={"outcome": "approve"}).status_code == 404
        client.post("/approvals/approve", data={"signups": [request_.id]})
    assert reload(request_).status == "pending_manager"


def test_a_manager_cannot_decide_on_their_own_request(app, people, make_call):
    call = make_call()
    own, *_ = sign_up(call.id, people["manager"], "Moi", Decimal(10))
    session.commit()
    client = sign_in(app.test_client(), people["manager"])
    assert client.get(f"/approvals/{own.id}").status_code == 404


def test_a_decided_request_cannot_be_decided_again(manager_client, request_):
    manager_client.post(f"/approvals/{request_.id}", data={"outcome": "approve"})
    response = manager_client.post(f"/approvals/{request_.id}", data={"outcome": "refuse", "reason": "Non"},
                                   follow_redirects=True)
    assert [category for category, text in flashes(parse_page(response)) if "déjà" in text] == ["info"]
    assert reload(request_).status == "approved"
    assert session.execute(select(func.count(Decision.id))).scalar_one() == 1


@pytest.mark.postgres
def test_two_simultaneous_decisions_one_wins(app_factory, people, request_):
    clients = [sign_in(app_factory().test_client(), people["manager"]) for _ in range(6)]
    codes = post_together(clients, f"/approvals/{request_.id}", {"outcome": "approve"})
    assert codes == [302] * 6
    assert session.execute(select(func.count(Decision.id))).scalar_one() == 1
    assert session.execute(select(func.count(Allocation.id))).scalar_one() == 1


def test_inbox_shows_what_the_agent_already_has_this_year(manager_client, people, make_call, request_):
    from datetime import date

    from app.approvals.operations import approve

    other = make_call(title="Autre appel", start_date=date(date.today().year, 1, 1),
                      end_date=date(date.today().year, 12, 31))
    approved, *_ = sign_up(other.id, people["agent"], "Déjà", Decimal(16))
    approve(approved, people["manager"], Decimal("12.5"))
    session.commit()
    assert inbox_rows(manager_client) == [("Alex Martin", request_.call.title, "40 h", "12,5 h")]


def test_withdrawing_after_approval_ends_the_allocation_today(app, people, request_):
    from datetime import date

    from app.approvals.operations import approve
    from app.signups.operations import withdraw

    allocation = approve(request_, people["manager"])
    session.commit()
    withdraw(request_, people["agent"])
    session.commit()
    session.expire_all()
    ended = session.get(Allocation, allocation.id)
    assert ended.end_date == max(date.today(), ended.start_date)
    assert reload(request_).status == "withdrawn"


class TestDelegation:
    def test_a_deputy_decides_during_the_dates_and_the_log_says_for_whom(self, app, people, request_, make_user):
        from datetime import date, timedelta

        deputy = make_user("dana.deputy")
        manager_client = sign_in(app.test_client(), people["manager"])
        response = manager_client.post("/approvals/delegation", data={
            "deputy": "dana.deputy", "start_date": date.today().isoformat(),
            "end_date": (date.today() + timedelta(days=5)).isoformat()})
        assert response.status_code == 302
        deputy_client = sign_in(app.test_client(), deputy)
        assert inbox_rows(deputy_client) == [("Alex Martin", request_.call.title, "40 h", "0 h")]
        deputy_client.post(f"/approvals/{request_.id}", data={"outcome": "approve"})
        assert reload(request_).status == "approved"
        decision = session.execute(select(Decision)).scalar_one()
        assert decision.decided_by_id == deputy.id and decision.on_behalf_of_id == people["manager"].id
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "signup.approved")).scalar_one()
        assert entry.actor_id == deputy.id and entry.details["on_behalf_of"] == "manon.manager"

    def test_outside_the_dates_or_revoked_the_deputy_cannot_decide(self, app, people, request_, make_user):
        from datetime import date, timedelta

        from app.approvals.operations import delegate

        later, deputy = make_user("later.deputy"), make_user("now.deputy")
        delegate(people["manager"], later, date.today() + timedelta(days=3), date.today() + timedelta(days=9))
        current = delegate(people["manager"], deputy, date.today(), date.today() + timedelta(days=2))
        session.commit()
        assert sign_in(app.test_client(), later).get(f"/approvals/{request_.id}").status_code == 404
        assert sign_in(app.test_client(), deputy).get(f"/approvals/{request_.id}").status_code == 200
        manager_client = sign_in(app.test_client(), people["manager"])
        assert manager_client.post(f"/approvals/delegation/{current.id}/revoke").status_code == 302
        assert sign_in(app.test_client(), deputy).get(f"/approvals/{request_.id}").status_code == 404
        assert sign_in(app.test_client(), people["agent"]).post(
            f"/approvals/delegation/{current.id}/revoke").status_code == 404

    @pytest.mark.parametrize("data, error", [
        ({"deputy": "nobody.here"}, "deputy"),
        ({"deputy": "manon.manager"}, "deputy"),
        ({"end_date": "2020-01-01", "start_date": "2019-12-01"}, "end_date"),
        ({"start_date": "2030-02-01", "end_date": "2030-01-01"}, "end_date"),
    ])
    def test_bad_delegations_are_refused(self, app, people, data, error):
        from app.approvals.models import Delegation

        client = sign_in(app.test_client(), people["manager"])
        full = {"deputy": "lea.lab", "start_date": "2030-01-01", "end_date": "2030-01-31", **data}
        page = parse_page(client.post("/approvals/delegation", data=full))
        assert len(error_summary(page)) == 1 and one(page, f"#{error}-error")
        assert session.execute(select(func.count(Delegation.id))).scalar_one() == 0

    def test_a_deputy_never_decides_on_their_own_request(self, app, people, make_call):
        from datetime import date, timedelta

        from app.approvals.operations import delegate

        call = make_call()
        own, *_ = sign_up(call.id, people["lab"], "Moi", Decimal(10))
        delegate(people["manager"], people["lab"], date.today(), date.today() + timedelta(days=2))
        session.commit()
        assert sign_in(app.test_client(), people["lab"]).get(f"/approvals/{own.id}").status_code == 404


class TestReminders:
    def test_working_days_skip_weekends_and_french_public_holidays(self, app):
        from datetime import date

        from app.budgets.working_time import working_days_between

        assert working_days_between(date(2026, 7, 10), date(2026, 7, 17)) == 4  # Fri → Fri, 14 July off
        assert working_days_between(date(2026, 12, 24), date(2026, 12, 28)) == 1  # Christmas, weekend

    def test_remind_then_escalate_once_each(self, app, people, request_, make_user):
        from datetime import date, datetime, timezone

        from app.approvals.models import RequestReminder
        from app.approvals.operations import send_reminders

        big_boss = make_user("grand.chef")
        people["manager"].manager = big_boss
        request_.submitted_at = request_.manager_asked_at = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)  # Monday
        session.commit()
        assert send_reminders(today=date(2026, 11, 4)) == {"reminder": 0, "escalation": 0}  # 2 working days
        assert send_reminders(today=date(2026, 11, 6)) == {"reminder": 1, "escalation": 0}  # 4 (11 Nov is later)
        assert send_reminders(today=date(2026, 11, 6)) == {"reminder": 0, "escalation": 0}, "never twice"
        boss_client = sign_in(app.test_client(), big_boss)
        assert boss_client.get(f"/approvals/{request_.id}").status_code == 404, "not escalated yet"
        assert send_reminders(today=date(2026, 11, 12)) == {"reminder": 0, "escalation": 1}  # 11 Nov off: 7
        session.commit()
        kinds = session.execute(select(RequestReminder.kind, RequestReminder.recipient_id)).all()
        assert sorted(kinds) == sorted([("escalation", big_boss.id), ("reminder", people["manager"].id)])
        assert [call for _, call, *_ in inbox_rows(boss_client)] == [request_.call.title]
        boss_client.post(f"/approvals/{request_.id}", data={"outcome": "approve"})
        decision = session.execute(select(Decision)).scalar_one()
        assert decision.decided_by_id == big_boss.id and decision.on_behalf_of_id == people["manager"].id
        mails = session.execute(select(OutboxMessage.subject).where(OutboxMessage.recipient_id == big_boss.id))
        assert any("attend" in subject for subject in mails.scalars())

    def test_a_promoted_request_waits_from_its_promotion(self, app, people, make_call, make_user):
        from datetime import date, datetime, timedelta, timezone

        from app.approvals.operations import send_reminders
        from app.signups.operations import withdraw

        call = make_call(capacity=1)
        first, *_ = sign_up(call.id, make_user(manager=people["manager"]), "Oui", Decimal(4))
        waiting, *_ = sign_up(call.id, people["agent"], "Moi aussi", Decimal(4))
        waiting.submitted_at = datetime.now(timezone.utc) - timedelta(days=30)  # a month on the waiting list
        first.submitted_at = first.manager_asked_at = datetime.now(timezone.utc)
        session.commit()
        withdraw(first, first.agent)
        session.commit()
        assert reload(waiting).status == "pending_manager" and reload(waiting).manager_asked_at is not None
        assert send_reminders(today=date.today()) == {"reminder": 0, "escalation": 0}
        assert send_reminders(today=date.today() + timedelta(days=7))["reminder"] == 1

    def test_remind_command(self, app, runner, request_):
        from datetime import datetime, timezone

        request_.submitted_at = request_.manager_asked_at = datetime(2020, 1, 6, tzinfo=timezone.utc)
        session.commit()
        result = runner.invoke(args=["approvals", "remind"])
        assert result.exit_code == 0 and "Rappels\u00a0: 1," in result.output


def test_without_a_manager_the_fallback_role_decides(app, people, make_call, make_user):
    call = make_call()
    orphan = make_user("sans.chef", given_name="Sans", family_name="Chef")
    signup, *_ = sign_up(call.id, orphan, "Motivé", Decimal(10))
    session.commit()
    request_mails = session.execute(select(OutboxMessage.recipient_id)
                                    .where(OutboxMessage.subject.contains("Sans Chef"))).scalars().all()
    assert request_mails == [people["admin"].id]
    admin_client = sign_in(app.test_client(), people["admin"])
    assert [agent for agent, *_ in inbox_rows(admin_client)] == ["Sans Chef"]
    assert sign_in(app.test_client(), people["lab"]).get(f"/approvals/{signup.id}").status_code == 404
    admin_client.post(f"/approvals/{signup.id}", data={"outcome": "approve"})
    assert reload(signup).status == "approved"


def test_the_fallback_role_is_configurable(app_factory, people, make_call, make_user):
    application = app_factory(ALLIES_FALLBACK_APPROVER_ROLE="lab")
    call = make_call()
    signup, *_ = sign_up(call.id, make_user(), "Motivé", Decimal(10))
    session.commit()
    assert sign_in(application.test_client(), people["lab"]).get(f"/approvals/{signup.id}").status_code == 200
    assert sign_in(application.test_client(), people["admin"]).get(f"/approvals/{signup.id}").status_code == 404


def test_the_agent_sees_why_the_manager_refused_and_may_apply_again(app, people, request_):
    from app.approvals.operations import refuse
    from app.signups.operations import decline

    refuse(request_, people["manager"], "Période de clôture budgétaire.")
    session.commit()
    agent = sign_in(app.test_client(), people["agent"])
    status = cells(one(read_page(agent, "/my/sign-ups"), f"#signup-{request_.id}"))[3]
    assert status.startswith("Refusée par le responsable") and "Période de clôture budgétaire." in status
    assert "Manon Durand" in status and str(date.today().year) in status
    call_page = read_page(agent, f"/calls/{request_.call_id}")
    notice = text_of(one(call_page, "#previous-signup"))
    assert "refusée" in notice and "Manon Durand" in notice and "Période de clôture budgétaire." in notice
    sign_up_link = one(call_page, f"main a[href='/calls/{request_.call_id}/sign-up']")
    assert sign_up_link in one(call_page, "#previous-signup").find_all_next("a"), "the notice comes first"
    profile = read_page(sign_in(app.test_client(), people["lab"]), f"/lab/sign-ups/{request_.id}")
    refusal = definitions(profile, ".profile")["Motif du refus"]
    assert "Période de clôture budgétaire." in refusal and "Manon Durand" in refusal

    again, *_ = sign_up(request_.call_id, people["agent"], "Nouvelle tentative", Decimal(20))
    decline(again, people["lab"], "Profil déjà représenté.")
    session.commit()
    notice = text_of(one(read_page(agent, f"/calls/{request_.call_id}"), "#previous-signup"))
    assert "déclinée" in notice.lower() and "Profil déjà représenté." in notice
    assert "Période de clôture" not in notice, "only the latest sign-up is told"


def test_the_manager_sees_what_the_call_asks_and_the_time_already_given(app, people, make_call, make_unit):
    from app.approvals.operations import approve

    year = date.today().year + 1
    other = make_call(title="Ambassadeurs de la simplification", start_date=date(year, 1, 1),
                      end_date=date(year, 12, 31))
    earlier, *_ = sign_up(other.id, people["agent"], "Déjà", Decimal(40))
    approve(earlier, people["manager"], Decimal("32.5"))
    lycees = make_unit("DGS/Direction des lycées")
    call = make_call(title="Atelier accueil", units=[people["agent"].org_unit, lycees],
                     summary="Repenser ensemble l’accueil des usagers.", body="Trois **demi-journées** <script>x()</script>",
                     deadline=datetime.now(timezone.utc) + timedelta(days=5), kind="hours_per_month",
                     value=Decimal(4), contact="labo@region.fr", start_date=date(year, 2, 1),
                     end_date=date(year, 4, 30), questions=[("short_text", "Votre atelier préféré ?", True, ())])
    signup, *_ = sign_up(call.id, people["agent"], "Motivation très personnelle", Decimal(12),
                        answers=[(call.active_questions[0], "Réponse confidentielle")])
    session.commit()
    people["manager"].org_unit = make_unit("DGS/Direction des finances")
    session.commit()
    page = read_page(sign_in(app.test_client(), people["manager"]), f"/approvals/{signup.id}")
    text = text_of(page.main)
    assert "Motivation très personnelle" not in text and "Réponse confidentielle" not in text
    assert "Votre atelier préféré" not in text
    context = one(page, "section[aria-labelledby=call-context-title]")
    assert text_of(context.find(class_="lead")) == "Repenser ensemble l’accueil des usagers."
    assert texts(context, ".prose strong") == ["demi-journées"] and not page.select("main script")
    facts = definitions(page, "main .facts")
    assert facts["Engagement demandé"] == "4 heures par mois" and facts["Contact"] == "labo@region.fr"
    assert facts["Période"] == f"du 1er février {year} au 30 avril {year}"
    deadline = (datetime.now(timezone.utc) + timedelta(days=5)).astimezone(ZoneInfo("Europe/Paris"))
    assert facts["Clôture des candidatures"].startswith(format_date(deadline.date(), "long", locale="fr"))
    assert not page.select(f"a[href='/calls/{call.id}']"), "the manager outside the call's audience gets no dead link"
    [given] = table_rows(page, "time-given-caption")
    assert given == ["Ambassadeurs de la simplification", f"du 1er janvier {year} au 31 décembre {year}",
                     "32,5 h", "0 h"]

    (mail,) = [message for message in session.execute(select(OutboxMessage).where(
        OutboxMessage.recipient_id == people["manager"].id)).scalars() if "Atelier accueil" in message.subject]
    assert f"1er février {year}" in mail.body_text and f"30 avril {year}" in mail.body_text
    assert "Motivation très personnelle" not in mail.body_text + mail.body_html

    people["manager"].org_unit = lycees
    session.commit()
    page = read_page(sign_in(app.test_client(), people["manager"]), f"/approvals/{signup.id}")
    assert one(page, f"a[href='/calls/{call.id}']")


def deputy_choices(page):
    """The people the deputy search found, offered as radio buttons: {login: name}."""
    return {radio["value"]: text_of(one(page, f"label[for={radio['id']}]"))
            for radio in page.select("input[type=radio][name=deputy]")}


class TestDeputyByName:
    def test_searching_a_name_lists_active_people_only(self, app, people, make_user):
        make_user("camille.roussel", given_name="Camille", family_name="Roussel")
        make_user("claude.roussel", given_name="Claude", family_name="Roussel", active=False)
        page = read_page(sign_in(app.test_client(), people["manager"]), "/approvals/delegation?q=roussel")
        assert deputy_choices(page) == {"camille.roussel": "Camille Roussel — DGS › Direction test › Service test"}
        assert "Claude Roussel" not in page.get_text(" ")

    def test_the_search_ignores_accents_and_case_and_leaves_me_out(self, app, people, make_user):
        make_user("helene.rousse", given_name="Hélène", family_name="Roussé")
        page = read_page(sign_in(app.test_client(), people["manager"]), "/approvals/delegation?q=ROUSSE")
        assert list(deputy_choices(page)) == ["helene.rousse"]
        page = read_page(sign_in(app.test_client(), people["manager"]), "/approvals/delegation?q=manon")
        assert deputy_choices(page) == {} and "Aucune personne active ne correspond" in text_of(page.main)

    def test_choosing_a_person_found_sets_the_deputy(self, app, people, make_user):
        from datetime import date, timedelta

        from app.approvals.models import Delegation

        camille = make_user("camille.roussel", given_name="Camille", family_name="Roussel")
        response = sign_in(app.test_client(), people["manager"]).post("/approvals/delegation", data={
            "q": "roussel", "deputy": "camille.roussel", "start_date": date.today().isoformat(),
            "end_date": (date.today() + timedelta(days=3)).isoformat()})
        assert response.status_code == 302
        (delegation,) = session.execute(select(Delegation)).scalars().all()
        assert delegation.deputy_id == camille.id and delegation.manager_id == people["manager"].id

    def test_an_inactive_person_cannot_be_chosen(self, app, people, make_user):
        from app.approvals.models import Delegation

        make_user("claude.roussel", given_name="Claude", family_name="Roussel", active=False)
        page = parse_page(sign_in(app.test_client(), people["manager"]).post("/approvals/delegation", data={
            "q": "roussel", "deputy": "claude.roussel", "start_date": "2030-01-01", "end_date": "2030-01-31"}))
        assert len(error_summary(page)) == 1 and one(page, "#deputy-error")
        assert session.execute(select(func.count(Delegation.id))).scalar_one() == 0

    def test_a_search_with_control_characters_searches_the_text_without_them(self, app, people, make_user):
        make_user("camille.roussel", given_name="Camille", family_name="Roussel")
        page = read_page(sign_in(app.test_client(), people["manager"]), "/approvals/delegation?q=rous%00sel%0b")
        assert list(deputy_choices(page)) == ["camille.roussel"]


    def test_a_deputy_posted_with_control_characters_is_refused_on_the_field(self, app, people):
        from app.approvals.models import Delegation

        page = parse_page(sign_in(app.test_client(), people["manager"]).post("/approvals/delegation", data={
            "deputy": "alex\x00.agent", "start_date": "2030-01-01", "end_date": "2030-01-31"}))
        assert "parmi les personnes trouvées" in text_of(one(page, "#deputy-error"))
        assert session.execute(select(func.count(Delegation.id))).scalar_one() == 0


def test_the_hours_asked_read_as_french_numbers_in_the_error(manager_client, request_):
    page = parse_page(manager_client.post(f"/approvals/{request_.id}", data={"outcome": "approve_less", "hours": "50"}))
    assert "moins que les 40 heures demandées" in text_of(one(page, "#hours-error")) and "40.00" not in page.get_text()
