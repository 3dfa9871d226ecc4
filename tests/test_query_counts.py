"""List pages of calls and sign-ups: the number of queries does not grow with the rows."""

from decimal import Decimal

import pytest

from app.database import session
from app.signups.operations import sign_up
from tests.conftest import count_queries, sign_in


@pytest.fixture
def grow(people, make_call, make_user):
    """Add calls, each with sign-ups from new agents reporting to the manager, and the agent waitlisted."""
    state = {"first": None}

    def add(calls):
        for index in range(calls):
            call = make_call(title=f"Appel {index}", capacity=2,
                             questions=[("short_text", "Pourquoi ?", False, []), ("yes_no", "Dispo ?", False, [])])
            state["first"] = state["first"] or call
            for _ in range(3):
                agent = make_user(manager=people["manager"])
                sign_up(call.id, agent, "Motivé", Decimal(10), answers=[(call.active_questions[0], "Parce que")])
            sign_up(call.id, people["agent"], "Moi aussi", Decimal(10))
        session.commit()
        return state["first"]

    return add


LIST_PAGES = [("agent", "/calls"), ("agent", "/my/sign-ups"), ("manager", "/approvals"), ("manager", "/"),
              ("agent", "/"), ("lab", "/"), ("admin", "/"), ("lab", "/lab/calls"),
              ("lab", "/lab/calls/{first}/sign-ups"), ("lab", "/lab/calls/{first}"), ("lab", "/lab/volunteers"),
              ("lab", "/lab/volunteers?call={first}")]


def test_queries_do_not_grow_with_rows(app, people, grow):
    """Each list page, read with 2 calls and then with 14 (and their sign-ups): the same number of queries."""
    clients = {role: sign_in(app.test_client(), people[role]) for role, _ in LIST_PAGES}
    first = grow(2)
    few = {(role, url): count_queries(app, clients[role], url.format(first=first.id)) for role, url in LIST_PAGES}
    grow(12)
    many = {(role, url): count_queries(app, clients[role], url.format(first=first.id)) for role, url in LIST_PAGES}
    assert many == few


def test_a_calls_sign_up_table_does_not_grow_with_its_sign_ups(app, people, make_call, make_user):
    call = make_call(capacity=3, questions=[("multiple_choice", "Méthodes ?", False, ["A", "B"])])
    client = sign_in(app.test_client(), people["lab"])

    def add(number):
        for _ in range(number):
            sign_up(call.id, make_user(), "Motivé", Decimal(10), answers=[(call.active_questions[0], ["A"])])
        session.commit()

    add(2)
    few = count_queries(app, client, f"/lab/calls/{call.id}/sign-ups")
    add(25)
    many = count_queries(app, client, f"/lab/calls/{call.id}/sign-ups")
    assert many == few


def test_budget_and_team_pages_do_not_grow_with_rows(app, people, make_call, make_user):
    """Allocations with time logged and extensions asked, for the manager's team and for the agent."""
    from datetime import date, timedelta

    from app.approvals.operations import approve, delegate
    from app.budgets.operations import log_time, request_extension

    today = date.today()
    deputy = make_user()
    delegate(people["manager"], deputy, today, today + timedelta(days=2))
    made = {"calls": 0}

    def add(count):
        for _ in range(count):
            made["calls"] += 1
            call = make_call(title=f"Appel {made['calls']}", start_date=today - timedelta(days=20),
                             end_date=today + timedelta(days=20))
            for agent in (people["agent"], make_user(manager=people["manager"])):
                signup, *_ = sign_up(call.id, agent, "Motivé", Decimal(10))
                allocation = approve(signup, deputy if made["calls"] % 2 else people["manager"])
                log_time(allocation, agent, today, Decimal(2))
                request_extension(allocation, agent, Decimal(2), None)
        session.commit()
        return allocation

    clients = {role: sign_in(app.test_client(), people[role]) for role in ("agent", "manager", "lab")}
    urls = [("manager", "/approvals"), ("manager", "/approvals/team"), ("manager", "/approvals/history"),
            ("agent", "/my/budget"), ("lab", "/lab/dashboard"), ("lab", "/lab/facilitators")]
    add(2)
    few = {url: count_queries(app, clients[role], url) for role, url in urls}
    allocation = add(10)
    many = {url: count_queries(app, clients[role], url) for role, url in urls}
    assert many == few
    detail = f"/my/budget/allocations/{allocation.id}"
    member = sign_in(app.test_client(), allocation.agent)
    before = count_queries(app, member, detail)
    for days in range(1, 6):
        log_time(allocation, allocation.agent, today - timedelta(days=days), Decimal("0.25"),
                     today=today - timedelta(days=days))
    session.commit()
    assert count_queries(app, member, detail) == before


