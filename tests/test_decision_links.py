"""Managers decide from the mail: the link a request mail carries, what it lets its approver do, and everything it
must not let anyone else do."""

import email
import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.approvals.models import Decision, DecisionLink, Delegation
from app.approvals.operations import send_reminders
from app.audit.models import AuditEntry
from app.budgets.models import Allocation
from app.budgets.operations import request_extension
from app.clock import local_today, utcnow
from app.database import session
from app.mail.models import LinkToken, OutboxMessage
from app.mail.operations import send_due
from app.signups.models import SignUp
from app.signups.operations import sign_up, withdraw
from tests.conftest import sign_in
from tests.test_signups import post_all_together
from tests.pages import definitions, flashes, one, parse_page, text_of

LINK = re.compile(r"http://127\.0\.0\.1:5000(/decide/[A-Za-z0-9_-]+)")


@pytest.fixture
def mail_folder(app, tmp_path):
    """Mails are written to a folder, as .eml files to read back."""
    app.config.update(ALLIES_MAIL_BACKEND="folder", ALLIES_MAIL_FOLDER=str(tmp_path / "mails"))
    return tmp_path / "mails"


def links_sent_to(folder, user):
    """The decision links of the mails sent to `user` so far, oldest first (sends what waits in the outbox)."""
    send_due()
    session.commit()
    found = []
    for path in sorted(folder.glob("*.eml"), key=lambda p: int(p.name.split(".")[1])):
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if mail["To"] == user.email:
            text = mail.get_body(("plain",)).get_content()
            found += LINK.findall(text)
    return found


@pytest.fixture
def request_(people, make_call):
    """The agent's sign-up, waiting for the manager's decision (its mail written to the outbox)."""
    call = make_call(capacity=2)
    signup, *_ = sign_up(call.id, people["agent"], "Motivation personnelle", Decimal(40))
    session.commit()
    return signup


@pytest.fixture
def link(mail_folder, people, request_):
    """The decision link of the manager's request mail."""
    (url,) = links_sent_to(mail_folder, people["manager"])
    return url


def status_of(signup):
    session.expire_all()
    return session.get(SignUp, signup.id).status


def decide(client, url, **data):
    return client.post(url, data=data)


def test_the_outbox_never_holds_a_working_link(mail_folder, people, request_):
    message = session.execute(select(OutboxMessage).where(OutboxMessage.recipient_id == people["manager"].id)
                              ).scalar_one()
    assert "link-token-slot-1" in message.body_text and "/decide/" in message.body_text
    (url,) = links_sent_to(mail_folder, people["manager"])
    secret = url.rsplit("/", 1)[1]
    assert len(secret) == 43  # 256 bits
    session.expire_all()
    stored = session.execute(select(OutboxMessage.body_text, OutboxMessage.body_html)).all()
    assert all(secret not in text + html for text, html in stored)
    assert session.execute(select(LinkToken.token_hash)).scalar_one() != secret


def test_the_manager_decides_in_two_clicks_without_signing_in(client, people, request_, link):
    page = parse_page(client.get(link))
    assert "Motivation personnelle" not in page.get_text(" ")
    assert "Alex Martin" in page.get_text(" ") and "40 h" in page.get_text(" ")
    # « J'accepte les 40 h demandées » is a button of its own; the other form holds the two other choices.
    assert [radio["value"] for radio in page.select("input[name=outcome][type=radio]")] == ["approve_less", "refuse"]
    response = client.post(link, data={"outcome": "approve"})
    assert response.status_code == 302
    assert status_of(request_) == "approved"
    decision = session.execute(select(Decision)).scalar_one()
    assert decision.decided_by_id == people["manager"].id and decision.by_mail_link
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "approvals.decided_by_mail_link")
                            ).scalar_one()
    assert entry.actor_id == people["manager"].id and entry.ip == "127.0.0.1"
    assert entry.details["mode"] == "link" and "user_agent" in entry.details
    after = parse_page(client.get(link))
    assert any("Vous avez accordé 40\u00a0h" in message for _, message in flashes(after)), flashes(after)
    assert text_of(one(after, ".notice")).startswith("Décidé par Manon Durand le ")


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_scanner_opening_the_link_changes_nothing(client, request_, link, method):
    for _ in range(3):
        response = client.open(link, method=method)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "noindex" in response.headers["X-Robots-Tag"]
    assert status_of(request_) == "pending_manager"
    assert session.execute(select(DecisionLink.used_at)).scalar_one() is None
    assert client.post(link, data={"outcome": "approve"}).status_code == 302
    assert status_of(request_) == "approved"


