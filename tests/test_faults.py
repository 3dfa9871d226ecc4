"""Faults on a real server: PostgreSQL stopped dead in the middle of a burst of sign-ups to gunicorn, then started
again. No answer is a 500, places stay counted right, the server recovers on its own and logs no crash."""

import os
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from glob import glob
from pathlib import Path

import psycopg
import pytest
import requests
from sqlalchemy import create_engine, func, select, text

from app import create_app
from app.api.operations import create_token
from app.calls.models import Call
from app.calls.operations import create_call, publish
from app.database import Model, session
from app.directory.models import OrgUnit, RoleGrant, User
from app.clock import utcnow
from app.signups.models import SignUp, SignUpStatus
from tests.conftest import PASSWORD_HASH, REQUIRE_PG, build_config
from tests.live_servers import free_port, start_gunicorn, wait_for_port

pytestmark = pytest.mark.postgres

# A sign-up's COMMIT takes a moment (as when a synchronous standby must confirm it): stopping the server mid-burst
# then catches requests at COMMIT, the moment a failed commit must still answer 503.
SLOW_COMMIT = """
CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.1); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON allies_signups DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION slow_commit();
"""
CAPACITY = 12
AGENTS = 120
OUTAGES = 2
BURST, ANSWERED_BEFORE_STOP, WHILE_DOWN, AFTER = 60, 15, 10, 40  # requests in each step of an outage
TIMEOUT = 10  # seconds each request may take
# Lines a crash leaves in the log: a traceback, Flask's unhandled exception, our 500 handler, gunicorn's own error page.
CRASH_MARKS = ("Traceback", "Exception on ", "Unhandled error", "Error handling request", "PendingRollbackError")


def postgres_binaries():
    """The newest PostgreSQL server binaries installed, or None."""
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(Path(path).parent.parent.name))
    return Path(found[-1]).parent if found else None


