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


def reload(signup):
    session.expire_all()
    return session.get(SignUp, signup.id)


def test_approve_as_asked_creates_the_allocation(manager_client, people, request_):
    page = manager_client.get(f"/approvals/{request_.id}").get_data(as_text=True)
    assert "Motivation personnelle" not in page and "40" in page
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
    response = manager_client.post(f"/approvals/{request_.id}", data=data)
    assert response.status_code == 200
    assert f'id="{error}-error"' in response.get_data(as_text=True)
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
    first = client.get("/approvals").get_data(as_text=True)
    second = client.get("/approvals?page=2").get_data(as_text=True)
    assert first.count('name="signups"') == 5 and second.count('name="signups"') == 2
    assert "Membre00" in first and "Membre06" in second and "Page 1 sur 2" in first
    page = client.post("/approvals/approve", data={"signups": [signups[6].id, stranger.id]},
                       follow_redirects=True).get_data(as_text=True)
    assert "Demandes acceptées\u00a0: 1." in page and "1 demande cochée était déjà décidée" in page
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
    assert "déjà" in response.get_data(as_text=True)
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
    row = manager_client.get("/approvals").get_data(as_text=True).split(request_.call.title)[1].split("</tr>")[0]
    assert "12,5 h" in row and "40 h" in row


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
        assert request_.call.title in deputy_client.get("/approvals").get_data(as_text=True)
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
        response = client.post("/approvals/delegation", data=full)
        assert response.status_code == 200 and f'id="{error}-error"' in response.get_data(as_text=True)
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
        assert request_.call.title in boss_client.get("/approvals").get_data(as_text=True)
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
    assert "Sans Chef" in admin_client.get("/approvals").get_data(as_text=True)
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
    row = agent.get("/my/sign-ups").get_data(as_text=True).split(f'id="signup-{request_.id}"')[1].split("</tr>")[0]
    assert "Refusée par le responsable" in row and "Période de clôture budgétaire." in row
    assert "Manon Durand" in row and str(date.today().year) in row
    call_page = agent.get(f"/calls/{request_.call_id}").get_data(as_text=True)
    notice = call_page.split('id="previous-signup"')[1].split("</div>")[0]
    assert "refusée" in notice and "Manon Durand" in notice and "Période de clôture budgétaire." in notice
    assert call_page.index('id="previous-signup"') < call_page.index(f"/calls/{request_.call_id}/sign-up")
    lab_page = sign_in(app.test_client(), people["lab"]).get(f"/lab/sign-ups/{request_.id}").get_data(as_text=True)
    profile = lab_page.split('class="profile"')[1].split("</dl>")[0]
    assert "Motif du refus" in profile and "Période de clôture budgétaire." in profile and "Manon Durand" in profile

    again, *_ = sign_up(request_.call_id, people["agent"], "Nouvelle tentative", Decimal(20))
    decline(again, people["lab"], "Profil déjà représenté.")
    session.commit()
    call_page = agent.get(f"/calls/{request_.call_id}").get_data(as_text=True)
    notice = call_page.split('id="previous-signup"')[1].split("</div>")[0]
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
    page = sign_in(app.test_client(), people["manager"]).get(f"/approvals/{signup.id}").get_data(as_text=True)
    assert "Motivation très personnelle" not in page and "Réponse confidentielle" not in page
    assert "Votre atelier préféré" not in page
    assert "Repenser ensemble l’accueil des usagers." in page and "<strong>demi-journées</strong>" in page
    assert "<script>" not in page
    assert "4 heures par mois" in page.replace("\u00a0", " ") and "labo@region.fr" in page
    assert f"1er février {year}" in page and f"30 avril {year}" in page
    deadline = (datetime.now(timezone.utc) + timedelta(days=5)).astimezone(ZoneInfo("Europe/Paris"))
    assert "Clôture des candidatures" in page and format_date(deadline.date(), "long", locale="fr") in page
    assert f'href="/calls/{call.id}"' not in page, "the manager outside the call's audience gets no dead link"
    given = page.split('id="time-given"')[1].split("</section>")[0]
    assert "Ambassadeurs de la simplification" in given and "32,5 h" in given and "0 h" in given
    assert f"1er janvier {year}" in given

    (mail,) = [message for message in session.execute(select(OutboxMessage).where(
        OutboxMessage.recipient_id == people["manager"].id)).scalars() if "Atelier accueil" in message.subject]
    assert f"1er février {year}" in mail.body_text and f"30 avril {year}" in mail.body_text
    assert "Motivation très personnelle" not in mail.body_text + mail.body_html

    people["manager"].org_unit = lycees
    session.commit()
    page = sign_in(app.test_client(), people["manager"]).get(f"/approvals/{signup.id}").get_data(as_text=True)
    assert f'href="/calls/{call.id}"' in page


class TestDeputyByName:
    def test_searching_a_name_lists_active_people_only(self, app, people, make_user):
        make_user("camille.roussel", given_name="Camille", family_name="Roussel")
        make_user("claude.roussel", given_name="Claude", family_name="Roussel", active=False)
        page = sign_in(app.test_client(), people["manager"]).get("/approvals/delegation?q=roussel").get_data(as_text=True)
        assert 'type="radio"' in page and 'value="camille.roussel"' in page and "Camille Roussel" in page
        assert "claude.roussel" not in page and "Claude Roussel" not in page

    def test_the_search_ignores_accents_and_case_and_leaves_me_out(self, app, people, make_user):
        make_user("helene.rousse", given_name="Hélène", family_name="Roussé")
        page = sign_in(app.test_client(), people["manager"]).get("/approvals/delegation?q=ROUSSE").get_data(as_text=True)
        assert 'value="helene.rousse"' in page
        page = sign_in(app.test_client(), people["manager"]).get("/approvals/delegation?q=manon").get_data(as_text=True)
        assert 'value="manon.manager"' not in page and "Aucune personne active ne correspond" in page

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
        response = sign_in(app.test_client(), people["manager"]).post("/approvals/delegation", data={
            "q": "roussel", "deputy": "claude.roussel", "start_date": "2030-01-01", "end_date": "2030-01-31"})
        assert response.status_code == 200 and 'id="deputy-error"' in response.get_data(as_text=True)
        assert session.execute(select(func.count(Delegation.id))).scalar_one() == 0

    def test_a_search_with_control_characters_searches_the_text_without_them(self, app, people, make_user):
        make_user("camille.roussel", given_name="Camille", family_name="Roussel")
        response = sign_in(app.test_client(), people["manager"]).get("/approvals/delegation?q=rous%00sel%0b")
        assert response.status_code == 200 and "camille.roussel" in response.get_data(as_text=True)


    def test_a_deputy_posted_with_control_characters_is_refused_on_the_field(self, app, people):
        from app.approvals.models import Delegation

        response = sign_in(app.test_client(), people["manager"]).post("/approvals/delegation", data={
            "deputy": "alex\x00.agent", "start_date": "2030-01-01", "end_date": "2030-01-31"})
        assert response.status_code == 200
        assert "parmi les personnes trouvées" in response.get_data(as_text=True).split('id="deputy-error"')[1][:300]
        assert session.execute(select(func.count(Delegation.id))).scalar_one() == 0


def test_the_hours_asked_read_as_french_numbers_in_the_error(manager_client, request_):
    page = manager_client.post(f"/approvals/{request_.id}", data={"outcome": "approve_less", "hours": "50"})
    text = page.get_data(as_text=True)
    assert "moins que les 40 heures demandées" in text and "40.00" not in text