def test_a_link_decides_once(client, request_, link):
    assert client.post(link, data={"outcome": "refuse", "reason": "Pas ce trimestre"}).status_code == 302
    second = client.post(link, data={"outcome": "approve"})
    assert second.status_code == 409
    assert status_of(request_) == "refused"
    assert len(session.execute(select(Decision)).scalars().all()) == 1


def test_fewer_hours_and_a_refusal_need_their_field(client, request_, link):
    response = client.post(link, data={"outcome": "approve_less", "hours": "50"})
    assert response.status_code == 422
    response = client.post(link, data={"outcome": "refuse", "reason": " "})
    assert response.status_code == 422
    assert client.post(link, data={"outcome": "approve_less", "hours": "12,5"}).status_code == 302
    assert session.execute(select(Decision.hours_agreed)).scalar_one() == Decimal("12.5")


@pytest.mark.parametrize("mangle", [
    lambda url: url[:-1],  # truncated
    lambda url: url[:-1] + ("A" if url[-1] != "A" else "B"),  # one character changed
    lambda url: "/decide/" + "A" * 43,  # forged
    lambda url: url + "x",
    lambda url: "/decide/%00" + url[9:],
])
def test_a_forged_or_truncated_link_is_not_valid(client, request_, link, mangle):
    response = client.get(mangle(link))
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert client.post(mangle(link), data={"outcome": "approve"}).status_code == 404
    assert status_of(request_) == "pending_manager"


def test_the_agent_signed_in_cannot_decide_with_a_forwarded_link(client, people, request_, link):
    sign_in(client, people["agent"])
    page = client.get(link)
    assert page.status_code == 403
    assert client.post(link, data={"outcome": "approve"}).status_code == 403
    assert status_of(request_) == "pending_manager"


def test_someone_else_signed_in_never_decides_nor_lends_their_session(client, people, request_, link):
    sign_in(client, people["lab"])
    page = client.get(link)
    assert page.status_code == 403 and "Alex Martin" not in parse_page(page, 403).get_text(" ")
    assert client.post(link, data={"outcome": "approve"}).status_code == 403
    assert status_of(request_) == "pending_manager"
    assert session.execute(select(DecisionLink.used_at)).scalar_one() is None


