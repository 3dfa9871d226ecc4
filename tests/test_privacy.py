"""Agents' data rights: their own data and only theirs, as JSON and ODS; the retention purge, with a frozen
clock, and a dry run."""

import io
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from odf import table
from odf.opendocument import load
from sqlalchemy import func, select

from app.api.operations import create_token
from app.approvals.operations import approve
from app.audit.models import AuditEntry
from app.audit.operations import record
from app.auth.operations import agent_for_identity
from app.api.models import ApiToken
from app.budgets.models import TimeEntry
from app.budgets.operations import log_time
from app.database import session
from app.privacy.operations import purge
from app.recognition.operations import add_testimonial, award_badge, write_letter
from app.signups.models import Answer, SignUp
from app.signups.operations import sign_up
from tests.conftest import sign_in
from tests.pages import read_page


@pytest.fixture
def two_agents(people, make_call, make_user):
    """The agent approved with time logged and an answer; another agent of the same call with their own."""
    today = date.today()
    call = make_call(title="Atelier mobilités", start_date=today - timedelta(days=20), end_date=today + timedelta(days=20),
                     questions=[("short_text", "Votre ligne de bus", False, [])])
    mine, *_ = sign_up(call.id, people["agent"], "Ma motivation à moi", Decimal(6),
                      answers=[(call.active_questions[0], "Ligne 12")])
    other_agent = make_user(manager=people["manager"], family_name="Autre")
    sign_up(call.id, other_agent, "La motivation de quelqu'un d'autre", Decimal(6),
            answers=[(call.active_questions[0], "Ligne 99")])
    allocation = approve(mine, people["manager"], Decimal(5))
    log_time(allocation, people["agent"], today, Decimal("1.5"), "Trajet test")
    agent_for_identity("oidc", "https://sso.example#alex-sub", "alex.agent")
    agent_for_identity("oidc", "https://sso.example#other-sub", other_agent.login)
    create_token(people["agent"], "Page d'accueil de l'intranet", actor=people["agent"])
    create_token(other_agent, "Le jeton de quelqu'un d'autre", actor=other_agent)
    award_badge(people["agent"], "pioneer", people["lab"])
    write_letter(people["agent"], people["lab"], "Merci Alex.")
    write_letter(other_agent, people["lab"], "Merci à quelqu'un d'autre.")
    add_testimonial(people["agent"], call.id, people["lab"], "Sophie Martin", "partner", "Un regard neuf.", True)
    session.commit()
    return {"call": call, "other": other_agent}


def test_my_data_as_json_holds_all_mine_and_nothing_of_others(app, people, two_agents):
    client = sign_in(app.test_client(), people["agent"])
    response = client.get("/my/data.json")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=mes-donnees-")
    data = json.loads(response.data)
    assert data["profile"]["login"] == "alex.agent"
    (signup,) = data["sign_ups"]
    assert signup["motivation"] == "Ma motivation à moi" and signup["answers"] == [
        {"question": "Votre ligne de bus", "answer": "Ligne 12"}]
    assert data["allocations"][0]["hours"] == "5.00" and data["time_entries"][0]["note"] == "Trajet test"
    assert data["decisions"][0]["decided_by"] == "manon.manager"
    assert {entry["action"] for entry in data["audit_entries"]} >= {"signup.created", "signup.approved"}
    assert [(identity["source"], identity["subject"]) for identity in data["identities"]] == [
        ("oidc", "https://sso.example#alex-sub")]
    (token,) = data["api_tokens"]
    assert token["name"] == "Page d'accueil de l'intranet" and token["starts_with"].startswith("allies_")
    assert [badge["badge"] for badge in data["badges"]] == ["first_mission", "pioneer"]
    assert [letter["body"] for letter in data["thank_you_letters"]] == ["Merci Alex."]
    (testimonial,) = data["testimonials"]
    assert testimonial["by"] == "Sophie Martin" and testimonial["agent_agreed"] is False
    text = response.get_data(as_text=True)
    assert "quelqu'un d'autre" not in text and "Ligne 99" not in text and "other-sub" not in text
    assert session.execute(select(ApiToken.token_hash)).scalars().first() not in text