class Cluster:
    """A throw-away PostgreSQL cluster of this test's own, run by the postgres OS user (initdb refuses root)."""

    def __init__(self, binaries, folder):
        self.binaries, self.folder, self.port = binaries, folder, free_port()
        self.data = folder / "data"

    def run(self, tool, *arguments, check=True):
        runner = ("runuser", "-u", "postgres", "--") if os.geteuid() == 0 else ()
        subprocess.run([*runner, str(self.binaries / tool), *arguments], check=check, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def create(self):
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self.start()

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "start", "-w", "-t", "30", "-D", str(self.data), "-l", str(self.folder / "postgres.log"),
                 "-o", options)

    def stop_dead(self):
        """Stop as a crash would: every backend killed at once, nothing flushed politely."""
        self.run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.data))

    def wait_for_a_commit(self, timeout):
        """Return once a client's COMMIT is under way (so stopping now fails it there)."""
        deadline = time.monotonic() + timeout
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as connection:
            while time.monotonic() < deadline:
                if connection.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                                      "AND query = 'COMMIT'").fetchone()[0]:
                    return
        pytest.fail("no COMMIT was under way during the burst")

    def url(self, database="postgres"):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self):
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.data), check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def cluster():
    """A PostgreSQL cluster started for this test and removed after it."""
    binaries = postgres_binaries()
    if binaries is None:
        if REQUIRE_PG:
            pytest.fail("REQUIRE_PG=1 but no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
        pytest.skip("needs PostgreSQL's server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin")
    cluster = Cluster(binaries, Path(tempfile.mkdtemp(prefix="allies-faults-")))
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.remove()


def seed(database_url):
    """The schema, a published call with few places (needing the manager's agreement), and agents with a token each;
    returns the call's id and the tokens."""
    engine = create_engine(database_url)
    Model.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(text(SLOW_COMMIT))
    engine.dispose()
    app = create_app(build_config(database_url))
    with app.app_context():
        unit = OrgUnit(name="Service test", path="Service test")
        manager = User(login="manon.manager", email="manon@example.org", given_name="Manon", family_name="Durand",
                       org_unit=unit, quotity=100, password_hash=PASSWORD_HASH, session_version=1)
        lab = User(login="lea.lab", email="lea@example.org", given_name="Léa", family_name="Labbé", org_unit=unit,
                   quotity=100, password_hash=PASSWORD_HASH, session_version=1, role_grants=[RoleGrant(role="lab")])
        agents = [User(login=f"agent{number}", email=f"agent{number}@example.org", given_name="Camille",
                       family_name=f"Test{number}", org_unit=unit, manager=manager, quotity=100,
                       password_hash=PASSWORD_HASH, session_version=1) for number in range(AGENTS)]
        session.add_all([unit, manager, lab, *agents])
        session.flush()
        call = create_call(lab, title="Atelier design des services", summary="Un atelier.", body="Trois jours.",
                           capacity=CAPACITY, deadline=utcnow() + timedelta(days=10), audience_all=True,
                           commitment_kind="total_hours", commitment_value=Decimal(10),
                           start_date=date.today() + timedelta(days=30), end_date=date.today() + timedelta(days=90),
                           needs_manager_agreement=True, contact="labo@region.fr")
        publish(call, lab)
        tokens = [create_token(agent, "Jeton")[1] for agent in agents]
        session.commit()
        call_id = call.id
        session.remove()
        app.extensions["allies"].db.engine.dispose()
    return call_id, tokens


def held_and_holding(database_url, call_id):
    """The places the call counts as held, and the sign-ups that hold one."""
    app = create_app(build_config(database_url))
    with app.app_context():
        held = session.get(Call, call_id).held_places
        holding = session.execute(select(func.count()).select_from(SignUp).where(
            SignUp.call_id == call_id, SignUp.status.in_(SignUpStatus.HOLDING))).scalar_one()
        session.remove()
        app.extensions["allies"].db.engine.dispose()
    return held, holding


def request_path(number, call_id):
    """The address of the burst's request `number`: four in five sign up, the rest read a list or a page."""
    if number % 5 != 4:
        return f"/api/v1/calls/{call_id}/sign-ups"
    return ("/api/v1/calls", "/login", f"/calls/{call_id}", "/api/v1/me/sign-ups")[number // 5 % 4]


def test_postgresql_stopped_mid_burst_gives_503s_never_500s_and_recovers(cluster, tmp_path):
    cluster.run("createdb", "-h", str(cluster.folder), "-p", str(cluster.port), "-U", "postgres", "allies_faults_burst")
    database_url = cluster.url("allies_faults_burst")
    call_id, tokens = seed(database_url)
    process, port, log = start_gunicorn(database_url, tmp_path, "faults", "--workers", "2", "--threads", "4",
                                        "--timeout", "30", ALLIES_API_RATE_LIMIT="1000 per minute")
    base = f"http://127.0.0.1:{port}"
    answers = {"before": [], "down": [], "after": []}
    lock = threading.Lock()
    answered = {}

    def send(phase, number):
        """One request: mostly an agent signing up through the API, now and then a page or a list."""
        path = request_path(number, call_id)
        headers = {"Authorization": f"Bearer {tokens[number % AGENTS]}"} if path.startswith("/api/") else {}
        if path.endswith("/sign-ups") and path.startswith("/api/v1/calls/"):
            response = requests.post(base + path, headers=headers, timeout=TIMEOUT,
                                     json={"motivation": "J'aime les ateliers.", "hours_asked": 10})
        else:
            response = requests.get(base + path, headers=headers, timeout=TIMEOUT, allow_redirects=False)
        with lock:
            answers[phase].append((response.status_code, response.headers.get("Content-Type", ""), path))
        answered[phase].release()

    try:
        wait_for_port(port, process, log)
        numbers = iter(range(OUTAGES * (BURST + WHILE_DOWN + AFTER)))
        with ThreadPoolExecutor(max_workers=8) as pool:

            def step(phase, size):
                """`size` requests of `phase` sent at once (the pool runs eight at a time)."""
                answered[phase] = threading.Semaphore(0)
                return [pool.submit(send, phase, next(numbers)) for _ in range(size)]

            for _ in range(OUTAGES):
                # PostgreSQL is stopped dead in the middle of a burst: requests in flight lose it under a statement
                # or at COMMIT, the rest meet it gone.
                burst = step("before", BURST)
                for _ in range(ANSWERED_BEFORE_STOP):
                    assert answered["before"].acquire(timeout=TIMEOUT * 2), "the burst stalled"
                cluster.wait_for_a_commit(timeout=TIMEOUT)
                cluster.stop_dead()
                for future in burst + step("down", WHILE_DOWN):
                    future.result(timeout=TIMEOUT * 3)
                cluster.start()
                # Back up: agents try again (a second request lands on the sign-up already made), pages too.
                for future in step("after", AFTER):
                    future.result(timeout=TIMEOUT * 3)
    finally:
        process.terminate()
        process.wait(timeout=20)

    every = [answer for phase in answers.values() for answer in phase]
    statuses = sorted({status for status, _, _ in every})
    print(f"burst of {len(every)} requests; by phase and status:",
          {phase: {status: sum(1 for s, _, _ in found if s == status) for status in statuses}
           for phase, found in answers.items()})
    assert all(status < 500 or status == 503 for status in statuses), statuses
    assert any(status == 503 for status, _, _ in answers["before"] + answers["down"]), "the outage was met"
    assert all(status == 503 for status, _, path in answers["down"] if path.startswith("/api/")), \
        "while the database is down, every API request is a 503"
    assert all(kind.startswith(("application/json", "application/problem+json"))
               for _, kind, path in every if path.startswith("/api/")), \
        "the API answers JSON, a 503 included, never an HTML page or the server's bare page"
    assert all(kind.startswith("text/html") for status, kind, path in every if status == 503 and
               not path.startswith("/api/")), "pages get the 503 page"
    assert all(status < 400 for status, _, _ in answers["after"]), \
        f"served normally again without a restart: {answers['after']}"

    held, holding = held_and_holding(database_url, call_id)
    assert held == holding <= CAPACITY
    assert held == CAPACITY, "the places were all taken by the end"
    logged = log.read_text()
    assert not any(mark in logged for mark in CRASH_MARKS), logged