def test_an_expired_link(app, client, request_, link):
    session.execute(DecisionLink.__table__.update().values(expires_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    page = client.get(link)
    assert page.status_code == 200
    words = parse_page(page).get_text(" ")
    assert "a expiré le" in words and "Alex" not in words and "40" not in words  # a dead link tells nothing
    assert client.post(link, data={"outcome": "approve"}).status_code == 409
    assert status_of(request_) == "pending_manager"


def test_links_expire_after_the_configured_days(app, request_, link):
    created, expires = session.execute(select(DecisionLink.created_at, DecisionLink.expires_at)).one()
    assert expires - created == timedelta(days=app.config["ALLIES_DECISION_LINK_DAYS"]) == timedelta(days=14)


@pytest.mark.parametrize("days", [0, 15, 90])
def test_a_link_lives_14_days_at_most(app_factory, days):
    with pytest.raises(RuntimeError, match="ALLIES_DECISION_LINK_DAYS"):
        app_factory(ALLIES_DECISION_LINK_DAYS=days)


def test_a_reminder_carries_a_fresh_link_and_kills_the_previous_one(app, client, mail_folder, people, request_, link):
    app.config.update(ALLIES_REMIND_AFTER_DAYS=0, ALLIES_ESCALATE_AFTER_DAYS=99)
    assert send_reminders()["reminder"] == 1
    session.commit()
    first, fresh = links_sent_to(mail_folder, people["manager"])
    assert first == link and fresh != link
    assert client.post(link, data={"outcome": "approve"}).status_code == 409
    assert status_of(request_) == "pending_manager"
    assert client.post(fresh, data={"outcome": "approve"}).status_code == 302
    assert status_of(request_) == "approved"


def test_an_escalation_kills_the_managers_link_and_names_who_decides_now(app, client, mail_folder, make_user,
                                                                          people, request_, link):
    boss = make_user("bea.boss", given_name="Béa", family_name="Boss")
    people["manager"].manager = boss
    session.commit()
    app.config.update(ALLIES_REMIND_AFTER_DAYS=0, ALLIES_ESCALATE_AFTER_DAYS=0)
    assert send_reminders()["escalation"] == 1
    session.commit()
    response = client.get(link)
    assert "Béa Boss" in text_of(one(parse_page(response), ".notice"))
    assert client.post(link, data={"outcome": "approve"}).status_code == 409
    (boss_link,) = links_sent_to(mail_folder, boss)
    assert client.post(boss_link, data={"outcome": "approve"}).status_code == 302
    decision = session.execute(select(Decision)).scalar_one()
    assert decision.decided_by_id == boss.id and decision.on_behalf_of_id == people["manager"].id


def test_a_deputy_gets_a_link_of_their_own_for_the_dates_they_cover(app, client, mail_folder, make_user, people,
                                                                     make_call):
    deputy = make_user("dan.deputy", given_name="Dan", family_name="Deputy")
    today = local_today()
    delegation = Delegation(manager=people["manager"], deputy=deputy, start_date=today,
                            end_date=today + timedelta(days=2))
    session.add(delegation)
    session.commit()
    call = make_call(capacity=2)
    signup, *_ = sign_up(call.id, people["agent"], "", Decimal(10))
    session.commit()
    (deputy_link,) = links_sent_to(mail_folder, deputy)
    expires = session.execute(select(DecisionLink.expires_at).where(DecisionLink.approver_id == deputy.id)
                              ).scalar_one()
    assert expires.date() <= today + timedelta(days=3)
    # Outside the dates (the delegation ended early): the deputy's link no longer decides.
    delegation.end_date = today - timedelta(days=1)
    delegation.start_date = today - timedelta(days=3)
    session.commit()
    assert client.post(deputy_link, data={"outcome": "approve"}).status_code == 409
    assert status_of(signup) == "pending_manager"
    delegation.start_date, delegation.end_date = today, today + timedelta(days=2)
    session.commit()
    assert client.post(deputy_link, data={"outcome": "approve"}).status_code == 302
    decision = session.execute(select(Decision)).scalar_one()
    assert decision.decided_by_id == deputy.id and decision.on_behalf_of_id == people["manager"].id


def test_a_withdrawn_request_cannot_be_decided(client, people, request_, link):
    withdraw(session.get(SignUp, request_.id), people["agent"])
    session.commit()
    assert client.post(link, data={"outcome": "approve"}).status_code == 409
    assert status_of(request_) == "withdrawn"


def test_an_inactive_agent_cannot_be_decided_for(client, people, request_, link):
    people["agent"].active = False
    session.commit()
    assert client.post(link, data={"outcome": "approve"}).status_code == 409
    assert status_of(request_) == "pending_manager"


def test_sso_mode_signs_in_first_and_only_the_approver_decides(app, client, people, request_, link):
    app.config["ALLIES_DECISION_LINKS"] = "sso"
    response = client.get(link)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    sign_in(client, people["manager"])
    assert client.get(link).status_code == 200
    assert client.post(link, data={"outcome": "approve"}).status_code == 302
    assert status_of(request_) == "approved"


def test_off_mode_keeps_the_inbox_link(app, mail_folder, people, make_call, client):
    app.config["ALLIES_DECISION_LINKS"] = "off"
    call = make_call(capacity=2)
    sign_up(call.id, people["agent"], "", Decimal(10))
    session.commit()
    assert links_sent_to(mail_folder, people["manager"]) == []
    assert session.execute(select(DecisionLink)).first() is None
    message = session.execute(select(OutboxMessage).where(OutboxMessage.recipient_id == people["manager"].id)
                              ).scalar_one()
    assert "/approvals/" in message.body_text
    assert client.get("/decide/" + "A" * 43).status_code == 404


def test_an_extension_request_carries_a_link_of_its_own(app, client, mail_folder, people, request_, link):
    assert client.post(link, data={"outcome": "approve"}).status_code == 302
    allocation = session.execute(select(Allocation)).scalar_one()
    request_extension(allocation, people["agent"], Decimal(8), None, "Encore un atelier")
    session.commit()
    extension_link = links_sent_to(mail_folder, people["manager"])[-1]
    assert extension_link != link
    page = parse_page(client.get(extension_link))
    assert definitions(page, ".facts")["Heures supplémentaires demandées"] == "8 h"
    assert client.post(extension_link, data={"outcome": "approve_less", "hours": "4"}).status_code == 302
    session.expire_all()
    assert session.execute(select(Allocation.hours)).scalar_one() == Decimal(44)
    assert text_of(one(parse_page(client.get(extension_link)), ".notice")).startswith("Décidé par Manon Durand")


@pytest.mark.postgres
def test_two_posts_of_one_link_at_the_same_instant_make_one_decision(app, app_factory, mail_folder, people,
                                                                    make_call):
    """Two app instances (like two processes) receive the same link's POST at the same instant: one decides."""
    call = make_call(capacity=2)
    signup, *_ = sign_up(call.id, people["agent"], "", Decimal(10))
    session.commit()
    (url,) = links_sent_to(mail_folder, people["manager"])
    apps = [app_factory(), app_factory()]
    codes = post_all_together([(apps[0].test_client(), url, {"outcome": "approve"}),
                               (apps[1].test_client(), url, {"outcome": "refuse", "reason": "Pas maintenant"})])
    assert sorted(codes) == [302, 409], codes
    session.expire_all()
    assert len(session.execute(select(Decision).where(Decision.signup_id == signup.id)).scalars().all()) == 1
    assert session.execute(select(DecisionLink.used_at)).scalar_one() is not None


# --- the choice of notices, and the Monday digest --------------------------------------------------------------

def next_monday():
    today = local_today()
    return today + timedelta(days=(7 - today.weekday()) % 7)


def test_a_manager_chooses_the_monday_digest_and_gets_no_mail_per_request(client, people, make_call):
    sign_in(client, people["manager"])
    page = parse_page(client.get("/approvals/notifications"))
    assert one(page, "input[value=each]").has_attr("checked")
    assert client.post("/approvals/notifications", data={"notices": "sometimes"}).status_code == 422
    assert client.post("/approvals/notifications", data={"notices": "weekly"}).status_code == 302
    assert one(parse_page(client.get("/approvals/notifications")), "input[value=weekly]").has_attr("checked")
    call = make_call(capacity=2)
    sign_up(call.id, people["agent"], "", Decimal(10))
    session.commit()
    to_manager = select(OutboxMessage).where(OutboxMessage.recipient_id == people["manager"].id)
    assert session.execute(to_manager).first() is None
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "mail.preference_changed")).scalar_one()
    assert entry.details == {"weekly_digest": True}


