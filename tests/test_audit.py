"""The audit log page: admins only, filters on actor, action family, object and local dates, newest first."""

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from app.audit.labels import ACTION_TITLES
from app.audit.models import AuditEntry
from app.audit.operations import record
from app.database import session
from app.signups.operations import sign_up
from tests.conftest import count_queries, sign_in
from tests.pages import cells, one, read_page, text_of, texts


@pytest.fixture
def entries(people):
    now = datetime.now(timezone.utc)
    made = [record("signup.approved", actor=people["manager"], obj=people["agent"], hours="10"),
            record("signup.refused", actor=people["manager"], obj=people["agent"], reason="<b>Non</b>"),
            record("export.volunteers", actor=people["lab"], format="ods", rows=3),
            record("approvals.reminder", recipient="manon.manager")]
    session.flush()
    made[3].at = now - timedelta(days=40)
    session.commit()
    return made


def entry_rows(page):
    """The listed entries, each as its cells' texts (date, actor, action, object, details, address); the count
    above the list agrees."""
    rows = [cells(row) for row in page.select("#audit-caption ~ tbody > tr")]
    assert text_of(one(page, "main p[role=status]")).startswith(f"{len(rows)} ")
    return rows


def rows(client, **filters):
    """The actions of the listed entries, by their titles."""
    titles = {str(title): action for action, title in ACTION_TITLES.items()}
    return [titles[row[2]] for row in entry_rows(read_page(client, "/admin/audit", query_string=filters))]


def test_filters(app, people, entries):
    admin = sign_in(app.test_client(), people["admin"])
    assert rows(admin) == ["export.volunteers", "signup.refused", "signup.approved", "approvals.reminder"]
    assert rows(admin, actor="manon.manager") == ["signup.refused", "signup.approved"]
    assert rows(admin, action="signup") == ["signup.refused", "signup.approved"]
    assert rows(admin, action="signup.refused") == ["signup.refused"]
    assert rows(admin, action="sign") == []  # a family is a whole first word
    assert rows(admin, actor="system") == ["approvals.reminder"]
    assert rows(admin, object_type="User", object_id=people["agent"].id) == ["signup.refused", "signup.approved"]
    assert rows(admin, since=(date.today() - timedelta(days=1)).isoformat()) == [
        "export.volunteers", "signup.refused", "signup.approved"]
    assert rows(admin, until=(date.today() - timedelta(days=30)).isoformat()) == ["approvals.reminder"]
    page = read_page(admin, "/admin/audit?since=hier&object_id=-3")
    assert text_of(one(page, "main p[role=status]")) == "4 entrées"  # wrong filters fall back alone
    page = read_page(admin, "/admin/audit")
    assert "reason: <b>Non</b>" in texts(page, ".details li") and not page.select(".details b")


def test_paged_and_constant_queries(app_factory, people):
    application = app_factory(ALLIES_PAGE_SIZE=10)
    admin = sign_in(application.test_client(), people["admin"])
    for _ in range(5):
        record("signup.approved", actor=people["manager"], obj=people["agent"])
    session.commit()
    few = count_queries(application, admin, "/admin/audit")
    for _ in range(30):
        record("signup.approved", actor=people["lab"], obj=people["agent"])
    session.commit()
    assert count_queries(application, admin, "/admin/audit") == few
    assert "Page 1 sur 4" in texts(read_page(admin, "/admin/audit"), "nav.pagination li")
    assert session.query(AuditEntry).count() == 35


def test_others_may_not_read_it(app, people):
    for role in ("agent", "manager", "lab"):
        assert sign_in(app.test_client(), people[role]).get("/admin/audit").status_code == 403


APP = Path(__file__).resolve().parent.parent / "app"


def recorded_actions():
    """The actions the code records: literal ones, and the patterns of those built with an f-string."""
    literal, patterns = set(), set()
    for path in APP.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        literal |= set(re.findall(r'\b(?:record|_Audit)\(\s*"([a-z_]+\.[a-z_]+)"', text))
        literal |= set(re.findall(r'\(\w+, "([a-z_]+\.[a-z_]+)", \w+\)', text))  # role changes of an import
        patterns |= set(re.findall(r'\brecord\(\s*f"([^"]+)"', text))
    return literal, patterns


def test_every_recorded_action_has_a_title(app):
    literal, patterns = recorded_actions()
    assert len(literal) > 30 and len(patterns) == 3
    assert not literal - set(ACTION_TITLES), "actions recorded without a title"
    code = "\n".join(path.read_text(encoding="utf-8") for path in APP.rglob("*.py"))
    # The values the f-strings are built from: final sign-up statuses, decisions on more time, reminders.
    built = {"signup.{status}": [member.lower() for member in re.findall(r'end_signup\([^)]*?SignUpStatus\.(\w+)', code)],
             "allocation.extension_{outcome}": [member.lower() for member in
                                                re.findall(r'_decided\([^)]*?DecisionOutcome\.(\w+)', code)],
             "approvals.{kind}": re.findall(r'_remind\(signup, "(\w+)"', code)}
    assert set(built) == patterns
    for pattern, values in built.items():
        assert values
        for value in values:
            assert re.sub(r"\{\w+\}", value, pattern) in ACTION_TITLES


def test_entries_in_words(app, people, make_call, make_user):
    ana = make_user("ana.ibanez", given_name="Ana", family_name="Ibáñez")
    call = make_call(title="Fresque du climat")
    signup = sign_up(call.id, ana, "Motivée", Decimal(10))[0]
    record("directory.role_granted", actor=people["admin"], obj=people["agent"], role="lab")
    record("future.thing", obj=call)
    session.commit()
    admin = sign_in(app.test_client(), people["admin"])
    page = read_page(admin, "/admin/audit")
    call_in_words = "Appel «\u00a0Fresque du climat\u00a0»"
    assert {row[2]: row[3] for row in entry_rows(page)} == {
        "Rôle accordé": "Alex Martin", "Candidature reçue": f"Candidature n°\u00a0{signup.id} d'Ana Ibáñez",
        "Appel créé": call_in_words, "Appel publié": call_in_words, "future.thing": call_in_words}
    actions_in_code = texts(page, "#audit-caption ~ tbody > tr > td:nth-of-type(2) > code")
    assert actions_in_code == ["future.thing"]  # an action without a title shows as recorded
    assert text_of(one(page, "select[name=action] option[value='directory.role_granted']")) == "Rôle accordé"


def test_large_counts_are_grouped(app, people):
    session.add_all([AuditEntry(actor_label="system", action="auth.sign_in_failed", details={}) for _ in range(1234)])
    session.commit()
    page = read_page(sign_in(app.test_client(), people["admin"]), "/admin/audit")
    assert text_of(one(page, "main p[role=status]")) == "1\u202f234 entrées"


def test_an_action_filter_with_control_characters_falls_back_to_every_action(app, people):
    admin = sign_in(app.test_client(), people["admin"])
    page = read_page(admin, "/admin/audit?action=signup%00.approved", h1="Journal d'audit")
    assert len(entry_rows(page)) == 0 and text_of(one(page, "main p[role=status]")) == "0 entrée"