def test_my_data_does_not_grow_with_my_rows(app, people, make_call):
    from datetime import date, timedelta

    from app.approvals.operations import approve
    from app.budgets.operations import log_time, request_extension

    today = date.today()
    client = sign_in(app.test_client(), people["agent"])

    def add(count):
        for _ in range(count):
            call = make_call(start_date=today - timedelta(days=5), end_date=today + timedelta(days=5),
                             questions=[("short_text", "Pourquoi ?", False, [])])
            signup, *_ = sign_up(call.id, people["agent"], "Motivé", Decimal(10),
                                answers=[(call.active_questions[0], "Parce que")])
            allocation = approve(signup, people["manager"])
            log_time(allocation, people["agent"], today, Decimal(1))
            request_extension(allocation, people["agent"], Decimal(1), None)
        session.commit()

    add(2)
    few = [count_queries(app, client, url) for url in ("/my/data", "/my/data.json", "/my/data.ods")]
    add(8)
    assert [count_queries(app, client, url) for url in ("/my/data", "/my/data.json", "/my/data.ods")] == few


def test_decision_pages_do_not_grow_with_the_agents_other_allocations(app, people, make_call):
    """The request and extension pages list the agent's allocations of the year in a fixed number of queries."""
    from datetime import date, timedelta

    from app.approvals.operations import approve
    from app.budgets.operations import log_time, request_extension

    today = date.today()
    running = make_call(title="En cours", start_date=today - timedelta(days=5), end_date=today + timedelta(days=5))
    allocation = approve(sign_up(running.id, people["agent"], "Motivé", Decimal(10))[0], people["manager"])
    extension = request_extension(allocation, people["agent"], Decimal(2), None)
    pending = make_call(title="À décider", start_date=today, end_date=today + timedelta(days=30))
    signup, *_ = sign_up(pending.id, people["agent"], "Motivé", Decimal(10))
    session.commit()
    client = sign_in(app.test_client(), people["manager"])
    urls = (f"/approvals/{signup.id}", f"/approvals/extensions/{extension.id}")

    def add(count):
        for index in range(count):
            call = make_call(title=f"Autre {index}", start_date=today - timedelta(days=3),
                             end_date=today + timedelta(days=3))
            other = approve(sign_up(call.id, people["agent"], "Motivé", Decimal(10))[0], people["manager"])
            log_time(other, people["agent"], today, Decimal(1))
        session.commit()

    add(1)
    few = [count_queries(app, client, url) for url in urls]
    add(8)
    assert [count_queries(app, client, url) for url in urls] == few


def test_the_audit_log_names_its_objects_without_a_query_per_row(app, people, make_call, make_user):
    from app.audit.operations import record

    client = sign_in(app.test_client(), people["admin"])
    call = make_call(capacity=50)

    def add(number):
        for _ in range(number):
            agent = make_user(manager=people["manager"])
            signup, *_ = sign_up(call.id, agent, "Motivé", Decimal(10))
            record("directory.role_granted", actor=people["admin"], obj=agent, role="lab")
        session.commit()

    add(2)
    few = count_queries(app, client, "/admin/audit")
    add(10)
    assert count_queries(app, client, "/admin/audit") == few


def test_being_signed_in_costs_one_query(app, people):
    """The agent, their org unit, their roles and whether they manage someone are read in one query."""
    anonymous = count_queries(app, app.test_client(), "/accessibility")
    costs = {role: count_queries(app, sign_in(app.test_client(), person), "/accessibility") - anonymous
             for role, person in people.items()}
    assert costs == {"agent": 1, "manager": 1, "lab": 1, "admin": 1}


def test_a_managers_home_reads_the_oldest_requests_dates_and_nothing_more(app, people, make_call, make_user):
    """The home page counts the requests and says how old the oldest is: with requests waiting it reads that
    request's dates (one query more than an empty inbox), not its call, its agent and the agent's org unit."""
    client = sign_in(app.test_client(), people["manager"])
    empty = count_queries(app, client, "/")
    call = make_call(title="Appel attendu", capacity=5)
    for _ in range(2):
        sign_up(call.id, make_user(manager=people["manager"]), "Motivé", Decimal(10))
    session.commit()
    assert count_queries(app, client, "/") == empty + 1