def test_the_monday_digest_lists_requests_with_links_budgets_and_endings(app, client, mail_folder, people,
                                                                          make_call):
    from app.approvals.digests import send_weekly_digests
    from app.approvals.operations import approve, choose_request_notices
    from app.budgets.operations import log_time

    monday = next_monday()
    choose_request_notices(people["manager"], weekly=True)
    running = make_call(title="Atelier en cours", start_date=monday - timedelta(days=20), end_date=monday)
    approved, *_ = sign_up(running.id, people["agent"], "", Decimal(4))
    allocation = approve(approved, people["manager"])
    log_time(allocation, people["agent"], monday - timedelta(days=1), Decimal(4))
    waiting = make_call(title="Appel en attente", capacity=2)
    signup, *_ = sign_up(waiting.id, people["agent"], "", Decimal(10))
    session.commit()
    assert send_weekly_digests(monday - timedelta(days=1)) == 0  # a Sunday: nothing
    assert send_weekly_digests(monday) == 2  # the manager; the lab member (network)
    assert send_weekly_digests(monday) == 0  # once per Monday
    session.commit()
    send_due()
    session.commit()
    mails = {}
    for path in mail_folder.glob("*.eml"):
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if mail["Subject"].startswith("Votre semaine dans Alliés"):
            mails[mail["To"]] = (mail["Subject"], mail.get_body(("plain",)).get_content())
    subject, text = mails[people["manager"].email]
    assert "1 demande(s) à décider" in subject
    assert "Appel en attente" in text and "Atelier en cours" in text
    assert "4\u00a0h utilisées sur 4\u00a0h" in text
    (url,) = LINK.findall(text)
    assert client.post(url, data={"outcome": "approve"}).status_code == 302
    assert status_of(signup) == "approved"
    _, lab_text = mails[people["lab"].email]
    assert "Dans tout le réseau, budgets temps épuisés ou dépassés" in lab_text and "Alex Martin" in lab_text
    assert "/decide/" not in lab_text


