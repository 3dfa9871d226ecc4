"""Sign-ups: holding places fairly, the waiting list, withdrawing and declining, mails, bad input, faults."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.calls.models import Call
from app.clock import utcnow
from app.database import session
from app.mail.models import OutboxMessage
from app.signups.models import SignUp
from app.signups.operations import sign_up
from tests.conftest import sign_in
from tests.pages import (cells, error_summary, field_value, flashes, form_data, one, parse_page, read_page, table_rows,
                         text_of, texts)


def form(**overrides):
    data = {"motivation": "J'aime les ateliers.", "hours_asked": "20", "availability": "Le mardi"}
    data.update(overrides)
    return data


def count(model, *where):
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def mails_to(user, template_word=""):
    session.expire_all()
    messages = session.execute(select(OutboxMessage).where(OutboxMessage.recipient_id == user.id)
                                .order_by(OutboxMessage.id)).scalars().all()
    return [message for message in messages if template_word in message.subject]


@pytest.fixture
def agent_client(client, people):
    return sign_in(client, people["agent"])


def test_sign_up_holds_a_place_and_asks_the_manager(agent_client, people, make_call):
    call = make_call(capacity=2, questions=[("single_choice", "Atelier ?", True, ["Accueil", "Téléphone"])])
    question = call.active_questions[0]
    page = read_page(agent_client, f"/calls/{call.id}/sign-up")
    # 10 % of 1,607 h × 181/365 days of the period = 79.69 h, in quarter hours.
    assert field_value(page, "hours_asked") == "79,75"
    response = agent_client.post(f"/calls/{call.id}/sign-up", data=form(**{f"q{question.id}": "Téléphone"}))
    assert response.status_code == 302 and "/my/sign-ups" in response.headers["Location"]
    signup = session.execute(select(SignUp)).scalar_one()
    assert signup.status == "pending_manager" and signup.hours_asked == Decimal(20)
    assert signup.answers[0].value == "Téléphone" and signup.answers[0].label == "Atelier ?"
    session.expire_all()
    assert session.get(Call, call.id).held_places == 1
    assert mails_to(people["agent"]) and mails_to(people["manager"]) and mails_to(people["lab"])
    assert count(AuditEntry, AuditEntry.action == "signup.created") == 1


def test_no_manager_agreement_needed_means_approved_at_once(agent_client, people, make_call):
    call = make_call(needs_manager_agreement=False)
    agent_client.post(f"/calls/{call.id}/sign-up", data=form())
    assert session.execute(select(SignUp.status)).scalar_one() == "approved"
    assert mails_to(people["manager"]) == []


def test_no_agreement_call_gives_the_hours_asked_as_a_budget_to_log_against(app, agent_client, people, make_call):
    from datetime import date

    from app.budgets.models import Allocation, TimeEntry
    from app.budgets.queries import overview_by_directorate

    today = date.today()
    call = make_call(title="Relecture des courriers", needs_manager_agreement=False,
                     start_date=today - timedelta(days=10), end_date=today + timedelta(days=50))
    agent_client.post(f"/calls/{call.id}/sign-up", data=form(hours_asked="12,5"))
    signup = session.execute(select(SignUp)).scalar_one()
    allocation = session.execute(select(Allocation).where(Allocation.signup_id == signup.id)).scalar_one()
    assert allocation.agent_id == people["agent"].id and allocation.hours == Decimal("12.5")
    assert (allocation.start_date, allocation.end_date) == (call.start_date, call.end_date)
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "signup.approved")).scalar_one()
    assert entry.actor_id is None and entry.details["rule"] == "no_manager_agreement"
    assert Decimal(entry.details["hours_agreed"]) == Decimal("12.5")
    [budget] = table_rows(read_page(agent_client, "/my/budget"), "allocations-caption")
    assert budget[0] == "Relecture des courriers" and budget[2] == "12,5 h"
    response = agent_client.post(f"/my/budget/allocations/{allocation.id}",
                                 data={"day": today.isoformat(), "hours": "2", "note": "Relecture"})
    assert response.status_code == 302
    assert count(TimeEntry, TimeEntry.allocation_id == allocation.id) == 1
    (directorate,) = overview_by_directorate(today.year)
    assert directorate.name == "Direction test" and directorate.agents == 1 and directorate.used == 2
    network = text_of(read_page(sign_in(app.test_client(), people["lab"]), "/lab/facilitators").main)
    assert "Alex Martin" in network and "Relecture des courriers" in network
    history = texts(read_page(sign_in(app.test_client(), people["lab"]), f"/lab/sign-ups/{signup.id}"), ".history li")
    assert not any("Acceptée par le responsable" in entry for entry in history)
    assert any("aucun accord du responsable" in entry for entry in history)


def test_promotion_on_a_no_agreement_call_gives_the_budget_too(app, people, make_call, make_user):
    from app.budgets.models import Allocation
    from app.signups.operations import withdraw

    call = make_call(capacity=1, needs_manager_agreement=False)
    holder, waiting = make_user(), make_user()
    held, *_ = sign_up(call.id, holder, "Un", Decimal(10))
    queued, *_ = sign_up(call.id, waiting, "Deux", Decimal("7.5"))
    session.commit()
    assert queued.status == "waitlisted"
    assert count(Allocation, Allocation.signup_id == queued.id) == 0
    withdraw(held, holder)
    session.commit()
    session.expire_all()
    assert session.get(SignUp, queued.id).status == "approved"
    allocation = session.execute(select(Allocation).where(Allocation.signup_id == queued.id)).scalar_one()
    assert allocation.hours == Decimal("7.5") and allocation.agent_id == waiting.id
    assert count(AuditEntry, AuditEntry.action == "signup.approved", AuditEntry.object_id == queued.id) == 1


def test_full_call_puts_on_the_waiting_list_with_rank(app, people, make_call, make_user):
    call = make_call(capacity=1)
    sign_up(call.id, make_user(), "Premier", Decimal(10))
    session.commit()
    client = sign_in(app.test_client(), people["agent"])
    response = client.post(f"/calls/{call.id}/sign-up", data=form(), follow_redirects=True)
    assert flashes(parse_page(response)) == [
        ("success", "C'est fait\u00a0: L'appel est complet\u00a0: vous êtes n° 1 sur la liste d'attente.")]
    signup = session.execute(select(SignUp).where(SignUp.agent_id == people["agent"].id)).scalar_one()
    assert signup.status == "waitlisted"
    assert mails_to(people["manager"]) == [], "no manager is asked for a waitlisted sign-up"
    status = cells(one(read_page(client, "/my/sign-ups"), f"#signup-{signup.id}"))[3]
    assert status.endswith("— n° 1")


def test_withdrawal_asks_confirmation_then_promotes_the_first_waiting(app, people, make_call, make_user):
    call = make_call(capacity=1)
    holder_client = sign_in(app.test_client(), people["agent"])
    holder_client.post(f"/calls/{call.id}/sign-up", data=form())
    second, third = make_user(), make_user()
    second_signup, *_ = sign_up(call.id, second, "Deuxième", Decimal(10))
    third_signup, *_ = sign_up(call.id, third, "Troisième", Decimal(10))
    session.commit()
    mine = session.execute(select(SignUp).where(SignUp.agent_id == people["agent"].id)).scalar_one()
    confirm = read_page(holder_client, f"/my/sign-ups/{mine.id}/withdraw")
    assert text_of(confirm.h1) == "Retirer ma candidature"
    session.expire_all()
    assert session.get(SignUp, mine.id).status == "pending_manager", "GET changes nothing"
    holder_client.post(f"/my/sign-ups/{mine.id}/withdraw")
    session.expire_all()
    assert session.get(SignUp, mine.id).status == "withdrawn"
    assert session.get(SignUp, second_signup.id).status == "pending_manager"
    assert session.get(SignUp, third_signup.id).status == "waitlisted"
    assert session.get(Call, call.id).held_places == 1
    assert mails_to(second, "place")
    assert count(AuditEntry, AuditEntry.action == "signup.promoted") == 1


def test_lab_declines_with_a_reason_and_the_place_moves_on(app, people, make_call, make_user):
    call = make_call(capacity=1)
    holder, waiting = make_user(), make_user()
    held, *_ = sign_up(call.id, holder, "Un", Decimal(10))
    queued, *_ = sign_up(call.id, waiting, "Deux", Decimal(10))
    session.commit()
    lab_client = sign_in(app.test_client(), people["lab"])
    response = lab_client.post(f"/lab/sign-ups/{held.id}/decline", data={"reason": ""})
    assert response.status_code == 422
    session.expire_all()
    assert session.get(SignUp, held.id).status == "pending_manager"
    lab_client.post(f"/lab/sign-ups/{held.id}/decline", data={"reason": "Profil déjà représenté."})
    session.expire_all()
    assert session.get(SignUp, held.id).status == "declined"
    assert session.get(SignUp, queued.id).status == "pending_manager"
    assert mails_to(holder, "clin")
    history = texts(read_page(lab_client, f"/lab/sign-ups/{held.id}"), ".history li")
    assert any(entry.endswith("(Léa Labbé) : Profil déjà représenté.") for entry in history), history


def test_double_submit_creates_one_sign_up_and_lands_on_it(agent_client, make_call):
    call = make_call()
    first = agent_client.post(f"/calls/{call.id}/sign-up", data=form())
    second = agent_client.post(f"/calls/{call.id}/sign-up", data=form())
    assert first.status_code == second.status_code == 302
    assert "/my/sign-ups" in second.headers["Location"]
    assert count(SignUp) == 1


def test_sign_up_again_after_withdrawing(agent_client, people, make_call):
    call = make_call()
    agent_client.post(f"/calls/{call.id}/sign-up", data=form())
    signup = session.execute(select(SignUp)).scalar_one()
    agent_client.post(f"/my/sign-ups/{signup.id}/withdraw")
    agent_client.post(f"/calls/{call.id}/sign-up", data=form())
    assert count(SignUp) == 2 and count(SignUp, SignUp.status == "pending_manager") == 1


@pytest.mark.parametrize("fields, error", [
    ({"motivation": ""}, "motivation"),
    ({"motivation": "x" * 5001}, "motivation"),
    ({"hours_asked": "0"}, "hours_asked"),
    ({"hours_asked": "-4"}, "hours_asked"),
    ({"hours_asked": "10,1"}, "hours_asked"),
    ({"hours_asked": "5000"}, "hours_asked"),
    ({"hours_asked": "dix"}, "hours_asked"),
    ({"availability": "x" * 2001}, "availability"),
])
def test_bad_sign_up_input_writes_nothing(agent_client, make_call, fields, error):
    call = make_call(capacity=3)
    page = parse_page(agent_client.post(f"/calls/{call.id}/sign-up", data=form(**fields)))
    assert [field for field, _ in error_summary(page)] == [error] and one(page, f"#{error}-error")
    assert count(SignUp) == 0 and count(OutboxMessage) == 0
    session.expire_all()
    assert session.get(Call, call.id).held_places == 0


QUESTIONS = [("short_text", "Court", True, []), ("single_choice", "Un choix", True, ["A", "B"]),
             ("multiple_choice", "Plusieurs", True, ["X", "Y", "Z"]), ("yes_no", "Oui ou non", True, []),
             ("date", "Quand", True, [])]


def answers_for(call, **overrides):
    values = {"Court": "Réponse", "Un choix": "A", "Plusieurs": ["X", "Z"], "Oui ou non": "yes", "Quand": "2027-02-01"}
    values.update(overrides)
    return {f"q{question.id}": values[question.label] for question in call.active_questions
            if values.get(question.label) is not None}


def test_every_question_kind_is_answered_and_stored(agent_client, make_call):
    call = make_call(questions=QUESTIONS)
    response = agent_client.post(f"/calls/{call.id}/sign-up", data=form(**answers_for(call)))
    assert response.status_code == 302, response.get_data(as_text=True)
    values = {answer.label: answer.value for answer in session.execute(select(SignUp)).scalar_one().answers}
    assert values == {"Court": "Réponse", "Un choix": "A", "Plusieurs": ["X", "Z"], "Oui ou non": "yes",
                      "Quand": "2027-02-01"}


@pytest.mark.parametrize("label, value", [("Court", None), ("Court", "x" * 301), ("Un choix", "C"),
                                          ("Plusieurs", ["X", "W"]), ("Plusieurs", None), ("Oui ou non", "peut-être"),
                                          ("Quand", "32/13/2027")])
def test_bad_answers_get_a_message_on_the_question(agent_client, make_call, label, value):
    call = make_call(questions=QUESTIONS)
    question = next(question for question in call.active_questions if question.label == label)
    data = form(**answers_for(call))
    data.pop(f"q{question.id}")
    if value is not None:
        data[f"q{question.id}"] = value
    page = parse_page(agent_client.post(f"/calls/{call.id}/sign-up", data=data))
    assert len(error_summary(page)) == 1 and one(page, f"#q{question.id}-error")
    assert count(SignUp) == 0


def test_number_out_of_range(agent_client, people, make_call):
    from app.calls.operations import add_question

    call = make_call()
    question = add_question(call, people["lab"], kind="number", label="Combien ?", required=True,
                            min_value=Decimal(0), max_value=Decimal(10))
    session.commit()
    page = parse_page(agent_client.post(f"/calls/{call.id}/sign-up", data=form(**{f"q{question.id}": "11"})))
    assert len(error_summary(page)) == 1 and one(page, f"#q{question.id}-error")
    assert count(SignUp) == 0


def test_mass_assignment_of_status_and_agent_changes_nothing(agent_client, people, make_call):
    call = make_call(capacity=1)
    before = utcnow()
    agent_client.post(f"/calls/{call.id}/sign-up", data=form(status="approved", agent_id=people["admin"].id,
                                                            held_places="0", submitted_at="2000-01-01"))
    after = utcnow()
    signup = session.execute(select(SignUp)).scalar_one()
    assert signup.status == "pending_manager" and signup.agent_id == people["agent"].id
    assert before <= signup.submitted_at <= after, "the time of sending, not the form's"


def test_an_agent_cannot_withdraw_someone_elses_sign_up(app, people, make_call):
    call = make_call()
    other, *_ = sign_up(call.id, people["lab"], "Moi", Decimal(10))
    session.commit()
    client = sign_in(app.test_client(), people["agent"])
    assert client.get(f"/my/sign-ups/{other.id}/withdraw").status_code == 404
    assert client.post(f"/my/sign-ups/{other.id}/withdraw").status_code == 404
    session.expire_all()
    assert session.get(SignUp, other.id).status == "pending_manager"


def test_closed_call_refuses_sign_ups(agent_client, people, make_call):
    from app.calls.operations import close

    call = make_call()
    close(call, people["lab"])
    session.commit()
    response = agent_client.post(f"/calls/{call.id}/sign-up", data=form())
    assert response.status_code == 302 and count(SignUp) == 0


def test_a_failure_between_two_writes_leaves_nothing_half_written(agent_client, make_call, monkeypatch):
    call = make_call(capacity=2)

    def mail_queue_broken(*args, **kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr("app.signups.operations.queue_mail", mail_queue_broken)
    response = agent_client.post(f"/calls/{call.id}/sign-up", data=form())
    assert response.status_code == 500
    assert count(SignUp) == 0 and count(AuditEntry, AuditEntry.action == "signup.created") == 0
    session.expire_all()
    assert session.get(Call, call.id).held_places == 0, "the place taken is given back with the rollback"


def test_mail_server_down_keeps_the_sign_up_and_the_mail(app, agent_client, people, make_call):
    from app.mail.operations import send_due

    call = make_call()
    app.config.update(ALLIES_MAIL_BACKEND="smtp", ALLIES_MAIL_SERVER="127.0.0.1", ALLIES_MAIL_PORT=9,
                      ALLIES_MAIL_TIMEOUT=2)
    assert agent_client.post(f"/calls/{call.id}/sign-up", data=form()).status_code == 302
    summary = send_due()
    assert summary.sent == 0 and summary.failed_now >= 1
    assert count(SignUp) == 1
    session.expire_all()
    waiting = session.execute(select(OutboxMessage)).scalars().all()
    assert waiting and all(message.sent_at is None and message.attempts == 1 for message in waiting)


def test_lab_chooses_a_daily_digest(app, people, make_call, make_user):
    from app.signups.operations import send_lab_digests

    lab_client = sign_in(app.test_client(), people["lab"])
    assert lab_client.post("/lab/notifications", data={"notices": "digest"}).status_code == 302
    call = make_call()
    sign_up(call.id, make_user(), "Un", Decimal(10))
    sign_up(call.id, make_user(), "Deux", Decimal(10))
    session.commit()
    assert [m for m in mails_to(people["lab"]) if "Nouvelle" in m.subject or "New" in m.subject] == []
    assert send_lab_digests() == 1
    session.commit()
    digest = mails_to(people["lab"])[-1]
    assert "2" in digest.subject
    assert send_lab_digests() == 0, "the same sign-ups are never sent twice"
    sign_up(call.id, make_user(), "Trois", Decimal(10))
    session.commit()
    result = app.test_cli_runner().invoke(args=["signups", "digest"])
    assert result.exit_code == 0 and "1 récapitulatif" in result.output
    assert "1" in mails_to(people["lab"])[-1].subject


def test_mails_follow_the_recipients_language(app, people, make_call):
    people["manager"].locale = "en"
    session.commit()
    call = make_call()
    sign_up(call.id, people["agent"], "Motivé", Decimal(10))
    session.commit()
    manager_mail = mails_to(people["manager"])[0]
    agent_mail = mails_to(people["agent"])[0]
    assert "asks for your agreement" in manager_mail.subject and "<html" in manager_mail.body_html
    assert "candidature" in agent_mail.subject.lower()


def post_together(clients, url, data):
    """Each client posts at the same instant (threads released by a barrier); the status codes."""
    return post_all_together([(client, url, data) for client in clients])


def post_all_together(posts):
    """Each (client, URL, form) posted at the same instant (threads released by a barrier); the status codes."""
    barrier = threading.Barrier(len(posts))
    codes = []

    def submit(client, url, data):
        barrier.wait()
        codes.append(client.post(url, data=data).status_code)

    threads = [threading.Thread(target=submit, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return codes


@pytest.mark.postgres
def test_capacity_holds_under_a_burst_of_simultaneous_sign_ups(app_factory, make_call, make_user):
    """40 agents on two app instances (like two processes) submit at the same instant for 5 places."""
    call = make_call(capacity=5)
    agents = [make_user() for _ in range(40)]
    apps = [app_factory(), app_factory()]
    clients = [sign_in(apps[index % 2].test_client(), agent) for index, agent in enumerate(agents)]
    codes = post_together(clients, f"/calls/{call.id}/sign-up", form())
    assert sorted(set(codes)) == [302] and len(codes) == 40
    session.expire_all()
    assert session.get(Call, call.id).held_places == 5
    rows = session.execute(select(SignUp).where(SignUp.call_id == call.id)
                           .order_by(SignUp.submitted_at, SignUp.id)).scalars().all()
    assert [row.status for row in rows] == ["pending_manager"] * 5 + ["waitlisted"] * 35, \
        "the first five in submission order hold the places"
    from app.signups.queries import waitlist_ranks

    ranks = waitlist_ranks([call.id])
    assert [ranks[row.id] for row in rows[5:]] == list(range(1, 36))


@pytest.mark.postgres
def test_withdrawals_and_promotions_racing_a_burst_keep_the_places_and_the_queue(app_factory, make_call, make_user):
    """5 places held and 5 agents waiting; 4 holders withdraw while 30 newcomers sign up, all at the same instant, on
    two app instances: the freed places go to the first four who waited, and every newcomer waits behind the fifth."""
    from app.signups.queries import waitlist_ranks

    call = make_call(capacity=5)
    signups = [sign_up(call.id, make_user(), "Motivé", Decimal(10))[0] for _ in range(10)]
    newcomers = [make_user() for _ in range(30)]
    session.commit()
    holders, waiting = signups[:5], signups[5:]
    assert [signup.status for signup in signups] == ["pending_manager"] * 5 + ["waitlisted"] * 5
    apps = [app_factory(), app_factory()]
    posts = [(sign_in(apps[index % 2].test_client(), signup.agent), f"/my/sign-ups/{signup.id}/withdraw", {})
             for index, signup in enumerate(holders[:4])]
    posts += [(sign_in(apps[index % 2].test_client(), agent), f"/calls/{call.id}/sign-up", form())
              for index, agent in enumerate(newcomers)]
    assert post_all_together(posts) == [302] * 34
    session.expire_all()
    rows = session.execute(select(SignUp).where(SignUp.call_id == call.id)
                           .order_by(SignUp.submitted_at, SignUp.id)).scalars().all()
    status = {row.id: row.status for row in rows}
    assert [status[signup.id] for signup in holders] == ["withdrawn"] * 4 + ["pending_manager"]
    assert [status[signup.id] for signup in waiting] == ["pending_manager"] * 4 + ["waitlisted"]
    assert [row.status for row in rows[10:]] == ["waitlisted"] * 30 and len(rows) == 40
    assert session.get(Call, call.id).held_places == 5
    ranks = waitlist_ranks([call.id])
    assert [ranks[row.id] for row in [waiting[4], *rows[10:]]] == list(range(1, 32))


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "{{7*7}}", "<img src=x onerror=alert(1)>"])
def test_payloads_in_sign_up_fields_render_as_text(app, agent_client, people, make_call, payload):
    call = make_call(questions=[("short_text", "Court", False, []), ("long_text", "Long", False, [])])
    short, long_ = call.active_questions
    agent_client.post(f"/calls/{call.id}/sign-up", data=form(motivation=payload, availability=payload,
                                                            **{f"q{short.id}": payload, f"q{long_.id}": payload}))
    signup = session.execute(select(SignUp)).scalar_one()
    lab_client = sign_in(app.test_client(), people["lab"])
    for url in (f"/lab/calls/{call.id}/sign-ups", f"/lab/sign-ups/{signup.id}"):
        main = read_page(lab_client, url).main
        assert not main.select("main script, main img"), url
        assert payload in text_of(main), "shown as typed, as text"
    for message in session.execute(select(OutboxMessage)).scalars():
        assert "<script>alert" not in message.body_html and "<img src=x" not in message.body_html


def test_archived_calls_are_frozen(app, people, make_call, make_user):
    from app.calls.operations import archive, close
    from app.refusals import Refusal
    from app.signups.operations import decline, withdraw

    call = make_call(capacity=1)
    holder, waiting = make_user(), make_user()
    held, *_ = sign_up(call.id, holder, "Un", Decimal(10))
    queued, *_ = sign_up(call.id, waiting, "Deux", Decimal(10))
    close(call, people["lab"])
    archive(call, people["lab"])
    session.commit()
    with pytest.raises(Refusal):
        decline(held, people["lab"], "Trop tard")
    withdraw(held, holder)
    session.commit()
    assert session.get(SignUp, queued.id).status == "waitlisted", "an archive promotes nobody"


def test_closed_call_still_fills_from_its_waiting_list(app, people, make_call, make_user):
    from app.calls.operations import close, update_call

    call = make_call(capacity=1)
    sign_up(call.id, make_user(), "Un", Decimal(10))
    queued, *_ = sign_up(call.id, make_user(), "Deux", Decimal(10))
    close(call, people["lab"])
    update_call(call, people["lab"], capacity=2)
    session.commit()
    assert session.get(SignUp, queued.id).status == "pending_manager"


def test_inactive_agents_on_the_waiting_list_are_skipped(app, people, make_call, make_user):
    from app.signups.operations import withdraw

    call = make_call(capacity=1)
    holder, gone, present = make_user(), make_user(), make_user()
    held, *_ = sign_up(call.id, holder, "Un", Decimal(10))
    gone_signup, *_ = sign_up(call.id, gone, "Deux", Decimal(10))
    present_signup, *_ = sign_up(call.id, present, "Trois", Decimal(10))
    gone.active = False
    withdraw(held, holder)
    session.commit()
    assert session.get(SignUp, gone_signup.id).status == "waitlisted"
    assert session.get(SignUp, present_signup.id).status == "pending_manager"


def test_manager_inbox_shows_only_the_team_and_never_the_motivation(app, people, make_call, make_user):
    call = make_call(questions=[("short_text", "Secret ?", False, [])])
    question = call.active_questions[0]
    sign_up(call.id, people["agent"], "Motivation très personnelle", Decimal(10), answers=[(question, "Réponse intime")])
    other_team = make_user(manager=make_user(), given_name="Hors", family_name="Équipe")
    sign_up(call.id, other_team, "Autre", Decimal(10))
    session.commit()
    page = read_page(sign_in(app.test_client(), people["manager"]), "/approvals").get_text(" ")
    assert "Alex Martin" in page and "Hors Équipe" not in page
    assert "Motivation très personnelle" not in page and "Réponse intime" not in page
    request_mail = mails_to(people["manager"])[0]
    for body in (request_mail.body_text, request_mail.body_html):
        assert "Motivation très personnelle" not in body and "Réponse intime" not in body


def test_editing_a_closed_call_past_its_deadline_keeps_its_deadline(app, people, make_call):
    from app.calls.operations import close
    call = make_call(capacity=2)
    call.deadline = utcnow().replace(microsecond=0) - timedelta(days=2, seconds=17)
    close(call, people["lab"])
    session.commit()
    lab_client = sign_in(app.test_client(), people["lab"])
    data = form_data(one(read_page(lab_client, f"/lab/calls/{call.id}/edit"), "main form"))
    data.update(summary="Un atelier pour repenser l'accueil.", body=call.body, commitment_kind="percent",
                audience_all="all", needs_manager_agreement="y", capacity="3")
    response = lab_client.post(f"/lab/calls/{call.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "call.updated")).scalar_one()
    assert set(entry.details["changes"]) == {"capacity"}, "no fake deadline change"


@pytest.mark.postgres
def test_simultaneous_double_submit_gives_one_sign_up(app_factory, people, make_call):
    call = make_call(capacity=3)
    clients = [sign_in(app_factory().test_client(), people["agent"]) for _ in range(8)]
    codes = post_together(clients, f"/calls/{call.id}/sign-up", form())
    assert codes == [302] * 8
    assert count(SignUp) == 1
    session.expire_all()
    assert session.get(Call, call.id).held_places == 1


def test_a_twin_request_that_got_in_first_is_landed_on(agent_client, people, make_call, monkeypatch):
    """Where the row lock does not hold (SQLite), the unique index of live sign-ups catches the twin."""
    import app.signups.operations as operations

    call = make_call(capacity=3)
    twin, *_ = sign_up(call.id, people["agent"], "Premier clic", Decimal(10))
    session.commit()
    real_live_signup = operations.live_signup
    calls = []

    def misses_the_twin_once(call_id, agent_id):
        calls.append(call_id)
        return None if len(calls) == 1 else real_live_signup(call_id, agent_id)

    monkeypatch.setattr(operations, "live_signup", misses_the_twin_once)
    monkeypatch.setattr("app.signups.views.live_signup", lambda call_id, agent_id: None if not calls else
                        real_live_signup(call_id, agent_id))
    response = agent_client.post(f"/calls/{call.id}/sign-up", data=form(motivation="Second clic"))
    assert response.status_code == 302 and f"signup-{twin.id}" in response.headers["Location"]
    assert count(SignUp) == 1
    session.expire_all()
    assert session.get(Call, call.id).held_places == 1, "the place taken by the twin's twin was given back"


def test_a_calls_sign_ups_are_paged_in_the_order_they_arrived_and_keep_the_filter(app_factory, people, make_call,
                                                                                  make_user):
    application = app_factory(ALLIES_PAGE_SIZE=5)
    call = make_call(capacity=None)
    for index in range(7):
        sign_up(call.id, make_user(family_name=f"Agent{index:02d}"), "Motivé", Decimal(8))
    session.commit()
    client = sign_in(application.test_client(), people["lab"])
    url = f"/lab/calls/{call.id}/sign-ups"
    first = read_page(client, url, query_string={"status": "pending_manager"})
    assert [row[0] for row in table_rows(first, "signups-caption")] == [f"Camille Agent{n:02d}" for n in range(5)]
    assert one(first, "nav.pagination a")["href"] == f"{url}?page=2&status=pending_manager"
    second = read_page(client, url, query_string={"status": "pending_manager", "page": 2})
    assert [row[0] for row in table_rows(second, "signups-caption")] == ["Camille Agent05", "Camille Agent06"]
    past = read_page(client, url, query_string={"page": 9})
    assert "Cette page est au-delà de la dernière." in text_of(past.main) and not past.select("#signups-caption")
