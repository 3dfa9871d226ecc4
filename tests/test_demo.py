"""`flask demo load`: a believable region, loaded once, with one sign-in per role."""

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from sqlalchemy import delete, func, select

from app.budgets.models import Allocation, TimeEntry
from app.budgets.working_time import hours_to_propose
from app.calls.forms import QUESTION_LABELS
from app.calls.models import Call
from app.database import Model, session
from app.demo.data import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_REPORTS_WAITING, demo_rows
from app.directory.models import OrgUnit, User
from app.directory.queries import direct_reports
from app.mail.models import OutboxMessage
from app.signups.models import SignUp
from tests.pages import field_value, read_page, table_rows


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


@pytest.fixture
def demo(app, runner):
    """The demo loaded; its people by role."""
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return {role: session.execute(select(User).where(User.login == login)).scalar_one()
            for role, login in DEMO_ACCOUNTS.items()}


def signed_in(app, login):
    """A client signed in through the sign-in form with the demo password."""
    client = app.test_client()
    response = client.post("/login", data={"login": login, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def test_demo_manager_has_requests_of_her_team_to_decide(app, demo):
    manager = demo["manager"]
    waiting = session.execute(select(SignUp).join(User, SignUp.agent_id == User.id).where(
        SignUp.status == "pending_manager", User.manager_id == manager.id)).scalars().all()
    assert len(DEMO_REPORTS_WAITING) >= 2
    assert set(DEMO_REPORTS_WAITING) <= {signup.agent.login for signup in waiting}

    rows = table_rows(read_page(signed_in(app, manager.login), "/approvals"), "requests-caption")
    for signup in waiting:
        assert [signup.agent.full_name, signup.call.title] in [[row[1], row[3]] for row in rows]


def test_demo_agent_has_an_open_call_to_answer_that_proposes_decimal_hours(app, demo):
    agent = demo["agent"]
    answered = select(SignUp.call_id).where(SignUp.agent_id == agent.id)
    calls = [call for call in session.execute(select(Call).where(Call.id.not_in(answered))).scalars()
             if call.is_open and call.is_meant_for(agent) and call.held_places < (call.capacity or 10**6)
             and hours_to_propose(call, agent) % 1]
    assert calls
    proposed = format_decimal(hours_to_propose(calls[0], agent), locale="fr")
    assert "," in proposed
    page = read_page(signed_in(app, agent.login), f"/calls/{calls[0].id}/sign-up")
    assert field_value(page, "hours_asked") == proposed


def test_demo_lab_has_a_call_asking_every_kind_of_question_with_answers_to_export(app, demo):
    lab = demo["lab"]
    call = next(call for call in session.execute(select(Call).where(Call.created_by == lab)).scalars()
                if {question.kind for question in call.active_questions} == set(QUESTION_LABELS))
    signups = session.execute(select(SignUp).where(SignUp.call_id == call.id)).scalars().all()
    assert len(signups) >= 4 and {"pending_manager", "approved"} <= {signup.status for signup in signups}

    response = signed_in(app, lab.login).post(f"/lab/volunteers/export?call={call.id}", data={"file_format": "csv"})
    assert response.status_code == 200
    header, *rows = csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    assert len(rows) == len(signups)
    for question in call.active_questions:
        column = header.index(question.label)
        assert all(row[column] for row in rows), question.label


def test_demo_starts_with_an_empty_outbox(app, demo):
    assert session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 0


def demo_snapshot():
    """What the demo made, without database ids: sign-ups with their answers, allocations and time logged."""
    signups = sorted((signup.agent.login, signup.call.title, signup.status, str(signup.hours_asked),
                      [answer.value for answer in signup.answers])
                     for signup in session.execute(select(SignUp)).scalars())
    allocations = sorted(session.execute(
        select(User.login, Call.title, Allocation.hours, Allocation.start_date, func.sum(TimeEntry.hours))
        .join(Allocation.agent).join(Allocation.signup).join(SignUp.call)
        .outerjoin(TimeEntry, TimeEntry.allocation_id == Allocation.id)
        .group_by(User.login, Call.title, Allocation.hours, Allocation.start_date)).all())
    return signups, allocations


def test_demo_is_the_same_at_each_load(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    first = demo_snapshot()
    session.remove()
    with session.get_bind().begin() as connection:
        for table in reversed(Model.metadata.sorted_tables):
            connection.execute(delete(table))
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert demo_snapshot() == first and len(first[0]) > 20 and len(first[1]) > 5


ROOT = Path(__file__).resolve().parents[1]


def make_dry_run(*arguments):
    """The commands `make` would run in the repository (`make -n`), one string."""
    if shutil.which("make") is None or not (ROOT / "Makefile").exists():
        pytest.skip("make and the repository's Makefile are needed")
    return subprocess.run(["make", "-n", "-C", str(ROOT), *arguments], capture_output=True, text=True,
                          check=True).stdout


def test_make_run_serves_on_the_port_asked_beside_the_mail_worker():
    commands = make_dry_run("run", "PORT=5123")
    assert "outbox send --loop" in commands and "--port 5123" in commands
    # One shell holds both: stopping the server (Ctrl-C) or its failing stops the worker.
    assert "trap 'kill $worker" in commands
    assert commands.index("db upgrade") < commands.index("demo load") < commands.index("outbox send --loop")
    assert "--port 5000" in make_dry_run("run")


def test_make_run_installs_what_running_needs_and_make_test_the_test_tools(tmp_path):
    venv = f"VENV={tmp_path / 'venv'}"
    run = make_dry_run("run", venv)
    assert "install --quiet -e ." in run and ".[test]" not in run
    assert "install --quiet -e '.[test]'" in make_dry_run("test", venv)
    assert ".[test]" not in make_dry_run("bench-exports", venv)


def test_make_demo_reset_starts_from_a_new_embedded_database():
    commands = make_dry_run("demo-reset")
    assert commands.index("rm -f instance/allies.sqlite3") < commands.index("db upgrade") < commands.index("demo load")
