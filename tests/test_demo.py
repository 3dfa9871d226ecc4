"""`flask demo load`: a believable region, loaded once, with one sign-in per role."""

from sqlalchemy import func, select

from app.budgets.models import Allocation
from app.calls.models import Call
from app.database import session
from app.demo.data import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_rows
from app.directory.models import OrgUnit, User
from app.directory.queries import direct_reports
from app.signups.models import SignUp


def test_demo_rows_are_deterministic_and_consistent():
    rows = demo_rows()
    assert rows == demo_rows()
    logins = {row["login"] for row in rows}
    assert 280 <= len(rows) <= 320 and len(logins) == len(rows)
    assert all(row["manager"] in logins for row in rows if row["manager"])
    assert sum(row["quotity"] != "100" for row in rows) >= 20


def test_demo_load_once_and_print_logins(app, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert all(login in result.output for login in DEMO_ACCOUNTS.values()) and DEMO_PASSWORD in result.output
    count = session.execute(select(func.count(User.id))).scalar_one()
    assert count == len(demo_rows())
    directorates = session.execute(select(func.count(OrgUnit.id)).where(OrgUnit.path.like("DGS/%"),
                                                                        ~OrgUnit.path.like("DGS/%/%"))).scalar_one()
    assert directorates >= 10

    approved = select(SignUp).where(SignUp.status == "approved")
    without_budget = approved.where(~select(Allocation.id).where(Allocation.signup_id == SignUp.id).exists())
    assert session.execute(approved.join(SignUp.call).where(Call.needs_manager_agreement.is_(False))).first()
    assert session.execute(without_budget).first() is None, "every accepted volunteer has a time budget"

    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and "déjà" in again.output
    assert session.execute(select(func.count(User.id))).scalar_one() == count


def test_demo_accounts_have_their_roles(app, runner):
    runner.invoke(args=["demo", "load"])
    users = {role: session.execute(select(User).where(User.login == login)).scalar_one()
             for role, login in DEMO_ACCOUNTS.items()}
    assert users["agent"].roles == [] and users["agent"].manager_id == users["manager"].id
    assert len(direct_reports(users["manager"], active_only=True)) >= 3
    assert users["lab"].roles == ["lab"] and users["admin"].roles == ["admin"]
    client = app.test_client()
    response = client.post("/login", data={"login": DEMO_ACCOUNTS["manager"], "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_demo_is_never_loaded_in_production(app_factory):
    application = app_factory()
    application.config["ALLIES_PRODUCTION"] = True  # set after start: production also refuses SQLite
    with application.app_context():
        result = application.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 1 and "production" in result.output
        assert session.execute(select(func.count(User.id))).scalar_one() == 0
