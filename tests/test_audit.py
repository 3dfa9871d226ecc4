"""The audit log page: admins only, filters on actor, action family, object and local dates, newest first."""

from datetime import date, datetime, timedelta, timezone

import pytest

from app.audit.models import AuditEntry
from app.audit.operations import record
from app.database import session
from tests.conftest import count_queries, sign_in


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


def rows(client, **filters):
    page = client.get("/admin/audit", query_string=filters).get_data(as_text=True)
    return [row.split("<code>")[1].split("</code>")[0] for row in page.split("<tbody>")[1].split("<tr>")[1:]] \
        if "<tbody>" in page else []


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
    page = admin.get("/admin/audit?since=hier&object_id=-3").get_data(as_text=True)
    assert "4 entrées" in page  # wrong filters fall back alone
    assert "&lt;b&gt;Non&lt;/b&gt;" in admin.get("/admin/audit").get_data(as_text=True)


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
    assert "Page 1 sur 4" in admin.get("/admin/audit").get_data(as_text=True)
    assert session.query(AuditEntry).count() == 35


def test_others_may_not_read_it(app, people):
    for role in ("agent", "manager", "lab"):
        assert sign_in(app.test_client(), people[role]).get("/admin/audit").status_code == 403