def test_my_data_as_a_spreadsheet(app, people, two_agents):
    response = sign_in(app.test_client(), people["agent"]).get("/my/data.ods")
    document = load(io.BytesIO(response.data))
    sheets = {sheet.getAttribute("name"): sheet for sheet in document.spreadsheet.getElementsByType(table.Table)}
    assert {"Profil", "Candidatures", "Saisies de temps", "Budgets temps", "Entrées du journal d'audit"} <= set(sheets)
    text = " ".join(str(cell) for cell in sheets["Candidatures"].getElementsByType(table.TableCell))
    assert "Ma motivation à moi" in text and "Ligne 12" in text and "Ligne 99" not in text
    page = read_page(sign_in(app.test_client(), people["agent"]), "/my/data")
    assert {"/my/data.ods", "/my/data.json"} <= {link["href"] for link in page.select("main a")}


@pytest.fixture
def old_and_new(people, make_call, make_user):
    """A call ended 13 months ago and one ended 11 months ago, each with a sign-up, an answer and time logged;
    an audit entry 25 months old."""
    today = date(2027, 6, 15)
    calls = {}
    for name, months in (("old", 13), ("recent", 11)):
        end = today - timedelta(days=31 * months)
        call = make_call(title=f"Appel {name}", start_date=end - timedelta(days=30), end_date=end,
                         questions=[("short_text", "Question", False, [])])
        signup, *_ = sign_up(call.id, people["agent"], f"Motivation {name}", Decimal(4), "Le mardi",
                            answers=[(call.active_questions[0], f"Réponse {name}")])
        allocation = approve(signup, people["manager"])
        log_time(allocation, people["agent"], end - timedelta(days=2), Decimal(2), today=end - timedelta(days=2))
        calls[name] = (call, signup)
    old = record("signup.created", actor=people["agent"])
    session.flush()
    old.at = datetime(2025, 5, 1, tzinfo=timezone.utc)
    session.commit()
    return today, calls


def figures():
    return (session.execute(select(SignUp.status, func.count()).group_by(SignUp.status)).all(),
            session.execute(select(func.sum(TimeEntry.hours))).scalar_one())


def test_purge_with_a_frozen_clock(app, old_and_new):
    today, calls = old_and_new
    before = figures()
    audit_before = session.execute(select(func.count(AuditEntry.id))).scalar_one()
    assert purge(today=today, dry_run=True) == {"sign_ups": 1, "answers": 1, "mails": 0, "audit_entries": 1}
    session.rollback()
    assert session.execute(select(func.count(Answer.id))).scalar_one() == 2  # a dry run changes nothing
    assert purge(today=today) == {"sign_ups": 1, "answers": 1, "mails": 0, "audit_entries": 1}
    session.commit()
    session.expire_all()
    old, recent = session.get(SignUp, calls["old"][1].id), session.get(SignUp, calls["recent"][1].id)
    assert (old.motivation, old.availability, old.answers) == ("", "", [])
    assert recent.motivation == "Motivation recent" and len(recent.answers) == 1
    assert figures() == before  # every figure stays
    entries = session.execute(select(AuditEntry.action)).scalars().all()
    assert len(entries) == audit_before - 1 + 1 and "privacy.purged" in entries
    assert purge(today=today) == {"sign_ups": 0, "answers": 0, "mails": 0, "audit_entries": 0}  # nothing left to purge