def test_a_deputys_requests_page_reads_delegations_and_escalations_within_its_queries(app, people, make_call, make_user):
    """The deputy's page lists their own team's requests, those of the manager they stand in for and one escalated
    to them; its queries:
    who is signed in, the requests with their calls and agents in one (not the org units it does not show), their count,
    the extensions, and the hours already given — delegations and escalations are read inside them, not by queries
    of their own."""
    from datetime import date, timedelta

    from app.approvals.models import RequestReminder
    from app.approvals.operations import delegate
    from tests.pages import read_page

    deputy = make_user()
    delegate(people["manager"], deputy, date.today(), date.today() + timedelta(days=5))
    call = make_call(title="Appel suppléé", capacity=5)
    sign_up(call.id, make_user(manager=people["manager"]), "Motivé", Decimal(10))
    sign_up(call.id, make_user(manager=deputy), "Motivée", Decimal(10))
    escalated, *_ = sign_up(call.id, make_user(manager=make_user()), "Motivé aussi", Decimal(10))
    session.add(RequestReminder(signup_id=escalated.id, kind="escalation", recipient_id=deputy.id,
                                sent_on=date.today()))
    session.commit()
    client = sign_in(app.test_client(), deputy)
    assert len(read_page(client, "/approvals").select("a[href^='/approvals/']:-soup-contains('Décider')")) == 3
    assert count_queries(app, client, "/approvals") == 5


def test_a_call_page_reads_the_call_and_the_agents_latest_sign_up(app, people, make_call):
    """Who is signed in, the call, and the agent's latest sign-up to it (live, or an earlier one ended): not the
    questions, which the page does not show — before signing up, signed up, and after withdrawing."""
    from app.signups.operations import withdraw

    call = make_call(questions=[("short_text", "Pourquoi ?", False, [])])
    client = sign_in(app.test_client(), people["agent"])
    assert count_queries(app, client, f"/calls/{call.id}") == 3
    signup, *_ = sign_up(call.id, people["agent"], "Motivé", Decimal(10))
    session.commit()
    assert count_queries(app, client, f"/calls/{call.id}") == 3
    withdraw(signup, people["agent"])
    session.commit()
    assert count_queries(app, client, f"/calls/{call.id}") == 3


def test_the_open_calls_page_reads_its_calls_their_total_and_the_agents_sign_ups_in_one_query(app, people,
                                                                                             make_call):
    """Who is signed in, then one query: the page's calls, their total and the agent's live sign-up to each; a page
    past the last one counts the calls apart."""
    from tests.pages import read_page

    calls = [make_call(title=f"Appel {number}") for number in range(3)]
    sign_up(calls[1].id, people["agent"], "Motivé", Decimal(10))
    session.commit()
    client = sign_in(app.test_client(), people["agent"])
    assert count_queries(app, client, "/calls") == 2
    page = read_page(client, "/calls")
    assert "3 appels ouverts" in page.select_one("p.result-count").get_text()
    assert len(page.select("li.card p.badge")) == 1
    assert count_queries(app, client, "/calls?page=9") == 3


def test_recognition_pages_do_not_grow_with_attestations_badges_letters_and_testimonials(app, people, make_call):
    from datetime import date

    from app.approvals.operations import approve
    from app.recognition.models import Attestation
    from app.recognition.operations import add_testimonial, award_badge, write_letter

    call = make_call(capacity=None)
    signup, *_ = sign_up(call.id, people["agent"], "Motivé", Decimal(10))
    approve(signup, people["manager"])
    kinds = iter(["pioneer", "trainer", "brigade", "facilitator"])

    def add(number):
        for _ in range(number):
            session.add(Attestation(number=f"ALL-2026-Q{session.query(Attestation).count():07d}",
                                    agent=people["agent"], first_day=date(2026, 1, 1), last_day=date(2026, 12, 31),
                                    locale="fr", sha256="0" * 64))
            write_letter(people["agent"], people["lab"], "Merci.", "La directrice")
            add_testimonial(people["agent"], call.id, people["lab"], "Une partenaire", "partner", "Bravo.", True)
        award_badge(people["agent"], next(kinds), people["lab"])
        session.commit()

    agent, lab = sign_in(app.test_client(), people["agent"]), sign_in(app.test_client(), people["lab"])
    pages = [(agent, "/my/participation"), (lab, f"/lab/agents/{people['agent'].id}/recognition"),
             (agent, "/my/data")]
    add(1)
    few = [count_queries(app, client, url) for client, url in pages]
    add(6)
    assert [count_queries(app, client, url) for client, url in pages] == few