def test_mail_digest_command_runs_daily_and_sends_weekly(app, runner, people):
    result = runner.invoke(args=["mail", "digest"])
    assert result.exit_code == 0, result.output
    assert "récapitulatif(s) hebdomadaire(s)" in result.output or "weekly digest" in result.output


def test_decision_links_are_rate_limited_per_link_and_per_address(app_factory):
    application = app_factory(RATELIMIT_ENABLED=True, ALLIES_DECISION_LINK_RATE_LIMIT="5 per minute",
                              ALLIES_DECISION_LINK_RATE_LIMIT_PER_LINK="2 per minute")
    with application.app_context():
        guessed = "/decide/" + "B" * 43
        per_link = [application.test_client().get(guessed, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
                    for n in range(1, 4)]
        assert per_link == [404, 404, 429]  # one link, from three addresses
        client = application.test_client()
        per_address = [client.get(f"/decide/{letter * 43}", environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code
                       for letter in "CDEFGH"]
        assert per_address == [404] * 5 + [429]  # one address, six links


def test_a_revision_of_the_allocation_kills_the_extension_link(client, mail_folder, people, request_, link):
    from app.approvals.operations import revise_allocation

    assert client.post(link, data={"outcome": "approve"}).status_code == 302
    allocation = session.execute(select(Allocation)).scalar_one()
    request_extension(allocation, people["agent"], Decimal(8), None, "Encore un atelier")
    session.commit()
    extension_link = links_sent_to(mail_folder, people["manager"])[-1]
    revise_allocation(session.get(Allocation, allocation.id), people["manager"], Decimal(30), "Moins d'ateliers")
    session.commit()
    response = client.post(extension_link, data={"outcome": "approve"})
    assert response.status_code == 409
    assert "le temps accordé a changé" in text_of(one(parse_page(response, status=409), ".notice"))
    assert session.execute(select(Allocation.hours)).scalar_one() == Decimal(30)


def test_a_deputys_digest_links_end_with_the_delegation(app, make_user, people, request_):
    from app.approvals.digests import send_weekly_digests
    from app.approvals.operations import choose_request_notices

    monday = next_monday()
    deputy = make_user("dan.deputy", given_name="Dan", family_name="Deputy")
    session.add(Delegation(manager=people["manager"], deputy=deputy, start_date=local_today(), end_date=monday))
    choose_request_notices(deputy, weekly=True)
    session.commit()
    assert send_weekly_digests(monday) == 1
    session.commit()
    expires = session.execute(select(DecisionLink.expires_at).where(DecisionLink.approver_id == deputy.id,
                                                                    DecisionLink.purpose == "digest")).scalar_one()
    assert expires.astimezone(ZoneInfo(app.config["ALLIES_TIMEZONE"])).date() == monday + timedelta(days=1)


def test_the_labs_digest_lists_the_requests_waiting_longer_than_the_escalation_delay(app, mail_folder, people,
                                                                                   make_call, request_):
    from app.approvals.digests import send_weekly_digests

    monday = next_monday()
    late_call = make_call(title="Appel oublié", capacity=2)
    late, *_ = sign_up(late_call.id, people["lab"], "", Decimal(5))  # the lab member's own request, to her manager
    late.manager_asked_at = late.submitted_at = utcnow() - timedelta(days=20)
    session.commit()
    assert send_weekly_digests(monday) == 1
    session.commit()
    send_due()
    session.commit()
    texts = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in
             mail_folder.glob("*.eml")]
    (digest,) = [mail.get_body(("plain",)).get_content() for mail in texts
                 if mail["Subject"].startswith("Votre semaine dans Alliés")]
    assert "Appel oublié" in digest and "Léa Labbé" in digest
    assert "Alex Martin" not in digest  # asked today: not late