def test_purge_command_on_a_frozen_clock(app, runner, old_and_new):
    import time_machine

    today, calls = old_and_new
    with time_machine.travel(datetime(today.year, today.month, today.day, 3, tzinfo=timezone.utc), tick=False):
        result = runner.invoke(args=["privacy", "purge", "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "Simulation\u00a0: 1 candidatures seraient anonymisées (1 réponses supprimées)" in result.output
        assert session.execute(select(func.count(Answer.id))).scalar_one() == 2
        result = runner.invoke(args=["privacy", "purge"])
        assert result.exit_code == 0 and "Candidatures anonymisées\u00a0: 1" in result.output
    session.expire_all()
    assert session.get(SignUp, calls["old"][1].id).motivation == ""
    assert session.get(SignUp, calls["recent"][1].id).motivation == "Motivation recent"
    with time_machine.travel(datetime(today.year + 1, 1, 1, tzinfo=timezone.utc), tick=False):
        assert "Candidatures anonymisées\u00a0: 1" in runner.invoke(args=["privacy", "purge"]).output


def test_what_i_did_about_others_comes_without_their_details(app, people, make_call, make_user):
    from app.approvals.operations import refuse

    call = make_call(title="Appel refusé")
    other = make_user(manager=people["manager"])
    signup, *_ = sign_up(call.id, other, "Sa motivation", Decimal(4))
    refuse(signup, people["manager"], "Motif confidentiel pour l'agent")
    session.commit()
    text = sign_in(app.test_client(), people["manager"]).get("/my/data.json").get_data(as_text=True)
    assert "signup.refused" in text and "Motif confidentiel" not in text
    assert "Motif confidentiel" in sign_in(app.test_client(), other).get("/my/data.json").get_data(as_text=True)


def test_purge_clears_reasons_and_old_mails(app, people, make_call, old_and_new):
    from app.approvals.models import Decision
    from app.mail.models import OutboxMessage
    from app.approvals.operations import refuse

    today, calls = old_and_new
    old_call = calls["old"][0]
    refused, *_ = sign_up(old_call.id, people["lab"], "Moi", Decimal(4))
    refuse(refused, people["manager"], "Raison du refus")
    for message in session.execute(select(OutboxMessage)).scalars():
        message.sent_at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    session.commit()
    counts = purge(today=today)
    session.commit()
    assert counts["mails"] > 0 and session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 0
    assert session.execute(select(Decision.reason).where(Decision.signup_id == refused.id)).scalar_one() == ""


def ods_sheets(data):
    """Each sheet of an ODS file as rows of cells: dates as their ISO value, numbers as numbers, text as text."""
    document = load(io.BytesIO(data))
    sheets = {}
    for sheet in document.spreadsheet.getElementsByType(table.Table):
        rows = []
        for row in sheet.getElementsByType(table.TableRow):
            cells = []
            for cell in row.getElementsByType(table.TableCell):
                kind = cell.getAttribute("valuetype")
                cells.append(cell.getAttribute("datevalue") if kind == "date"
                             else float(cell.getAttribute("value")) if kind == "float" else str(cell))
            rows.append(cells)
        sheets[sheet.getAttribute("name")] = rows
    return sheets


def test_my_spreadsheet_speaks_french_in_local_time(app, people, two_agents):
    mine = session.execute(select(SignUp).where(SignUp.agent_id == people["agent"].id)).scalar_one()
    mine.submitted_at = datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)
    session.commit()
    sheets = ods_sheets(sign_in(app.test_client(), people["agent"]).get("/my/data.ods").data)
    header, row = sheets["Candidatures"]
    assert header[:4] == ["Appel", "État", "Date d'envoi", "Heures demandées"]
    assert row[:4] == ["Atelier mobilités", "Acceptée", "2026-07-01T12:00:00", 6.0]  # Paris, summer time
    header, *rows = sheets["Décisions sur mes demandes"]
    assert header[:3] == ["Appel", "Objet", "Décision"] and rows[0][1:3] == ["Demande", "Accordée"]
    header, *rows = sheets["Entrées du journal d'audit"]
    assert header == ["Date", "Action", "Par", "Objet", "Détails", "Adresse IP"]
    actions = {row[1] for row in rows}
    assert {"Candidature reçue", "Candidature acceptée, temps accordé"} <= actions
    assert f"Candidature n°\u00a0{mine.id}" in {row[3] for row in rows}
    assert ("Champ", "Valeur") == tuple(sheets["Profil"][0]) and ["Identifiant", "alex.agent"] in sheets["Profil"]


def test_my_data_leaves_out_the_addresses_of_others(app, people, two_agents):
    by_manager = record("directory.role_granted", actor=people["manager"], obj=people["agent"], role="lab")
    by_me = record("mail.preference_changed", actor=people["agent"], obj=people["agent"], daily_digest=True)
    by_manager.ip, by_me.ip = "10.1.2.3", "10.9.9.9"
    session.commit()
    client = sign_in(app.test_client(), people["agent"])
    entries = json.loads(client.get("/my/data.json").data)["audit_entries"]
    granted = next(entry for entry in entries if entry["action"] == "directory.role_granted")
    assert granted["by"] == "manon.manager" and granted["details"] == {"role": "lab"}  # the entry stays
    assert granted["address"] is None
    assert next(entry for entry in entries if entry["action"] == "mail.preference_changed")["address"] == "10.9.9.9"
    sheets = ods_sheets(client.get("/my/data.ods").data)
    addresses = {row[-1] for row in sheets["Entrées du journal d'audit"][1:]}
    assert "10.9.9.9" in addresses and "10.1.2.3" not in addresses


def test_my_data_keeps_my_sign_in_addresses_and_none_of_others(app, people, make_call):
    """Each person acts from their own machine; the agent's page and downloads hold only the agent's address."""
    from tests.conftest import PASSWORD

    mine, manager, lab, admin = "10.0.0.11", "10.0.0.22", "10.0.0.33", "10.0.0.44"
    agreed, held = make_call(title="Appel avec accord"), make_call(title="Appel sans suite")
    agent_client = app.test_client()
    as_agent = {"environ_base": {"REMOTE_ADDR": mine}}
    assert agent_client.post("/login", data={"login": "alex.agent", "password": PASSWORD}, **as_agent).status_code == 302
    for call in (agreed, held):
        assert agent_client.post(f"/calls/{call.id}/sign-up", data={"motivation": "J'aime les ateliers.",
                                 "hours_asked": "20", "availability": "Le mardi"}, **as_agent).status_code == 302
    first, second = session.execute(select(SignUp).order_by(SignUp.id)).scalars().all()
    assert sign_in(app.test_client(), people["manager"]).post(
        f"/approvals/{first.id}", data={"outcome": "approve"}, environ_base={"REMOTE_ADDR": manager}).status_code == 302
    assert sign_in(app.test_client(), people["lab"]).post(
        f"/lab/sign-ups/{second.id}/decline", data={"reason": "Profil déjà représenté."},
        environ_base={"REMOTE_ADDR": lab}).status_code == 302
    assert sign_in(app.test_client(), people["admin"]).post(
        f"/admin/users/{people['agent'].id}/roles/grant", data={"role": "lab"},
        environ_base={"REMOTE_ADDR": admin}).status_code == 302
    recorded = {(entry.action, entry.ip) for entry in session.execute(select(AuditEntry)).scalars()}
    assert {("auth.sign_in", mine), ("signup.approved", manager), ("signup.declined", lab),
            ("directory.role_granted", admin)} <= recorded, recorded  # each address was recorded
    downloads = {"page": agent_client.get("/my/data", **as_agent).get_data(as_text=True),
                 "json": agent_client.get("/my/data.json", **as_agent).get_data(as_text=True),
                 "ods": str(ods_sheets(agent_client.get("/my/data.ods", **as_agent).data))}
    entries = json.loads(downloads["json"])["audit_entries"]
    assert {"signup.approved", "signup.declined", "directory.role_granted"} <= {entry["action"] for entry in entries}
    for kind in ("json", "ods"):
        assert mine in downloads[kind], kind
    for kind, text in downloads.items():
        assert [address for address in (manager, lab, admin) if address in text] == [], kind
